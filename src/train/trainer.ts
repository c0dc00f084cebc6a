/**
 * Training FCOS: SGD with momentum and weight decay (torch.optim.SGD), per-step linear warm-up and
 * cosine decay, random horizontal flips and multi-scale resizing, optional gradient clipping,
 * evaluation after every epoch (COCO 12 stats and VOC mAP@0.5), checkpoints every epoch and on
 * interruption, exact resumption, a progress line, `metrics.jsonl`, PNG curves and drawn
 * detections.
 *
 * A run folder `RUN_DIR` holds: `checkpoint/` (see `checkpoint.ts`), `metrics.jsonl`, `loss.png`,
 * `loss_components.png`, `lr.png`, `map.png`, `model.safetensors` (final weights, torchvision
 * names), `best.safetensors` (the weights of the epoch with the highest validation VOC mAP@0.5)
 * and `detections/` (validation images with the final model's detections drawn).
 *
 * {@linkcode train} is a composition of steps, each in its own module (as torchvision's
 * `references/detection` splits `main`, `train_one_epoch` and `evaluate`): `settings.ts` (the
 * settings, fresh or the checkpoint's), `run_data.ts` (data sets, loader, schedule),
 * `run_state.ts` (model and optimizer, built or restored), `epoch.ts` (the epoch loop, with
 * `step.ts` for one step and `validation.ts` for the evaluation), `report.ts` (the end).
 *
 * @module
 */
import { type BackendName, initBackend } from "../backend/select.ts";
import type { FcosConfig } from "../model/config.ts";
import type { EvalRecord, StepRecord } from "./metrics.ts";
import { resolveSettings } from "./settings.ts";
import { openRunData, planRun } from "./run_data.ts";
import { createRun, startRun } from "./run_state.ts";
import { runEpochs } from "./epoch.ts";
import { finishInterrupted, finishRun, runFailure } from "./report.ts";

export {
  NonFiniteLossError,
  prepareBatch,
  type PreparedBatch,
  type StepLosses,
  trainableParams,
  trainStep,
} from "./step.ts";
export { predictDataset } from "./validation.ts";
export { limitDataset } from "./run_data.ts";
export { defaultValData } from "./settings.ts";

/**
 * Training settings of the built-in demo (`train --data synthetic --compact`), with
 * `COMPACT_CONFIG` as the model: sized to finish (training, evaluation, drawings) in well under
 * 10 minutes on 2 CPU cores with the wasm backend.
 */
export const COMPACT_TRAINING: Readonly<{
  epochs: number;
  lr: number;
  batchSize: number;
  clipGrad: number;
  warmupIters: number;
  trainImages: number;
  valImages: number;
}> = Object.freeze({
  epochs: 5,
  lr: 0.01,
  batchSize: 4,
  clipGrad: 10,
  warmupIters: 100,
  trainImages: 400,
  valImages: 150,
});

