/**
 * pycocotools' `COCOeval.accumulate()` and `summarize()` for `iouType="bbox"`:
 * {@linkcode accumulate} ranks each category's kept detections over all images and turns the
 * match states of `coco_match.ts` into the precision (101 recall points, monotone envelope) and
 * recall arrays; {@linkcode summarize} reduces them to the 12 numbers overall and per category,
 * with numpy's pairwise summation so that the means agree to the last bit.
 *
 * @module
 */
import type { CocoCategoryStats, CocoEvaluation, CocoGroundTruth, CocoId } from "./coco.ts";
import {
  COCO_AREA_LABELS,
  COCO_AREA_RANGES,
  COCO_IOU_THRESHOLDS,
  COCO_MAX_DETS,
  COCO_RECALL_THRESHOLDS,
  COCO_STAT_NAMES,
} from "./coco_params.ts";
import { type EvaluatedImages, stableSortDesc, STATE_FP, STATE_TP } from "./coco_match.ts";

const T = COCO_IOU_THRESHOLDS.length;
const R = COCO_RECALL_THRESHOLDS.length;
const A = COCO_AREA_RANGES.length;
const M = COCO_MAX_DETS.length;
/** numpy's `np.spacing(1)`, added to the precision denominator by pycocotools. */
const EPS = 2.220446049250313e-16;

/** pycocotools' `eval["precision"]` and `eval["recall"]`. */
export interface Accumulated {
  /** [T·R·K·A·M] row-major, −1 where a setting has no ground truth. */
  precision: Float64Array;
  /** [T·K·A·M] row-major, −1 where a setting has no ground truth. */
  recall: Float64Array;
}

/** One category's kept detections ranked by score, and the lists each maxDets keeps of them. */
interface Ranking {
  /** Kept detections of the category. */
  n: number;
  /** [n] their ids by score, highest first (stable: image order, then rank). */
  order: Int32Array;
  /** Merge buffer of the sort. */
  tmp: Int32Array;
  /** Highest rank inside an image among them (−1 when none). */
  maxRank: number;
  /** Per maxDets cutting some detection off: `order` restricted to rank < maxDets. */
  lists: Int32Array[];
  /** Length of each list (0 where the maxDets cuts nothing and `order` is used). */
  listLength: number[];
}

/** Counts at the true positives of one ranked list, for all IoU thresholds at once. */
interface TruePositiveWalk {
  /** Room per threshold in `fpAt`: the most non-ignored ground truth of any setting + 1. */
  stride: number;
  /** [T, stride]: false positives before the j-th true positive (then the precision envelope). */
  fpAt: Float64Array;
  /** [T] true positives. */
  tp: Int32Array;
  /** [T] false positives. */
  fp: Int32Array;
}

/** Sorts category k's kept detections by score and cuts the lists the smaller maxDets keep. */
function rankCategory(ev: EvaluatedImages, k: number, rk: Ranking): void {
  const s0 = ev.categoryStart[k], n = ev.categoryStart[k + 1] - s0;
  const { order, lists } = rk;
  for (let i = 0; i < n; i++) order[i] = s0 + i;
  stableSortDesc(order, 0, n, ev.score, rk.tmp);
  let maxRank = -1;
  for (let i = s0; i < s0 + n; i++) if (ev.rank[i] > maxRank) maxRank = ev.rank[i];
  rk.n = n;
  rk.maxRank = maxRank;
  rk.listLength = COCO_MAX_DETS.map((maxDet, mi) => {
    let c = 0;
    if (maxRank >= maxDet) {
      for (let i = 0; i < n; i++) if (ev.rank[order[i]] < maxDet) lists[mi][c++] = order[i];
    }
    return c;
  });
}

/**
 * Walks the ranked detections `ids[0, len)` counting false positives and noting, at each true
 * positive, the fp count so far (all IoU thresholds at once). Only true positives matter
 * afterwards: recall rises only there, ignored detections repeat the previous point, and a false
 * positive's precision is below that of the true positive before it, so the monotone envelope
 * read at the first point reaching each recall threshold sees true positives only.
 */
