/**
 * COCO bbox evaluation with the semantics of pycocotools' `COCOeval(gt, dt, "bbox")`:
 * `evaluate()` + `accumulate()` + `summarize()`, reproduced decision by decision so that the 12
 * summary numbers and the precision/recall arrays come out the same (see {@linkcode evaluateCoco}
 * for the list of rules), but laid out in typed arrays so that half a million detections take
 * about a second instead of half a minute.
 *
 * Data flow: {@linkcode parseCocoGroundTruth} / {@linkcode parseCocoResults} (or
 * {@linkcode readCocoGroundTruth} / {@linkcode readCocoResults} for files) validate the JSON and turn
 * it into column tables; {@linkcode evaluateCoco} evaluates them in pycocotools' steps
 * (`coco_match.ts`: prepare, computeIoU, evaluateImg; `coco_accumulate.ts`: accumulate,
 * summarize); {@linkcode formatCocoSummary} prints pycocotools' 12 lines.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { accumulate, summarize } from "./coco_accumulate.ts";
import { evaluateImages } from "./coco_match.ts";

// pycocotools' parameters (thresholds, area ranges, maxDets, stat names) are part of this module's API.
export * from "./coco_params.ts";

/** An image or category id as it appears in COCO JSON. */
export type CocoId = number | string;

/** Ground truth as column tables (what pycocotools' `COCO(gt.json)` holds that matters for bbox). */
export interface CocoGroundTruth {
  /** Where the data came from (a file path or a label), used in error messages. */
  source: string;
  /** Image ids, sorted as pycocotools' `params.imgIds` (numbers ascending, or strings). */
  imageIds: CocoId[];
  /** Category ids, sorted as pycocotools' `params.catIds`. */
  categoryIds: CocoId[];
  /** Category names, parallel to `categoryIds` (the id as text when a category has no name). */
  categoryNames: string[];
  /** Image id → index into `imageIds`. */
  imageIndex: Map<CocoId, number>;
  /** Category id → index into `categoryIds`. */
  categoryIndex: Map<CocoId, number>;
  /** Annotations on known images and categories, in file order (others are skipped, as pycocotools does). */
  count: number;
  /** [count] image index of each annotation. */
  image: Int32Array;
  /** [count] category index of each annotation. */
  category: Int32Array;
  /** [count·4] boxes (x, y, w, h). */
  bbox: Float64Array;
  /** [count] the annotation's `area` field (used for the area ranges, as pycocotools does). */
  area: Float64Array;
  /** [count] 1 for crowd (and so ignored) annotations. */
  iscrowd: Uint8Array;
  /**
   * [count] 1 where the annotation's `id` is 0: pycocotools stores matches as ids and treats a
   * match to id 0 as "no match" when it counts true positives; we reproduce that quirk.
   */
  zeroId: Uint8Array;
}

/** Detections as column tables (a COCO results list after validation). */
export interface CocoDetections {
  /** Where the data came from, used in error messages. */
  source: string;
  /** Number of detections. */
  count: number;
  /** [count] image index (into the ground truth's `imageIds`). */
  image: Int32Array;
  /** [count] category index (into the ground truth's `categoryIds`). */
  category: Int32Array;
  /** [count·4] boxes (x, y, w, h). */
  bbox: Float64Array;
  /** [count] scores. */
  score: Float64Array;
}

/** The 12 summary numbers of one category (−1 where it has no ground truth in that setting). */
export interface CocoCategoryStats {
  /** The COCO category id. */
  id: CocoId;
  /** AP@[.50:.95], all areas, 100 detections. */
  AP: number;
  /** AP@.50. */
  AP50: number;
  /** AP@.75. */
  AP75: number;
  /** AP, small objects. */
  APs: number;
  /** AP, medium objects. */
  APm: number;
  /** AP, large objects. */
  APl: number;
  /** AR with 1 detection per image. */
  AR1: number;
  /** AR with 10 detections per image. */
  AR10: number;
  /** AR with 100 detections per image. */
  AR100: number;
  /** AR, small objects. */
  ARs: number;
  /** AR, medium objects. */
  ARm: number;
  /** AR, large objects. */
  ARl: number;
}

/** Summary of a COCO evaluation: pycocotools' `stats` and the same numbers per category. */
export interface CocoStats {
  /** The 12 numbers of `COCOeval.stats`, in its order (see {@linkcode COCO_STAT_NAMES}). */
  stats: number[];
  /** Per category name (`name (id N)` where names repeat): its 12 numbers. */
  perCategory: Record<string, CocoCategoryStats>;
}

