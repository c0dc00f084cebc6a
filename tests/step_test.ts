import { assertEquals } from "../src/std.ts";
import { finiteLosses, NonFiniteLossError } from "../src/train/step.ts";
import { fcosError } from "./_errors.ts";

Deno.test("finiteLosses: the five read-back floats as losses; a non-finite one names the step and the term", async () => {
  assertEquals(finiteLosses(new Float32Array([1, 2, 0.5, 3.5, 4]), 12, 7), {
    classification: 1,
    bboxRegression: 2,
    bboxCtrness: 0.5,
    total: 3.5,
    numPositives: 12,
    gradNorm: 4,
  });
  const e = await fcosError(
    () => finiteLosses(new Float32Array([1, NaN, 0.5, NaN, NaN]), 0, 7),
    "step 7: the bbox_regression loss is NaN",
  );
  assertEquals(e instanceof NonFiniteLossError, true);
  await fcosError(
    () => finiteLosses(new Float32Array([Infinity, 1, 1, Infinity, 1]), 0),
    "the classification loss is Infinity",
  );
  await fcosError(
    () => finiteLosses(new Float32Array([1, 2, 0.5, 3.5, Infinity]), 0, 3),
    "step 3: the gradient norm is Infinity (losses 1, 2, 0.5 are finite)",
  );
});
