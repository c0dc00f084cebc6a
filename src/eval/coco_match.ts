/**
 * pycocotools' `COCOeval.evaluate()` for `iouType="bbox"`, on the column tables of `coco.ts`, as
 * its named steps: {@linkcode prepare} groups ground truth and detections per category and image
 * (`_prepare`); for each group {@linkcode loadGroundTruth} and {@linkcode loadDetections} gather it
 * (the detections ranked by score and cut to maxDets), {@linkcode computeIoU} fills the IoU matrix
 * with the crowd rule, and {@linkcode evaluateImg} matches greedily per area range and IoU
 * threshold. {@linkcode evaluateImages} runs them over every group and returns the kept
 * detections' scores, ranks and match states that `accumulate()` ranks across images.
 *
 * Groups are visited category-major, images in `imageIds` order, as pycocotools' `evalImgs`; every
 * table is a typed array reused from group to group, so memory stays O(detections + images +
 * categories).
 *
 * @module
 */
import type { CocoDetections, CocoGroundTruth } from "./coco.ts";
import { COCO_AREA_RANGES, COCO_IOU_THRESHOLDS, COCO_MAX_DETS } from "./coco_params.ts";

/** A kept detection's state at one (area range, IoU threshold): a false positive. */
export const STATE_FP = 0;
/** A true positive. */
export const STATE_TP = 1;
/** Ignored (matched to ignored ground truth, or unmatched and outside the area range). */
export const STATE_IGNORE = 2;

const T = COCO_IOU_THRESHOLDS.length;
const A = COCO_AREA_RANGES.length;
/** Detections kept per image and category: the largest maxDets. */
const MAX_DET = COCO_MAX_DETS[COCO_MAX_DETS.length - 1];
const AREA_LO = Float64Array.from(COCO_AREA_RANGES, (r) => r[0]);
const AREA_HI = Float64Array.from(COCO_AREA_RANGES, (r) => r[1]);
/** pycocotools matches at IoU ≥ min(t, 1 − 1e−10). */
const IOU_MIN = COCO_IOU_THRESHOLDS.map((t) => Math.min(t, 1 - 1e-10));

// ------------------------------------------------------------------------------------------------
// Sorting and grouping (stable, as numpy's mergesort)
// ------------------------------------------------------------------------------------------------

/**
 * Sorts `idx[from, to)` by `key[idx]` descending, keeping the incoming order of equal keys
 * (numpy's `argsort(-key, kind="mergesort")`). Insertion sort for short runs, merge sort above.
 */