/** Options of {@linkcode train}. */
export interface TrainOptions {
  /** Training data: `synthetic[:N]`, `voc:DIR[:SPLIT]` or `coco:ANN.json:IMAGES`. */
  data?: string;
  /** The run folder (created; must not hold a run already unless `resume`). */
  outDir: string;
  /**
   * Continue the run in `outDir` from its checkpoint, with the settings stored there (the other
   * options, except `backend`, `log`, `progress`, `signal` and `onStep`, are ignored).
   */
  resume?: boolean;
  /**
   * Start over in an `outDir` that holds a run: its checkpoint, log, plots, weights and drawings
   * are replaced (other files are left alone). Default false: such an `outDir` is an error.
   */
  overwrite?: boolean;
  /**
   * Validation data (default: `synthetic` → its `val` split; `voc:DIR:train` → `voc:DIR:val`;
   * `voc:DIR[:trainval]` → `voc:DIR:test`; COCO → none). `null`: no evaluation.
   */
  valData?: string | null;
  /** Model configuration (numClasses is taken from the data). Default: torchvision's. */
  config?: Partial<FcosConfig>;
  /** Epochs (default 10). */
  epochs?: number;
  /** Peak learning rate (default 0.005). */
  lr?: number;
  /** Images per step (default 4). */
  batchSize?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** SGD weight decay (default 1e-4). */
  weightDecay?: number;
  /** Warm-up steps (default min(1000, one epoch)). */
  warmupIters?: number;
  /** Warm-up start factor (default 0.001). */
  warmupFactor?: number;
  /** Clip the global gradient norm to this value (default: no clipping). */
  clipGrad?: number | null;
  /** Seed of initialisation, order, flips and scales (default 0). */
  seed?: number;
  /** Horizontal flip probability (default 0.5). */
  flipProbability?: number;
  /** Short-side sizes picked at random per step (default: [config.minSize]). */
  trainSizes?: number[];
  /** torchvision ResNet (ImageNet) weights for the backbone, as safetensors. */
  backboneWeights?: string | null;
  /**
   * Fine-tune: a whole FCOS state dict to start from (torchvision's, or a `model.safetensors` or
   * `checkpoint/model.safetensors` of this project). Its architecture (backbone, width, FPN and
   * head size; see `ARCHITECTURE_KEYS`) is the model's — an explicitly different one in `config`
   * is an error — and the class count is the data's: a classifier for another class count is
   * re-initialised as torchvision does, and the log lists it. Not with `backboneWeights`.
   */
  weights?: string | null;
  /** Fail on the first broken image instead of skipping it. */
  strict?: boolean;
  /** Use only the first N training images per epoch. */
  trainImages?: number | null;
  /** Evaluate only the first N validation images. */
  valImages?: number | null;
  /** Validation images drawn with detections into `RUN_DIR/detections/` (default 4). */
  drawImages?: number;
  /** Score threshold of the drawn detections (default 0.3). */
  drawScoreThresh?: number;
  /** tfjs backend (default: `initBackend`'s choice, or the one already running). */
  backend?: BackendName;
  /** Where messages go (default: stderr). */
  log?: (line: string) => void;
  /** Show the progress line on stderr (default true). */
  progress?: boolean;
  /** Aborting it stops the run after the current step, with a checkpoint (Ctrl-C). */
  signal?: AbortSignal;
  /** Called after every step with its record and tfjs's live tensor count. */
  onStep?: (record: StepRecord, numTensors: number) => void;
}

/** What {@linkcode train} did. */
export interface TrainResult {
  /** The run folder. */
  runDir: string;
  /** Epochs completed. */
  epochs: number;
  /** Steps completed (global). */
  steps: number;
  /** Whether the run was interrupted (a checkpoint was written; resume it). */
  interrupted: boolean;
  /** The last evaluation, if any. */
  lastEval?: EvalRecord;
  /** Final weights (`RUN_DIR/model.safetensors`), when the run completed. */
  modelPath?: string;
  /**
   * The evaluated epoch with the highest VOC mAP@0.5 so far (the first of equals) and its weights
   * (`RUN_DIR/best.safetensors`); absent without validation data.
   */
  best?: { epoch: number; vocMap50: number; path: string };
  /** Wall-clock seconds of this call. */
  seconds: number;
}

/**
 * Trains (or resumes training) an FCOS model; see the module docs for what the run folder holds.
 * Throws FcosError for bad input (an empty data set, a run folder in use, a bad spec) before any
 * training, and for a failed run (a NaN loss keeps the last good checkpoint; out of memory
 * suggests a smaller batch or size).
 *
 * @example
 * ```ts ignore
 * import { train } from "jsr:@fcos/fcos";
 * const result = await train({
 *   data: "synthetic:64", outDir: "runs/tiny", epochs: 2, batchSize: 4,
 *   config: { backbone: "resnet18", backboneWidth: 0.25, fpnChannels: 32, minSize: 128, maxSize: 128 },
 * });
 * console.log(result.lastEval?.voc_map50);
 * ```
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const t0 = performance.now();
  const log = options.log ?? ((line: string) => console.error(line));
  const resolved = await resolveSettings(options);
  const { settings, resume } = resolved;
  const data = await openRunData(settings, resume?.state, options.outDir, log);
  const plan = planRun(settings, data, options, resume?.state, resolved.fineTune);
  const backend = await initBackend({ backend: options.backend, log });
  const run = await createRun(
    { runDir: options.outDir, settings, data, plan, backend: backend.name, log },
    { clear: (options.overwrite ?? false) && !resume },
  );
  try {
    await startRun(run, resolved, options.progress ?? true);
    const interrupted = await runEpochs(run, options);
    if (interrupted) return await finishInterrupted(run, t0);
    return await finishRun(run, { ...options, resumedAtStep: resume?.state.step }, t0);
  } catch (e) {
    throw runFailure(e, run);
  } finally {
    run.close();
  }
}
