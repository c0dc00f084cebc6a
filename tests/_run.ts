import { tf } from "../src/tf.ts";
import { openRunData, planRun } from "../src/train/run_data.ts";
import type { RunSetup } from "../src/train/run_state.ts";
import { resolveSettings } from "../src/train/settings.ts";
import type { TrainOptions } from "../src/train/trainer.ts";
import { TINY_NET } from "./_models.ts";

/** A tiny FCOS (ResNet-18 at 1/8 width, 64 px) for tests of the trainer's steps. */
export const TINY = {
  ...TINY_NET,
  minSize: 64,
  maxSize: 64,
};

/**
 * The settings, data and plan of `train` for `options` (on the running backend), as `train` makes
 * them; the lines logged go to `lines`.
 */
export async function setUp(options: TrainOptions, lines: string[]) {
  const log = (line: string) => lines.push(line);
  const resolved = await resolveSettings(options);
  const data = await openRunData(resolved.settings, resolved.resume?.state, options.outDir, log);
  const plan = planRun(resolved.settings, data, options, resolved.resume?.state, resolved.fineTune);
  const setup: RunSetup = {
    runDir: options.outDir,
    settings: resolved.settings,
    data,
    plan,
    backend: tf.getBackend(),
    log,
  };
  return { resolved, setup };
}

/** Training options of a tiny run in `outDir`: 8 synthetic images, 2 of them validated, batches of 4, 2 epochs. */
export function tinyOptions(outDir: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    data: "synthetic:8",
    valImages: 2,
    outDir,
    config: TINY,
    batchSize: 4,
    epochs: 2,
    ...extra,
  };
}
