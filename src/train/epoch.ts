/**
 * The fourth step of a training run: the epochs (torchvision's `train_one_epoch`, then
 * `evaluate`, per epoch): a step per batch with its `metrics.jsonl` record, and at each epoch's
 * end the evaluation, the best weights, the checkpoint and the plots. Stops after the current step
 * when the run's signal is aborted.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { FcosError } from "../errors.ts";
import { webGpuDeviceProblem } from "../backend/webgpu.ts";
import type { Batch } from "../data/loader.ts";
import { path } from "../std.ts";
import { saveWeights } from "../io/weights.ts";
import type { Rng } from "../data/rng.ts";
import { NonFiniteLossError, prepareBatch, type StepLosses, trainStep } from "./step.ts";
import { lrAt } from "./schedule.ts";
import { saveCheckpoint } from "./checkpoint.ts";
import { type StepRecord, writePlots } from "./metrics.ts";
import type { RunState } from "./run_state.ts";
import { evaluateModel, type Evaluation } from "./validation.ts";

/** What a caller of the run hears of it. */
export interface EpochHooks {
  /** Aborting it stops the run after the current step. */
  signal?: AbortSignal;
  /** Called after every step with its record and tfjs's live tensor count. */
  onStep?: (record: StepRecord, numTensors: number) => void;
}

/**
 * Runs the remaining steps of `run`, ending each epoch as its last step completes (an epoch whose
 * last batch failed to load ends before the next one starts), and ends the progress line.
 * Returns true when the signal stopped the run before its last step.
 *
 * @example
 * ```ts ignore
 * const interrupted = await runEpochs(run, { signal });
 * ```
 */
export async function runEpochs(run: RunState, hooks: EpochHooks): Promise<boolean> {
  const { loader, totalSteps, stepsPerEpoch } = run.setup.plan;
  let interrupted = false;
  if (run.step < totalSteps) {
    for await (const batch of loader.batches({ start: run.step, count: totalSteps - run.step })) {
      while (batch.epoch > run.epochsDone) await endEpoch(run); // an epoch whose last batch failed
      await trainBatch(run, batch, hooks);
      if (run.step % stepsPerEpoch === 0) await endEpoch(run);
      if (hooks.signal?.aborted && run.step < totalSteps) {
        interrupted = true;
        break;
      }
    }
  }
  while (!interrupted && run.epochsDone < run.setup.settings.epochs) await endEpoch(run);
  run.endProgress();
  return interrupted;
}

/**
 * One step of the run on `batch`: its size picked, prepared, trained at the schedule's learning
 * rate; its record appended to the log, the progress line and `onStep`.
 */
async function trainBatch(run: RunState, batch: Batch, hooks: EpochHooks): Promise<void> {
  const { settings, plan } = run.setup;
  run.step = batch.step;
  const ts = performance.now();
  const size = pickSize(plan.trainSizes, run.scaleRng);
  const lr = lrAt(plan.schedule, run.step);
  let losses: StepLosses;
  const prepared = prepareBatch(run.model, batch.samples, size, Math.round(size * plan.maxRatio));
  try {
    losses = await trainStep(run.model, run.sgd, prepared, lr, {
      clipGrad: settings.clipGrad,
      step: run.step,
    });
  } catch (e) {
    throw stepFailure(e, run, `batch of ${batch.samples.length} at size ${size}`);
  } finally {
    prepared.images.dispose();
  }
  run.step++;
  const record = stepRecord(run.step - 1, batch, lr, losses, size, ts);
  await run.metrics.append(record);
  run.progress?.update({
    step: record.step,
    epoch: batch.epoch,
    loss: record.loss,
    lr,
    images: record.images,
  });
  hooks.onStep?.(record, tf.memory().numTensors);
}

/**
 * The short side of a step: the only size, or one picked by `rng` (which is then advanced; a
 * single size draws nothing, so single-size runs keep their random stream).
 *
 * @example
 * ```ts
 * import { Rng } from "../data/rng.ts";
 * import { pickSize } from "./epoch.ts";
 * console.log(pickSize([512], new Rng(1))); // 512
 * ```
 */
export function pickSize(sizes: number[], rng: Rng): number {
  return sizes.length === 1 ? sizes[0] : sizes[rng.int(sizes.length)];
}

