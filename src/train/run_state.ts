/**
 * The third step of a training run: the model and optimizer, built fresh (seeded, optionally from
 * fine-tuning or backbone weights) or restored from a checkpoint, and the state that changes as
 * the run goes (step, epochs, the best epoch, the log, the progress line).
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { path } from "../std.ts";
import { FcosModel } from "../model/fcos.ts";
import { hashSeed, Rng } from "../data/rng.ts";
import { loadBackboneWeights, loadFineTuneWeights } from "../io/weights.ts";
import { Sgd } from "./optimizer.ts";
import { trainableParams } from "./step.ts";
import { type CheckpointState, loadCheckpointTensors, type RunSettings } from "./checkpoint.ts";
import { type EvalRecord, MetricsLog } from "./metrics.ts";
import { ProgressLine } from "./progress.ts";
import type { RunData, RunPlan } from "./run_data.ts";
import type { ResolvedSettings } from "./settings.ts";
import type { Evaluation } from "./validation.ts";

/** What stays fixed during a run: where, with what settings, data and plan, on which backend. */
export interface RunSetup {
  /** The run folder. */
  runDir: string;
  /** The run's settings (stored in every checkpoint). */
  settings: RunSettings;
  /** Its data. */
  data: RunData;
  /** Its configuration, loader and schedule. */
  plan: RunPlan;
  /** The tfjs backend's name. */
  backend: string;
  /** Where messages go. */
  log: (line: string) => void;
}

/** The evaluated epoch with the highest VOC mAP@0.5 so far and where its weights are. */
export interface BestEpoch {
  /** The epoch (1-based). */
  epoch: number;
  /** Its VOC mAP@0.5. */
  vocMap50: number;
  /** `RUN_DIR/best.safetensors`. */
  path: string;
}

/** A run in progress: its model and optimizer, and what changes from step to step. */
export class RunState {
  /** The model being trained. */
  readonly model: FcosModel;
  /** Its optimizer. */
  readonly sgd: Sgd;
  /** Picks the size of each step (multi-scale training); stored in the checkpoint. */
  readonly scaleRng: Rng;
  /** Steps done (global). */
  step = 0;
  /** Epochs done. */
  epochsDone = 0;
  /** Where the last checkpoint on disk stands (null: none written yet). */
  lastGood: { epoch: number; step: number } | null = null;
  /** The last evaluation (this call's or, resumed, the log's). */
  lastEval?: EvalRecord;
  /** The best epoch so far. */
  best?: BestEpoch;
  /** This call's last evaluation with its images and detections (for the drawings). */
  finalEval: Evaluation | null = null;
  /** The progress line, while the epochs run. */
  progress?: ProgressLine;
  #metrics?: MetricsLog;

  /** Builds the seeded model and its optimizer for `setup`. */
  constructor(readonly setup: RunSetup) {
    const { settings } = setup;
    this.model = FcosModel.create(setup.plan.config, { seed: settings.seed });
    this.sgd = new Sgd(trainableParams(this.model), {
      momentum: settings.momentum,
      weightDecay: settings.weightDecay,
    });
    this.scaleRng = new Rng(hashSeed(settings.seed, 0x5ca1e));
  }

  /** `metrics.jsonl` (open once {@linkcode startRun} ran). */
  get metrics(): MetricsLog {
    if (!this.#metrics) throw new Error("the run's metrics log is not open");
    return this.#metrics;
  }

  /** Opens `metrics.jsonl`, keeping (resumed) only the records before the current step. */
  async openMetrics(resumed: boolean): Promise<void> {
    this.#metrics = await MetricsLog.open(
      path.join(this.setup.runDir, "metrics.jsonl"),
      resumed ? this.step : undefined,
    );
  }

  /** A message, above the progress line while there is one. */
  say(line: string): void {
    if (this.progress) this.progress.log(line);
    else this.setup.log(line);
  }

  /** Ends the progress line (it stays ended). */
  endProgress(): void {
    this.progress?.done();
    this.progress = undefined;
  }

  /** What a checkpoint written now stores besides the tensors. */
  checkpointState(reason: "epoch" | "interrupt"): CheckpointState {
    const { settings, data, plan } = this.setup;
    return {
      version: 1,
      epoch: this.epochsDone,
      step: this.step,
      stepsPerEpoch: plan.stepsPerEpoch,
      rng: this.scaleRng.state,
      config: plan.config,
      classNames: data.classNames,
      schedule: plan.schedule,
      settings,
      reason,
      time: new Date().toISOString(),
    };
  }

  /** Where a failed run leaves the user: the last good checkpoint, or none. */
  keptCheckpoint(): string {
    return this.lastGood
      ? `the last good checkpoint (epoch ${this.lastGood.epoch}, step ${this.lastGood.step}) is kept in ${
        path.join(this.setup.runDir, "checkpoint")
      }`
      : "no checkpoint was written yet";
  }

