/**
 * Gradient accumulation over micro-batches, for batches whose training step does not fit in
 * memory (wasm32's heap stops at 4 GiB).
 *
 * A training step's loss is the sum of the per-image terms divided by max(1, positives in the whole
 * batch) (torchvision). Every layer of FCOS treats the images of a batch independently (frozen
 * BatchNorm, GroupNorm per image), so the batch's loss is the sum of its micro-batches' losses when
 * each is divided by the whole batch's normaliser; so are the gradients. The micro-batches share
 * the batch's padded size, hence its anchor grid.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { FcosModel } from "../model/fcos.ts";
import type { ImageTargets } from "../model/types.ts";
import { fcosLoss } from "../loss/fcos_loss.ts";
import { buildDenseTargets } from "../loss/targets.ts";

/** Loss value, its three parts and the gradients of one step's forward and backward. */
export interface LossAndGrads {
  /** The total loss. */
  value: tf.Scalar;
  /** [classification, bbox regression, bbox centerness]. */
  parts: tf.Tensor1D;
  /** Gradients by variable name (of those that receive one). */
  grads: tf.NamedTensorMap;
  /** Positive locations over the whole batch. */
  numPositives: number;
}

/**
 * Peak bytes of tensors a training step adds, on wasm, beyond the model and optimizer state:
 * `fixed` + `perPixel` × images × padded pixels, for torchvision's layout (FPN 256, 4-conv heads,
 * trainable layers 3). Fitted to `bench/train_memory.ts` runs (peak tensor bytes, 2026-11-29):
 * R18 1×256² 534 MiB, 1×512² 1011 MiB, 4×512² 2921 MiB over the model; R34 1×256² 728, 1×512²
 * 1325 MiB; R50 1×256² 990, 1×512² 2252 MiB.
 */
const STEP_MEMORY: Record<string, { fixed: number; perPixel: number }> = {
  resnet18: { fixed: 374 * 2 ** 20, perPixel: 2546 },
  resnet34: { fixed: 529 * 2 ** 20, perPixel: 3184 },
  resnet50: { fixed: 569 * 2 ** 20, perPixel: 6731 },
};

/**
 * Peak tensor bytes a planned step may reach on wasm. wasm32's heap stops at 4 GiB and ran ≈ 1.17×
 * the peak tensor bytes (fragmentation, XNNPACK's packed operands): 4×512² R18 peaked at 3066 MiB
 * of tensors in a 3596 MiB heap, and 4×640² (≈ 4.5 GiB estimated) did not finish.
 */
const WASM_PEAK_BUDGET_BYTES = 3.2 * 2 ** 30;

/** What {@linkcode planMicroBatch} needs to know of the model. */
export interface MicroBatchModel {
  /** Backbone name (`resnet18`, `resnet34`, `resnet50`). */
  backbone: string;
  /** Backbone width multiplier (1 = torchvision's). */
  backboneWidth?: number;
  /** FPN channels (256 = torchvision's). */
  fpnChannels?: number;
}

/**
 * How many images of a batch of `batch` images of `height`×`width` (padded) one forward/backward
 * pass takes on `backend`: the whole batch unless, on wasm, the estimated peak memory (the
 * tensors held now, `heldBytes`, plus the step's; see `STEP_MEMORY`) exceeds the heap's budget,
 * then the largest count that fits (at least 1). Other backends get the whole batch (their limits
 * are not known here). Narrower models (width, FPN channels below torchvision's) are scaled down
 * in proportion, which overestimates them.
 *
 * @example
 * ```ts
 * import { planMicroBatch } from "./micro_batch.ts";
 * const r18 = { backbone: "resnet18" };
 * console.log(planMicroBatch(4, 512, 512, "wasm", r18)); // 4
 * console.log(planMicroBatch(4, 640, 640, "wasm", r18)); // 2
 * ```
 */
