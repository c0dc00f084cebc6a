/**
 * COCO bbox evaluation with the semantics of pycocotools' `COCOeval(gt, dt, "bbox")`:
 * `evaluate()` + `accumulate()` + `summarize()`, reproduced decision by decision so that the 12
 * summary numbers and the precision/recall arrays come out the same (see {@linkcode evaluateCoco}
 * for the list of rules), but laid out in typed arrays so that half a million detections take
 * about a second instead of half a minute.
 *
 * Data flow: {@linkcode parseCocoGroundTruth} / {@linkcode parseCocoResults} (or
 * {@linkcode readCocoGroundTruth} / {@linkcode readCocoResults} for files) validate the JSON and turn
 * it into column tables; {@linkcode evaluateCoco} evaluates them; {@linkcode formatCocoSummary}
 * prints pycocotools' 12 lines.
 *
 * @module
 */
import { FcosError } from "../errors.ts";

/** An image or category id as it appears in COCO JSON. */
export type CocoId = number | string;

/** `numpy.linspace(start, stop, num)` value for value: `i·step + start`, last = `stop`. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** pycocotools' IoU thresholds `np.linspace(.5, .95, 10)` (bit-identical values). */
export const COCO_IOU_THRESHOLDS: Float64Array = linspace(0.5, 0.95, 10);
/** pycocotools' recall thresholds `np.linspace(0, 1, 101)` (bit-identical values). */
export const COCO_RECALL_THRESHOLDS: Float64Array = linspace(0, 1, 101);
/** pycocotools' area ranges [lo, hi] (both bounds inclusive): all, small, medium, large. */
export const COCO_AREA_RANGES: readonly (readonly [number, number])[] = [
  [0, 1e10],
  [0, 32 * 32],
  [32 * 32, 96 * 96],
  [96 * 96, 1e10],
];
/** Labels of {@linkcode COCO_AREA_RANGES}. */
export const COCO_AREA_LABELS: readonly string[] = ["all", "small", "medium", "large"];
/** pycocotools' maxDets: detections per image and category kept for AP/AR. */
export const COCO_MAX_DETS: readonly number[] = [1, 10, 100];
/** Names of the 12 summary numbers, in pycocotools' order. */
export const COCO_STAT_NAMES: readonly string[] = [
  "AP",
  "AP50",
  "AP75",
  "APs",
  "APm",
  "APl",
  "AR1",
  "AR10",
  "AR100",
  "ARs",
  "ARm",
  "ARl",
];

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
  const rawImageIds: CocoId[] = images.map((im, i) => {
    const where = `${source}: images[${i}]`;
    if (!isRecord(im)) throw new FcosError(`${where}: must be an object, got ${describe(im)}`);
    return checkId(im.id, where, "id");
  });
  const names = new Map<CocoId, string>();
  const rawCatIds: CocoId[] = categories.map((c, i) => {
    const where = `${source}: categories[${i}]`;
    if (!isRecord(c)) throw new FcosError(`${where}: must be an object, got ${describe(c)}`);
    const id = checkId(c.id, where, "id");
    names.set(id, typeof c.name === "string" ? c.name : String(id));
    return id;
  });
  const imageIds = sortIds(rawImageIds, `${source}: images`);
  const categoryIds = sortIds(rawCatIds, `${source}: categories`);
  const imageIndex = new Map<CocoId, number>(imageIds.map((id, i) => [id, i]));
  const categoryIndex = new Map<CocoId, number>(categoryIds.map((id, i) => [id, i]));

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
    source,
    imageIds,
    categoryIds,
    categoryNames: categoryIds.map((id) => names.get(id)!),
    imageIndex,
    categoryIndex,
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
// Sorting helpers (stable, descending by score)
// ------------------------------------------------------------------------------------------------

/**
 * Sorts `idx[from, to)` by `key[idx]` descending, keeping the incoming order of equal keys
 * (numpy's `argsort(-key, kind="mergesort")`). Insertion sort for short runs, merge sort above.
 */
