/**
 * `deno bench -A bench/nms_webgpu_bench.ts`: the WebGPU batched NMS (src/decode/nms_webgpu.ts) on
 * candidates already in GPU buffers (uploaded once, outside the timing; the timing includes the
 * read-back of the kept indices), next to the CPU path, for 1k, 5k and 20k clustered boxes over 20
 * classes (IoU 0.6). On a software adapter (llvmpipe) expect the GPU path to be far slower than
 * the CPU; the figure is meaningful on hardware adapters. Skipped without a WebGPU adapter.
 */
import { batchedNms } from "../src/decode/nms.ts";
import { WebGpuNms } from "../src/decode/nms_webgpu.ts";
import { BENCH_CASES, generateBoxes } from "./boxgen.ts";

const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
const gpu = adapter ? await WebGpuNms.create(await adapter.requestDevice()) : null;
if (!gpu) console.warn("nms_webgpu_bench: no WebGPU adapter; GPU benchmarks skipped");
const info = adapter?.info ? `${adapter.info.vendor} ${adapter.info.description}`.trim() : "";

for (const [name, n, c, seed] of BENCH_CASES) {
  const { boxes, scores, labels } = generateBoxes(n, c, seed);
  Deno.bench({
    name: `cpu batchedNms ${name}`,
    group: `nms ${name}`,
    baseline: true,
    fn() {
      batchedNms(boxes, scores, labels, 0.6);
    },
  });
  if (!gpu) continue;
  const d = gpu.device;
  const upload = (data: Float32Array | Int32Array) => {
    const b = d.createBuffer({
      size: data.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    d.queue.writeBuffer(b, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
    return b;
  };
  const input = { boxes: upload(boxes), scores: upload(scores), labels: upload(labels), count: n };
  Deno.bench({
    name: `webgpu run ${name} (${info || "adapter"})`,
    group: `nms ${name}`,
    n: n >= 20000 ? 5 : 10,
    warmup: 1,
    async fn() {
      await gpu.run(input, 0.6);
    },
  });
}
