/**
 * One training step (torchvision's `train_one_epoch` body): a batch prepared at one size, forward,
 * FCOS loss, backward, global-norm clipping and the SGD update.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { FcosError } from "../errors.ts";
import { checkWebGpuDevice } from "../backend/webgpu.ts";
import type { FcosModel } from "../model/fcos.ts";
import type { Tensor4D, Variable } from "../tensor.ts";
import { preprocessImages, scaleBoxes } from "../model/transform.ts";
import type { ImageTargets } from "../model/types.ts";
import type { Sample } from "../data/types.ts";
import { globalNorm, type Sgd } from "./optimizer.ts";
import { lossAndGrads, planMicroBatch } from "./micro_batch.ts";

/** The loss of a step was NaN or infinite. */
export class NonFiniteLossError extends FcosError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "NonFiniteLossError";
  }
}

/** A batch ready for a training step. */
export interface PreparedBatch {
  /** [N, Hp, Wp, 3] normalised, resized, padded images. */
  images: Tensor4D;
  /** Ground truth in resized pixels. */
  targets: ImageTargets[];
  /** Short side used. */
  size: number;
}

/**
 * Preprocesses samples for training at short side `minSize` (long side ≤ `maxSize`) and scales
 * their boxes (torchvision's `GeneralizedRCNNTransform` in training mode).
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { FcosModel } from "../model/fcos.ts";
 * import { generateSynthetic } from "../data/synthetic.ts";
 * import { prepareBatch } from "./step.ts";
 * await tf.setBackend("cpu");
 * const model = FcosModel.create({ backbone: "resnet18", numClasses: 5, fpnChannels: 16, groupNormGroups: 4 });
 * const batch = prepareBatch(model, [generateSynthetic(0)], 64, 64);
 * console.log(batch.images.shape); // [1, 64, 64, 3]
 * batch.images.dispose();
 * model.dispose();
 * ```
 */
export function prepareBatch(
  model: FcosModel,
  samples: Sample[],
  minSize: number,
  maxSize: number,
): PreparedBatch {
  const prep = preprocessImages(
    samples.map((s) => ({ data: s.image, width: s.width, height: s.height })),
    { minSize, maxSize, imageMean: model.config.imageMean, imageStd: model.config.imageStd },
  );
  const targets = samples.map((s, i) => ({
    boxes: scaleBoxes(s.boxes, prep.originalSizes[i], prep.imageSizes[i]),
    labels: s.labels,
  }));
  return { images: prep.batch, targets, size: minSize };
}

