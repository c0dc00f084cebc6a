/**
 * COCO: an `instances_*.json` annotation file plus an image folder. Category ids (sparse, 1…90
 * in COCO) are mapped to contiguous labels 0…C−1 in increasing id order; {@linkcode CocoCategories}
 * maps back (for writing results in COCO format).
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { path } from "../std.ts";
import { type AnnotatedImage, BoxCollector, FileDataset, kindOf, listFiles } from "./files.ts";
import { defaultLog, Problems } from "./report.ts";
import type { DatasetOptions, DetectionDataset } from "./types.ts";

/** The 80 COCO class names in contiguous-label order (increasing category id). */
export const COCO_CLASSES: readonly string[] = Object.freeze([
  "person",
  "bicycle",
  "car",
  "motorcycle",
  "airplane",
  "bus",
  "train",
  "truck",
  "boat",
  "traffic light",
  "fire hydrant",
  "stop sign",
  "parking meter",
  "bench",
  "bird",
  "cat",
  "dog",
  "horse",
  "sheep",
  "cow",
  "elephant",
  "bear",
  "zebra",
  "giraffe",
  "backpack",
  "umbrella",
  "handbag",
  "tie",
  "suitcase",
  "frisbee",
  "skis",
  "snowboard",
  "sports ball",
  "kite",
  "baseball bat",
  "baseball glove",
  "skateboard",
  "surfboard",
  "tennis racket",
  "bottle",
  "wine glass",
  "cup",
  "fork",
  "knife",
  "spoon",
  "bowl",
  "banana",
  "apple",
  "sandwich",
  "orange",
  "broccoli",
  "carrot",
  "hot dog",
  "pizza",
  "donut",
  "cake",
  "chair",
  "couch",
  "potted plant",
  "bed",
  "dining table",
  "toilet",
  "tv",
  "laptop",
  "mouse",
  "remote",
  "keyboard",
  "cell phone",
  "microwave",
  "oven",
  "toaster",
  "sink",
  "refrigerator",
  "book",
  "clock",
  "vase",
  "scissors",
  "teddy bear",
  "hair drier",
  "toothbrush",
]);

/** COCO category id of each of the 80 {@linkcode COCO_CLASSES} (label i ↔ id COCO_CATEGORY_IDS[i]). */
export const COCO_CATEGORY_IDS: readonly number[] = Object.freeze([
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  13,
  14,
  15,
  16,
  17,
  18,
  19,
  20,
  21,
  22,
  23,
  24,
  25,
  27,
  28,
  31,
  32,
  33,
  34,
  35,
  36,
  37,
  38,
  39,
  40,
  41,
  42,
  43,
  44,
  46,
  47,
  48,
  49,
  50,
  51,
  52,
  53,
  54,
  55,
  56,
  57,
  58,
  59,
  60,
  61,
  62,
  63,
  64,
  65,
  67,
  70,
  72,
  73,
  74,
  75,
  76,
  77,
  78,
  79,
  80,
  81,
  82,
  84,
  85,
  86,
  87,
  88,
  89,
  90,
]);

/**
 * torchvision's 91-entry COCO category list (`weights.meta["categories"]` of its COCO detectors):
 * index = COCO category id, `__background__` at 0 and `N/A` for unused ids. Pretrained torchvision
 * FCOS weights predict these indices (91 classes), not the contiguous labels.
 */
export const TORCHVISION_COCO_CATEGORIES: readonly string[] = Object.freeze((() => {
  const out = new Array<string>(91).fill("N/A");
  out[0] = "__background__";
  COCO_CATEGORY_IDS.forEach((id, i) => (out[id] = COCO_CLASSES[i]));
  return out;
})());

/**
 * Two-way mapping between COCO category ids and contiguous labels 0…C−1 (increasing id order).
 *
 * @example
 * ```ts
 * import { CocoCategories } from "./coco.ts";
 * const cats = new CocoCategories([{ id: 18, name: "dog" }, { id: 1, name: "person" }]);
 * console.log(cats.names, cats.toLabel(18), cats.toCategoryId(0)); // ["person","dog"] 1 1
 * ```
 */
export class CocoCategories {
  /** Category id of each label. */
  readonly ids: number[];
  /** Name of each label. */
  readonly names: string[];
  readonly #labelOf = new Map<number, number>();

