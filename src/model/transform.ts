/**
 * torchvision's GeneralizedRCNNTransform for inference and training: scale to 0–1, normalise with
 * the ImageNet mean/std, resize (bilinear, half-pixel centres) so the short side is `minSize`
 * unless the long side would pass `maxSize`, pad bottom/right with zeros to a multiple of 32, and
 * map boxes between original and resized pixels.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { FcosError } from "../errors.ts";
import type { RgbImage } from "../data/image.ts";
import type { Tensor4D } from "../tensor.ts";

export type { RgbImage };

/** Padding multiple of the batch (torchvision's `size_divisible`). */
export const SIZE_DIVISIBLE = 32;

const f32 = Math.fround;

/**
 * The resized [height, width] torchvision computes: scale = min(minSize / short, maxSize / long)
 * in float32, size = ⌊side · scale⌋.
 *
 * @example
 * ```ts
 * import { resizedSize } from "./transform.ts";
 * console.log(resizedSize(375, 500, 800, 1333)); // [800, 1066]
 * ```
 */
export function resizedSize(
  height: number,
  width: number,
  minSize: number,
  maxSize: number,
): [number, number] {
  const short = Math.min(height, width), long = Math.max(height, width);
  const scale = Math.min(f32(minSize / short), f32(maxSize / long));
  return [Math.floor(height * scale), Math.floor(width * scale)];
}

/**
 * Scales boxes (K×4, x1 y1 x2 y2) from an image of size `from` to size `to` ([h, w]) with
 * torchvision's float32 ratios (`resize_boxes`).
 */
export function scaleBoxes(
  boxes: Float32Array,
  from: [number, number],
  to: [number, number],
): Float32Array {
  const rh = f32(f32(to[0]) / f32(from[0])), rw = f32(f32(to[1]) / f32(from[1]));
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i] * rw;
    out[i + 1] = boxes[i + 1] * rh;
    out[i + 2] = boxes[i + 2] * rw;
    out[i + 3] = boxes[i + 3] * rh;
  }
  return out;
}

/** A preprocessed batch. */
export interface PreprocessedBatch {
  /** [N, Hp, Wp, 3] normalised, resized, zero-padded images (Hp, Wp multiples of 32). */
  batch: Tensor4D;
  /** Resized (pre-padding) [h, w] of each image. */
  imageSizes: [number, number][];
  /** Original [h, w] of each image. */
  originalSizes: [number, number][];
}

/**
 * Normalises, resizes and pads images into one NHWC batch.
 *
 * @example
 * ```ts
 * import { preprocessImages } from "./transform.ts";
 * const img = { data: new Uint8Array(40 * 30 * 3), width: 40, height: 30 };
 * const { batch, imageSizes } = preprocessImages([img], {
 *   minSize: 64, maxSize: 100, imageMean: [0.485, 0.456, 0.406], imageStd: [0.229, 0.224, 0.225],
 * });
 * console.log(batch.shape, imageSizes); // [1, 64, 96, 3] [[64, 85]]
 * batch.dispose();
 * ```
 */
export function preprocessImages(
  images: RgbImage[],
  opts: {
    minSize: number;
    maxSize: number;
    imageMean: readonly number[];
    imageStd: readonly number[];
  },
): PreprocessedBatch {
  if (images.length === 0) throw new FcosError("no images to preprocess");
  const originalSizes = images.map((im) => {
    if (im.data.length !== im.width * im.height * 3 || im.width <= 0 || im.height <= 0) {
      throw new FcosError(
        `image data has ${im.data.length} bytes, expected ${im.width}×${im.height}×3`,
      );
    }
    return [im.height, im.width] as [number, number];
  });
  const imageSizes = originalSizes.map(([h, w]) => resizedSize(h, w, opts.minSize, opts.maxSize));
  const hp = Math.ceil(Math.max(...imageSizes.map((s) => s[0])) / SIZE_DIVISIBLE) * SIZE_DIVISIBLE;
  const wp = Math.ceil(Math.max(...imageSizes.map((s) => s[1])) / SIZE_DIVISIBLE) * SIZE_DIVISIBLE;
  const batch = tf.tidy(() => {
    const mean = tf.tensor1d(opts.imageMean as number[]);
    const std = tf.tensor1d(opts.imageStd as number[]);
    const padded = images.map((im, i) => {
      const x = tf.div(tf.tensor3d(im.data, [im.height, im.width, 3], "int32").toFloat(), 255);
      const normed = tf.div(tf.sub(x, mean), std) as tf.Tensor3D; // [h, w, 3]
      const [h, w] = imageSizes[i];
      const resized = h === im.height && w === im.width
        ? normed
        : tf.image.resizeBilinear(normed, [h, w], false, true); // torch align_corners=False
      return tf.pad(resized, [[0, hp - h], [0, wp - w], [0, 0]]);
    });
    return tf.stack(padded) as Tensor4D;
  });
  return { batch, imageSizes, originalSizes };
}
