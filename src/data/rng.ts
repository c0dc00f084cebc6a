/**
 * A small seeded random number generator (sfc32) whose whole state is four 32-bit integers, so a
 * trainer can store it in a checkpoint and continue exactly where it stopped.
 *
 * @module
 */

/** Mixes any number of integers into one 32-bit seed (murmur3-style finaliser per word). */
export function hashSeed(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const v of values) {
    // Split doubles outside 32 bits into two words so large seeds still differ.
    const lo = v >>> 0;
    const hi = Math.floor(v / 4294967296) >>> 0;
    for (const w of [lo, hi]) {
      let k = Math.imul(w, 0xcc9e2d51);
      k = (k << 15) | (k >>> 17);
      k = Math.imul(k, 0x1b873593);
      h ^= k;
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Seeded PRNG (sfc32, period ≈ 2^128). Deterministic for a given seed on every platform.
 *
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * const rng = new Rng(42);
 * const saved = rng.state;      // [a, b, c, d]
 * const x = rng.next();         // in [0, 1)
 * rng.state = saved;            // restore
 * console.log(rng.next() === x, rng.int(10)); // true, an integer in [0, 10)
 * ```
 */
export class Rng {
  #a = 0;
  #b = 0;
  #c = 0;
  #d = 0;

  /** Seeds the generator from one integer (any number is hashed to 32 bits). */
  constructor(seed = 0) {
    this.#a = hashSeed(seed, 1);
    this.#b = hashSeed(seed, 2);
    this.#c = hashSeed(seed, 3);
    this.#d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32(); // warm up away from the seeding pattern
  }

  /** The whole state: four unsigned 32-bit integers (JSON-serialisable). */
  get state(): [number, number, number, number] {
    return [this.#a >>> 0, this.#b >>> 0, this.#c >>> 0, this.#d >>> 0];
  }

  /** Restores a state previously read from {@linkcode Rng.state}. */
  set state(s: readonly number[]) {
    if (s.length !== 4 || s.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new RangeError(`Rng state must be four uint32 values, got ${JSON.stringify(s)}`);
    }
    [this.#a, this.#b, this.#c, this.#d] = s.map((v) => v | 0);
  }

  /** Same as reading {@linkcode Rng.state}. */
  getState(): [number, number, number, number] {
    return this.state;
  }

  /** Same as assigning {@linkcode Rng.state}. */
  setState(s: readonly number[]): void {
    this.state = s;
  }

  /** A copy with the same state (advancing one does not advance the other). */
  clone(): Rng {
    const r = new Rng(0);
    r.state = this.state;
    return r;
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `array` in place (Fisher–Yates) and returns it. */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }
}