/** Full result of {@linkcode evaluateCoco}: the summary plus pycocotools' `eval` arrays. */
export interface CocoEvaluation extends CocoStats {
  /** [T, R, K, A, M] = [10, 101, categories, 4, 3] as in `COCOeval.eval["counts"]`. */
  counts: [number, number, number, number, number];
  /** [T·R·K·A·M] row-major: `COCOeval.eval["precision"]` (−1 where a setting has no ground truth). */
  precision: Float64Array;
  /** [T·K·A·M] row-major: `COCOeval.eval["recall"]`. */
  recall: Float64Array;
  /** Category ids along K. */
  categoryIds: CocoId[];
  /** Category names along K. */
  categoryNames: string[];
}

// ------------------------------------------------------------------------------------------------
// Validation helpers
// ------------------------------------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return "missing";
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  if (typeof v === "string") return `"${v.length > 40 ? v.slice(0, 40) + "…" : v}"`;
  if (typeof v === "object") return "an object";
  return String(v);
}

function checkId(v: unknown, where: string, field: string): CocoId {
  if ((typeof v === "number" && Number.isFinite(v)) || typeof v === "string") return v;
  throw new FcosError(`${where}: "${field}" must be a number or string, got ${describe(v)}`);
}

/** Sorts ids as numpy's `np.unique` would: numbers ascending, strings by code point. */
function sortIds(ids: CocoId[], where: string): CocoId[] {
  const unique = [...new Set(ids)];
  const numbers = unique.every((v) => typeof v === "number");
  const strings = unique.every((v) => typeof v === "string");
  if (!numbers && !strings) {
    throw new FcosError(`${where}: ids mix numbers and strings, which cannot be sorted`);
  }
  return numbers
    ? unique.sort((a, b) => (a as number) - (b as number))
    : unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function readBbox(
  v: unknown,
  where: string,
  out: Float64Array,
  at: number,
): void {
  if (!Array.isArray(v) || v.length !== 4) {
    throw new FcosError(`${where}: "bbox" must be [x, y, width, height], got ${describe(v)}`);
  }
  for (let j = 0; j < 4; j++) {
    const x = v[j];
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new FcosError(`${where}: bbox[${j}] must be a finite number, got ${describe(x)}`);
    }
    out[at + j] = x;
  }
  if (v[2] < 0) throw new FcosError(`${where}: bbox has negative width ${v[2]}`);
  if (v[3] < 0) throw new FcosError(`${where}: bbox has negative height ${v[3]}`);
}

// ------------------------------------------------------------------------------------------------
// Loading
// ------------------------------------------------------------------------------------------------

/**
 * Validates COCO ground truth JSON (`images`, `annotations`, `categories`) and turns it into
 * column tables. Annotations on images or categories the file does not list are skipped, as
 * pycocotools skips them; a missing `iscrowd` counts as 0.
 *
 * @example
 * ```ts
 * import { parseCocoGroundTruth } from "./coco.ts";
 * const gt = parseCocoGroundTruth({
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1, name: "cat" }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 }],
 * });
 * console.log(gt.count); // 1
 * ```
 */
export function parseCocoGroundTruth(json: unknown, source = "ground truth"): CocoGroundTruth {
  const { images, categories, annotations } = groundTruthLists(json, source);
  const rawImageIds = readImageIds(images, source);
  const { ids: rawCatIds, names } = readCategories(categories, source);
  const imageIds = sortIds(rawImageIds, `${source}: images`);
  const categoryIds = sortIds(rawCatIds, `${source}: categories`);
  const imageIndex = new Map<CocoId, number>(imageIds.map((id, i) => [id, i]));
  const categoryIndex = new Map<CocoId, number>(categoryIds.map((id, i) => [id, i]));
  return {
    source,
    imageIds,
    categoryIds,
    categoryNames: categoryIds.map((id) => names.get(id)!),
    imageIndex,
    categoryIndex,
    ...readAnnotations(annotations, source, imageIndex, categoryIndex),
  };
}