  /** Ends the progress line, closes the log, frees the optimizer and the model. */
  close(): void {
    this.progress?.done();
    this.#metrics?.close();
    this.sgd.dispose();
    this.model.dispose();
  }
}

/**
 * Creates the run folder (emptied of a previous run's files when `clear`) and the run's seeded
 * model and optimizer.
 *
 * @example
 * ```ts ignore
 * const run = await createRun(setup, { clear: false });
 * try { await startRun(run, resolved, false); } finally { run.close(); }
 * ```
 */
export async function createRun(setup: RunSetup, options: { clear: boolean }): Promise<RunState> {
  await Deno.mkdir(setup.runDir, { recursive: true });
  if (options.clear) await clearRun(setup.runDir);
  return new RunState(setup);
}

/**
 * Brings a new run to its first step: the weights (the checkpoint's, the fine-tuning file's or
 * the backbone's; `resolved.fineTune` is dropped once loaded), the metrics log, the best epoch so
 * far, the opening log line and (when `progress`) the progress line.
 *
 * @example
 * ```ts ignore
 * await startRun(run, resolved, true);
 * ```
 */
export async function startRun(
  run: RunState,
  resolved: ResolvedSettings,
  progress: boolean,
): Promise<void> {
  await initWeights(run, resolved);
  await run.openMetrics(resolved.resume !== undefined);
  const evals = run.metrics.records.filter((r): r is EvalRecord => r.type === "eval");
  run.lastEval = evals.at(-1);
  // A resumed run finds its best epoch in the log (its weights are in best.safetensors).
  run.best = bestEpoch(evals, path.join(run.setup.runDir, "best.safetensors"));
  logStart(run);
  const { plan, settings } = run.setup;
  if (progress) {
    run.progress = new ProgressLine({
      totalSteps: plan.totalSteps,
      stepsPerEpoch: plan.stepsPerEpoch,
      epochs: settings.epochs,
    });
  }
}

/**
 * The evaluation with the highest VOC mAP@0.5 (the first of equals), with `bestPath` as its
 * weights; undefined without evaluations.
 *
 * @example
 * ```ts ignore
 * const best = bestEpoch(records.filter((r) => r.type === "eval"), "runs/a/best.safetensors");
 * ```
 */
export function bestEpoch(evals: EvalRecord[], bestPath: string): BestEpoch | undefined {
  let best: BestEpoch | undefined;
  for (const r of evals) {
    if (!best || r.voc_map50 > best.vocMap50) {
      best = { epoch: r.epoch, vocMap50: r.voc_map50, path: bestPath };
    }
  }
  return best;
}

/** The run's first weights: the checkpoint's (resumed), the fine-tuning file's, the backbone's. */
async function initWeights(run: RunState, resolved: ResolvedSettings): Promise<void> {
  const { settings, plan, log, runDir } = run.setup;
  if (resolved.resume) {
    const { dir, state } = resolved.resume;
    await loadCheckpointTensors(dir, run.model, run.sgd);
    run.scaleRng.state = state.rng;
    run.step = state.step;
    run.epochsDone = state.epoch;
    run.lastGood = { epoch: run.epochsDone, step: run.step };
    if (state.stepsPerEpoch !== plan.stepsPerEpoch) {
      throw new FcosError(
        `${dir}: the data now gives ${plan.stepsPerEpoch} steps per epoch, the run had ${state.stepsPerEpoch}`,
      );
    }
    log(`resuming ${runDir} at epoch ${run.epochsDone + 1}, step ${run.step}/${plan.totalSteps}`);
  } else if (resolved.fineTune && settings.weights) {
    const r = await loadFineTuneWeights(run.model, resolved.fineTune.st, settings.weights);
    log(`weights: ${r.loaded} tensors from ${settings.weights}`);
    if (r.reinitialised.length > 0) {
      log(
        `re-initialised for ${plan.config.numClasses} classes (the file has ${resolved.fineTune.numClasses}): ` +
          r.reinitialised.join(", "),
      );
    }
    resolved.fineTune = undefined; // the file's tensors can go
  } else if (settings.backboneWeights) {
    const r = await loadBackboneWeights(run.model, settings.backboneWeights);
    log(`backbone: ${r.loaded} tensors from ${settings.backboneWeights}`);
  }
}

/** The run's opening line: model, data, schedule, sizes, backend. */
function logStart(run: RunState): void {
  const { settings, data, plan, backend, log } = run.setup;
  const count = run.model.params.count();
  log(
    `training ${plan.config.backbone} FCOS (${(count.trainable / 1e6).toFixed(2)}M trainable ` +
      `parameters) on ${data.trainSet.name}: ${data.trainSet.length} images, ${settings.epochs} epochs × ` +
      `${plan.stepsPerEpoch} steps of ${settings.batchSize}, lr ${plan.schedule.lr}, sizes ${
        plan.trainSizes.join("/")
      }, backend ${backend}` + (data.valSet ? `; validation ${data.valSet.name}` : ""),
  );
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
