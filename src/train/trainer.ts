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
 * @module
 */
import { tf } from "../tf.ts";
import { FcosError } from "../errors.ts";
import { path } from "../std.ts";
import { type BackendName, initBackend } from "../backend/select.ts";
import { checkWebGpuDevice, webGpuDeviceProblem } from "../backend/webgpu.ts";
import { FcosModel } from "../model/fcos.ts";
import { type FcosConfig, makeConfig } from "../model/config.ts";
import { preprocessImages, scaleBoxes } from "../model/transform.ts";
import type { Detections, ImageTargets } from "../model/types.ts";
import { openDataset, parseDataSpec } from "../data/dataset.ts";
import { BatchLoader } from "../data/loader.ts";
import { hashSeed, Rng } from "../data/rng.ts";
import type { DetectionDataset, Sample } from "../data/types.ts";
import { resizeSample } from "../data/image.ts";
import {
  fineTuneArchitecture,
  loadBackboneWeights,
  loadFineTuneWeights,
  saveWeights,
} from "../io/weights.ts";
import type { Safetensors } from "../io/safetensors.ts";
import { drawDetections } from "../io/draw.ts";
import { readStateDict } from "../io/pytorch.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { evaluateDetections } from "../eval/detections.ts";
import { formatCocoSummary } from "../eval/coco.ts";
import { globalNorm, Sgd } from "./optimizer.ts";
import { lossAndGrads, planMicroBatch } from "./micro_batch.ts";
import { lrAt, type LrSchedule, makeSchedule } from "./schedule.ts";
import {
  type CheckpointState,
  findCheckpoint,
  loadCheckpointTensors,
  readCheckpointState,
  type RunSettings,
  saveCheckpoint,
} from "./checkpoint.ts";
import { type EvalRecord, MetricsLog, type StepRecord, writePlots } from "./metrics.ts";
import { ProgressLine } from "./progress.ts";

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
  images: tf.Tensor4D;
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
 * import { prepareBatch } from "./trainer.ts";
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
 * import { trainableParams } from "./trainer.ts";
 * await tf.setBackend("cpu");
 * const model = FcosModel.create({ backbone: "resnet18", numClasses: 5, fpnChannels: 16, groupNormGroups: 4 });
 * const sgd = new Sgd(trainableParams(model), { momentum: 0.9, weightDecay: 1e-4 });
 * console.log(sgd.params[0].name);
 * sgd.dispose();
 * model.dispose();
 * ```
 */
export function trainableParams(model: FcosModel): { name: string; variable: tf.Variable }[] {
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
    const partData = read.subarray(0, 3);
    const losses: StepLosses = {
      classification: read[0],
      bboxRegression: read[1],
      bboxCtrness: read[2],
      total: read[3],
      numPositives,
      gradNorm: read[4],
    };
    const where = options.step === undefined ? "" : `step ${options.step}: `;
    const names = ["classification", "bbox_regression", "bbox_ctrness"];
    for (let i = 0; i < 3; i++) {
      if (!Number.isFinite(partData[i])) {
        throw new NonFiniteLossError(`${where}the ${names[i]} loss is ${partData[i]}`);
      }
    }
    if (!Number.isFinite(losses.gradNorm)) {
      throw new NonFiniteLossError(
        `${where}the gradient norm is ${losses.gradNorm} (losses ${
          partData.join(", ")
        } are finite)`,
      );
    }
    const clip = options.clipGrad;
    if (clip != null && clip > 0) {
      const coef = clip / (losses.gradNorm + 1e-6); // torch.nn.utils.clip_grad_norm_
      if (coef < 1) {
        for (const [name, g] of gradMap) {
          gradMap.set(name, tf.tidy(() => tf.mul(g, tf.scalar(coef))));
          g.dispose();
        }
      }
    }
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

/** The first `n` images of a data set (or the data set itself when it has no more). */
export function limitDataset(dataset: DetectionDataset, n: number | null): DetectionDataset {
  if (n === null || n >= dataset.length) return dataset;
  return {
    get name() {
      return `${dataset.name} (first ${n})`;
    },
    classNames: dataset.classNames,
    length: n,
    get: (i: number) => dataset.get(i),
    get skipped() {
      return dataset.skipped;
    },
  };
}

/** The default validation spec for a training spec (see {@linkcode TrainOptions.valData}). */
export function defaultValData(spec: string): string | null {
  const parsed = parseDataSpec(spec);
  if (parsed.kind === "synthetic") return spec;
  if (parsed.kind === "voc") {
    return `voc:${parsed.dir}:${parsed.split === "train" ? "val" : "test"}`;
  }
  return null;
}

/** Detections of `model` on (the first `limit` images of) a data set, with their ground truth. */
export async function predictDataset(
  model: FcosModel,
  dataset: DetectionDataset,
  options: { batchSize?: number; strict?: boolean } = {},
): Promise<{ samples: Sample[]; detections: Detections[] }> {
  const loader = new BatchLoader(dataset, {
    batchSize: options.batchSize ?? 8,
    shuffle: false,
    dropLast: false,
    strict: options.strict,
  });
  const samples: Sample[] = [];
  const detections: Detections[] = [];
  for await (const batch of loader.epoch(0)) {
    const dets = await model.detect(
      batch.samples.map((s) => ({ data: s.image, width: s.width, height: s.height })),
    );
    samples.push(...batch.samples);
    detections.push(...dets);
  }
  return { samples, detections };
}

/** Drawn validation images are enlarged (by an integer factor) to at least this long side. */
const DRAW_MIN_SIDE = 384;

const ORIGINAL_MAX_RATIO = (c: FcosConfig) => c.maxSize / c.minSize;

function isOutOfMemory(e: unknown): boolean {
  if (e instanceof FcosError) return false;
  const m = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /out of memory|\bOOM\b|cannot allocate|allocation failed|memory access out of bounds/i
    .test(m);
}

/** Removes what a previous run wrote into `runDir` (and nothing else). */
async function clearRun(runDir: string): Promise<void> {
  for (
    const name of [
      "checkpoint",
      "checkpoint-new",
      "checkpoint-old",
      "detections",
      "metrics.jsonl",
      "model.safetensors",
      "best.safetensors",
      "loss.png",
      "loss_components.png",
      "lr.png",
      "map.png",
    ]
  ) {
    await Deno.remove(path.join(runDir, name), { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
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
  const runDir = options.outDir;

  // ---- settings (fresh or from the checkpoint) ----
  let resumeState: CheckpointState | undefined;
  let checkpointDir: string | undefined;
  if (options.resume) {
    checkpointDir = await findCheckpoint(runDir);
    resumeState = await readCheckpointState(checkpointDir);
  } else if (
    !options.overwrite && (await exists(path.join(runDir, "checkpoint")) ||
      await exists(path.join(runDir, "checkpoint-old")))
  ) {
    throw new FcosError(
      `${runDir} already holds a training run; resume it (--resume ${runDir}), start it over ` +
        `(--force) or choose another --out`,
    );
  }
  let settings: RunSettings;
  if (resumeState) {
    settings = resumeState.settings;
  } else {
    if (options.data === undefined) throw new FcosError("train: no training data given");
    const sizes = options.trainSizes;
    settings = {
      data: options.data,
      valData: options.valData === undefined ? defaultValData(options.data) : options.valData,
      trainImages: options.trainImages ?? null,
      valImages: options.valImages ?? null,
      epochs: options.epochs ?? 10,
      batchSize: options.batchSize ?? 4,
      seed: options.seed ?? 0,
      momentum: options.momentum ?? 0.9,
      weightDecay: options.weightDecay ?? 1e-4,
      clipGrad: options.clipGrad ?? null,
      flipProbability: options.flipProbability ?? 0.5,
      trainSizes: sizes && sizes.length > 0 ? sizes : [],
      backboneWeights: options.backboneWeights ?? null,
      weights: options.weights ?? null,
      strict: options.strict ?? false,
    };
    const posInt = (v: number, what: string) => {
      if (!(Number.isInteger(v) && v >= 1)) {
        throw new FcosError(`${what} must be a positive integer, got ${v}`);
      }
    };
    posInt(settings.epochs, "epochs");
    posInt(settings.batchSize, "batch size");
    if (settings.trainImages !== null) posInt(settings.trainImages, "training images");
    if (settings.valImages !== null) posInt(settings.valImages, "validation images");
    for (const s of settings.trainSizes) posInt(s, "training size");
    if (settings.clipGrad !== null && !(settings.clipGrad > 0)) {
      throw new FcosError(`gradient clipping norm must be > 0, got ${settings.clipGrad}`);
    }
    if (!(settings.flipProbability >= 0 && settings.flipProbability <= 1)) {
      throw new FcosError(`flip probability must be in [0, 1], got ${settings.flipProbability}`);
    }
    if (settings.weights && settings.backboneWeights) {
      throw new FcosError(
        `give either whole-model weights (${settings.weights}) or backbone weights ` +
          `(${settings.backboneWeights}), not both`,
      );
    }
  }
  // Fine-tuning: the file is read (and its architecture checked) before any other work.
  let fineTune:
    | { st: Safetensors; architecture: Partial<FcosConfig>; numClasses: number }
    | undefined;
  if (!resumeState && settings.weights) {
    const st = await readStateDict(settings.weights);
    fineTune = { st, ...fineTuneArchitecture(st, settings.weights, options.config) };
  }

  // ---- data (checked before any model work) ----
  const dataLog = (line: string) => log(`warning: ${line}`);
  const trainSet = limitDataset(
    await openDataset(settings.data, { strict: settings.strict, log: dataLog, split: "train" }),
    settings.trainImages,
  );
  if (trainSet.length === 0) throw new FcosError(`${trainSet.name}: the training set is empty`);
  const valSet = settings.valData === null ? null : limitDataset(
    await openDataset(settings.valData, { strict: settings.strict, log: dataLog, split: "val" }),
    settings.valImages,
  );
  if (valSet !== null && valSet.length === 0) {
    throw new FcosError(`${valSet.name}: the validation set is empty`);
  }
  const classNames = resumeState?.classNames ?? [...trainSet.classNames];
  if (
    resumeState && JSON.stringify(resumeState.classNames) !== JSON.stringify(trainSet.classNames)
  ) {
    throw new FcosError(
      `${settings.data}: its classes differ from those of the checkpoint in ${runDir}`,
    );
  }
  const config = resumeState?.config ??
    makeConfig({ ...options.config, ...fineTune?.architecture, numClasses: classNames.length });
  const trainSizes = settings.trainSizes.length > 0 ? settings.trainSizes : [config.minSize];
  settings.trainSizes = trainSizes;
  const maxRatio = ORIGINAL_MAX_RATIO(config);

  const loader = new BatchLoader(trainSet, {
    batchSize: settings.batchSize,
    seed: settings.seed,
    flipProbability: settings.flipProbability,
    shuffle: true,
    strict: settings.strict,
    prefetch: 2,
  });
  const stepsPerEpoch = loader.batchesPerEpoch;
  const totalSteps = stepsPerEpoch * settings.epochs;
  const schedule: LrSchedule = resumeState?.schedule ?? makeSchedule({
    lr: options.lr ?? 0.005,
    totalSteps,
    stepsPerEpoch,
    warmupIters: options.warmupIters,
    warmupFactor: options.warmupFactor,
  });

  // ---- backend, model, optimizer ----
  const backend = await initBackend({ backend: options.backend, log });
  await Deno.mkdir(runDir, { recursive: true });
  if (options.overwrite && !resumeState) await clearRun(runDir);
  const model = FcosModel.create(config, { seed: settings.seed });
  const sgd = new Sgd(trainableParams(model), {
    momentum: settings.momentum,
    weightDecay: settings.weightDecay,
  });
  const scaleRng = new Rng(hashSeed(settings.seed, 0x5ca1e));
  let step = 0;
  let epochsDone = 0;
  const progressOn = options.progress ?? true;
  let progress: ProgressLine | undefined;
  let metrics: MetricsLog | undefined;
  const say = (line: string) => progress ? progress.log(line) : log(line);
  let lastEval: EvalRecord | undefined;
  let lastGood: { epoch: number; step: number } | null = null;
  try {
    if (resumeState && checkpointDir) {
      await loadCheckpointTensors(checkpointDir, model, sgd);
      scaleRng.state = resumeState.rng;
      step = resumeState.step;
      epochsDone = resumeState.epoch;
      lastGood = { epoch: epochsDone, step };
      if (resumeState.stepsPerEpoch !== stepsPerEpoch) {
        throw new FcosError(
          `${checkpointDir}: the data now gives ${stepsPerEpoch} steps per epoch, the run had ${resumeState.stepsPerEpoch}`,
        );
      }
      log(`resuming ${runDir} at epoch ${epochsDone + 1}, step ${step}/${totalSteps}`);
    } else if (fineTune && settings.weights) {
      const r = await loadFineTuneWeights(model, fineTune.st, settings.weights);
      log(`weights: ${r.loaded} tensors from ${settings.weights}`);
      if (r.reinitialised.length > 0) {
        log(
          `re-initialised for ${config.numClasses} classes (the file has ${fineTune.numClasses}): ` +
            r.reinitialised.join(", "),
        );
      }
      fineTune = undefined; // the file's tensors can go
    } else if (settings.backboneWeights) {
      const r = await loadBackboneWeights(model, settings.backboneWeights);
      log(`backbone: ${r.loaded} tensors from ${settings.backboneWeights}`);
    }
    metrics = await MetricsLog.open(
      path.join(runDir, "metrics.jsonl"),
      resumeState ? step : undefined,
    );
    const evals = metrics.records.filter((r): r is EvalRecord => r.type === "eval");
    lastEval = evals.at(-1);
    // The best epoch so far (a resumed run finds it in the log; its weights are in best.safetensors).
    const bestPath = path.join(runDir, "best.safetensors");
    let best: TrainResult["best"];
    for (const r of evals) {
      if (!best || r.voc_map50 > best.vocMap50) {
        best = { epoch: r.epoch, vocMap50: r.voc_map50, path: bestPath };
      }
    }
    const count = model.params.count();
    log(
      `training ${config.backbone} FCOS (${(count.trainable / 1e6).toFixed(2)}M trainable ` +
        `parameters) on ${trainSet.name}: ${trainSet.length} images, ${settings.epochs} epochs × ` +
        `${stepsPerEpoch} steps of ${settings.batchSize}, lr ${schedule.lr}, sizes ${
          trainSizes.join("/")
        }, backend ${backend.name}` + (valSet ? `; validation ${valSet.name}` : ""),
    );

    const checkpointState = (reason: "epoch" | "interrupt"): CheckpointState => ({
      version: 1,
      epoch: epochsDone,
      step,
      stepsPerEpoch,
      rng: scaleRng.state,
      config,
      classNames,
      schedule,
      settings,
      reason,
      time: new Date().toISOString(),
    });

    const evaluate = async (): Promise<
      { record: EvalRecord; samples: Sample[]; detections: Detections[] } | null
    > => {
      if (valSet === null) return null;
      const te = performance.now();
      const { samples, detections } = await predictDataset(model, valSet, {
        batchSize: Math.max(settings.batchSize, 8),
        strict: settings.strict,
      });
      const m = evaluateDetections(
        samples.map((s) => ({ boxes: s.boxes, labels: s.labels, difficult: s.difficult })),
        detections,
        classNames.length,
        classNames,
      );
      const record: EvalRecord = {
        type: "eval",
        epoch: epochsDone,
        step,
        coco: [...m.coco.stats],
        voc_map50: m.vocMap50,
        voc_ap50_per_class: m.vocAp50PerClass,
        images: samples.length,
        seconds: (performance.now() - te) / 1000,
      };
      return { record, samples, detections };
    };

    let finalEval: Awaited<ReturnType<typeof evaluate>> = null;
    const endEpoch = async () => {
      epochsDone++;
      const ev = await evaluate();
      if (ev) {
        finalEval = ev;
        lastEval = ev.record;
        await metrics!.append(ev.record);
        if (!best || ev.record.voc_map50 > best.vocMap50) {
          await saveWeights(model, bestPath, {
            class_names: JSON.stringify(classNames),
            epoch: String(epochsDone),
            step: String(step),
            voc_map50: String(ev.record.voc_map50),
          });
          best = { epoch: epochsDone, vocMap50: ev.record.voc_map50, path: bestPath };
        }
        const s = ev.record.coco;
        say(
          `epoch ${epochsDone}/${settings.epochs}: VOC mAP@0.5 ${
            ev.record.voc_map50.toFixed(3)
          }, ` +
            `COCO AP ${s[0].toFixed(3)} AP50 ${s[1].toFixed(3)} AP75 ${s[2].toFixed(3)} ` +
            `(${ev.record.images} images, ${ev.record.seconds.toFixed(1)} s)`,
        );
      }
      await saveCheckpoint(runDir, model, sgd, checkpointState("epoch"));
      lastGood = { epoch: epochsDone, step };
      await writePlots(runDir, metrics!.records);
      progress?.resetClock();
    };

    const keptCheckpoint = () =>
      lastGood
        ? `the last good checkpoint (epoch ${lastGood.epoch}, step ${lastGood.step}) is kept in ${
          path.join(runDir, "checkpoint")
        }`
        : "no checkpoint was written yet";

    if (progressOn) {
      progress = new ProgressLine({ totalSteps, stepsPerEpoch, epochs: settings.epochs });
    }
    let interrupted = false;
    if (step < totalSteps) {
      for await (const batch of loader.batches({ start: step, count: totalSteps - step })) {
        while (batch.epoch > epochsDone) await endEpoch(); // an epoch whose last batch failed
        step = batch.step;
        const ts = performance.now();
        const size = trainSizes.length === 1
          ? trainSizes[0]
          : trainSizes[scaleRng.int(trainSizes.length)];
        const maxSize = Math.round(size * maxRatio);
        const lr = lrAt(schedule, step);
        let losses: StepLosses;
        const prepared = prepareBatch(model, batch.samples, size, maxSize);
        try {
          losses = await trainStep(model, sgd, prepared, lr, {
            clipGrad: settings.clipGrad,
            step,
          });
        } catch (e) {
          if (e instanceof NonFiniteLossError) {
            throw new FcosError(
              `training diverged at ${e.message}; stopped without saving these weights, ${keptCheckpoint()}. ` +
                `Try a lower --lr or --clip-grad`,
              { cause: e },
            );
          }
          // A lost device fails the next read with a generic error: the device says what happened.
          const deviceProblem = webGpuDeviceProblem();
          if (deviceProblem !== null || isOutOfMemory(e)) {
            const what = deviceProblem ?? "out of memory";
            throw new FcosError(
              `${what} at step ${step} (batch of ${batch.samples.length} at size ${size} on ` +
                `${backend.name}); ${keptCheckpoint()}. Try a smaller --batch-size or --size`,
              { cause: e },
            );
          }
          throw e;
        } finally {
          prepared.images.dispose();
        }
        step++;
        const record: StepRecord = {
          type: "step",
          step: step - 1,
          epoch: batch.epoch,
          lr,
          loss: losses.total,
          classification: losses.classification,
          bbox_regression: losses.bboxRegression,
          bbox_ctrness: losses.bboxCtrness,
          num_positives: losses.numPositives,
          grad_norm: losses.gradNorm,
          images: batch.samples.length,
          size,
          seconds: (performance.now() - ts) / 1000,
        };
        await metrics.append(record);
        progress?.update({
          step: record.step,
          epoch: batch.epoch,
          loss: record.loss,
          lr,
          images: record.images,
        });
        options.onStep?.(record, tf.memory().numTensors);
        if (step % stepsPerEpoch === 0) await endEpoch();
        if (options.signal?.aborted && step < totalSteps) {
          interrupted = true;
          break;
        }
      }
    }
    while (!interrupted && epochsDone < settings.epochs) await endEpoch();
    progress?.done();
    progress = undefined;

    if (interrupted) {
      await saveCheckpoint(runDir, model, sgd, checkpointState("interrupt"));
      await writePlots(runDir, metrics.records);
      log(
        `interrupted at step ${step}/${totalSteps}; checkpoint saved in ${
          path.join(runDir, "checkpoint")
        } (continue with --resume ${runDir})`,
      );
      return {
        runDir,
        epochs: epochsDone,
        steps: step,
        interrupted: true,
        lastEval,
        best,
        seconds: (performance.now() - t0) / 1000,
      };
    }

    // ---- the end: final weights, drawings, summary ----
    const modelPath = path.join(runDir, "model.safetensors");
    await saveWeights(model, modelPath, {
      class_names: JSON.stringify(classNames),
      epoch: String(epochsDone),
      step: String(step),
    });
    let fe = finalEval as Awaited<ReturnType<typeof evaluate>>;
    if (fe === null && valSet !== null && resumeState && step === resumeState.step) {
      fe = await evaluate(); // resumed a finished run: evaluate it again for the drawings
    }
    const draw = options.drawImages ?? 4;
    if (fe && draw > 0) {
      const dir = path.join(runDir, "detections");
      await Deno.mkdir(dir, { recursive: true });
      const thresh = options.drawScoreThresh ?? 0.3;
      for (let i = 0; i < Math.min(draw, fe.samples.length); i++) {
        const s = fe.samples[i], d = fe.detections[i];
        const keep = [...d.scores.keys()].filter((k) => d.scores[k] >= thresh);
        // Small images (the synthetic 128×128) are enlarged so that the labels stay readable.
        const f = Math.max(1, Math.ceil(DRAW_MIN_SIDE / Math.max(s.width, s.height)));
        const big = f === 1 ? s : resizeSample(s, s.width * f, s.height * f);
        const png = await drawDetections(
          { data: big.image, width: big.width, height: big.height },
          {
            boxes: new Float32Array(
              keep.flatMap((k) => [...d.boxes.subarray(4 * k, 4 * k + 4)].map((v) => v * f)),
            ),
            scores: new Float32Array(keep.map((k) => d.scores[k])),
            labels: new Int32Array(keep.map((k) => d.labels[k])),
          },
          classNames,
        );
        const safeId = s.id.replace(/[^A-Za-z0-9_.-]/g, "_");
        await writeFileAtomic(path.join(dir, `${String(i).padStart(2, "0")}_${safeId}.png`), png);
      }
    }
    if (lastEval) {
      log(`validation after epoch ${lastEval.epoch}:\n${formatCocoSummary(lastEval.coco)}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    log(
      `done: ${epochsDone} epochs, ${step} steps in ${seconds.toFixed(0)} s; weights ${modelPath}` +
        (lastEval ? `; VOC mAP@0.5 ${lastEval.voc_map50.toFixed(3)}` : "") +
        (best
          ? `; best epoch ${best.epoch} (VOC mAP@0.5 ${best.vocMap50.toFixed(3)}) in ${best.path}`
          : ""),
    );
    return {
      runDir,
      epochs: epochsDone,
      steps: step,
      interrupted: false,
      lastEval,
      modelPath,
      best,
      seconds,
    };
  } catch (e) {
    // Evaluation or a checkpoint on a WebGPU device that failed: say what the device reported.
    const deviceProblem = webGpuDeviceProblem();
    if (e instanceof FcosError || deviceProblem === null) throw e;
    throw new FcosError(
      `${deviceProblem} (step ${step}, ${backend.name}); try a smaller --batch-size or --size`,
      { cause: e },
    );
  } finally {
    progress?.done();
    metrics?.close();
    sgd.dispose();
    model.dispose();
  }
}
