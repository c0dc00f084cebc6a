/**
 * Training checkpoints: `RUN_DIR/checkpoint/` holds `model.safetensors` (torchvision names, loads in
 * PyTorch), `optimizer.safetensors` (SGD momentum buffers by parameter name) and `state.json`
 * (epoch, step, RNG state, config, schedule, data spec). A new checkpoint is written completely into
 * `checkpoint-new/` and then swapped in by renames, so that at every instant a complete checkpoint
 * exists: `checkpoint/`, or during the swap `checkpoint-old/` (which {@linkcode findCheckpoint}
 * falls back to).
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { path } from "../std.ts";
import type { FcosModel } from "../model/fcos.ts";
import type { FcosConfig } from "../model/config.ts";
import { loadWeights, saveWeights } from "../io/weights.ts";
import { readSafetensors, type TensorEntry, writeSafetensors } from "../io/safetensors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import type { Sgd, SgdState } from "./optimizer.ts";
import type { LrSchedule } from "./schedule.ts";

/** Version of the `state.json` layout. */
export const CHECKPOINT_VERSION = 1;

/** Settings of a run that a resumed run must reuse (everything that shapes its steps). */
export interface RunSettings {
  /** Training data spec (`synthetic`, `voc:DIR:SPLIT`, `coco:ANN.json:IMAGES`). */
  data: string;
  /** Validation data spec, or null for no evaluation. */
  valData: string | null;
  /** Training images used per epoch (the first N of the data set), or null for all. */
  trainImages: number | null;
  /** Validation images evaluated after each epoch, or null for all. */
  valImages: number | null;
  /** Epochs of the whole run. */
  epochs: number;
  /** Images per step. */
  batchSize: number;
  /** Seed of initialisation, shuffling, flips and scales. */
  seed: number;
  /** SGD momentum. */
  momentum: number;
  /** SGD weight decay. */
  weightDecay: number;
  /** Global gradient-norm clip, or null. */
  clipGrad: number | null;
  /** Horizontal flip probability. */
  flipProbability: number;
  /** Short-side sizes to pick from per step (multi-scale training). */
  trainSizes: number[];
  /** ImageNet backbone weights the run started from, if any. */
  backboneWeights: string | null;
  /**
   * A whole FCOS the run was fine-tuned from (its architecture is the run's), if any. Absent in
   * checkpoints written before fine-tuning existed.
   */
  weights?: string | null;
  /** Skip broken images (false) or fail on them (true). */
  strict: boolean;
}

/** `state.json` of a checkpoint. */
export interface CheckpointState {
  /** Layout version ({@linkcode CHECKPOINT_VERSION}). */
  version: number;
  /** Completed epochs (the epoch the next step belongs to may be partly done). */
  epoch: number;
  /** Global index of the next step to run. */
  step: number;
  /** Steps in one epoch. */
  stepsPerEpoch: number;
  /** State of the trainer's random generator (multi-scale choice). */
  rng: [number, number, number, number];
  /** Model configuration. */
  config: FcosConfig;
  /** Class names of the training data. */
  classNames: string[];
  /** Learning-rate schedule. */
  schedule: LrSchedule;
  /** Run settings. */
  settings: RunSettings;
  /** Why it was written: end of an epoch, or an interruption. */
  reason: "epoch" | "interrupt";
  /** When it was written (ISO time). */
  time: string;
}

const FILES = ["model.safetensors", "optimizer.safetensors", "state.json"];

/**
 * Writes a checkpoint of `model`, `optimizer` and `state` into `runDir/checkpoint/` without ever
 * leaving the run without a complete checkpoint (see the module docs).
 *
 * @example
 * ```ts ignore
 * await saveCheckpoint("runs/demo", model, sgd, state);
 * ```
 */