function stableSortDesc(
  idx: Int32Array,
  from: number,
  to: number,
  key: Float64Array,
  tmp: Int32Array,
): void {
  const RUN = 24;
  for (let lo = from; lo < to; lo += RUN) {
    const hi = Math.min(lo + RUN, to);
    for (let i = lo + 1; i < hi; i++) {
      const x = idx[i];
      const kx = key[x];
      let j = i - 1;
      while (j >= lo && key[idx[j]] < kx) {
        idx[j + 1] = idx[j];
        j--;
      }
      idx[j + 1] = x;
    }
  }
  let src = idx;
  let dst = tmp;
  for (let width = RUN; width < to - from; width *= 2) {
    for (let lo = from; lo < to; lo += 2 * width) {
      const mid = Math.min(lo + width, to);
      const hi = Math.min(lo + 2 * width, to);
      let i = lo, j = mid, o = lo;
      while (i < mid && j < hi) {
        // Take from the left on ties: that keeps equal keys in their incoming order.
        if (key[src[j]] > key[src[i]]) dst[o++] = src[j++];
        else dst[o++] = src[i++];
      }
      while (i < mid) dst[o++] = src[i++];
      while (j < hi) dst[o++] = src[j++];
    }
    const s = src;
    src = dst;
    dst = s;
  }
  if (src !== idx) idx.set(src.subarray(from, to), from);
}

/** Stable counting sort of `0..n-1` by `key` in [0, numKeys): returns [order, offsets]. */
function groupBy(key: Int32Array, numKeys: number): [Int32Array, Int32Array] {
  const offsets = new Int32Array(numKeys + 1);
  for (let i = 0; i < key.length; i++) offsets[key[i] + 1]++;
  for (let k = 0; k < numKeys; k++) offsets[k + 1] += offsets[k];
  const order = new Int32Array(key.length);
  const fill = offsets.slice(0, numKeys);
  for (let i = 0; i < key.length; i++) order[fill[key[i]]++] = i;
  return [order, offsets];
}

/**
 * Stable counting sort of the ids `src[from, to)` by `key[id]` in [0, numKeys) into
 * `dst[from, to)`; `offsets[k]` (numKeys + 1 entries, absolute) is where key k starts.
 */
function groupWithin(
  src: Int32Array,
  from: number,
  to: number,
  key: Int32Array,
  numKeys: number,
  offsets: Int32Array,
  dst: Int32Array,
): void {
  offsets.fill(0);
  for (let i = from; i < to; i++) offsets[key[src[i]] + 1]++;
  offsets[0] = from;
  for (let k = 0; k < numKeys; k++) offsets[k + 1] += offsets[k];
  for (let i = from; i < to; i++) dst[offsets[key[src[i]]]++] = src[i];
  // The increments moved every start to the next key's start; shift them back.
  for (let k = numKeys; k > 0; k--) offsets[k] = offsets[k - 1];
  offsets[0] = from;
}

/** numpy's pairwise summation of a contiguous float64 array (`np.add.reduce`, `np.mean`). */
function pairwiseSum(a: Float64Array, from: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[from + i];
    return res;
  }
  if (n <= 128) {
    let r0 = a[from], r1 = a[from + 1], r2 = a[from + 2], r3 = a[from + 3];
    let r4 = a[from + 4], r5 = a[from + 5], r6 = a[from + 6], r7 = a[from + 7];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      r0 += a[from + i];
      r1 += a[from + i + 1];
      r2 += a[from + i + 2];
      r3 += a[from + i + 3];
      r4 += a[from + i + 4];
      r5 += a[from + i + 5];
      r6 += a[from + i + 6];
      r7 += a[from + i + 7];
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[from + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
}

/** `np.mean` of the values > −1 in `values[0, n)`, or −1 when there are none. */
function meanValid(values: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) if (values[i] > -1) values[m++] = values[i];
  if (m === 0) return -1;
  // numpy's reduction hands the inner loop at most one buffer (8192 elements) at a time and adds
  // the pairwise sums of those blocks one after the other.
  let sum = 0;
  for (let i = 0; i < m; i += 8192) sum += pairwiseSum(values, i, Math.min(8192, m - i));
  return sum / m;
}

