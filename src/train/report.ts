/**
 * The last step of a training run: on interruption, the checkpoint to resume from; at the end, the
 * final weights, the validation images with their detections drawn, the COCO summary and the
 * closing line.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { path } from "../std.ts";
import { webGpuDeviceProblem } from "../backend/webgpu.ts";
import { resizeSample } from "../data/image.ts";
import { saveWeights } from "../io/weights.ts";
import { drawDetections } from "../io/draw.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { formatCocoSummary } from "../eval/coco.ts";
import { saveCheckpoint } from "./checkpoint.ts";
import { writePlots } from "./metrics.ts";
import type { RunState } from "./run_state.ts";
import { evaluateRun } from "./epoch.ts";
import type { Evaluation } from "./validation.ts";
import type { TrainResult } from "./trainer.ts";

/** Drawn validation images are enlarged (by an integer factor) to at least this long side. */
const DRAW_MIN_SIDE = 384;

/**
 * Ends an interrupted run: its checkpoint and plots, and the line that says how to resume.
 *
 * @example
 * ```ts ignore
 * return await finishInterrupted(run, t0);
 * ```
 */
export async function finishInterrupted(run: RunState, t0: number): Promise<TrainResult> {
  const { runDir, plan, log } = run.setup;
  await saveCheckpoint(runDir, run.model, run.sgd, run.checkpointState("interrupt"));
  await writePlots(runDir, run.metrics.records);
  log(
    `interrupted at step ${run.step}/${plan.totalSteps}; checkpoint saved in ${
      path.join(runDir, "checkpoint")
    } (continue with --resume ${runDir})`,
  );
  return {
    runDir,
    epochs: run.epochsDone,
    steps: run.step,
    interrupted: true,
    lastEval: run.lastEval,
    best: run.best,
    seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Ends a completed run: `model.safetensors`, the drawings of the last evaluation (a resumed run
 * that had nothing left to train is evaluated again for them), the COCO summary and the closing
 * line.
 *
 * @example
 * ```ts ignore
 * return await finishRun(run, { resumedAtStep: undefined, drawImages: 4, drawScoreThresh: 0.3 }, t0);
 * ```
 */
export async function finishRun(
  run: RunState,
  options: { resumedAtStep?: number; drawImages?: number; drawScoreThresh?: number },
  t0: number,
): Promise<TrainResult> {
  const { runDir, data, log } = run.setup;
  const modelPath = path.join(runDir, "model.safetensors");
  await saveWeights(run.model, modelPath, {
    class_names: JSON.stringify(data.classNames),
    epoch: String(run.epochsDone),
    step: String(run.step),
  });
  let ev = run.finalEval;
  if (ev === null && data.valSet !== null && run.step === options.resumedAtStep) {
    ev = await evaluateRun(run); // resumed a finished run: evaluate it again for the drawings
  }
  const draw = options.drawImages ?? 4;
  if (ev && draw > 0) {
    await drawValidationImages(
      ev,
      data.classNames,
      path.join(runDir, "detections"),
      draw,
      options.drawScoreThresh ?? 0.3,
    );
  }
  const { lastEval, best } = run;
  if (lastEval) {
    log(`validation after epoch ${lastEval.epoch}:\n${formatCocoSummary(lastEval.coco)}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  log(
    `done: ${run.epochsDone} epochs, ${run.step} steps in ${
      seconds.toFixed(0)
    } s; weights ${modelPath}` +
      (lastEval ? `; VOC mAP@0.5 ${lastEval.voc_map50.toFixed(3)}` : "") +
      (best
        ? `; best epoch ${best.epoch} (VOC mAP@0.5 ${best.vocMap50.toFixed(3)}) in ${best.path}`
        : ""),
  );
  return {
    runDir,
    epochs: run.epochsDone,
    steps: run.step,
    interrupted: false,
    lastEval,
    modelPath,
    best,
    seconds,
  };
}

/**
 * Draws the detections scoring at least `scoreThresh` on the first `count` images of `ev` into
 * `dir` as `NN_ID.png` (the image id with characters outside `[A-Za-z0-9_.-]` replaced by `_`);
 * images smaller than 384 px on their long side are enlarged by an integer factor so that the
 * labels stay readable. Returns the files written.
 *
 * @example
 * ```ts ignore
 * const files = await drawValidationImages(ev, classNames, "runs/a/detections", 4, 0.3);
 * ```
 */
export async function drawValidationImages(
  ev: Evaluation,
  classNames: string[],
  dir: string,
  count: number,
  scoreThresh: number,
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < Math.min(count, ev.samples.length); i++) {
    const s = ev.samples[i], d = ev.detections[i];
    const keep = [...d.scores.keys()].filter((k) => d.scores[k] >= scoreThresh);
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
    const file = path.join(dir, `${String(i).padStart(2, "0")}_${safeId}.png`);
    await writeFileAtomic(file, png);
    files.push(file);
  }
  return files;
}

/**
 * The error to report for a run that failed outside a step (evaluation, a checkpoint): when a
 * WebGPU device failed, an FcosError saying what it reported; otherwise `e` itself.
 *
 * @example
 * ```ts ignore
 * catch (e) { throw runFailure(e, run); }
 * ```
 */
export function runFailure(e: unknown, run: RunState): unknown {
  const deviceProblem = webGpuDeviceProblem();
  if (e instanceof FcosError || deviceProblem === null) return e;
  return new FcosError(
    `${deviceProblem} (step ${run.step}, ${run.setup.backend}); try a smaller --batch-size or --size`,
    { cause: e },
  );
}
