import { assert, assertAlmostEquals, assertEquals, assertThrows } from "../src/std.ts";
import { FcosError } from "../src/errors.ts";
import { lrAt, makeSchedule } from "../src/train/schedule.ts";

Deno.test("lrAt: linear warm-up from lr·factor (torch LinearLR), then cosine to 0", () => {
  const s = { lr: 0.01, warmupIters: 100, warmupFactor: 0.001, totalSteps: 1100 };
  assertAlmostEquals(lrAt(s, 0), 0.01 * 0.001, 1e-15);
  // LinearLR: factor = f + (1 − f)·it/total
  assertAlmostEquals(lrAt(s, 50), 0.01 * (0.001 + 0.999 * 0.5), 1e-15);
  assertAlmostEquals(lrAt(s, 100), 0.01, 1e-15);
  assertAlmostEquals(lrAt(s, 600), 0.005, 1e-12);
  assertAlmostEquals(lrAt(s, 1100), 0, 1e-15);
  // CosineAnnealingLR(T_max = total − warm-up, eta_min = 0) in closed form
  for (const step of [101, 350, 777, 1099]) {
    const t = (step - 100) / 1000;
    assertAlmostEquals(lrAt(s, step), 0.01 * 0.5 * (1 + Math.cos(Math.PI * t)), 1e-15);
  }
  // increasing during warm-up, decreasing after
  for (let i = 1; i < 100; i++) assert(lrAt(s, i) > lrAt(s, i - 1));
  for (let i = 101; i <= 1100; i++) assert(lrAt(s, i) < lrAt(s, i - 1));
});

Deno.test("makeSchedule: warm-up of min(1000, one epoch), capped by the run; checks input", () => {
  assertEquals(
    makeSchedule({ lr: 0.005, totalSteps: 10000, stepsPerEpoch: 2500 }).warmupIters,
    1000,
  );
  assertEquals(makeSchedule({ lr: 0.005, totalSteps: 1000, stepsPerEpoch: 100 }).warmupIters, 100);
  assertEquals(makeSchedule({ lr: 0.005, totalSteps: 5, warmupIters: 50 }).warmupIters, 4);
  assertEquals(makeSchedule({ lr: 0.005, totalSteps: 5, warmupIters: 0 }).warmupIters, 0);
  const noWarm = makeSchedule({ lr: 0.1, totalSteps: 4, warmupIters: 0 });
  assertEquals(lrAt(noWarm, 0), 0.1);
  assertThrows(() => makeSchedule({ lr: 0, totalSteps: 5 }), FcosError);
  assertThrows(() => makeSchedule({ lr: 0.1, totalSteps: 0 }), FcosError);
  assertThrows(() => makeSchedule({ lr: 0.1, totalSteps: 9, warmupFactor: 2 }), FcosError);
});