/** The three lists of a COCO ground truth object (`annotations` may be absent). */
function groundTruthLists(
  json: unknown,
  source: string,
): { images: unknown[]; categories: unknown[]; annotations: unknown[] } {
  if (!isRecord(json)) {
    throw new FcosError(
      `${source}: COCO ground truth must be a JSON object, got ${describe(json)}`,
    );
  }
  const images = json.images;
  const categories = json.categories;
  const annotations = json.annotations ?? [];
  if (!Array.isArray(images)) {
    throw new FcosError(`${source}: "images" must be a list, got ${describe(images)}`);
  }
  if (!Array.isArray(categories)) {
    throw new FcosError(`${source}: "categories" must be a list, got ${describe(categories)}`);
  }
  if (!Array.isArray(annotations)) {
    throw new FcosError(`${source}: "annotations" must be a list, got ${describe(annotations)}`);
  }
  return { images, categories, annotations };
}

/** The `id` of every entry of `images`, in file order. */
function readImageIds(images: unknown[], source: string): CocoId[] {
  return images.map((im, i) => {
    const where = `${source}: images[${i}]`;
    if (!isRecord(im)) throw new FcosError(`${where}: must be an object, got ${describe(im)}`);
    return checkId(im.id, where, "id");
  });
}

/** Category ids in file order and each id's name (the id as text when it has none). */
function readCategories(
  categories: unknown[],
  source: string,
): { ids: CocoId[]; names: Map<CocoId, string> } {
  const names = new Map<CocoId, string>();
  const ids = categories.map((c, i) => {
    const where = `${source}: categories[${i}]`;
    if (!isRecord(c)) throw new FcosError(`${where}: must be an object, got ${describe(c)}`);
    const id = checkId(c.id, where, "id");
    names.set(id, typeof c.name === "string" ? c.name : String(id));
    return id;
  });
  return { ids, names };
}

/** The per-annotation columns of a {@linkcode CocoGroundTruth}. */
type AnnotationColumns = Pick<
  CocoGroundTruth,
  "count" | "image" | "category" | "bbox" | "area" | "iscrowd" | "zeroId"
>;

/**
 * Validates every annotation and keeps those on known images and categories, in file order
 * (pycocotools never loads the others); a missing `iscrowd` counts as 0.
 */
function readAnnotations(
  annotations: unknown[],
  source: string,
  imageIndex: Map<CocoId, number>,
  categoryIndex: Map<CocoId, number>,
): AnnotationColumns {
  const n = annotations.length;
  const image = new Int32Array(n);
  const category = new Int32Array(n);
  const bbox = new Float64Array(n * 4);
  const area = new Float64Array(n);
  const iscrowd = new Uint8Array(n);
  const zeroId = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const a = annotations[i];
    let where = `${source}: annotations[${i}]`;
    if (!isRecord(a)) throw new FcosError(`${where}: must be an object, got ${describe(a)}`);
    if (a.id !== undefined) where += ` (id ${describe(a.id)})`;
    const imgId = checkId(a.image_id, where, "image_id");
    const catId = checkId(a.category_id, where, "category_id");
    readBbox(a.bbox, where, bbox, count * 4);
    const ar = a.area;
    if (typeof ar !== "number" || !Number.isFinite(ar)) {
      throw new FcosError(`${where}: "area" must be a finite number, got ${describe(ar)}`);
    }
    const crowd = a.iscrowd ?? 0;
    if (typeof crowd !== "number" && typeof crowd !== "boolean") {
      throw new FcosError(`${where}: "iscrowd" must be 0 or 1, got ${describe(crowd)}`);
    }
    const ii = imageIndex.get(imgId);
    const ci = categoryIndex.get(catId);
    if (ii === undefined || ci === undefined) continue; // pycocotools never loads these
    image[count] = ii;
    category[count] = ci;
    area[count] = ar;
    iscrowd[count] = crowd ? 1 : 0;
    zeroId[count] = a.id === 0 ? 1 : 0;
    count++;
  }
  return {
    count,
    image: image.subarray(0, count),
    category: category.subarray(0, count),
    bbox: bbox.subarray(0, count * 4),
    area: area.subarray(0, count),
    iscrowd: iscrowd.subarray(0, count),
    zeroId: zeroId.subarray(0, count),
  };
}