/** The `metrics.jsonl` record of step `step`, which started at `ts` (performance.now()). */
function stepRecord(
  step: number,
  batch: Batch,
  lr: number,
  losses: StepLosses,
  size: number,
  ts: number,
): StepRecord {
  return {
    type: "step",
    step,
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
}

/**
 * The error to report for a failed step `run.step` (`what`: the batch and size): a diverged loss
 * or an out-of-memory or lost device becomes an FcosError that says where the last good
 * checkpoint is and what to try; anything else is returned as it is.
 *
 * @example
 * ```ts ignore
 * throw stepFailure(e, run, "batch of 4 at size 512");
 * ```
 */
export function stepFailure(e: unknown, run: RunState, what: string): unknown {
  if (e instanceof NonFiniteLossError) {
    return new FcosError(
      `training diverged at ${e.message}; stopped without saving these weights, ${run.keptCheckpoint()}. ` +
        `Try a lower --lr or --clip-grad`,
      { cause: e },
    );
  }
  // A lost device fails the next read with a generic error: the device says what happened.
  const deviceProblem = webGpuDeviceProblem();
  if (deviceProblem !== null || isOutOfMemory(e)) {
    return new FcosError(
      `${
        deviceProblem ?? "out of memory"
      } at step ${run.step} (${what} on ${run.setup.backend}); ` +
        `${run.keptCheckpoint()}. Try a smaller --batch-size or --size`,
      { cause: e },
    );
  }
  return e;
}

/**
 * Whether `e` (not an FcosError) says that memory ran out (tfjs, wasm or WebGPU wording).
 *
 * @example
 * ```ts
 * import { FcosError } from "../errors.ts";
 * import { isOutOfMemory } from "./epoch.ts";
 * console.log(isOutOfMemory(new Error("Cannot allocate Wasm memory for new instance"))); // true
 * console.log(isOutOfMemory(new FcosError("a.jpg: out of memory while decoding"))); // false
 * ```
 */
export function isOutOfMemory(e: unknown): boolean {
  if (e instanceof FcosError) return false;
  const m = e instanceof Error ? `${e.name} ${e.message}` : String(e);
  return /out of memory|\bOOM\b|cannot allocate|allocation failed|memory access out of bounds/i
    .test(m);
}

/**
 * Ends an epoch: evaluates (with validation data), logs the result, keeps the weights when the
 * epoch is the best so far, writes the checkpoint and the plots.
 */
async function endEpoch(run: RunState): Promise<void> {
  run.epochsDone++;
  const ev = await evaluateRun(run);
  if (ev) await recordEvaluation(run, ev);
  await saveCheckpoint(run.setup.runDir, run.model, run.sgd, run.checkpointState("epoch"));
  run.lastGood = { epoch: run.epochsDone, step: run.step };
  await writePlots(run.setup.runDir, run.metrics.records);
  run.progress?.resetClock();
}

/**
 * Evaluates the run's model on its validation set now (null without one).
 *
 * @example
 * ```ts ignore
 * const ev = await evaluateRun(run);
 * ```
 */
export function evaluateRun(run: RunState): Promise<Evaluation | null> {
  const { data, settings } = run.setup;
  if (data.valSet === null) return Promise.resolve(null);
  return evaluateModel(run.model, data.valSet, data.classNames, {
    epoch: run.epochsDone,
    step: run.step,
    batchSize: settings.batchSize,
    strict: settings.strict,
  });
}

/** Logs an epoch's evaluation and saves `best.safetensors` when it beats the best so far. */
async function recordEvaluation(run: RunState, ev: Evaluation): Promise<void> {
  const { data, settings } = run.setup;
  run.finalEval = ev;
  run.lastEval = ev.record;
  await run.metrics.append(ev.record);
  if (!run.best || ev.record.voc_map50 > run.best.vocMap50) {
    const bestPath = path.join(run.setup.runDir, "best.safetensors");
    await saveWeights(run.model, bestPath, {
      class_names: JSON.stringify(data.classNames),
      epoch: String(run.epochsDone),
      step: String(run.step),
      voc_map50: String(ev.record.voc_map50),
    });
    run.best = { epoch: run.epochsDone, vocMap50: ev.record.voc_map50, path: bestPath };
  }
  const s = ev.record.coco;
  run.say(
    `epoch ${run.epochsDone}/${settings.epochs}: VOC mAP@0.5 ${ev.record.voc_map50.toFixed(3)}, ` +
      `COCO AP ${s[0].toFixed(3)} AP50 ${s[1].toFixed(3)} AP75 ${s[2].toFixed(3)} ` +
      `(${ev.record.images} images, ${ev.record.seconds.toFixed(1)} s)`,
  );
}
