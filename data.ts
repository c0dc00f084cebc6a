/**
 * Detection data sets: PASCAL VOC (VOCdevkit layout) and COCO (annotations JSON + image folder)
 * read into uint8 RGB samples with boxes, a built-in synthetic data set of coloured shapes, a
 * seeded, prefetching batch loader, and the class lists of VOC and COCO. Broken images and
 * annotations are skipped with one warning each unless `strict`. No tfjs is loaded.
 *
 * @example Open a data set and read batches
 * ```ts
 * import { BatchLoader, openDataset } from "jsr:@fcos/fcos/data";
 *
 * // or "voc:VOCdevkit/VOC2007:trainval", "coco:annotations.json:images"
 * const data = await openDataset("synthetic:16", { split: "val" });
 * console.log(data.length, data.classNames); // 16 [ "rectangle", "ellipse", … ]
 * const loader = new BatchLoader(data, { batchSize: 4, seed: 1, flipProbability: 0.5 });
 * for await (const batch of loader.batches({ start: 0, count: 2 })) {
 *   const { width, height, boxes, labels } = batch.samples[0]; // boxes: K×4 (x1, y1, x2, y2)
 *   console.log(batch.step, width, height, boxes.length / 4, labels);
 * }
 * ```
 *
 * @module
 */

export type { DatasetOptions, DetectionDataset, Sample, SkippedEntry } from "./src/data/types.ts";
export { openDataset } from "./src/data/dataset.ts";
export { type Batch, BatchLoader, type LoaderOptions } from "./src/data/loader.ts";
export type { Rng } from "./src/data/rng.ts";
export { readImage, type RgbImage } from "./src/data/image.ts";
export { SYNTHETIC_CLASSES, SyntheticDataset } from "./src/data/synthetic.ts";
export { COCO_CLASSES, TORCHVISION_COCO_CATEGORIES } from "./src/data/coco.ts";
export { VOC_CLASSES } from "./src/data/voc.ts";
export { FcosError, UsageError } from "./src/errors.ts";