export async function saveCheckpoint(
  runDir: string,
  model: FcosModel,
  optimizer: Sgd,
  state: CheckpointState,
): Promise<void> {
  const dir = path.join(runDir, "checkpoint");
  const fresh = path.join(runDir, "checkpoint-new");
  const old = path.join(runDir, "checkpoint-old");
  await Deno.remove(fresh, { recursive: true }).catch(() => {});
  await Deno.mkdir(fresh, { recursive: true });
  await saveWeights(model, path.join(fresh, "model.safetensors"), {
    class_names: JSON.stringify(state.classNames),
    epoch: String(state.epoch),
    step: String(state.step),
  });
  await writeOptimizer(path.join(fresh, "optimizer.safetensors"), await optimizer.getState());
  // state.json last: a checkpoint folder with a state.json is complete.
  await writeFileAtomic(path.join(fresh, "state.json"), JSON.stringify(state, null, 2) + "\n");
  // Swap: checkpoint → checkpoint-old, checkpoint-new → checkpoint, drop checkpoint-old.
  await Deno.remove(old, { recursive: true }).catch(() => {});
  if (await exists(dir)) await Deno.rename(dir, old);
  await Deno.rename(fresh, dir);
  await Deno.remove(old, { recursive: true }).catch(() => {});
}

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function writeOptimizer(file: string, state: SgdState): Promise<void> {
  const tensors = new Map<string, TensorEntry>();
  for (const [name, b] of state.buffers) {
    tensors.set(name, { dtype: "F32", shape: b.shape, data: b.data });
  }
  await writeSafetensors(file, tensors, { optimizer: "sgd", steps: String(state.steps) });
}

/**
 * The folder of the run's newest complete checkpoint: `checkpoint/`, else `checkpoint-old/`
 * (a swap that was cut off). Throws FcosError naming the folder when there is none.
 */
export async function findCheckpoint(runDir: string): Promise<string> {
  for (const name of ["checkpoint", "checkpoint-old"]) {
    const dir = path.join(runDir, name);
    if ((await Promise.all(FILES.map((f) => exists(path.join(dir, f))))).every(Boolean)) {
      return dir;
    }
  }
  if (!(await exists(runDir))) throw new FcosError(`${runDir}: no such run folder`);
  throw new FcosError(
    `${runDir}: no complete checkpoint (expected ${
      FILES.map((f) => `checkpoint/${f}`).join(", ")
    })`,
  );
}

/**
 * Reads a checkpoint's `state.json` and checks its fields. Throws FcosError naming the file.
 */
export async function readCheckpointState(dir: string): Promise<CheckpointState> {
  const file = path.join(dir, "state.json");
  let state: CheckpointState;
  try {
    state = JSON.parse(await Deno.readTextFile(file));
  } catch (e) {
    throw new FcosError(`${file}: not a readable JSON checkpoint state (${(e as Error).message})`, {
      cause: e,
    });
  }
  const bad = (what: string) => {
    throw new FcosError(`${file}: ${what}`);
  };
  if (state?.version !== CHECKPOINT_VERSION) {
    bad(`unsupported checkpoint version ${state?.version} (expected ${CHECKPOINT_VERSION})`);
  }
  if (!Number.isInteger(state.step) || state.step < 0) bad(`'step' must be an integer ≥ 0`);
  if (!Number.isInteger(state.epoch) || state.epoch < 0) bad(`'epoch' must be an integer ≥ 0`);
  if (!Array.isArray(state.rng) || state.rng.length !== 4) bad(`'rng' must hold 4 integers`);
  if (typeof state.config !== "object" || state.config === null) bad(`'config' is missing`);
  if (!Array.isArray(state.classNames)) bad(`'classNames' is missing`);
  if (typeof state.schedule?.lr !== "number") bad(`'schedule' is missing`);
  if (typeof state.settings?.data !== "string") bad(`'settings.data' is missing`);
  return state;
}

/**
 * Loads a checkpoint's weights into `model` and momentum buffers into `optimizer`.
 */
export async function loadCheckpointTensors(
  dir: string,
  model: FcosModel,
  optimizer: Sgd,
): Promise<void> {
  await loadWeights(model, path.join(dir, "model.safetensors"));
  const file = path.join(dir, "optimizer.safetensors");
  const st = await readSafetensors(file);
  const buffers = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [name, e] of st.tensors) {
    if (e.dtype !== "F32") throw new FcosError(`${file}: '${name}' is ${e.dtype}, expected F32`);
    buffers.set(name, { data: e.data as Float32Array, shape: e.shape });
  }
  const steps = Number(st.metadata.steps ?? "NaN");
  if (!Number.isInteger(steps) || steps < 0) {
    throw new FcosError(`${file}: metadata 'steps' is missing or not an integer`);
  }
  optimizer.setState({ steps, buffers }, file);
}
