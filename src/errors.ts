/**
 * Error classes that the CLI turns into one clear line (never a stack trace).
 *
 * @module
 */

/**
 * A problem with the user's input or environment (a bad file, a missing weight, a wrong shape).
 * The message names the file or key and the problem; the CLI prints it and exits with 1.
 *
 * @example
 * ```ts
 * import { FcosError } from "./errors.ts";
 * throw new FcosError("data/VOC2007/Annotations/x.xml: <size> is missing");
 * ```
 */
export class FcosError extends Error {
  /** Creates the error; `options.cause` keeps the underlying error for debugging. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FcosError";
  }
}

/**
 * A command-line usage error (unknown flag, missing argument). The CLI exits with 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./errors.ts";
 * throw new UsageError("train: --epochs must be a positive integer, got 'x'");
 * ```
 */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