function walkTruePositives(
  ev: EvaluatedImages,
  ids: Int32Array,
  len: number,
  ar: number,
  walk: TruePositiveWalk,
): void {
  const { fpAt, tp, fp, stride } = walk;
  const AT = A * T;
  tp.fill(0);
  fp.fill(0);
  for (let q = 0; q < len; q++) {
    const base = ids[q] * AT + ar * T;
    for (let t = 0; t < T; t++) {
      const s = ev.state[base + t];
      if (s === STATE_TP) fpAt[t * stride + tp[t]++] = fp[t];
      else if (s === STATE_FP) fp[t]++;
    }
  }
}

/**
 * Recall tp/np, and precision tp/(tp+fp+eps) at each true positive made monotone (kept in place of
 * the fp counts) and read at the first point reaching each of the 101 recall thresholds (0 beyond
 * the last), for setting (k, ar, mi).
 */
function storePrecisionRecall(
  walk: TruePositiveWalk,
  np: number,
  K: number,
  k: number,
  ar: number,
  mi: number,
  out: Accumulated,
): void {
  const { fpAt, stride } = walk;
  for (let t = 0; t < T; t++) {
    const tp = walk.tp[t];
    out.recall[((t * K + k) * A + ar) * M + mi] = tp / np;
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
      out.precision[(((t * R + r) * K + k) * A + ar) * M + mi] = p < tp ? fpAt[f0 + p] : 0;
    }
  }
}

/** Setting (k, ar, mi) keeps the same detections as maxDets index mi − 1: copy its numbers. */
function copySmallerMaxDets(out: Accumulated, K: number, k: number, ar: number, mi: number): void {
  for (let t = 0; t < T; t++) {
    const at = ((t * K + k) * A + ar) * M + mi;
    out.recall[at] = out.recall[at - 1];
    for (let r = 0; r < R; r++) {
      const p = (((t * R + r) * K + k) * A + ar) * M + mi;
      out.precision[p] = out.precision[p - 1];
    }
  }
}

/**
 * pycocotools' `accumulate()`: per category, its kept detections of all images ranked by score
 * (stable), then per area range and maxDets the precision at the 101 recall thresholds and the
 * recall. Settings without non-ignored ground truth stay −1.
 */