/**
 * Validates a COCO results list (`[{image_id, category_id, bbox: [x, y, w, h], score}, …]`)
 * against the ground truth. Every entry must name an image and a category of the ground truth and
 * have a box with non-negative width and height and a finite score; otherwise a
 * {@linkcode FcosError} names the file, the entry and the problem. An empty list is allowed
 * (every AP is then 0).
 *
 * @example
 * ```ts
 * import { parseCocoGroundTruth, parseCocoResults } from "./coco.ts";
 * const gt = parseCocoGroundTruth({ images: [{ id: 1 }], categories: [{ id: 1 }], annotations: [] });
 * const dt = parseCocoResults([{ image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], score: 0.9 }], gt);
 * console.log(dt.count); // 1
 * ```
 */
export function parseCocoResults(
  json: unknown,
  gt: CocoGroundTruth,
  source = "results",
): CocoDetections {
  if (!Array.isArray(json)) {
    throw new FcosError(
      `${source}: COCO results must be a list of {image_id, category_id, bbox, score}, got ${
        describe(json)
      }`,
    );
  }
  const n = json.length;
  const image = new Int32Array(n);
  const category = new Int32Array(n);
  const bbox = new Float64Array(n * 4);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = json[i];
    const where = `${source}: results[${i}]`;
    if (!isRecord(d)) throw new FcosError(`${where}: must be an object, got ${describe(d)}`);
    const imgId = checkId(d.image_id, where, "image_id");
    const ii = gt.imageIndex.get(imgId);
    if (ii === undefined) {
      throw new FcosError(
        `${where}: image_id ${describe(imgId)} is not an image of the ground truth (${gt.source})`,
      );
    }
    const catId = checkId(d.category_id, where, "category_id");
    const ci = gt.categoryIndex.get(catId);
    if (ci === undefined) {
      throw new FcosError(
        `${where}: category_id ${
          describe(catId)
        } is not a category of the ground truth (${gt.source})`,
      );
    }
    readBbox(d.bbox, where, bbox, i * 4);
    const s = d.score;
    if (typeof s !== "number" || !Number.isFinite(s)) {
      throw new FcosError(`${where}: "score" must be a finite number, got ${describe(s)}`);
    }
    image[i] = ii;
    category[i] = ci;
    score[i] = s;
  }
  return { source, count: n, image, category, bbox, score };
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    // A missing permission is the caller's to report (the CLI names the flag to add).
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) throw e;
    if (e instanceof Deno.errors.NotFound) {
      throw new FcosError(`${path}: ${what} file not found`, { cause: e });
    }
    throw new FcosError(`${path}: cannot read the ${what} (${(e as Error).message})`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FcosError(`${path}: the ${what} is not valid JSON (${(e as Error).message})`, {
      cause: e,
    });
  }
}

/**
 * Reads and validates a COCO ground truth file (see {@linkcode parseCocoGroundTruth}).
 *
 * @example
 * ```ts ignore
 * import { readCocoGroundTruth } from "./coco.ts";
 * const gt = await readCocoGroundTruth("instances_val.json");
 * ```
 */
export async function readCocoGroundTruth(path: string): Promise<CocoGroundTruth> {
  return parseCocoGroundTruth(await readJson(path, "COCO ground truth"), path);
}

/**
 * Reads and validates a COCO results file against the ground truth (see
 * {@linkcode parseCocoResults}).
 *
 * @example
 * ```ts ignore
 * import { readCocoGroundTruth, readCocoResults } from "./coco.ts";
 * const gt = await readCocoGroundTruth("instances_val.json");
 * const dt = await readCocoResults("detections.json", gt);
 * ```
 */
export async function readCocoResults(path: string, gt: CocoGroundTruth): Promise<CocoDetections> {
  return parseCocoResults(await readJson(path, "COCO results"), gt, path);
}

// ------------------------------------------------------------------------------------------------
// Evaluation
// ------------------------------------------------------------------------------------------------

