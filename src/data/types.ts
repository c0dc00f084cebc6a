/**
 * The shapes shared by every data set (VOC, COCO, synthetic) and by the batch loader.
 *
 * @module
 */

/** One image with its ground truth, as decoded by a {@linkcode DetectionDataset}. */
export interface Sample {
  /** Image id: the VOC file stem, the COCO image id as a string, or the synthetic name. */
  id: string;
  /** Path of the image file, when there is one (not for synthetic images). */
  file?: string;
  /** H×W×3 RGB bytes, row-major (y, x, channel). */
  image: Uint8Array;
  /** Image width W in pixels. */
  width: number;
  /** Image height H in pixels. */
  height: number;
  /** K×4 boxes (x1, y1, x2, y2) in original image pixels, clipped to [0, W]×[0, H], area > 0. */
  boxes: Float32Array;
  /** K contiguous class indices in [0, classNames.length). */
  labels: Int32Array;
  /** K flags: 1 = VOC `difficult` (also set for COCO `iscrowd`), 0 otherwise. */
  difficult: Uint8Array;
}

/** One entry (image, annotation or object) that was skipped with a warning. */
export interface SkippedEntry {
  /** The file (or `file#entry`) the problem is in. */
  file: string;
  /** What was wrong with it. */
  reason: string;
}

/** A random-access detection data set whose images are decoded on demand. */
export interface DetectionDataset {
  /** Short description, e.g. `voc:/data/VOC2007:trainval`. */
  readonly name: string;
  /** Class names; label `i` is `classNames[i]`. */
  readonly classNames: string[];
  /** Number of images. */
  readonly length: number;
  /**
   * Loads image `index` (0 ≤ index < length). Throws `FcosError` naming the file when
   * the image cannot be read or decoded (and records it in `skipped`).
   */
  get(index: number): Promise<Sample>;
  /** Broken entries skipped so far (each was warned about once). Grows as `get` finds more. */
  readonly skipped: SkippedEntry[];
}

/** Options of {@linkcode openDataset} and of the individual data set openers. */
export interface DatasetOptions {
  /** Fail with an `FcosError` on the first broken entry instead of skipping it. */
  strict?: boolean;
  /** Split: `train`, `val`, `trainval` or `test` (VOC image set; synthetic train/val stream). */
  split?: string;
  /** Folder that relative paths in the spec are resolved against (default: the current one). */
  root?: string;
  /** Where warnings go, one line each without a prefix (default: `console.warn("warning: " + line)`). */
  log?: (line: string) => void;
  /** Drop images that end up with no objects (torchvision does this for COCO training). */
  skipEmpty?: boolean;
}
