/**
 * Data sets for FCOS: PASCAL VOC, COCO and the built-in synthetic shapes, decoded to uint8 RGB
 * samples with boxes; a prefetching, seeded batch loader; flip/resize augmentation; VOC writing.
 *
 * @module
 */
export type { DatasetOptions, DetectionDataset, Sample, SkippedEntry } from "./types.ts";
export { DATA_SPEC_HELP, type DataSpec, openDataset, parseDataSpec } from "./dataset.ts";
export { openVoc, parseVocXml, VOC_CLASSES, VOC_CLASSES_FILE } from "./voc.ts";
export type { VocAnnotation, VocOptions } from "./voc.ts";
export {
  COCO_CATEGORY_IDS,
  COCO_CLASSES,
  CocoCategories,
  type CocoDataset,
  openCoco,
  TORCHVISION_COCO_CATEGORIES,
} from "./coco.ts";
export {
  generateSynthetic,
  SYNTHETIC_CLASSES,
  SYNTHETIC_DEFAULT_LENGTH,
  SYNTHETIC_IMAGE_SIZE,
  SyntheticDataset,
  type SyntheticOptions,
} from "./synthetic.ts";
export {
  decodeImage,
  encodeImage,
  readImage,
  resizeRgb,
  resizeSample,
  type RgbImage,
} from "./image.ts";
export { flipHorizontal, randomHorizontalFlip } from "./augment.ts";
export { type Batch, BatchLoader, type LoaderOptions } from "./loader.ts";
export { hashSeed, Rng } from "./rng.ts";
export { vocXml, writeVoc, type WriteVocOptions } from "./write.ts";
