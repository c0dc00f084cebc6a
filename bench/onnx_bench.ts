/**
 * `deno bench -A bench/onnx_bench.ts`: FCOS-R18 (torchvision widths, 91 classes) `detect` on one
 * 512×512 image on tfjs-wasm and on the onnxruntime backend, beside onnxruntime's own
 * `session.run` of the exported network and our decode of its outputs — the goal is onnx `detect`
 * within 1.2× of run + decode. Both sides use 2 threads (FCOS_THREADS to change). Untrained weights
 * put nearly every (location, class) pair just over the 0.05 threshold, so the decode here is its
 * heavy case (1000 candidates per level into NMS).
 */
import { postprocessDetections } from "../src/model/fcos.ts";
import { detector, dims, grid, heads, image, model, nchw, size, threads } from "./_onnx_case.ts";

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
