/**
 * The progress line of a training run on stderr: one line rewritten in place with `\r` on a
 * terminal, or a plain line every few seconds when stderr is a file or a pipe.
 *
 * @module
 */

/** Values shown on the progress line. */
export interface ProgressFields {
  /** Global step just finished (0-based). */
  step: number;
  /** Epoch (0-based) of that step. */
  epoch: number;
  /** Total loss of the step. */
  loss: number;
  /** Learning rate used. */
  lr: number;
  /** Images in the step. */
  images: number;
}

/** Options of {@linkcode ProgressLine}. */
export interface ProgressOptions {
  /** Steps of the whole run. */
  totalSteps: number;
  /** Steps per epoch. */
  stepsPerEpoch: number;
  /** Epochs of the run. */
  epochs: number;
  /** Write to a terminal (rewrite one line) or not (plain lines); default: whether stderr is one. */
  isTerminal?: boolean;
  /** Where text goes (default: stderr). */
  write?: (text: string) => void;
  /** Seconds between plain lines when not on a terminal (default 10). */
  plainEverySeconds?: number;
  /** Clock in milliseconds (for tests; default `performance.now`). */
  now?: () => number;
}

/** Formats seconds as `1h02m`, `3m05s` or `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h${String(Math.floor(s % 3600 / 60)).padStart(2, "0")}m`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/**
 * A training progress bar: `epoch 2/10 [#####-----] 120/400 loss 1.234 lr 0.0050 5.1 img/s ETA 3m05s`.
 *
 * @example
 * ```ts
 * import { ProgressLine } from "./progress.ts";
 * const lines: string[] = [];
 * const bar = new ProgressLine({
 *   totalSteps: 10, stepsPerEpoch: 5, epochs: 2, isTerminal: false, write: (t) => lines.push(t),
 * });
 * bar.update({ step: 0, epoch: 0, loss: 2.5, lr: 0.01, images: 4 });
 * bar.done();
 * console.log(lines[0].startsWith("epoch 1/2")); // true
 * ```
 */
export class ProgressLine {
  readonly #o: Required<ProgressOptions>;
  #lastPlain = -Infinity;
  #last = "";
  #start: number;
  #stepsDone = 0;
  #imagesDone = 0;
  #rate = NaN; // EMA of seconds per step
  #imgRate = NaN; // EMA of images per second
  #prev: number;
  #dirty = false;

  /** Starts the clock. */
  constructor(options: ProgressOptions) {
    this.#o = {
      isTerminal: options.isTerminal ?? Deno.stderr.isTerminal(),
      write: options.write ?? ((t) => Deno.stderr.writeSync(new TextEncoder().encode(t))),
      plainEverySeconds: options.plainEverySeconds ?? 10,
      now: options.now ?? (() => performance.now()),
      ...options,
    } as Required<ProgressOptions>;
    this.#start = this.#prev = this.#o.now();
  }

  /** Restarts the step clock (after an evaluation, so that it does not count as step time). */
  resetClock(): void {
    this.#prev = this.#o.now();
  }

  /** Records a finished step and redraws the line (or prints a plain one when due). */
  update(f: ProgressFields): void {
    const now = this.#o.now();
    const dt = (now - this.#prev) / 1000;
    this.#prev = now;
    this.#stepsDone++;
    this.#imagesDone += f.images;
    const a = this.#stepsDone <= 2 ? 1 : 0.1;
    this.#rate = Number.isNaN(this.#rate) || this.#stepsDone <= 2
      ? dt
      : this.#rate * (1 - a) + dt * a;
    const ips = dt > 0 ? f.images / dt : NaN;
    this.#imgRate = Number.isNaN(this.#imgRate) ? ips : this.#imgRate * 0.9 + ips * 0.1;
    const { totalSteps, stepsPerEpoch, epochs } = this.#o;
    const inEpoch = f.step - f.epoch * stepsPerEpoch + 1;
    const width = 20;
    const filled = Math.round(width * inEpoch / stepsPerEpoch);
    const bar = "#".repeat(filled) + "-".repeat(Math.max(0, width - filled));
    const eta = (totalSteps - f.step - 1) * this.#rate;
    const line = `epoch ${f.epoch + 1}/${epochs} [${bar}] ${inEpoch}/${stepsPerEpoch} ` +
      `loss ${fmt(f.loss)} lr ${f.lr.toPrecision(3)} ${this.#imgRate.toFixed(1)} img/s ` +
      `ETA ${formatDuration(eta)}`;
    this.#last = line;
    if (this.#o.isTerminal) {
      this.#o.write(`\r\x1b[2K${line}`);
      this.#dirty = true;
    } else if (
      (now - this.#lastPlain) / 1000 >= this.#o.plainEverySeconds || inEpoch === stepsPerEpoch
    ) {
      this.#o.write(line + "\n");
      this.#lastPlain = now;
    }
  }

  /** Prints a message on its own line without losing the progress line. */
  log(message: string): void {
    if (this.#o.isTerminal && this.#dirty) {
      this.#o.write(`\r\x1b[2K${message}\n${this.#last}`);
    } else {
      this.#o.write(message + "\n");
    }
  }

  /** Ends the progress line (a newline on a terminal). */
  done(): void {
    if (this.#o.isTerminal && this.#dirty) this.#o.write("\n");
    this.#dirty = false;
  }

  /** Seconds since the bar started. */
  get elapsedSeconds(): number {
    return (this.#o.now() - this.#start) / 1000;
  }

  /** Images counted so far. */
  get images(): number {
    return this.#imagesDone;
  }
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}