// ------------------------------------------------------------------------------------------------
// Evaluation
// ------------------------------------------------------------------------------------------------

const STATE_FP = 0;
const STATE_TP = 1;
const STATE_IGNORE = 2;
/** numpy's `np.spacing(1)`, added to the precision denominator by pycocotools. */
const EPS = 2.220446049250313e-16;

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
  const I = gt.imageIds.length;
  const K = gt.categoryIds.length;
  const T = COCO_IOU_THRESHOLDS.length;
  const R = COCO_RECALL_THRESHOLDS.length;
  const A = COCO_AREA_RANGES.length;
  const M = COCO_MAX_DETS.length;
  const maxDetLast = COCO_MAX_DETS[M - 1];
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

  // Group by category, then inside each category by image (category-major like pycocotools'
  // evalImgs); counting sorts keep file order inside a group, which is the order pycocotools'
  // stable sorts start from. Memory stays O(detections + images + categories).
  const [gtByCat, gtCatOff] = groupBy(gt.category, K);
  const [dtByCat, dtCatOff] = groupBy(dt.category, K);
  const gtOrder = new Int32Array(gt.count);
  const dtOrder = new Int32Array(dt.count);
  const gtOff = new Int32Array(I + 1);
  const dtOff = new Int32Array(I + 1);

  // Kept detections (≤ maxDetLast per group) in (category, image, rank) order, i.e. the order of
  // pycocotools' concatenation in accumulate().
  const keptScore = new Float64Array(dt.count);
  const keptRank = new Int32Array(dt.count);
  const keptState = new Uint8Array(dt.count * A * T); // [kept, A, T] FP/TP/IGNORE
  const catStart = new Int32Array(K + 1);
  const npig = new Float64Array(K * A); // non-ignored ground truth per (category, area)
  let nKept = 0;

  // Per-group scratch, grown as needed.
  let gCap = 16;
  let gBox = new Float64Array(gCap * 4);
  let gArea = new Float64Array(gCap);
  let gCrowd = new Uint8Array(gCap);
  let gZero = new Uint8Array(gCap);
  let gIg = new Uint8Array(gCap);
  let gOrd = new Int32Array(gCap);
  let gtm = new Uint8Array(gCap);
  let ious = new Float64Array(maxDetLast * gCap);
  let dIdx = new Int32Array(64);
  let dTmp = new Int32Array(64);
  const dArea = new Float64Array(maxDetLast);
  const areaLo = Float64Array.from(COCO_AREA_RANGES, (r) => r[0]);
  const areaHi = Float64Array.from(COCO_AREA_RANGES, (r) => r[1]);
  const thr = new Float64Array(T);
  for (let t = 0; t < T; t++) thr[t] = Math.min(COCO_IOU_THRESHOLDS[t], 1 - 1e-10);

  for (let k = 0; k < K; k++) {
    catStart[k] = nKept;
    groupWithin(gtByCat, gtCatOff[k], gtCatOff[k + 1], gt.image, I, gtOff, gtOrder);
    groupWithin(dtByCat, dtCatOff[k], dtCatOff[k + 1], dt.image, I, dtOff, dtOrder);
    for (let img = 0; img < I; img++) {
      const g0 = gtOff[img], G = gtOff[img + 1] - g0;
      const d0 = dtOff[img], nd = dtOff[img + 1] - d0;
      if (G === 0 && nd === 0) continue;
      if (G > gCap) {
        gCap = Math.max(G, gCap * 2);
        gBox = new Float64Array(gCap * 4);
        gArea = new Float64Array(gCap);
        gCrowd = new Uint8Array(gCap);
        gZero = new Uint8Array(gCap);
        gIg = new Uint8Array(gCap);
        gOrd = new Int32Array(gCap);
        gtm = new Uint8Array(gCap);
        ious = new Float64Array(maxDetLast * gCap);
      }
      for (let j = 0; j < G; j++) {
        const a = gtOrder[g0 + j];
        gBox[j * 4] = gt.bbox[a * 4];
        gBox[j * 4 + 1] = gt.bbox[a * 4 + 1];
        gBox[j * 4 + 2] = gt.bbox[a * 4 + 2];
        gBox[j * 4 + 3] = gt.bbox[a * 4 + 3];
        gArea[j] = gt.area[a];
        gCrowd[j] = gt.iscrowd[a];
        gZero[j] = gt.zeroId[a];
      }
      for (let ar = 0; ar < A; ar++) {
        const lo = areaLo[ar], hi = areaHi[ar];
        let c = 0;
        for (let j = 0; j < G; j++) if (!gCrowd[j] && !(gArea[j] < lo || gArea[j] > hi)) c++;
        npig[k * A + ar] += c;
      }
      if (nd === 0) continue;

      // This group's detections by score, highest first, ties in file order; keep maxDetLast.
      if (nd > dIdx.length) {
        dIdx = new Int32Array(nd * 2);
        dTmp = new Int32Array(nd * 2);
      }
      for (let q = 0; q < nd; q++) dIdx[q] = dtOrder[d0 + q];
      stableSortDesc(dIdx, 0, nd, dt.score, dTmp);
      const D = Math.min(nd, maxDetLast);

      // IoU [D, G] as maskApi.c's bbIou.
      for (let d = 0; d < D; d++) {
        const di = dIdx[d] * 4;
        const dx = dt.bbox[di], dy = dt.bbox[di + 1], dw = dt.bbox[di + 2], dh = dt.bbox[di + 3];
        const da = dw * dh;
        dArea[d] = da;
        for (let j = 0; j < G; j++) {
          const gx = gBox[j * 4], gy = gBox[j * 4 + 1], gw = gBox[j * 4 + 2], gh = gBox[j * 4 + 3];
          let o = 0;
          const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
          if (w > 0) {
            const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
            if (h > 0) {
              const inter = w * h;
              const u = gCrowd[j] ? da : da + gw * gh - inter;
              o = inter / u;
            }
          }
          ious[d * G + j] = o;
        }
        keptScore[nKept + d] = dt.score[dIdx[d]];
        keptRank[nKept + d] = d;
      }

      if (G === 0) {
        // Nothing to match: a false positive, or ignored when its w·h is outside the range.
        for (let d = 0; d < D; d++) {
          const base = (nKept + d) * A * T;
          for (let ar = 0; ar < A; ar++) {
            const s = dArea[d] < areaLo[ar] || dArea[d] > areaHi[ar] ? STATE_IGNORE : STATE_FP;
            for (let q = base + ar * T; q < base + ar * T + T; q++) keptState[q] = s;
          }
        }
        nKept += D;
        continue;
      }
      for (let ar = 0; ar < A; ar++) {
        const lo = areaLo[ar], hi = areaHi[ar];
        // Ground truth order: not ignored first, ignored last, each in file order.
        let nNot = 0;
        for (let j = 0; j < G; j++) {
          gIg[j] = gCrowd[j] || gArea[j] < lo || gArea[j] > hi ? 1 : 0;
          if (!gIg[j]) gOrd[nNot++] = j;
        }
        let o = nNot;
        for (let j = 0; j < G; j++) if (gIg[j]) gOrd[o++] = j;
        for (let t = 0; t < T; t++) {
          gtm.fill(0, 0, G);
          const th = thr[t];
          for (let d = 0; d < D; d++) {
            let best = th;
            let m = -1;
            const row = d * G;
            for (let q = 0; q < G; q++) {
              const j = gOrd[q];
              if (gtm[j] && !gCrowd[j]) continue;
              if (m > -1 && !gIg[m] && gIg[j]) break;
              const v = ious[row + j];
              if (v < best) continue;
              best = v;
              m = j;
            }
            const areaOut = dArea[d] < lo || dArea[d] > hi;
            let state: number;
            if (m === -1) {
              state = areaOut ? STATE_IGNORE : STATE_FP;
            } else {
              gtm[m] = 1;
              if (gIg[m]) state = STATE_IGNORE;
              else if (gZero[m]) state = areaOut ? STATE_IGNORE : STATE_FP; // dtm == 0 quirk
              else state = STATE_TP;
            }
            keptState[((nKept + d) * A + ar) * T + t] = state;
          }
        }
      }
      nKept += D;
    }
  }
  catStart[K] = nKept;

  // accumulate(): per category, rank its kept detections over all images by score (stable).
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  let maxN = 0, maxPos = 0;
  for (let k = 0; k < K; k++) maxN = Math.max(maxN, catStart[k + 1] - catStart[k]);
  for (let i = 0; i < K * A; i++) maxPos = Math.max(maxPos, npig[i]);
  const order = new Int32Array(maxN);
  const orderTmp = new Int32Array(maxN);
  const lists = COCO_MAX_DETS.map(() => new Int32Array(maxN)); // ranked kept ids with rank < maxDet
  const stride = maxPos + 1;
  const fpAt = new Float64Array(T * stride); // [T, ·]: fp count when the j-th true positive arrives
  const tpc = new Int32Array(T);
  const fpc = new Int32Array(T);
  const AT = A * T;
  for (let k = 0; k < K; k++) {
    const s0 = catStart[k], n = catStart[k + 1] - s0;
    for (let i = 0; i < n; i++) order[i] = s0 + i;
    stableSortDesc(order, 0, n, keptScore, orderTmp);
    let maxRank = -1;
    for (let i = s0; i < s0 + n; i++) if (keptRank[i] > maxRank) maxRank = keptRank[i];
    const listLen = COCO_MAX_DETS.map((maxDet, mi) => {
      let c = 0;
      if (maxRank >= maxDet) {
        for (let i = 0; i < n; i++) if (keptRank[order[i]] < maxDet) lists[mi][c++] = order[i];
      }
      return c;
    });
    for (let ar = 0; ar < A; ar++) {
      const np = npig[k * A + ar];
      if (np === 0) continue; // pycocotools leaves −1
      for (let mi = 0; mi < M; mi++) {
        const maxDet = COCO_MAX_DETS[mi];
        const full = maxRank < maxDet; // no detection of this category is cut by maxDet
        if (full && mi > 0 && maxRank < COCO_MAX_DETS[mi - 1]) {
          // Same detections as the previous maxDets: same numbers.
          for (let t = 0; t < T; t++) {
            recall[((t * K + k) * A + ar) * M + mi] = recall[((t * K + k) * A + ar) * M + mi - 1];
            for (let r = 0; r < R; r++) {
              const at = (((t * R + r) * K + k) * A + ar) * M + mi;
              precision[at] = precision[at - 1];
            }
          }
          continue;
        }
        // Walk the ranked detections counting false positives and noting, at each true positive,
        // the fp count so far (all IoU thresholds at once). Only true positives matter afterwards:
        // recall rises only there, ignored detections repeat the previous point, and a false
        // positive's precision is below that of the true positive before it, so the monotone
        // envelope read at the first point reaching each recall threshold sees true positives only.
        const ids = full ? order : lists[mi];
        const len = full ? n : listLen[mi];
        tpc.fill(0);
        fpc.fill(0);
        for (let q = 0; q < len; q++) {
          const base = ids[q] * AT + ar * T;
          for (let t = 0; t < T; t++) {
            const s = keptState[base + t];
            if (s === STATE_TP) fpAt[t * stride + tpc[t]++] = fpc[t];
            else if (s === STATE_FP) fpc[t]++;
          }
        }
        for (let t = 0; t < T; t++) {
          const tp = tpc[t];
          recall[((t * K + k) * A + ar) * M + mi] = tp / np;
          // Precision at the j-th true positive as pycocotools computes it, then the envelope
          // (kept in place of the fp counts).
          let best = 0;
          const f0 = t * stride;
          for (let j = tp - 1; j >= 0; j--) {
            const tpv = j + 1;
            const pr = tpv / (fpAt[f0 + j] + tpv + EPS);
            if (pr > best) best = pr;
            fpAt[f0 + j] = best;
          }
          let p = 0;
          for (let r = 0; r < R; r++) {
            const rt = COCO_RECALL_THRESHOLDS[r];
            while (p < tp && (p + 1) / np < rt) p++;
            precision[(((t * R + r) * K + k) * A + ar) * M + mi] = p < tp ? fpAt[f0 + p] : 0;
          }
        }
      }
    }
  }

  const ev: CocoEvaluation = {
    stats: [],
    perCategory: {},
    counts: [T, R, K, A, M],
    precision,
    recall,
    categoryIds: gt.categoryIds,
    categoryNames: gt.categoryNames,
  };
  ev.stats = summaryStats(ev);
  const seen = new Map<string, number>();
  for (const name of gt.categoryNames) seen.set(name, (seen.get(name) ?? 0) + 1);
  for (let k = 0; k < K; k++) {
    const name = gt.categoryNames[k];
    const key = seen.get(name)! > 1 ? `${name} (id ${gt.categoryIds[k]})` : name;
    const s = summaryStats(ev, k);
    const entry: Record<string, number | CocoId> = { id: gt.categoryIds[k] };
    COCO_STAT_NAMES.forEach((statName, i) => (entry[statName] = s[i]));
    ev.perCategory[key] = entry as unknown as CocoCategoryStats;
  }
  return ev;
}

