/**
 * The learning-rate schedule, per step: linear warm-up (torch's `LinearLR` from
 * `lr · warmupFactor`) followed by cosine decay to 0 at the last step (`CosineAnnealingLR`).
 *
 * @module
 */
import { FcosError } from "../errors.ts";

/** A per-step learning-rate schedule (JSON-serialisable, stored in checkpoints). */
export interface LrSchedule {
  /** Peak learning rate (after warm-up). */
  lr: number;
  /** Steps of linear warm-up (0 = none). */
  warmupIters: number;
  /** Learning-rate factor at step 0 of the warm-up (torchvision's reference: 0.001). */
  warmupFactor: number;
  /** Steps of the whole run; the cosine reaches 0 here. */
  totalSteps: number;
}

/**
 * Checks a schedule and fills the usual warm-up: min(1000, one epoch) steps from lr·0.001.
 *
 * @example
 * ```ts
 * import { makeSchedule } from "./schedule.ts";
 * console.log(makeSchedule({ lr: 0.01, totalSteps: 5000, stepsPerEpoch: 500 }).warmupIters); // 500
 * ```
 */
export function makeSchedule(options: {
  lr: number;
  totalSteps: number;
  stepsPerEpoch?: number;
  warmupIters?: number;
  warmupFactor?: number;
}): LrSchedule {
  const { lr, totalSteps } = options;
  if (!(lr > 0 && Number.isFinite(lr))) {
    throw new FcosError(`learning rate must be a positive number, got ${lr}`);
  }
  if (!(Number.isInteger(totalSteps) && totalSteps >= 1)) {
    throw new FcosError(`total steps must be a positive integer, got ${totalSteps}`);
  }
  const warmupIters = Math.min(
    options.warmupIters ?? Math.min(1000, options.stepsPerEpoch ?? 1000),
    totalSteps - 1,
  );
  const warmupFactor = options.warmupFactor ?? 0.001;
  if (!(Number.isInteger(warmupIters) && warmupIters >= 0)) {
    throw new FcosError(`warm-up steps must be a non-negative integer, got ${warmupIters}`);
  }
  if (!(warmupFactor > 0 && warmupFactor <= 1)) {
    throw new FcosError(`warm-up factor must be in (0, 1], got ${warmupFactor}`);
  }
  return { lr, warmupIters, warmupFactor, totalSteps };
}

/**
 * The learning rate of step `step` (0-based): during warm-up
 * lr · (f + (1 − f) · step / warmupIters), then lr · ½ (1 + cos(π · (step − warmupIters) /
 * (totalSteps − warmupIters))), which is lr right after warm-up and 0 at `totalSteps`.
 *
 * @example
 * ```ts
 * import { lrAt } from "./schedule.ts";
 * const s = { lr: 0.01, warmupIters: 100, warmupFactor: 0.001, totalSteps: 1100 };
 * console.log(lrAt(s, 0), lrAt(s, 100), lrAt(s, 600), lrAt(s, 1100)); // 0.00001 0.01 0.005 0
 * ```
 */
export function lrAt(schedule: LrSchedule, step: number): number {
  const { lr, warmupIters, warmupFactor, totalSteps } = schedule;
  if (step < warmupIters) {
    return lr * (warmupFactor + (1 - warmupFactor) * step / warmupIters);
  }
  const span = totalSteps - warmupIters;
  if (span <= 0) return lr;
  const t = Math.min(1, (step - warmupIters) / span);
  return lr * 0.5 * (1 + Math.cos(Math.PI * t));
}
