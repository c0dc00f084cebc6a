/**
 * Training FCOS: {@linkcode train} runs a whole training job (data, model, SGD with warm-up and
 * cosine decay, checkpoints and exact resume, evaluation, curves) as the CLI's `train` command does;
 * the pieces below are for writing your own loop — one step (`prepareBatch`, `trainStep`), the FCOS losses with torchvision's target
 * assignment, the anchor grid, the optimizer and the learning-rate schedule.
 *
 * @example Train a compact model on the built-in synthetic data
 * ```ts ignore
 * import { train } from "jsr:@fcos/fcos/train";
 *
 * const result = await train({
 *   data: "synthetic:64", outDir: "runs/tiny", epochs: 2, batchSize: 4,
 *   config: { backbone: "resnet18", backboneWidth: 0.25, fpnChannels: 32, minSize: 128, maxSize: 128 },
 * });
 * console.log(result.lastEval?.voc_map50, result.modelPath);
 * ```
 *
 * @module
 */

export {
  COMPACT_TRAINING,
  NonFiniteLossError,
  predictDataset,
  prepareBatch,
  type PreparedBatch,
  type StepLosses,
  train,
  trainableParams,
  type TrainOptions,
  type TrainResult,
  trainStep,
} from "./src/train/trainer.ts";
export type { EvalRecord, StepRecord } from "./src/train/metrics.ts";
export { lrAt, type LrSchedule, makeSchedule } from "./src/train/schedule.ts";
export {
  clipByGlobalNorm,
  type MomentumBuffer,
  type NamedVariable,
  Sgd,
  type SgdOptions,
  type SgdState,
} from "./src/train/optimizer.ts";
export { fcosLoss, type FcosLosses, type FcosLossOptions } from "./src/loss/fcos_loss.ts";
export { makeAnchorGrid } from "./src/loss/anchors.ts";
export { assignTargets } from "./src/loss/targets.ts";
