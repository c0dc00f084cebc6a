/**
 * The second step of a training run: its data sets opened and checked, and the plan they imply
 * (the model configuration, the shuffling batch loader, steps per epoch, the learning-rate
 * schedule), all before any model work.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { type FcosConfig, makeConfig } from "../model/config.ts";
import { openDataset } from "../data/dataset.ts";
import { BatchLoader } from "../data/loader.ts";
import type { DetectionDataset } from "../data/types.ts";
import type { CheckpointState, RunSettings } from "./checkpoint.ts";
import { type LrSchedule, makeSchedule } from "./schedule.ts";
import type { TrainOptions } from "./trainer.ts";
import type { FineTuneSource } from "./settings.ts";

/** The data of a run. */
export interface RunData {
  /** Training images (the first `trainImages` of them). */
  trainSet: DetectionDataset;
  /** Validation images (the first `valImages`), or null: no evaluation. */
  valSet: DetectionDataset | null;
  /** Class names (a resumed run's are its checkpoint's, which the data must match). */
  classNames: string[];
}

/** What the data and settings imply for a run. */
export interface RunPlan {
  /** The model configuration (a resumed run's is its checkpoint's). */
  config: FcosConfig;
  /** Short sides picked per step (the settings', or `[config.minSize]`). */
  trainSizes: number[];
  /** Long side ≤ short side × this (the configuration's maxSize / minSize). */
  maxRatio: number;
  /** The shuffling, flipping loader of the training set. */
  loader: BatchLoader;
  /** Batches per epoch. */
  stepsPerEpoch: number;
  /** Batches of the whole run. */
  totalSteps: number;
  /** The learning-rate schedule (a resumed run's is its checkpoint's). */
  schedule: LrSchedule;
}

/**
 * Opens the training and validation sets of `settings` (broken images are skipped with a
 * warning unless `strict`). Throws FcosError for an empty set, and for data whose classes differ
 * from those of the checkpoint `resume`.
 *
 * @example
 * ```ts
 * import { freshSettings } from "./settings.ts";
 * import { openRunData } from "./run_data.ts";
 * const settings = freshSettings({ data: "synthetic:8", outDir: "runs/a" });
 * const data = await openRunData(settings, undefined, "runs/a", console.error);
 * console.log(data.trainSet.length, data.valSet?.length, data.classNames.length);
 * ```
 */
export async function openRunData(
  settings: RunSettings,
  resume: CheckpointState | undefined,
  runDir: string,
  log: (line: string) => void,
): Promise<RunData> {
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
  const classNames = resume?.classNames ?? [...trainSet.classNames];
  if (resume && JSON.stringify(resume.classNames) !== JSON.stringify(trainSet.classNames)) {
    throw new FcosError(
      `${settings.data}: its classes differ from those of the checkpoint in ${runDir}`,
    );
  }
  return { trainSet, valSet, classNames };
}

/**
 * The plan of a run: the model configuration (the checkpoint's, or `options.config` with the
 * fine-tuning file's architecture and the data's class count), the training sizes (also written
 * into `settings.trainSizes`, for the checkpoint), the loader and the schedule.
 *
 * @example
 * ```ts
 * import { freshSettings } from "./settings.ts";
 * import { openRunData, planRun } from "./run_data.ts";
 * const settings = freshSettings({ data: "synthetic:8", outDir: "runs/a", batchSize: 4, epochs: 3 });
 * const data = await openRunData(settings, undefined, "runs/a", console.error);
 * const plan = planRun(settings, data, { outDir: "runs/a" });
 * console.log(plan.stepsPerEpoch, plan.totalSteps, plan.trainSizes); // 2 6 [ 800 ]
 * ```
 */
export function planRun(
  settings: RunSettings,
  data: RunData,
  options: TrainOptions,
  resume?: CheckpointState,
  fineTune?: FineTuneSource,
): RunPlan {
  const config = resume?.config ??
    makeConfig({
      ...options.config,
      ...fineTune?.architecture,
      numClasses: data.classNames.length,
    });
  const trainSizes = settings.trainSizes.length > 0 ? settings.trainSizes : [config.minSize];
  settings.trainSizes = trainSizes;
  const loader = new BatchLoader(data.trainSet, {
    batchSize: settings.batchSize,
    seed: settings.seed,
    flipProbability: settings.flipProbability,
    shuffle: true,
    strict: settings.strict,
    prefetch: 2,
  });
  const stepsPerEpoch = loader.batchesPerEpoch;
  const totalSteps = stepsPerEpoch * settings.epochs;
  const schedule: LrSchedule = resume?.schedule ?? makeSchedule({
    lr: options.lr ?? 0.005,
    totalSteps,
    stepsPerEpoch,
    warmupIters: options.warmupIters,
    warmupFactor: options.warmupFactor,
  });
  return {
    config,
    trainSizes,
    maxRatio: config.maxSize / config.minSize,
    loader,
    stepsPerEpoch,
    totalSteps,
    schedule,
  };
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
