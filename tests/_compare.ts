/** Array comparison helpers for parity tests. */
import { AssertionError } from "node:assert/strict";

/**
 * Asserts max |a − b| ≤ tol · max |b| (relative to the reference's scale), naming `what`.
 * Returns the observed relative error.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): number {
  if (actual.length !== expected.length) {
    throw new AssertionError({
      message: `${what}: length ${actual.length} ≠ expected ${expected.length}`,
    });
  }
  let maxDiff = 0, maxRef = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= maxDiff)) {
      maxDiff = d;
      at = i;
    }
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  const rel = maxDiff / Math.max(maxRef, 1e-12);
  if (!(rel <= tol)) {
    throw new AssertionError({
      message: `${what}: max |Δ| ${maxDiff.toExponential(3)} at ${at} (got ${actual[at]}, want ${
        expected[at]
      }) is ${rel.toExponential(3)} of max |ref| ${maxRef.toExponential(3)} > ${tol}`,
    });
  }
  return rel;
}

/** Asserts max |a − b| ≤ tol (absolute). */
export function assertAbsClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  if (actual.length !== expected.length) {
    throw new AssertionError({
      message: `${what}: length ${actual.length} ≠ expected ${expected.length}`,
    });
  }
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol)) {
      throw new AssertionError({
        message: `${what}[${i}]: got ${actual[i]}, want ${expected[i]} (tolerance ${tol})`,
      });
    }
  }
}
