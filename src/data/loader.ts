/**
 * Batching with prefetch: while the caller computes on batch s, the images of the next batches are
 * already being read and decoded. Shuffling and augmentation are a pure function of
 * (seed, step), so a run resumed at step s sees exactly the batches it would have seen.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { randomHorizontalFlip } from "./augment.ts";
import { hashSeed, Rng } from "./rng.ts";
import type { DetectionDataset, Sample } from "./types.ts";

/** Options of {@linkcode BatchLoader}. */
export interface LoaderOptions {
  /** Images per batch (≥ 1). */
  batchSize: number;
  /** Visit the images in a new random order every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the order and the augmentation (default 0). */
  seed?: number;
  /** Probability of a horizontal flip per image (default 0: no augmentation). */
  flipProbability?: number;
  /** Leave out the last, incomplete batch of an epoch (default: same as `shuffle`). */
  dropLast?: boolean;
  /** How many batches to load ahead of the one being used (default 1; 0 = none). */
  prefetch?: number;
  /** Rethrow the first image that fails to load instead of skipping it (default false). */
  strict?: boolean;
  /**
   * Extra per-image transform after the flip (e.g. multi-scale `resizeSample`), given a random
   * generator seeded by (seed, epoch, index).
   */
  transform?: (sample: Sample, rng: Rng) => Sample | Promise<Sample>;
}

/** One batch. */
export interface Batch {
  /** The images (fewer than `batchSize` when some failed to load, or at the end of an epoch). */
  samples: Sample[];
  /** Data set index of each sample. */
  indices: number[];
  /** Epoch this batch belongs to (0-based). */
  epoch: number;
  /** Global step: epoch · batchesPerEpoch + batch number within the epoch. */
  step: number;
}

/**
 * Loads batches from a {@linkcode DetectionDataset}, prefetching the next ones. Images that fail
 * to decode are skipped (the data set warns once and records them in `skipped`) unless `strict`.
 *
 * @example
 * ```ts
 * import { BatchLoader } from "./loader.ts";
 * import { SyntheticDataset } from "./synthetic.ts";
 * const loader = new BatchLoader(new SyntheticDataset({ length: 64 }), {
 *   batchSize: 8, seed: 1, flipProbability: 0.5,
 * });
 * for await (const batch of loader.batches({ start: 0, count: 3 })) {
 *   console.log(batch.step, batch.samples.length); // 0 8, 1 8, 2 8
 * }
 * ```
 */
export class BatchLoader {
  /** Batches in one epoch. */
  readonly batchesPerEpoch: number;
  readonly #opts: Required<Omit<LoaderOptions, "transform">> & Pick<LoaderOptions, "transform">;

  /** Validates the options (a bad batch size is an `FcosError`); loads nothing yet. */
  constructor(readonly dataset: DetectionDataset, options: LoaderOptions) {
    const { batchSize } = options;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
      throw new FcosError(`loader: batch size must be a positive integer, got ${batchSize}`);
    }
    const shuffle = options.shuffle ?? true;
    this.#opts = {
      batchSize,
      shuffle,
      seed: options.seed ?? 0,
      flipProbability: options.flipProbability ?? 0,
      dropLast: options.dropLast ?? shuffle,
      prefetch: Math.max(0, options.prefetch ?? 1),
      strict: options.strict ?? false,
      transform: options.transform,
    };
    const n = dataset.length;
    if (n === 0) throw new FcosError(`${dataset.name}: the data set is empty`);
    this.batchesPerEpoch = this.#opts.dropLast && n >= batchSize
      ? Math.floor(n / batchSize)
      : Math.ceil(n / batchSize);
  }

  /** The order in which `epoch` visits the data set (a permutation of 0…length−1). */
  order(epoch: number): number[] {
    const idx = Array.from({ length: this.dataset.length }, (_, i) => i);
    if (this.#opts.shuffle) new Rng(hashSeed(this.#opts.seed, 0x5eed, epoch)).shuffle(idx);
    return idx;
  }

  /** Data set indices of global step `step`. */
  indicesOf(step: number): { epoch: number; indices: number[] } {
    const epoch = Math.floor(step / this.batchesPerEpoch);
    const b = step - epoch * this.batchesPerEpoch;
    const order = this.#orderCache?.epoch === epoch
      ? this.#orderCache.order
      : (this.#orderCache = { epoch, order: this.order(epoch) }).order;
    const B = this.#opts.batchSize;
    return { epoch, indices: order.slice(b * B, (b + 1) * B) };
  }
  #orderCache?: { epoch: number; order: number[] };

  async #loadOne(index: number, epoch: number): Promise<Sample | null> {
    let sample: Sample;
    try {
      sample = await this.dataset.get(index);
    } catch (e) {
      if (this.#opts.strict || !(e instanceof FcosError)) throw e;
      return null; // the data set has warned and recorded it in `skipped`
    }
    const { flipProbability, transform, seed } = this.#opts;
    if (flipProbability > 0 || transform) {
      const rng = new Rng(hashSeed(seed, 0xa06, epoch, index));
      sample = randomHorizontalFlip(sample, rng, flipProbability);
      if (transform) sample = await transform(sample, rng);
    }
    return sample;
  }

  async #load(step: number): Promise<Batch> {
    const { epoch, indices } = this.indicesOf(step);
    const loaded = await Promise.all(indices.map((i) => this.#loadOne(i, epoch)));
    const keep = indices.map((_, k) => k).filter((k) => loaded[k] !== null);
    return {
      samples: keep.map((k) => loaded[k] as Sample),
      indices: keep.map((k) => indices[k]),
      epoch,
      step,
    };
  }

  /**
   * Batches of global steps start, start+1, … (epoch after epoch; `count` of them, default
   * endless). Batches whose images all failed are left out (their step is not yielded). Throws
   * {@linkcode FcosError} when a whole epoch yields no image.
   */
  async *batches(options: { start?: number; count?: number } = {}): AsyncGenerator<Batch> {
    const start = options.start ?? 0;
    const end = start + (options.count ?? Infinity);
    const queue: Promise<Batch>[] = [];
    let next = start;
    let emptyRun = 0;
    // Keeps `ahead` loads in flight (the one awaited next plus the prefetched ones).
    const fill = (ahead: number) => {
      while (next < end && queue.length < ahead) {
        const p = this.#load(next++);
        p.catch(() => {}); // handled when awaited; avoids an unhandled-rejection abort meanwhile
        queue.push(p);
      }
    };
    while (true) {
      fill(1);
      if (queue.length === 0) break;
      const batch = await queue.shift()!;
      fill(this.#opts.prefetch); // start the next loads before handing this batch over
      if (batch.samples.length === 0) {
        if (++emptyRun >= this.batchesPerEpoch) {
          throw new FcosError(
            `${this.dataset.name}: no image of a whole epoch could be loaded ` +
              `(${this.dataset.skipped.length} broken entries skipped)`,
          );
        }
        continue;
      }
      emptyRun = 0;
      yield batch;
    }
  }

  /** One pass over the data set (epoch `epoch`, default 0). */
  epoch(epoch = 0): AsyncGenerator<Batch> {
    return this.batches({ start: epoch * this.batchesPerEpoch, count: this.batchesPerEpoch });
  }
}