/** Loss values of one step. */
export interface StepLosses {
  /** Focal loss. */
  classification: number;
  /** GIoU loss. */
  bboxRegression: number;
  /** Centerness loss. */
  bboxCtrness: number;
  /** Their sum. */
  total: number;
  /** Positive locations. */
  numPositives: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/**
 * The parameters an optimizer of `model` trains, by torchvision name (torchvision's
 * trainable-layers rule: frozen stages and frozen-BN buffers are left out).
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { FcosModel } from "../model/fcos.ts";
 * import { Sgd } from "./optimizer.ts";
 * import { trainableParams } from "./step.ts";
 * await tf.setBackend("cpu");
 * const model = FcosModel.create({ backbone: "resnet18", numClasses: 5, fpnChannels: 16, groupNormGroups: 4 });
 * const sgd = new Sgd(trainableParams(model), { momentum: 0.9, weightDecay: 1e-4 });
 * console.log(sgd.params[0].name);
 * sgd.dispose();
 * model.dispose();
 * ```
 */
export function trainableParams(model: FcosModel): { name: string; variable: Variable }[] {
  return model.params.specs.filter((s) => s.trainable).map((s) => ({
    name: s.name,
    variable: model.params.get(s.name),
  }));
}

/**
 * One training step: forward (training mode), FCOS loss, backward, optional global-norm clipping,
 * SGD update with learning rate `lr`. A non-finite loss or gradient throws
 * {@linkcode NonFiniteLossError} before the weights change. Leaves no tensor behind.
 *
 * @example
 * ```ts ignore
 * const sgd = new Sgd(trainableParams(model));
 * const batch = prepareBatch(model, samples, 512, 512);
 * const losses = await trainStep(model, sgd, batch, 0.01);
 * batch.images.dispose();
 * ```
 */
export async function trainStep(
  model: FcosModel,
  optimizer: Sgd,
  batch: PreparedBatch,
  lr: number,
  options: {
    clipGrad?: number | null;
    step?: number;
    /**
     * Images per forward/backward pass; their gradients are summed (same result as the whole
     * batch, within float rounding). Default: the whole batch unless on wasm it would not fit
     * in memory (`planMicroBatch`).
     */
    microBatch?: number;
  } = {},
): Promise<StepLosses> {
  const params = optimizer.params;
  const [n, hp, wp] = batch.images.shape;
  const microBatch = options.microBatch ??
    planMicroBatch(n, hp, wp, tf.getBackend(), model.config, tf.memory().numBytes);
  const { value, parts, grads, numPositives } = lossAndGrads(
    model,
    params.map((p) => p.variable),
    batch.images,
    batch.targets,
    microBatch,
  );
  const gradMap = new Map<string, tf.Tensor>();
  for (const p of params) {
    const g = grads[p.variable.name];
    if (g !== undefined) gradMap.set(p.name, g);
  }
  // What crosses the bus: five floats (three loss terms, their sum, the gradient norm), in one
  // read; the weights and gradients stay on the device.
  const scalars = tf.tidy(() =>
    tf.concat([parts, value.reshape([1]), globalNorm(gradMap.values()).reshape([1])])
  );
  try {
    const read = (await scalars.data()) as Float32Array;
    // A WebGPU command buffer with an error was dropped: these numbers would be stale memory.
    checkWebGpuDevice();
    const losses = finiteLosses(read, numPositives, options.step);
    clipGradients(gradMap, losses.gradNorm, options.clipGrad);
    optimizer.step(gradMap, lr);
    return losses;
  } finally {
    tf.dispose([...gradMap.values()]);
    tf.dispose(grads);
    value.dispose();
    parts.dispose();
    scalars.dispose();
  }
}

/**
 * The losses of a step from its five read-back floats (classification, box regression,
 * centerness, their sum, the gradient norm); throws {@linkcode NonFiniteLossError} naming the
 * step and the term when one is NaN or infinite.
 *
 * @example
 * ```ts
 * import { finiteLosses } from "./step.ts";
 * const losses = finiteLosses(new Float32Array([1, 2, 0.5, 3.5, 4]), 12, 7);
 * console.log(losses.total, losses.gradNorm); // 3.5 4
 * ```
 */
export function finiteLosses(
  read: Float32Array,
  numPositives: number,
  step?: number,
): StepLosses {
  const partData = read.subarray(0, 3);
  const losses: StepLosses = {
    classification: read[0],
    bboxRegression: read[1],
    bboxCtrness: read[2],
    total: read[3],
    numPositives,
    gradNorm: read[4],
  };
  const where = step === undefined ? "" : `step ${step}: `;
  const names = ["classification", "bbox_regression", "bbox_ctrness"];
  for (let i = 0; i < 3; i++) {
    if (!Number.isFinite(partData[i])) {
      throw new NonFiniteLossError(`${where}the ${names[i]} loss is ${partData[i]}`);
    }
  }
  if (!Number.isFinite(losses.gradNorm)) {
    throw new NonFiniteLossError(
      `${where}the gradient norm is ${losses.gradNorm} (losses ${partData.join(", ")} are finite)`,
    );
  }
  return losses;
}

/**
 * Scales the gradients in `gradMap` (in place: each replaced tensor is disposed) so that their
 * global norm `gradNorm` is at most `clip`, as `torch.nn.utils.clip_grad_norm_` does; no
 * clipping when `clip` is null or not positive.
 */
function clipGradients(
  gradMap: Map<string, tf.Tensor>,
  gradNorm: number,
  clip: number | null | undefined,
): void {
  if (clip == null || !(clip > 0)) return;
  const coef = clip / (gradNorm + 1e-6); // torch.nn.utils.clip_grad_norm_
  if (coef >= 1) return;
  for (const [name, g] of gradMap) {
    gradMap.set(name, tf.tidy(() => tf.mul(g, tf.scalar(coef))));
    g.dispose();
  }
}
