/**
 * Data augmentation applied on the uint8 samples before the model's own resize/normalise:
 * horizontal flip (torchvision's `RandomHorizontalFlip` for detection), boxes transformed alongside.
 *
 * @module
 */
import type { Rng } from "./rng.ts";
import type { Sample } from "./types.ts";

/**
 * Mirrors a sample left↔right: pixel x → W−1−x, box (x1, y1, x2, y2) → (W−x2, y1, W−x1, y2).
 * Returns a new sample; the input is not changed.
 *
 * @example
 * ```ts
 * import { flipHorizontal } from "./augment.ts";
 * const s = {
 *   id: "a", image: new Uint8Array(10 * 2 * 3), width: 10, height: 2,
 *   boxes: new Float32Array([1, 0, 4, 2]), labels: new Int32Array([0]), difficult: new Uint8Array(1),
 * };
 * console.log(flipHorizontal(s).boxes); // Float32Array [6, 0, 9, 2]
 * ```
 */
export function flipHorizontal(sample: Sample): Sample {
  const { width: W, height: H, image } = sample;
  const out = new Uint8Array(image.length);
  for (let y = 0; y < H; y++) {
    const row = y * W * 3;
    for (let x = 0; x < W; x++) {
      const s = row + x * 3, d = row + (W - 1 - x) * 3;
      out[d] = image[s];
      out[d + 1] = image[s + 1];
      out[d + 2] = image[s + 2];
    }
  }
  const b = sample.boxes;
  const boxes = new Float32Array(b.length);
  for (let i = 0; i < b.length; i += 4) {
    boxes[i] = W - b[i + 2];
    boxes[i + 1] = b[i + 1];
    boxes[i + 2] = W - b[i];
    boxes[i + 3] = b[i + 3];
  }
  return {
    ...sample,
    image: out,
    boxes,
    labels: sample.labels.slice(),
    difficult: sample.difficult.slice(),
  };
}

/**
 * Flips with probability `p` (default 0.5), drawing one number from `rng` whatever the outcome so
 * the random stream stays aligned.
 *
 * @example
 * ```ts
 * import { randomHorizontalFlip } from "./augment.ts";
 * import { Rng } from "./rng.ts";
 * const rng = new Rng(3);
 * const s = {
 *   id: "a", image: new Uint8Array(4 * 4 * 3), width: 4, height: 4,
 *   boxes: new Float32Array([0, 0, 1, 1]), labels: new Int32Array([0]), difficult: new Uint8Array(1),
 * };
 * const maybeFlipped = randomHorizontalFlip(s, rng);
 * ```
 */
export function randomHorizontalFlip(sample: Sample, rng: Rng, p = 0.5): Sample {
  return rng.next() < p ? flipHorizontal(sample) : sample;
}