  /** Builds the mapping from the `categories` of an instances file. */
  constructor(categories: readonly { id: number; name: string }[]) {
    const sorted = [...categories].sort((a, b) => a.id - b.id);
    this.ids = sorted.map((c) => c.id);
    this.names = sorted.map((c) => c.name);
    this.ids.forEach((id, label) => this.#labelOf.set(id, label));
  }

  /** The standard 80 COCO categories. */
  static standard(): CocoCategories {
    return new CocoCategories(COCO_CATEGORY_IDS.map((id, i) => ({ id, name: COCO_CLASSES[i] })));
  }

  /** Contiguous label of category `id`, or undefined when unknown. */
  toLabel(id: number): number | undefined {
    return this.#labelOf.get(id);
  }

  /** Category id of contiguous `label` (throws RangeError when out of range). */
  toCategoryId(label: number): number {
    const id = this.ids[label];
    if (id === undefined) throw new RangeError(`label ${label} outside [0, ${this.ids.length})`);
    return id;
  }
}

/** A COCO data set: a {@linkcode DetectionDataset} plus its category mapping. */
export interface CocoDataset extends DetectionDataset {
  /** Category id ↔ label mapping. */
  readonly categories: CocoCategories;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Opens a COCO instances file and its image folder. Broken images/annotations (box of negative
 * size, unknown category or image, missing file) are skipped with a warning each, or fail with
 * {@linkcode FcosError} when `strict`. `iscrowd` annotations are kept with `difficult` = 1.
 *
 * @example
 * ```ts
 * import { openCoco } from "./coco.ts";
 * const ds = await openCoco("annotations/instances_val2017.json", "val2017");
 * console.log(ds.length, ds.categories.toCategoryId(0)); // 5000 1
 * ```
 */
export async function openCoco(
  annotationFile: string,
  imagesDir: string,
  options: DatasetOptions = {},
): Promise<CocoDataset> {
  const problems = new Problems(options.strict ?? false, options.log ?? defaultLog);
  const f = annotationFile;
  let text: string;
  try {
    text = await Deno.readTextFile(f);
  } catch (e) {
    throw new FcosError(
      `${f}: cannot read COCO annotation file (${
        e instanceof Deno.errors.NotFound ? "file not found" : e
      })`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FcosError(`${f}: not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  if (!isRecord(json)) throw new FcosError(`${f}: expected a JSON object`);
  for (const key of ["images", "annotations", "categories"]) {
    if (!Array.isArray(json[key])) throw new FcosError(`${f}: "${key}" must be an array`);
  }
  const dirKind = await kindOf(imagesDir);
  if (dirKind !== "dir") {
    throw new FcosError(
      `${imagesDir}: COCO image folder ${dirKind ? "is not a folder" : "not found"}`,
    );
  }

  const cats: { id: number; name: string }[] = [];
  (json.categories as unknown[]).forEach((c, i) => {
    if (!isRecord(c) || !Number.isInteger(c.id) || typeof c.name !== "string") {
      throw new FcosError(`${f}: categories[${i}] needs an integer "id" and a string "name"`);
    }
    if (cats.some((o) => o.id === c.id)) {
      throw new FcosError(`${f}: categories[${i}]: id ${c.id} repeats`);
    }
    cats.push({ id: c.id as number, name: c.name });
  });
  if (cats.length === 0) throw new FcosError(`${f}: "categories" is empty`);
  const categories = new CocoCategories(cats);

  interface Img {
    id: string;
    file: string;
    width: number;
    height: number;
    collector: BoxCollector;
  }
  const onDisk = await listFiles(imagesDir);
  const images = new Map<unknown, Img>();
  const skippedImages = new Set<unknown>();
  const order: Img[] = [];
  (json.images as unknown[]).forEach((im, i) => {
    const where = `${f}#images[${i}]`;
    if (isRecord(im)) skippedImages.add(im.id); // until it proves fine
    if (!isRecord(im) || im.id === undefined || typeof im.file_name !== "string") {
      return problems.skip(where, `needs "id" and "file_name"`);
    }
    const w = im.width as number, h = im.height as number;
    if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) {
      return problems.skip(where, `"width"/"height" must be positive integers, got ${w}×${h}`);
    }
    if (images.has(im.id)) return problems.skip(where, `image id ${im.id} repeats`);
    const file = path.join(imagesDir, im.file_name);
    if (!onDisk.has(im.file_name) && !onDisk.has(path.basename(im.file_name))) {
      // file_name may contain a sub-folder; check it the slow way only then.
      if (im.file_name === path.basename(im.file_name)) {
        return problems.skip(file, `image file not found (image id ${im.id} in ${f})`);
      }
    }
    const entry = {
      id: String(im.id),
      file,
      width: w,
      height: h,
      collector: new BoxCollector(w, h, problems),
    };
    images.set(im.id, entry);
    skippedImages.delete(im.id);
    order.push(entry);
  });

  (json.annotations as unknown[]).forEach((a, i) => {
    const id = isRecord(a) && a.id !== undefined ? ` (id ${a.id})` : "";
    const where = `${f}#annotations[${i}]${id}`;
    if (!isRecord(a)) return problems.skip(where, "not an object");
    const img = images.get(a.image_id);
    if (img === undefined) {
      // Annotations of an image that was itself skipped are not a new problem.
      if (skippedImages.has(a.image_id)) return;
      return problems.skip(where, `unknown image_id ${a.image_id}`);
    }
    const label = typeof a.category_id === "number" ? categories.toLabel(a.category_id) : undefined;
    if (label === undefined) return problems.skip(where, `unknown category_id ${a.category_id}`);
    const bb = a.bbox;
    if (!Array.isArray(bb) || bb.length !== 4 || bb.some((v) => !Number.isFinite(v))) {
      return problems.skip(where, `"bbox" must be [x, y, width, height]`);
    }
    const [x, y, w, h] = bb as number[];
    if (w < 0 || h < 0) return problems.skip(where, `bbox [${bb}] has negative size`);
    img.collector.add(where, x, y, x + w, y + h, label, a.iscrowd === 1 || a.iscrowd === true);
  });

  const entries: AnnotatedImage[] = [];
  for (const im of order) {
    const objs = im.collector.finish();
    if (options.skipEmpty && !objs.difficult.some((d) => d === 0)) continue;
    entries.push({
      id: im.id,
      file: im.file,
      source: f,
      width: im.width,
      height: im.height,
      ...objs,
    });
  }
  const name = `coco:${f}:${imagesDir}`;
  problems.summary(name);
  const ds = new FileDataset(name, categories.names, entries, problems);
  return Object.assign(ds, { categories }) as CocoDataset;
}
