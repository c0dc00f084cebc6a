/**
 * The case shared by bench/onnx_bench.ts and bench/onnx_interleaved.ts: FCOS-R18 (torchvision
 * widths, 91 classes, untrained), the same model on tfjs-wasm and exported to onnxruntime, one
 * 512×512 image, its network input as the onnx `detect` makes it (no resize at 512×512), and the
 * network's outputs with their anchor grid for timing the decode alone. FCOS_THREADS sets both
 * sides' threads (default 2).
 */
import { initBackend } from "../src/backend/select.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { OnnxDetector } from "../src/backend/onnx_runtime.ts";

export const threads = Number(Deno.env.get("FCOS_THREADS") ?? 2);
await initBackend({ backend: "wasm", threads, log: () => {} });
export const model = FcosModel.create({
  backbone: "resnet18",
  numClasses: 91,
  minSize: 512,
  maxSize: 512,
});
export const detector = await OnnxDetector.fromModel(model, { threads });

export const size = 512;
export const image = {
  data: Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 2654435761) >>> 24),
  width: size,
  height: size,
};
/** [1, 3, 512, 512] RGB in 0–1. */
export const nchw = new Float32Array(3 * size * size);
for (let c = 0; c < 3; c++) {
  for (let p = 0; p < size * size; p++) nchw[c * size * size + p] = image.data[3 * p + c] / 255;
}
export const dims: [number, number, number, number] = [1, 3, size, size];
export const heads = await detector.run(nchw, dims);
export const grid = detector.anchorGrid(size, size);
