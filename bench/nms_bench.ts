/**
 * `deno bench -A bench/nms_bench.ts`: batched NMS (IoU 0.6) of detector-like clustered boxes over
 * 20 classes (bench/boxgen.ts) at 1k, 5k and 20k boxes. The side-by-side comparison with
 * torchvision is bench/nms_vs_torch.ts; the WebGPU path is bench/nms_webgpu_bench.ts.
 */
import { batchedNms, nms } from "../src/decode/nms.ts";
import { BENCH_CASES, generateBoxes } from "./boxgen.ts";

for (const [name, n, c, seed] of BENCH_CASES) {
  const { boxes, scores, labels } = generateBoxes(n, c, seed);
  Deno.bench({
    name: `batchedNms ${name}`,
    group: `nms ${name}`,
    baseline: true,
    fn() {
      batchedNms(boxes, scores, labels, 0.6);
    },
  });
  Deno.bench({
    name: `nms ${name} (labels ignored)`,
    group: `nms ${name}`,
    fn() {
      nms(boxes, scores, 0.6);
    },
  });
}
