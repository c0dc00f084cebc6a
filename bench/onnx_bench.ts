/**
 * `deno bench -A bench/onnx_bench.ts`: FCOS-R18 (torchvision widths, 91 classes) `detect` on one
 * 512×512 image on tfjs-wasm and on the onnxruntime backend, beside onnxruntime's own
 * `session.run` of the exported network and our decode of its outputs — the goal is onnx `detect`
 * within 1.2× of run + decode. Both sides use 2 threads (FCOS_THREADS to change). Untrained weights
 * put nearly every (location, class) pair just over the 0.05 threshold, so the decode here is its
 * heavy case (1000 candidates per level into NMS).
 */
import { initBackend } from "../src/backend/select.ts";
import { FcosModel, postprocessDetections } from "../src/model/fcos.ts";
import { OnnxDetector } from "../src/backend/onnx_runtime.ts";

const threads = Number(Deno.env.get("FCOS_THREADS") ?? 2);
await initBackend({ backend: "wasm", threads, log: () => {} });
const model = FcosModel.create({
  backbone: "resnet18",
  numClasses: 91,
  minSize: 512,
  maxSize: 512,
});
const detector = await OnnxDetector.fromModel(model, { threads });

const size = 512;
const image = {
  data: Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 2654435761) >>> 24),
  width: size,
  height: size,
};
// The network's input as onnx `detect` makes it (no resize needed at 512×512), and its outputs.
const nchw = new Float32Array(3 * size * size);
for (let c = 0; c < 3; c++) {
  for (let p = 0; p < size * size; p++) nchw[c * size * size + p] = image.data[3 * p + c] / 255;
}
const dims: [number, number, number, number] = [1, 3, size, size];
const heads = await detector.run(nchw, dims);
const grid = detector.anchorGrid(size, size);

Deno.bench({
  name: `detect 512×512, tfjs wasm (${threads} threads)`,
  group: "detect",
  baseline: true,
  n: 5,
  warmup: 1,
  async fn() {
    await model.detect([image]);
  },
});
Deno.bench({
  name: `detect 512×512, onnx backend (${threads} threads)`,
  group: "detect",
  n: 10,
  warmup: 2,
  async fn() {
    await detector.detect([image]);
  },
});
Deno.bench({
  name: "onnxruntime session.run alone (network)",
  group: "detect",
  n: 10,
  warmup: 2,
  async fn() {
    await detector.run(nchw, dims);
  },
});
Deno.bench({
  name: "our decode alone (threshold, top-k, boxes, NMS)",
  group: "detect",
  n: 20,
  warmup: 2,
  fn() {
    postprocessDetections(model.config, heads, grid, [[size, size]], [[size, size]]);
  },
});