/**
 * Evaluates detections against ground truth exactly as pycocotools' `COCOeval` with
 * `iouType="bbox"` and default parameters: `evaluate()` + `accumulate()` + `summarize()`.
 *
 * The rules reproduced: IoU thresholds .50:.05:.95 and 101 recall points as numpy's `linspace`
 * makes them; per image and category at most 100 detections, highest score first (ties keep the
 * results file's order); IoU on (x, y, w, h) boxes as `maskApi.c` computes it, with
 * intersection / detection area for crowd boxes; ground truth outside an area range (its `area`
 * field, bounds inclusive) or crowd is ignored and sorted last; greedy matching per threshold to
 * the best remaining box with IoU ≥ min(t, 1−1e−10) (later boxes win IoU ties), crowd boxes can
 * match any number of detections, a detection matched to an ignored box is ignored, an unmatched
 * one whose w·h lies outside the area range is ignored; detections of all images are then ranked
 * by score (stable, image order then rank), precision is tp/(tp+fp+eps), made monotone, and read
 * at the first point reaching each recall threshold (0 beyond the last); categories without
 * (non-ignored) ground truth get −1 and are left out of the means, which use numpy's pairwise sum.
 *
 * @example
 * ```ts
 * import { evaluateCoco, parseCocoGroundTruth, parseCocoResults } from "./coco.ts";
 * const gt = parseCocoGroundTruth({
 *   images: [{ id: 1 }],
 *   categories: [{ id: 1, name: "cat" }],
 *   annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 50, 50], area: 2500 }],
 * });
 * const dt = parseCocoResults([{ image_id: 1, category_id: 1, bbox: [0, 0, 50, 50], score: 1 }], gt);
 * console.log(evaluateCoco(gt, dt).stats[0]); // 0.9999999999999998 (tp / (tp + fp + eps), as pycocotools)
 * ```
 */
export function evaluateCoco(gt: CocoGroundTruth, dt: CocoDetections): CocoEvaluation {
  // pycocotools' evaluate() (per image and category: IoU, greedy matching), accumulate(), summarize().
  checkTablesAgree(gt, dt);
  const matched = evaluateImages(gt, dt);
  const accumulated = accumulate(matched);
  return summarize(gt, accumulated);
}

/** Throws unless every detection names an image and a category index of `gt`. */
function checkTablesAgree(gt: CocoGroundTruth, dt: CocoDetections): void {
  const I = gt.imageIds.length, K = gt.categoryIds.length;
  if (dt.image.length !== dt.count || gt.image.length !== gt.count) {
    throw new FcosError(`${dt.source}: detection table is inconsistent with its count`);
  }
  for (let i = 0; i < dt.count; i++) {
    if (dt.image[i] < 0 || dt.image[i] >= I || dt.category[i] < 0 || dt.category[i] >= K) {
      throw new FcosError(
        `${dt.source}: detection ${i} names image/category index out of range for ${gt.source}`,
      );
    }
  }
}

/** Python's `'{:0.3f}'.format(x)`: nearest, exact binary ties to even (JS's toFixed rounds them up). */
function format3(x: number): string {
  const mag = Math.abs(x);
  // A tie is exactly representable (a dyadic rational), so its long expansion ends in 5 then 0s.
  if (!/^\d+\.\d{3}50*$/.test(mag.toFixed(30))) return x.toFixed(3);
  const n = Math.floor(mag * 1000); // exact: mag·1000 = n + 0.5
  const even = n % 2 === 0 ? n : n + 1;
  return (x < 0 ? "-" : "") + (even / 1000).toFixed(3);
}

/**
 * Formats the 12 numbers as pycocotools' `summarize()` prints them (12 lines, no trailing newline).
 *
 * @example
 * ```ts
 * import { formatCocoSummary } from "./coco.ts";
 * const text = formatCocoSummary(new Array(12).fill(-1));
 * console.log(text.split("\n")[0]);
 * // " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = -1.000"
 * ```
 */
export function formatCocoSummary(stats: readonly number[]): string {
  if (stats.length !== 12) {
    throw new FcosError(`formatCocoSummary: expected 12 numbers, got ${stats.length}`);
  }
  const rows: [boolean, string, string, number][] = [
    [true, "0.50:0.95", "all", 100],
    [true, "0.50", "all", 100],
    [true, "0.75", "all", 100],
    [true, "0.50:0.95", "small", 100],
    [true, "0.50:0.95", "medium", 100],
    [true, "0.50:0.95", "large", 100],
    [false, "0.50:0.95", "all", 1],
    [false, "0.50:0.95", "all", 10],
    [false, "0.50:0.95", "all", 100],
    [false, "0.50:0.95", "small", 100],
    [false, "0.50:0.95", "medium", 100],
    [false, "0.50:0.95", "large", 100],
  ];
  return rows.map(([ap, iou, area, md], i) => {
    const title = (ap ? "Average Precision" : "Average Recall").padEnd(18);
    const type = ap ? "(AP)" : "(AR)";
    return ` ${title} ${type} @[ IoU=${iou.padEnd(9)} | area=${area.padStart(6)} | maxDets=${
      String(md).padStart(3)
    } ] = ${format3(stats[i])}`;
  }).join("\n");
}