export function planMicroBatch(
  batch: number,
  height: number,
  width: number,
  backend: string,
  model: MicroBatchModel,
  heldBytes = 0,
): number {
  if (backend !== "wasm" || batch <= 1) return batch;
  const m = STEP_MEMORY[model.backbone] ?? STEP_MEMORY.resnet50;
  const scale = Math.min(1, Math.max(model.backboneWidth ?? 1, (model.fpnChannels ?? 256) / 256));
  const perImage = m.perPixel * scale * height * width;
  const room = WASM_PEAK_BUDGET_BYTES - heldBytes - m.fixed * scale;
  return Math.max(1, Math.min(batch, Math.floor(room / perImage)));
}

/**
 * Forward (training mode), FCOS loss and backward of `images` (N images) against `targets`, in
 * micro-batches of `microBatch` images whose gradients are summed; each micro-batch's loss is
 * divided by the whole batch's max(1, positives). With `microBatch >= N` this is one pass, the
 * same computation as without micro-batches (bit for bit).
 */
export function lossAndGrads(
  model: FcosModel,
  variables: tf.Variable[],
  images: tf.Tensor4D,
  targets: ImageTargets[],
  microBatch: number = images.shape[0],
): LossAndGrads {
  const n = images.shape[0];
  const [, hp, wp] = images.shape;
  const radius = model.config.centerSamplingRadius;
  const step = Math.max(1, Math.floor(microBatch));
  if (step >= n) {
    let parts: tf.Tensor1D | undefined;
    let numPositives = 0;
    const { value, grads } = tf.variableGrads(() => {
      const out = model.forward(images, true);
      const grid = model.anchorGrid([hp, wp], FcosModel.levelShapes(out.features));
      const l = fcosLoss(out.head, grid, targets, { centerSamplingRadius: radius });
      numPositives = l.numPositives;
      parts = tf.keep(tf.stack([l.classification, l.bboxRegression, l.bboxCtrness]) as tf.Tensor1D);
      return tf.addN([l.classification, l.bboxRegression, l.bboxCtrness]) as tf.Scalar;
    }, variables);
    return { value, parts: parts!, grads, numPositives };
  }
  let normalizer: number | undefined;
  let numPositives = 0;
  let value: tf.Scalar | undefined;
  let parts: tf.Tensor1D | undefined;
  let grads: tf.NamedTensorMap | undefined;
  try {
    for (let i0 = 0; i0 < n; i0 += step) {
      const i1 = Math.min(n, i0 + step);
      const mb = tf.slice(images, [i0, 0, 0, 0], [i1 - i0, hp, wp, images.shape[3]]);
      let mbParts: tf.Tensor1D | undefined;
      let result: { value: tf.Scalar; grads: tf.NamedTensorMap };
      try {
        result = tf.variableGrads(() => {
          const out = model.forward(mb, true);
          const grid = model.anchorGrid([hp, wp], FcosModel.levelShapes(out.features));
          // The whole batch's positives (the grid is the same for every micro-batch).
          normalizer ??= Math.max(
            1,
            buildDenseTargets(grid, targets, radius, out.head.clsLogits.shape[2]).numPositives,
          );
          const l = fcosLoss(out.head, grid, targets.slice(i0, i1), {
            centerSamplingRadius: radius,
            normalizer,
          });
          numPositives += l.numPositives;
          mbParts = tf.keep(
            tf.stack([l.classification, l.bboxRegression, l.bboxCtrness]) as tf.Tensor1D,
          );
          return tf.addN([l.classification, l.bboxRegression, l.bboxCtrness]) as tf.Scalar;
        }, variables);
      } finally {
        mb.dispose();
      }
      value = accumulate(value, result.value);
      parts = accumulate(parts, mbParts!);
      if (grads === undefined) {
        grads = result.grads;
      } else {
        for (const [name, g] of Object.entries(result.grads)) {
          grads[name] = accumulate(grads[name], g);
        }
      }
    }
  } catch (e) {
    tf.dispose([value, parts, ...Object.values(grads ?? {})].filter((t) => t !== undefined));
    throw e;
  }
  return { value: value!, parts: parts!, grads: grads!, numPositives };
}

/** sum + t (disposing both), or t when there is no sum yet. */
function accumulate<T extends tf.Tensor>(sum: T | undefined, t: T): T {
  if (sum === undefined) return t;
  const out = tf.add(sum, t) as T;
  sum.dispose();
  t.dispose();
  return out;
}
