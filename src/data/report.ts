/**
 * Internal: how data sets report broken entries — warn once and record in `skipped`, or throw
 * when strict.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import type { SkippedEntry } from "./types.ts";

/** Warning lines written per data set; later skips are only counted (a wrong folder would
 * otherwise print one line per image). */
export const MAX_WARNINGS = 50;

/** Collects skipped entries for one data set. */
export class Problems {
  /** Everything skipped so far (shared with the data set's `skipped`). */
  readonly skipped: SkippedEntry[] = [];
  readonly #seen = new Set<string>();

  constructor(
    readonly strict: boolean,
    readonly log: (line: string) => void,
  ) {}

  /**
   * Reports a broken entry: throws {@linkcode FcosError} when strict, otherwise warns (once per
   * file + reason) and records it.
   */
  skip(file: string, reason: string): void {
    if (this.strict) throw new FcosError(`${file}: ${reason}`);
    const key = `${file}\u0000${reason}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.skipped.push({ file, reason });
    if (this.skipped.length <= MAX_WARNINGS) this.log(`skipping ${file}: ${reason}`);
    else if (this.skipped.length === MAX_WARNINGS + 1) {
      this.log(`more than ${MAX_WARNINGS} broken entries: further ones are counted, not listed`);
    }
  }

  /** Records an error thrown while loading `file` (re-throws it when strict). */
  skipError(file: string, error: unknown): void {
    if (this.strict) throw error;
    const msg = error instanceof Error ? error.message : String(error);
    // Messages already start with the file name; keep only the problem.
    const reason = msg.startsWith(`${file}: `) ? msg.slice(file.length + 2) : msg;
    this.skip(file, reason);
  }

  /** Logs the final count (no-op when nothing was skipped). */
  summary(name: string): void {
    if (this.skipped.length > 0) {
      this.log(`${name}: ${this.skipped.length} broken entries skipped`);
    }
  }
}

/** The default logger: `console.warn("warning: " + line)`. */
export function defaultLog(line: string): void {
  console.warn(`warning: ${line}`);
}

/** Runs `fn` over `items` with at most `limit` in flight; results in order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
