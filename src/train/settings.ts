/**
 * The first step of a training run: its settings, fresh (from {@linkcode TrainOptions}, checked)
 * or a resumed run's (from its checkpoint), and the fine-tuning file, read and checked before any
 * other work.
 *
 * @module
 */
import { pathExists } from "../io/atomic.ts";
import { FcosError } from "../errors.ts";
import { path } from "../std.ts";
import type { FcosConfig } from "../model/config.ts";
import { parseDataSpec } from "../data/dataset.ts";
import { fineTuneArchitecture } from "../io/weights.ts";
import type { Safetensors } from "../io/safetensors.ts";
import { readStateDict } from "../io/pytorch.ts";
import {
  type CheckpointState,
  findCheckpoint,
  readCheckpointState,
  type RunSettings,
} from "./checkpoint.ts";
import type { TrainOptions } from "./trainer.ts";

/** A whole-model state dict to fine-tune from, with the architecture and class count it implies. */
export interface FineTuneSource {
  /** The file's tensors. */
  st: Safetensors;
  /** Its architecture (backbone, width, FPN and head size). */
  architecture: Partial<FcosConfig>;
  /** The class count of its classifier. */
  numClasses: number;
}

/** What {@linkcode resolveSettings} found. */
export interface ResolvedSettings {
  /** The run's settings (a resumed run's are its checkpoint's). */
  settings: RunSettings;
  /** The checkpoint to resume from. */
  resume?: { dir: string; state: CheckpointState };
  /** The fine-tuning file (fresh runs with `weights`); dropped once its tensors are loaded. */
  fineTune?: FineTuneSource;
}

/**
 * The settings of a run: a resumed run's from its checkpoint; a fresh run's from `options`, with
 * the defaults filled in and checked, in a run folder that holds no run (unless `overwrite`).
 * Throws FcosError for bad settings, before any data or model work.
 *
 * @example
 * ```ts
 * import { resolveSettings } from "./settings.ts";
 * const { settings } = await resolveSettings({ data: "synthetic:8", outDir: "/tmp/no-such-run" });
 * console.log(settings.valData, settings.epochs); // synthetic:8 10
 * ```
 */
export async function resolveSettings(options: TrainOptions): Promise<ResolvedSettings> {
  const runDir = options.outDir;
  if (options.resume) {
    const dir = await findCheckpoint(runDir);
    const state = await readCheckpointState(dir);
    return { settings: state.settings, resume: { dir, state } };
  }
  if (!options.overwrite) await checkRunFolderFree(runDir);
  const settings = freshSettings(options);
  checkSettings(settings);
  // Fine-tuning: the file is read (and its architecture checked) before any other work.
  if (!settings.weights) return { settings };
  const st = await readStateDict(settings.weights);
  return {
    settings,
    fineTune: { st, ...fineTuneArchitecture(st, settings.weights, options.config) },
  };
}

/**
 * The settings of a fresh run: `options` with the defaults filled in (not yet checked).
 *
 * @example
 * ```ts
 * import { freshSettings } from "./settings.ts";
 * console.log(freshSettings({ data: "voc:VOC2007", outDir: "runs/a" }).valData); // voc:VOC2007:test
 * ```
 */
export function freshSettings(options: TrainOptions): RunSettings {
  if (options.data === undefined) throw new FcosError("train: no training data given");
  const sizes = options.trainSizes;
  return {
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
}

/**
 * Throws FcosError naming the first bad value of `settings` (counts and sizes that are not
 * positive integers, a clipping norm ≤ 0, a flip probability outside [0, 1], both whole-model and
 * backbone weights).
 *
 * @example
 * ```ts
 * import { checkSettings, freshSettings } from "./settings.ts";
 * const settings = freshSettings({ data: "synthetic", outDir: "runs/a", epochs: 0 });
 * try { checkSettings(settings); } catch (e) { console.log((e as Error).message); }
 * // epochs must be a positive integer, got 0
 * ```
 */
export function checkSettings(settings: RunSettings): void {
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

/** The default validation spec for a training spec (see {@linkcode TrainOptions.valData}). */
export function defaultValData(spec: string): string | null {
  const parsed = parseDataSpec(spec);
  if (parsed.kind === "synthetic") return spec;
  if (parsed.kind === "voc") {
    return `voc:${parsed.dir}:${parsed.split === "train" ? "val" : "test"}`;
  }
  return null;
}

/** Throws FcosError when `runDir` holds a training run (a checkpoint, or the old one of a save). */
async function checkRunFolderFree(runDir: string): Promise<void> {
  if (
    await pathExists(path.join(runDir, "checkpoint")) ||
    await pathExists(path.join(runDir, "checkpoint-old"))
  ) {
    throw new FcosError(
      `${runDir} already holds a training run; resume it (--resume ${runDir}), start it over ` +
        `(--force) or choose another --out`,
    );
  }
}