/** One `_summarize` call; `category` restricts K to one index (per-category numbers). */
function summarizeOne(
  ev: CocoEvaluation,
  ap: boolean,
  iouThr: number | undefined,
  areaLabel: string,
  maxDets: number,
  category?: number,
): number {
  const [T, R, K, A, M] = ev.counts;
  const a = COCO_AREA_LABELS.indexOf(areaLabel);
  const m = COCO_MAX_DETS.indexOf(maxDets);
  if (a < 0 || m < 0) return -1;
  const ts: number[] = [];
  for (let t = 0; t < T; t++) {
    if (iouThr === undefined || COCO_IOU_THRESHOLDS[t] === iouThr) ts.push(t);
  }
  const k0 = category ?? 0, k1 = category === undefined ? K : category + 1;
  // Gather in numpy's C order of s[t, r, k] (precision) or s[t, k] (recall).
  const vals = new Float64Array(ts.length * (ap ? R : 1) * (k1 - k0));
  let n = 0;
  for (const t of ts) {
    if (ap) {
      for (let r = 0; r < R; r++) {
        for (let k = k0; k < k1; k++) {
          vals[n++] = ev.precision[(((t * R + r) * K + k) * A + a) * M + m];
        }
      }
    } else {
      for (let k = k0; k < k1; k++) vals[n++] = ev.recall[((t * K + k) * A + a) * M + m];
    }
  }
  return meanValid(vals, n);
}

/** pycocotools' `_summarizeDets`: the 12 numbers (optionally for one category index). */
function summaryStats(ev: CocoEvaluation, category?: number): number[] {
  const md = COCO_MAX_DETS;
  return [
    summarizeOne(ev, true, undefined, "all", 100, category),
    summarizeOne(ev, true, 0.5, "all", md[2], category),
    summarizeOne(ev, true, 0.75, "all", md[2], category),
    summarizeOne(ev, true, undefined, "small", md[2], category),
    summarizeOne(ev, true, undefined, "medium", md[2], category),
    summarizeOne(ev, true, undefined, "large", md[2], category),
    summarizeOne(ev, false, undefined, "all", md[0], category),
    summarizeOne(ev, false, undefined, "all", md[1], category),
    summarizeOne(ev, false, undefined, "all", md[2], category),
    summarizeOne(ev, false, undefined, "small", md[2], category),
    summarizeOne(ev, false, undefined, "medium", md[2], category),
    summarizeOne(ev, false, undefined, "large", md[2], category),
  ];
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