export function accumulate(ev: EvaluatedImages): Accumulated {
  const K = ev.categoryStart.length - 1;
  const out: Accumulated = {
    precision: new Float64Array(T * R * K * A * M).fill(-1),
    recall: new Float64Array(T * K * A * M).fill(-1),
  };
  let maxN = 0, maxPos = 0;
  for (let k = 0; k < K; k++) maxN = Math.max(maxN, ev.categoryStart[k + 1] - ev.categoryStart[k]);
  for (let i = 0; i < K * A; i++) maxPos = Math.max(maxPos, ev.numGroundTruth[i]);
  const rk: Ranking = {
    n: 0,
    order: new Int32Array(maxN),
    tmp: new Int32Array(maxN),
    maxRank: -1,
    lists: COCO_MAX_DETS.map(() => new Int32Array(maxN)),
    listLength: [],
  };
  const walk: TruePositiveWalk = {
    stride: maxPos + 1,
    fpAt: new Float64Array(T * (maxPos + 1)),
    tp: new Int32Array(T),
    fp: new Int32Array(T),
  };
  for (let k = 0; k < K; k++) {
    rankCategory(ev, k, rk);
    for (let ar = 0; ar < A; ar++) {
      const np = ev.numGroundTruth[k * A + ar];
      if (np === 0) continue; // pycocotools leaves −1
      for (let mi = 0; mi < M; mi++) {
        const full = rk.maxRank < COCO_MAX_DETS[mi]; // this maxDets cuts no detection off
        if (full && mi > 0 && rk.maxRank < COCO_MAX_DETS[mi - 1]) {
          copySmallerMaxDets(out, K, k, ar, mi);
          continue;
        }
        const ids = full ? rk.order : rk.lists[mi];
        walkTruePositives(ev, ids, full ? rk.n : rk.listLength[mi], ar, walk);
        storePrecisionRecall(walk, np, K, k, ar, mi, out);
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// summarize()
// ------------------------------------------------------------------------------------------------

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
export function meanValid(values: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) if (values[i] > -1) values[m++] = values[i];
  if (m === 0) return -1;
  // numpy's reduction hands the inner loop at most one buffer (8192 elements) at a time and adds
  // the pairwise sums of those blocks one after the other.
  let sum = 0;
  for (let i = 0; i < m; i += 8192) sum += pairwiseSum(values, i, Math.min(8192, m - i));
  return sum / m;
}

/** One `_summarize` call; `category` restricts K to one index (per-category numbers). */
function summarizeOne(
  acc: Accumulated,
  K: number,
  ap: boolean,
  iouThr: number | undefined,
  areaLabel: string,
  maxDets: number,
  category?: number,
): number {
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
          vals[n++] = acc.precision[(((t * R + r) * K + k) * A + a) * M + m];
        }
      }
    } else {
      for (let k = k0; k < k1; k++) vals[n++] = acc.recall[((t * K + k) * A + a) * M + m];
    }
  }
  return meanValid(vals, n);
}

/** pycocotools' `_summarizeDets`: the 12 numbers (optionally for one category index). */
export function summaryStats(acc: Accumulated, K: number, category?: number): number[] {
  const md = COCO_MAX_DETS;
  return [
    summarizeOne(acc, K, true, undefined, "all", 100, category),
    summarizeOne(acc, K, true, 0.5, "all", md[2], category),
    summarizeOne(acc, K, true, 0.75, "all", md[2], category),
    summarizeOne(acc, K, true, undefined, "small", md[2], category),
    summarizeOne(acc, K, true, undefined, "medium", md[2], category),
    summarizeOne(acc, K, true, undefined, "large", md[2], category),
    summarizeOne(acc, K, false, undefined, "all", md[0], category),
    summarizeOne(acc, K, false, undefined, "all", md[1], category),
    summarizeOne(acc, K, false, undefined, "all", md[2], category),
    summarizeOne(acc, K, false, undefined, "small", md[2], category),
    summarizeOne(acc, K, false, undefined, "medium", md[2], category),
    summarizeOne(acc, K, false, undefined, "large", md[2], category),
  ];
}

/**
 * pycocotools' `summarize()`: the 12 numbers overall and per category (keyed by name, or
 * `name (id N)` where names repeat), with the arrays they come from.
 */
export function summarize(gt: CocoGroundTruth, acc: Accumulated): CocoEvaluation {
  const K = gt.categoryIds.length;
  const seen = new Map<string, number>();
  for (const name of gt.categoryNames) seen.set(name, (seen.get(name) ?? 0) + 1);
  const perCategory: Record<string, CocoCategoryStats> = {};
  for (let k = 0; k < K; k++) {
    const name = gt.categoryNames[k];
    const key = seen.get(name)! > 1 ? `${name} (id ${gt.categoryIds[k]})` : name;
    const s = summaryStats(acc, K, k);
    const entry: Record<string, number | CocoId> = { id: gt.categoryIds[k] };
    COCO_STAT_NAMES.forEach((statName, i) => (entry[statName] = s[i]));
    perCategory[key] = entry as unknown as CocoCategoryStats;
  }
  return {
    stats: summaryStats(acc, K),
    perCategory,
    counts: [T, R, K, A, M],
    precision: acc.precision,
    recall: acc.recall,
    categoryIds: gt.categoryIds,
    categoryNames: gt.categoryNames,
  };
}