export function stableSortDesc(
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

// ------------------------------------------------------------------------------------------------
// _prepare: per category, then per image
// ------------------------------------------------------------------------------------------------

/**
 * Rows of one table (annotations or detections) grouped by category, then, one category at a time
 * (see {@linkcode groupImages}), by image; file order is kept inside every group, which is the
 * order pycocotools' stable sorts start from.
 */
export interface Grouping {
  /** Row ids by category: category k's are `byCategory[categoryStart[k], categoryStart[k + 1])`. */
  byCategory: Int32Array;
  /** [K + 1] where each category starts in `byCategory`. */
  categoryStart: Int32Array;
  /** [rows] image index of each row. */
  image: Int32Array;
  /** The current category's row ids by image: image i's are `byImage[imageStart[i], imageStart[i + 1])`. */
  byImage: Int32Array;
  /** [I + 1] where each image starts in `byImage` (absolute positions). */
  imageStart: Int32Array;
}

/** Both tables grouped for {@linkcode evaluateImages}: pycocotools' `_gts` and `_dts`. */
export interface Prepared {
  /** Ground truth annotations. */
  gt: Grouping;
  /** Detections. */
  dt: Grouping;
}

function grouping(category: Int32Array, image: Int32Array, K: number, I: number): Grouping {
  const [byCategory, categoryStart] = groupBy(category, K);
  return {
    byCategory,
    categoryStart,
    image,
    byImage: new Int32Array(category.length),
    imageStart: new Int32Array(I + 1),
  };
}

/** pycocotools' `_prepare`: groups ground truth and detections by category (images come later). */
export function prepare(gt: CocoGroundTruth, dt: CocoDetections): Prepared {
  const I = gt.imageIds.length, K = gt.categoryIds.length;
  return {
    gt: grouping(gt.category, gt.image, K, I),
    dt: grouping(dt.category, dt.image, K, I),
  };
}

/** Groups category k's rows by image into `g.byImage` / `g.imageStart`. */
export function groupImages(g: Grouping, k: number): void {
  const I = g.imageStart.length - 1;
  const from = g.categoryStart[k], to = g.categoryStart[k + 1];
  groupWithin(g.byCategory, from, to, g.image, I, g.imageStart, g.byImage);
}

// ------------------------------------------------------------------------------------------------
// One (image, category) group
// ------------------------------------------------------------------------------------------------

/**
 * One (image, category) group as {@linkcode computeIoU} and {@linkcode evaluateImg} see it: `G`
 * ground truth boxes in file order and the `D` (≤ 100) best detections by score. The arrays are
 * reused from group to group; {@linkcode reserve} grows them.
 */
export class ImageGroup {
  /** Ground truth boxes in the group. */
  G = 0;
  /** Detections kept in the group. */
  D = 0;
  /** [G·4] ground truth boxes (x, y, w, h). */
  gtBox = new Float64Array(64);
  /** [G] ground truth `area` fields (what the area ranges test). */
  gtArea = new Float64Array(16);
  /** [G] 1 for crowd boxes (always ignored; IoU over the detection's area). */
  gtCrowd = new Uint8Array(16);
  /** [G] 1 where the annotation id is 0 (see `CocoGroundTruth.zeroId`). */
  gtZeroId = new Uint8Array(16);
  /** [G] evaluateImg's ignore flags for the current area range. */
  gtIgnore = new Uint8Array(16);
  /** [G] evaluateImg's matching order: not ignored first, ignored last, each in file order. */
  gtOrder = new Int32Array(16);
  /** [G] evaluateImg's "already matched" flags for the current threshold. */
  gtMatched = new Uint8Array(16);
  /** [D·4] detection boxes (x, y, w, h), best score first. */
  dtBox = new Float64Array(MAX_DET * 4);
  /** [D] detection areas w·h (what the area ranges test for detections). */
  dtArea = new Float64Array(MAX_DET);
  /** [D, G] IoU of every detection with every ground truth box. */
  ious = new Float64Array(MAX_DET * 16);
  /** [n] scratch for ranking a group's detections (row ids, then merge buffer). */
  dtIds = new Int32Array(64);
  /** Merge buffer of {@linkcode stableSortDesc}. */
  dtTmp = new Int32Array(64);

  /** Makes room for `G` ground truth boxes and `n` detections before the cut to 100. */
  reserve(G: number, n: number): void {
    if (G > this.gtArea.length) {
      const cap = Math.max(G, this.gtArea.length * 2);
      this.gtBox = new Float64Array(cap * 4);
      this.gtArea = new Float64Array(cap);
      this.gtCrowd = new Uint8Array(cap);
      this.gtZeroId = new Uint8Array(cap);
      this.gtIgnore = new Uint8Array(cap);
      this.gtOrder = new Int32Array(cap);
      this.gtMatched = new Uint8Array(cap);
      this.ious = new Float64Array(MAX_DET * cap);
    }
    if (n > this.dtIds.length) {
      this.dtIds = new Int32Array(n * 2);
      this.dtTmp = new Int32Array(n * 2);
    }
  }
}

/** Copies the ground truth rows `ids[from, from + G)` into the group (file order). */
export function loadGroundTruth(
  gt: CocoGroundTruth,
  ids: Int32Array,
  from: number,
  G: number,
  group: ImageGroup,
): void {
  const { gtBox, gtArea, gtCrowd, gtZeroId } = group;
  for (let j = 0; j < G; j++) {
    const a = ids[from + j];
    gtBox[j * 4] = gt.bbox[a * 4];
    gtBox[j * 4 + 1] = gt.bbox[a * 4 + 1];
    gtBox[j * 4 + 2] = gt.bbox[a * 4 + 2];
    gtBox[j * 4 + 3] = gt.bbox[a * 4 + 3];
    gtArea[j] = gt.area[a];
    gtCrowd[j] = gt.iscrowd[a];
    gtZeroId[j] = gt.zeroId[a];
  }
  group.G = G;
}

/** Adds the group's non-crowd ground truth inside each area range to `counts[k·A + a]`. */
export function countNonIgnored(group: ImageGroup, counts: Float64Array, k: number): void {
  const { G, gtArea, gtCrowd } = group;
  for (let ar = 0; ar < A; ar++) {
    const lo = AREA_LO[ar], hi = AREA_HI[ar];
    let c = 0;
    for (let j = 0; j < G; j++) if (!gtCrowd[j] && !(gtArea[j] < lo || gtArea[j] > hi)) c++;
    counts[k * A + ar] += c;
  }
}

/**
 * Ranks the detection rows `ids[from, from + n)` by score, highest first, ties in file order,
 * keeps the best 100 and copies their boxes and areas into the group; their row ids stay in
 * `group.dtIds[0, D)`.
 */
export function loadDetections(
  dt: CocoDetections,
  ids: Int32Array,
  from: number,
  n: number,
  group: ImageGroup,
): void {
  const { dtIds, dtBox, dtArea } = group;
  for (let q = 0; q < n; q++) dtIds[q] = ids[from + q];
  stableSortDesc(dtIds, 0, n, dt.score, group.dtTmp);
  const D = Math.min(n, MAX_DET);
  for (let d = 0; d < D; d++) {
    const di = dtIds[d] * 4;
    const w = dt.bbox[di + 2], h = dt.bbox[di + 3];
    dtBox[d * 4] = dt.bbox[di];
    dtBox[d * 4 + 1] = dt.bbox[di + 1];
    dtBox[d * 4 + 2] = w;
    dtBox[d * 4 + 3] = h;
    dtArea[d] = w * h;
  }
  group.D = D;
}

/**
 * pycocotools' `computeIoU` (maskApi.c's `bbIou`): `ious[d·G + j]` = intersection / union of
 * detection d and ground truth j, where the union of a crowd box is the detection's own area;
 * 0 when the boxes do not overlap with positive width and height.
 */
export function computeIoU(group: ImageGroup): void {
  const { G, D, gtBox, gtCrowd, dtBox, dtArea, ious } = group;
  for (let d = 0; d < D; d++) {
    const dx = dtBox[d * 4], dy = dtBox[d * 4 + 1], dw = dtBox[d * 4 + 2], dh = dtBox[d * 4 + 3];
    const da = dtArea[d];
    for (let j = 0; j < G; j++) {
      const gx = gtBox[j * 4], gy = gtBox[j * 4 + 1], gw = gtBox[j * 4 + 2], gh = gtBox[j * 4 + 3];
      let o = 0;
      const w = Math.min(dw + dx, gw + gx) - Math.max(dx, gx);
      if (w > 0) {
        const h = Math.min(dh + dy, gh + gy) - Math.max(dy, gy);
        if (h > 0) {
          const inter = w * h;
          const u = gtCrowd[j] ? da : da + gw * gh - inter;
          o = inter / u;
        }
      }
      ious[d * G + j] = o;
    }
  }
}

/**
 * Marks the ground truth ignored in area range `ar` (crowd, or `area` outside [lo, hi]) and
 * orders it for matching: not ignored first, ignored last, each in file order.
 */
function orderForMatching(group: ImageGroup, ar: number): void {
  const { G, gtArea, gtCrowd, gtIgnore, gtOrder } = group;
  const lo = AREA_LO[ar], hi = AREA_HI[ar];
  let nNot = 0;
  for (let j = 0; j < G; j++) {
    gtIgnore[j] = gtCrowd[j] || gtArea[j] < lo || gtArea[j] > hi ? 1 : 0;
    if (!gtIgnore[j]) gtOrder[nNot++] = j;
  }
  let o = nNot;
  for (let j = 0; j < G; j++) if (gtIgnore[j]) gtOrder[o++] = j;
}

/**
 * pycocotools' `evaluateImg` for every area range and IoU threshold of one group (after
 * {@linkcode computeIoU}): writes `state[base + (d·A + a)·T + t]` ∈ {FP, TP, IGNORE}.
 *
 * Per threshold, each detection in score order takes the best remaining ground truth with
 * IoU ≥ min(t, 1−1e−10) (later boxes win ties); crowd boxes stay available; once a detection holds
 * a non-ignored box it never moves to an ignored one. A detection matched to ignored ground
 * truth is ignored; an unmatched one is ignored when its w·h lies outside the range; a match to an
 * annotation with id 0 counts as unmatched (pycocotools stores matches as ids and tests `dtm == 0`).
 */
export function evaluateImg(group: ImageGroup, state: Uint8Array, base: number): void {
  const { G, D, dtArea } = group;
  if (G === 0) {
    markUnmatched(dtArea, D, state, base);
    return;
  }
  const { gtIgnore: gIg, gtOrder: gOrd, gtMatched: gtm, gtCrowd, gtZeroId, ious } = group;
  for (let ar = 0; ar < A; ar++) {
    const lo = AREA_LO[ar], hi = AREA_HI[ar];
    orderForMatching(group, ar);
    for (let t = 0; t < T; t++) {
      gtm.fill(0, 0, G);
      const th = IOU_MIN[t];
      for (let d = 0; d < D; d++) {
        let best = th;
        let m = -1;
        const row = d * G;
        for (let q = 0; q < G; q++) {
          const j = gOrd[q];
          if (gtm[j] && !gtCrowd[j]) continue;
          if (m > -1 && !gIg[m] && gIg[j]) break;
          const v = ious[row + j];
          if (v < best) continue;
          best = v;
          m = j;
        }
        const areaOut = dtArea[d] < lo || dtArea[d] > hi;
        let s: number;
        if (m === -1) {
          s = areaOut ? STATE_IGNORE : STATE_FP;
        } else {
          gtm[m] = 1;
          if (gIg[m]) s = STATE_IGNORE;
          else if (gtZeroId[m]) s = areaOut ? STATE_IGNORE : STATE_FP; // dtm == 0 quirk
          else s = STATE_TP;
        }
        state[base + (d * A + ar) * T + t] = s;
      }
    }
  }
}

/** No ground truth to match: each detection is a false positive, or ignored outside the range. */
function markUnmatched(dtArea: Float64Array, D: number, state: Uint8Array, base: number): void {
  for (let d = 0; d < D; d++) {
    const at = base + d * A * T;
    for (let ar = 0; ar < A; ar++) {
      const s = dtArea[d] < AREA_LO[ar] || dtArea[d] > AREA_HI[ar] ? STATE_IGNORE : STATE_FP;
      for (let q = at + ar * T; q < at + ar * T + T; q++) state[q] = s;
    }
  }
}

// ------------------------------------------------------------------------------------------------
// evaluate(): every group
// ------------------------------------------------------------------------------------------------

/**
 * What `accumulate()` needs of pycocotools' `evalImgs`: the kept detections (≤ 100 per image and
 * category) in (category, image, rank) order, i.e. the order of its concatenation, and the
 * non-ignored ground truth counts.
 */
export interface EvaluatedImages {
  /** Kept detections. */
  count: number;
  /** [count] scores. */
  score: Float64Array;
  /** [count] rank of the detection inside its (image, category) group (0 = best score). */
  rank: Int32Array;
  /** [count, A, T] {@linkcode STATE_FP} / {@linkcode STATE_TP} / {@linkcode STATE_IGNORE}. */
  state: Uint8Array;
  /** [K + 1] where each category's kept detections start. */
  categoryStart: Int32Array;
  /** [K, A] non-crowd ground truth inside each area range (pycocotools' `npig`). */
  numGroundTruth: Float64Array;
}

/** Appends the group's D kept detections (scores, ranks) to `ev`; their states are already there. */
function keepDetections(dt: CocoDetections, group: ImageGroup, ev: EvaluatedImages): void {
  const { D, dtIds } = group;
  for (let d = 0; d < D; d++) {
    ev.score[ev.count + d] = dt.score[dtIds[d]];
    ev.rank[ev.count + d] = d;
  }
  ev.count += D;
}

/**
 * pycocotools' `evaluate()`: every (category, image) group through {@linkcode loadGroundTruth},
 * {@linkcode loadDetections}, {@linkcode computeIoU} and {@linkcode evaluateImg}.
 */
export function evaluateImages(gt: CocoGroundTruth, dt: CocoDetections): EvaluatedImages {
  const I = gt.imageIds.length, K = gt.categoryIds.length;
  const groups = prepare(gt, dt);
  const ev: EvaluatedImages = {
    count: 0,
    score: new Float64Array(dt.count),
    rank: new Int32Array(dt.count),
    state: new Uint8Array(dt.count * A * T),
    categoryStart: new Int32Array(K + 1),
    numGroundTruth: new Float64Array(K * A),
  };
  const group = new ImageGroup();
  for (let k = 0; k < K; k++) {
    ev.categoryStart[k] = ev.count;
    groupImages(groups.gt, k);
    groupImages(groups.dt, k);
    const { byImage: gIds, imageStart: gOff } = groups.gt;
    const { byImage: dIds, imageStart: dOff } = groups.dt;
    for (let img = 0; img < I; img++) {
      const G = gOff[img + 1] - gOff[img], n = dOff[img + 1] - dOff[img];
      if (G === 0 && n === 0) continue;
      group.reserve(G, n);
      loadGroundTruth(gt, gIds, gOff[img], G, group);
      countNonIgnored(group, ev.numGroundTruth, k);
      if (n === 0) continue;
      loadDetections(dt, dIds, dOff[img], n, group);
      computeIoU(group);
      evaluateImg(group, ev.state, ev.count * A * T);
      keepDetections(dt, group, ev);
    }
  }
  ev.categoryStart[K] = ev.count;
  return ev;
}
