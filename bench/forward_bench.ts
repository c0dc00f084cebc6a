/**
 * `deno bench`: FCOS-R18 (91 classes) inference on the backend at hand (FCOS_BACKEND=webgpu|wasm|cpu
 * to force one; by default the one `initBackend` picks):
 * - the forward pass (backbone + FPN + head) at 1×256×320 and 1×512×512, waited for by reading
 *   back one number (a sum of the head outputs), so that on a GPU it times the computation and
 *   not the transfer;
 * - `detect` of one image (transform, forward, decode, NMS) at 256×320 and 512×512, by the
 *   backend's default path first, then by the other one (`readback: "candidates"`: score
 *   threshold and per-level top-k on the device, only the candidates read back, the default on
 *   WebGPU; `"full"`: the whole head outputs read back and decoded on the CPU, the default on
 *   wasm and cpu); the names say how many bytes each reads back;
 * - what follows the forward pass alone, on the head outputs of one forward: selection, read-back
 *   and decode by either path.
 *
 * On a software WebGPU adapter (llvmpipe: ≈50× slower than wasm here, figures meaningless) the
 * cases shrink to the compact model at 128×128 so that the bench still runs in a minute or two;
 * FCOS_BENCH_FULL=1 keeps the R18 shapes. bench/forward_vs_torch.ts runs the same shapes in
 * PyTorch beside it and prints the ratio.
 */
import { tf } from "../src/tf.ts";
import { initBackend } from "../src/backend/select.ts";
import { cpuKernelsFromEnv } from "./_run.ts";
import { FcosModel, readHeadOutputs } from "../src/model/fcos.ts";
import { COMPACT_CONFIG } from "../src/model/config.ts";
import { preprocessImages } from "../src/model/transform.ts";
import type { HeadOutputs } from "../src/model/types.ts";
import { selectCandidates } from "../src/decode/candidates.ts";
import { decodeCandidates, resolveDecodeOptions } from "../src/decode/decode.ts";

const backend = Deno.env.get("FCOS_BACKEND") as "webgpu" | "wasm" | "cpu" | undefined;
const info = await initBackend({ backend, cpuKernels: cpuKernelsFromEnv(), log: () => {} });
const small = info.isSoftwareAdapter === true && Deno.env.get("FCOS_BENCH_FULL") !== "1";
const modelName = small ? "compact" : "FCOS-R18";
const model = FcosModel.create({
  ...(small ? COMPACT_CONFIG : { backbone: "resnet18" }),
  numClasses: 91,
});
const shapes: [number, number][] = small ? [[128, 128]] : [[256, 320], [512, 512]];
const tag = `${info.name}${small ? ` on ${info.adapter?.split(" (")[0]}, small shapes` : ""}${
  info.cpuKernels ? `, ${info.cpuKernels} conv kernels` : ""
}`;

function noiseImage(h: number, w: number) {
  return {
    data: Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 2654435761) >>> 24),
    width: w,
    height: h,
  };
}

function forwardBench(h: number, w: number) {
  const x = tf.randomNormal([1, h, w, 3]) as tf.Tensor4D;
  return async () => {
    const { features, head } = model.forward(x);
    const done = tf.tidy(() =>
      tf.addN([tf.sum(head.clsLogits), tf.sum(head.bboxRegression), tf.sum(head.bboxCtrness)])
    );
    await done.data();
    tf.dispose([done, ...features, head.clsLogits, head.bboxRegression, head.bboxCtrness]);
  };
}

/** One forward of one image: its head outputs and grid (kept for the read-back benches). */
function headOf(image: ReturnType<typeof noiseImage>, size: [number, number]) {
  const prep = preprocessImages([image], { ...model.config, minSize: size[0], maxSize: size[1] });
  const { features, head } = model.forward(prep.batch);
  const grid = model.anchorGrid(
    [prep.batch.shape[1], prep.batch.shape[2]],
    FcosModel.levelShapes(features),
  );
  tf.dispose([prep.batch, ...features]);
  return { head, grid, prep };
}

const kB = (b: number) => `${(b / 1000).toFixed(0)} kB`;

for (const [h, w] of shapes) {
  Deno.bench({
    name: `${modelName} forward 1×${h}×${w} (${tag})`,
    group: "forward",
    baseline: h === shapes[0][0],
    n: h * w > 100_000 ? 3 : 5,
    warmup: 1,
    fn: forwardBench(h, w),
  });
}
const autoPath = info.name === "webgpu" ? "candidates" : "full";
for (const [h, w] of shapes) {
  const image = noiseImage(h, w);
  const size: [number, number] = [Math.min(h, w), Math.max(h, w)];
  const { head, grid, prep } = headOf(image, size);
  const options = resolveDecodeOptions(model.config);
  const selected = await selectCandidates(head, grid, prep.imageSizes, options);
  const fullBytes = 4 * (head.clsLogits.size + head.bboxRegression.size + head.bboxCtrness.size);
  const n = h * w > 100_000 ? 3 : 5;
  const label = {
    candidates: `device top-k, reads ${kB(selected.bytesRead)}`,
    full: `full read-back, ${kB(fullBytes)}`,
  };
  // What follows the forward pass alone, on the head outputs of one forward: selection on the
  // backend, read-back and decode, by either path. Each run works on a fresh copy made on the
  // backend (tfjs keeps a tensor's values once read, so re-reading the same tensor is free).
  const fresh = (): HeadOutputs => {
    const [clsLogits, bboxRegression, bboxCtrness] = tf.tidy(() =>
      [head.clsLogits, head.bboxRegression, head.bboxCtrness].map((t) => tf.add(t, 0))
    );
    return { clsLogits, bboxRegression, bboxCtrness } as HeadOutputs;
  };
  const free = (t: HeadOutputs) => tf.dispose([t.clsLogits, t.bboxRegression, t.bboxCtrness]);
  Deno.bench({
    name: `${modelName} read-back + decode, ${h}×${w} (${tag}; ${label.candidates})`,
    group: `read-back ${h}×${w}`,
    baseline: autoPath === "candidates",
    n: 20,
    warmup: 2,
    async fn() {
      const copy = fresh();
      const sel = await selectCandidates(copy, grid, prep.imageSizes, options);
      free(copy);
      for (const c of sel.images) if (c !== null) decodeCandidates(c, options);
    },
  });
  Deno.bench({
    name: `${modelName} read-back + decode, ${h}×${w} (${tag}; ${label.full})`,
    group: `read-back ${h}×${w}`,
    baseline: autoPath === "full",
    n: 20,
    warmup: 2,
    async fn() {
      const copy = fresh();
      const host = await readHeadOutputs(copy);
      free(copy);
      model.postprocess(
        host,
        grid,
        prep.imageSizes,
        prep.originalSizes,
        options,
      );
    },
  });
  // The backend's default path first (named as bench/forward_vs_torch.ts expects), then the other.
  for (const readback of [autoPath, autoPath === "full" ? "candidates" : "full"] as const) {
    const name = readback === autoPath
      ? `${modelName} detect ${h}×${w} image (${tag}; ${label[readback]})`
      : `${modelName} detect ${h}×${w} image, ${label[readback]} (${tag})`;
    Deno.bench({
      name,
      group: `detect ${h}×${w}`,
      baseline: readback === autoPath,
      n,
      warmup: 1,
      async fn() {
        await model.detect([image], { minSize: size[0], maxSize: size[1], readback });
      },
    });
  }
}
