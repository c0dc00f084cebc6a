/**
 * The one place that reaches for Deno's `node:` built-ins (argument parsing, paths, assertions).
 *
 * JSR (and so `@std/cli`, `@std/path`, `@std/assert`) is not reachable where this project is built,
 * so everything else imports these helpers from here; swapping to `@std/*` later touches only this
 * file.
 *
 * @module
 */
import { parseArgs as nodeParseArgs } from "node:util";
import * as nodePath from "node:path";
import * as nodeAssert from "node:assert/strict";

/** Options accepted by {@linkcode parseArgs} (Node's `util.parseArgs` config). */
export type ParseArgsConfig = Parameters<typeof nodeParseArgs>[0];

/**
 * Parses command-line arguments (Node's `util.parseArgs`, strict, positionals allowed).
 *
 * @example
 * ```ts
 * import { parseArgs } from "./std.ts";
 * const { values } = parseArgs({ args: ["--lr", "0.01"], options: { lr: { type: "string" } } });
 * console.log(values.lr); // "0.01"
 * ```
 */
export const parseArgs = nodeParseArgs;

/** Path helpers (`node:path`): `join`, `resolve`, `dirname`, `basename`, `extname`, `relative`. */
export const path = {
  join: nodePath.join,
  resolve: nodePath.resolve,
  dirname: nodePath.dirname,
  basename: nodePath.basename,
  extname: nodePath.extname,
  relative: nodePath.relative,
  isAbsolute: nodePath.isAbsolute,
};

/** Asserts that `actual` and `expected` are deeply equal (strict). */
export const assertEquals: <T>(actual: unknown, expected: T, message?: string) => void =
  nodeAssert.deepStrictEqual;
/** Asserts that `value` is truthy. */
export const assert: (value: unknown, message?: string) => asserts value = nodeAssert.ok;
/** Asserts that `fn` throws (optionally matching an error class, RegExp or validation object). */
export function assertThrows(
  fn: () => unknown,
  expected?: RegExp | (new (...a: never[]) => Error),
): void {
  if (expected === undefined) nodeAssert.throws(fn);
  else nodeAssert.throws(fn, expected);
}
/** Asserts that the promise returned by `fn` rejects. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  expected?: RegExp | (new (...a: never[]) => Error),
): Promise<void> {
  if (expected === undefined) await nodeAssert.rejects(fn);
  else await nodeAssert.rejects(fn, expected);
}

/**
 * Asserts that two numbers are within `tolerance` (absolute) of each other.
 *
 * @example
 * ```ts
 * import { assertAlmostEquals } from "./std.ts";
 * assertAlmostEquals(0.1 + 0.2, 0.3, 1e-12);
 * ```
 */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance = 1e-7,
  message?: string,
): void {
  if (Object.is(actual, expected)) return;
  const delta = Math.abs(expected - actual);
  if (!(delta <= tolerance)) {
    throw new nodeAssert.AssertionError({
      message: message ??
        `Expected ${actual} to be close to ${expected} (delta ${delta} > tolerance ${tolerance})`,
      actual,
      expected,
    });
  }
}
