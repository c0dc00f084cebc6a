/**
 * Non-maximum suppression on typed arrays with torchvision's semantics (CPU kernel of
 * `torchvision.ops.nms` / `batched_nms`, 0.14), reproduced bit for bit:
 *
 * - boxes are (x1, y1, x2, y2) float32; area = (x2 − x1)·(y2 − y1) with no +1;
 * - IoU is evaluated in float32 exactly as torchvision's C++ loop does
 *   (`inter = max(0, xx2 − xx1)·max(0, yy2 − yy1)`, `ovr = inter / (areaI + areaJ − inter)`, every
 *   step rounded to float32), and a box is suppressed when `ovr > iouThreshold` (the threshold stays
 *   a double, as in C++ where the float is promoted);
 * - the visiting order is decreasing score, equal scores lower index first; boxes of different
 *   labels never suppress each other (torchvision's "vanilla" per-class path; see the note on the
 *   coordinate trick below);
 * - kept indices come back by decreasing score, equal scores lower index first (torchvision's
 *   per-label path ends with an unstable sort, so its order of equal scores may differ).
 *
 * How it is fast while staying identical: one stable O(N) radix sort of the scores; then a single
 * pass in score order that tests each box only against the boxes already kept *with its label*
 * (box j is dropped iff some earlier kept box of its label overlaps it by more than the threshold —
 * the same predicate torchvision's forward loop evaluates, so the result is the same). Kept boxes of
 * each label are indexed by size band (IoU > t needs the larger sides within a factor 1/t) and, per
 * band, in a uniform grid with cells as large as the band's boxes, so that a box only meets kept
 * boxes of comparable size in the cells it touches; a cheap "do they intersect at all" test precedes
 * the float32 IoU. Boxes with no positive width or height (zero-area, inverted) can never reach
 * IoU > t for t ≥ 0, so they are kept without being tested or indexed. A negative threshold
 * (everything suppresses everything, even disjoint boxes) takes a plain quadratic path with the same
 * float32 arithmetic.
 *
 * Note on torchvision's `batched_nms` for ≤ 1000 boxes on CPU: it shifts each label's boxes by
 * `label·(max + 1)` and runs one `nms` ("coordinate trick"). The shift is rounded to float32, which
 * perturbs IoUs (by ~1e-5 relative with 91 labels on 512-px images) and flips borderline pairs in a
 * few percent of images. {@linkcode batchedNms} reproduces that by default (`coordinateTrick`), so
 * its kept lists equal `torchvision.ops.batched_nms`'s for every N; cross-label suppression, which
 * the trick can cause with negative coordinates, is never reproduced.
 *
 * @module
 */
import { FcosError } from "../errors.ts";

const fround = Math.fround;

/** Options of {@linkcode batchedNms} and {@linkcode nms}. */
export interface NmsOptions {
  /**
   * Stop after this many kept boxes (the result equals the first `maxOutput` entries of the full
   * result, since kept boxes are produced in output order). Default: no limit.
   */
  maxOutput?: number;
  /** Name used in error messages for the inputs (default "nms"). */
  name?: string;
  /**
   * {@linkcode batchedNms} only. `true` (default): reproduce torchvision's `batched_nms` on CPU
   * exactly, including its "coordinate trick" for N ≤ 1000 boxes, where IoUs are evaluated on boxes
   * shifted by `label·(max + 1)` in float32 (the rounding of the shift decides borderline pairs).
   * `false`: always evaluate IoUs on the given coordinates (torchvision's per-label path, which it
   * takes for N > 1000). Either way boxes of different labels never suppress each other.
   */
  coordinateTrick?: boolean;
}

/** torchvision's `batched_nms` takes the coordinate trick on CPU when boxes.numel() ≤ 4000. */
export const COORDINATE_TRICK_MAX_BOXES = 1000;

/**
 * The boxes torchvision's coordinate trick hands to `nms`: every coordinate shifted by
 * `label · (max + 1)`, each step in float32 (max over all 4N coordinates). Inputs validated.
 */
export function coordinateTrickBoxes(boxes: Float32Array, labels: Int32Array): Float32Array {
  const n = labels.length;
  const out = new Float32Array(4 * n);
  if (n === 0) return out;
  let max = -Infinity;
  for (let i = 0; i < 4 * n; i++) if (boxes[i] > max) max = boxes[i];
  const step = fround(max + 1);
  for (let i = 0; i < n; i++) {
    const off = fround(fround(labels[i]) * step);
    out[4 * i] = boxes[4 * i] + off; // Float32Array stores round to float32
    out[4 * i + 1] = boxes[4 * i + 1] + off;
    out[4 * i + 2] = boxes[4 * i + 2] + off;
    out[4 * i + 3] = boxes[4 * i + 3] + off;
  }
  return out;
}

/**
 * Throws {@linkcode FcosError} unless `boxes` (N×4), `scores` (N) and `labels` (N, optional) agree
 * in length and hold only finite numbers, and `iouThreshold` is a number (not NaN).
 */
function validate(
  name: string,
  boxes: Float32Array,
  scores: Float32Array,
  labels: Int32Array | null,
  iouThreshold: number,
): void {
  if (!(boxes instanceof Float32Array)) {
    throw new FcosError(`${name}: boxes must be a Float32Array`);
  }
  if (!(scores instanceof Float32Array)) {
    throw new FcosError(`${name}: scores must be a Float32Array`);
  }
  const n = scores.length;
  if (boxes.length !== 4 * n) {
    throw new FcosError(
      `${name}: boxes has ${boxes.length} numbers but scores has ${n} entries (expected ${4 * n})`,
    );
  }
  if (labels !== null) {
    if (!(labels instanceof Int32Array)) {
      throw new FcosError(`${name}: labels must be an Int32Array`);
    }
    if (labels.length !== n) {
      throw new FcosError(`${name}: labels has ${labels.length} entries but scores has ${n}`);
    }
  }
  if (typeof iouThreshold !== "number" || Number.isNaN(iouThreshold)) {
    throw new FcosError(`${name}: iouThreshold must be a number, got ${iouThreshold}`);
  }
  for (let i = 0; i < n; i++) {
    // x − x is 0 for finite x and NaN for NaN/±Infinity.
    if (scores[i] - scores[i] !== 0) {
      throw new FcosError(`${name}: scores[${i}] is ${scores[i]} (must be finite)`);
    }
  }
  for (let i = 0; i < 4 * n; i++) {
    if (boxes[i] - boxes[i] !== 0) {
      throw new FcosError(
        `${name}: boxes[${i >> 2}][${i & 3}] is ${boxes[i]} (coordinates must be finite)`,
      );
    }
  }
}

/** Ascending uint32 keys whose order is decreasing score (-0 ties with +0). */
function descendingKeys(scores: Float32Array): Uint32Array {
  const n = scores.length;
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, n);
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let b = bits[i];
    if (b === 0x80000000) b = 0; // -0 ties with +0
    // Order-preserving map of float bits to unsigned ints, then complement for "descending".
    const ordered = (b & 0x80000000) !== 0 ? ~b : (b | 0x80000000);
    keys[i] = ~ordered >>> 0;
  }
  return keys;
}

/**
 * Stable LSD radix sort (8 bits per pass, skipping passes where all keys share a digit) of
 * `idx` by `keys[idx[i]]`, ascending; returns the sorted indices.
 */
function radixSortIndices(keysAll: Uint32Array, idxIn: Int32Array): Int32Array {
  const n = idxIn.length;
  let idx = idxIn;
  if (n < 2) return idx;
  let keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = keysAll[idx[i]];
  let keys2 = new Uint32Array(n);
  let idx2: Int32Array = new Int32Array(n);
  const count = new Int32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(keys[i] >>> shift) & 255]++;
    if (count[(keys[0] >>> shift) & 255] === n) continue; // every key has this digit
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = keys[i];
      const p = count[(k >>> shift) & 255]++;
      keys2[p] = k;
      idx2[p] = idx[i];
    }
    const tk = keys;
    keys = keys2;
    keys2 = tk;
    const ti = idx;
    idx = idx2;
    idx2 = ti;
  }
  return idx;
}

/**
 * Indices 0..n−1 sorted by decreasing score, equal scores lower index first (a stable O(n) radix
 * sort of the float32 bit patterns). -0 and +0 compare equal, as in torch.
 *
 * @example
 * ```ts
 * import { sortByScoreDesc } from "./nms.ts";
 * console.log(sortByScoreDesc(new Float32Array([0.2, 0.9, 0.2]))); // Int32Array [1, 0, 2]
 * ```
 */
export function sortByScoreDesc(scores: Float32Array): Int32Array {
  const n = scores.length;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return radixSortIndices(descendingKeys(scores), idx);
}

/** Scratch histogram of {@linkcode topKByScore} (top 16 key bits), reused across calls. */
const topKHistogram = new Int32Array(65536);

/**
 * The first `k` entries of {@linkcode sortByScoreDesc}`(scores)`, found without sorting everything
 * when k ≪ n: a histogram of the top 16 key bits finds the bucket holding the k-th score, and only
 * the entries up to that bucket are sorted.
 *
 * @example
 * ```ts
 * import { topKByScore } from "./nms.ts";
 * console.log(topKByScore(new Float32Array([0.2, 0.9, 0.2, 0.5]), 2)); // Int32Array [1, 3]
 * ```
 */
export function topKByScore(scores: Float32Array, k: number): Int32Array {
  const n = scores.length;
  if (k >= n || n < 4096 || k > n / 4) return sortByScoreDesc(scores).subarray(0, Math.min(k, n));
  if (k <= 0) return new Int32Array(0);
  const keys = descendingKeys(scores);
  const hist = topKHistogram.fill(0); // reused: no 256 KB allocation per call
  for (let i = 0; i < n; i++) hist[keys[i] >>> 16]++;
  let bucket = 0, below = 0;
  while (below + hist[bucket] < k) below += hist[bucket++];
  // Everything in buckets < `bucket` is in the top k; `bucket` holds the k-th.
  const chosen = new Int32Array(below + hist[bucket]);
  let m = 0;
  for (let i = 0; i < n; i++) if (keys[i] >>> 16 <= bucket) chosen[m++] = i;
  return radixSortIndices(keys, chosen).subarray(0, k);
}

/**
 * Dense slot (0..numSlots−1) of every label, and the count per slot. Labels may be any int32.
 */
function labelSlots(labels: Int32Array | null, n: number): { slot: Int32Array; counts: number[] } {
  const slot = new Int32Array(n);
  if (labels === null) return { slot, counts: [n] };
  let lo = 0x7fffffff, hi = -0x80000000;
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (l < lo) lo = l;
    if (l > hi) hi = l;
  }
  const counts: number[] = [];
  if (n > 0 && hi - lo <= 4 * n + 1024) {
    const table = new Int32Array(hi - lo + 1).fill(-1);
    for (let i = 0; i < n; i++) {
      const k = labels[i] - lo;
      let s = table[k];
      if (s < 0) {
        s = table[k] = counts.length;
        counts.push(0);
      }
      slot[i] = s;
      counts[s]++;
    }
  } else {
    const map = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      let s = map.get(labels[i]);
      if (s === undefined) {
        s = counts.length;
        map.set(labels[i], s);
        counts.push(0);
      }
      slot[i] = s;
      counts[s]++;
    }
  }
  return { slot, counts };
}

/**
 * Float32 IoU of boxes i and j exactly as torchvision's CPU kernel computes it (`areaI`, `areaJ`
 * precomputed as float32). Inputs are float32 values held in doubles; each step is rounded.
 */
function iouF32(
  ix1: number,
  iy1: number,
  ix2: number,
  iy2: number,
  areaI: number,
  jx1: number,
  jy1: number,
  jx2: number,
  jy2: number,
  areaJ: number,
): number {
  const xx1 = ix1 > jx1 ? ix1 : jx1;
  const yy1 = iy1 > jy1 ? iy1 : jy1;
  const xx2 = ix2 < jx2 ? ix2 : jx2;
  const yy2 = iy2 < jy2 ? iy2 : jy2;
  const dw = fround(xx2 - xx1);
  const dh = fround(yy2 - yy1);
  const w = dw > 0 ? dw : 0;
  const h = dh > 0 ? dh : 0;
  const inter = fround(w * h);
  return fround(inter / fround(fround(areaI + areaJ) - inter));
}

/** Quadratic torchvision loop (forward suppression), used for negative thresholds only. */
function nmsQuadratic(
  boxes: Float32Array,
  order: Int32Array,
  slot: Int32Array,
  iouThreshold: number,
  maxOutput: number,
): Int32Array {
  const n = order.length;
  const suppressed = new Uint8Array(n);
  const keep: number[] = [];
  for (let a = 0; a < n && keep.length < maxOutput; a++) {
    const i = order[a];
    if (suppressed[i]) continue;
    keep.push(i);
    const ix1 = boxes[4 * i],
      iy1 = boxes[4 * i + 1],
      ix2 = boxes[4 * i + 2],
      iy2 = boxes[4 * i + 3];
    const areaI = fround(fround(ix2 - ix1) * fround(iy2 - iy1));
    for (let b = a + 1; b < n; b++) {
      const j = order[b];
      if (suppressed[j] || slot[j] !== slot[i]) continue;
      const jx1 = boxes[4 * j],
        jy1 = boxes[4 * j + 1],
        jx2 = boxes[4 * j + 2],
        jy2 = boxes[4 * j + 3];
      const areaJ = fround(fround(jx2 - jx1) * fround(jy2 - jy1));
      if (iouF32(ix1, iy1, ix2, iy2, areaI, jx1, jy1, jx2, jy2, areaJ) > iouThreshold) {
        suppressed[j] = 1;
      }
    }
  }
  return Int32Array.from(keep);
}

/** Below this many boxes in a label, kept boxes are scanned linearly instead of via grids. */
const GRID_MIN_COUNT = 128;
/** Size bands are used for thresholds ≥ this (below it the bands a box must visit multiply). */
const BAND_MIN_THRESHOLD = 0.2;
/** Relative slack of the size-band test over float32 rounding (~1e-7). */
const BAND_MARGIN = 1e-5;

const bandF32 = new Float32Array(1);
const bandU32 = new Uint32Array(bandF32.buffer);
/** floor(log2(v)) (+127) from the float32 exponent bits: monotone in v, cheap. */
function bandOf(v: number): number {
  bandF32[0] = v;
  return (bandU32[0] >>> 23) & 255;
}

/** Spatial index of one label's kept boxes: one grid, or one grid per size band. */
interface LabelIndex {
  /** Band (bandOf of the larger side) of the first grid; grids[b − bmin]. */
  bmin: number;
  bmax: number;
  /** True: grids are per size band; false: grids[0] holds every size. */
  banded: boolean;
  grids: (LabelGrid | null)[];
  /** The label's box count (bounds the cells of each grid). */
  count: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Core of {@linkcode nms} and {@linkcode batchedNms} (`labels` null = one class). Inputs already
 * validated.
 *
 * Size bands: if IoU(i, j) > t > 0 then max(w_j, h_j) > t·max(w_i, h_i) and vice versa (with
 * w_i ≥ h_i: inter ≤ w_j·h_i and inter > t·union ≥ t·w_i·h_i). So a box only meets kept boxes whose
 * larger side is within a factor 1/t of its own; kept boxes are filed by the binary exponent of
 * their larger side, each band in a grid with cells as large as the band's boxes.
 */
function nmsCore(
  boxes: Float32Array,
  scores: Float32Array,
  labels: Int32Array | null,
  iouThreshold: number,
  maxOutput: number,
): Int32Array {
  const n = scores.length;
  if (n === 0 || maxOutput <= 0) return new Int32Array(0);
  const order = sortByScoreDesc(scores);
  const { slot, counts } = labelSlots(labels, n);
  if (iouThreshold < 0) return nmsQuadratic(boxes, order, slot, iouThreshold, maxOutput);
  const t = iouThreshold;

  const numSlots = counts.length;
  // Kept boxes of each label live contiguously in `kept` (stride 5: x1 y1 x2 y2 area) from
  // slotStart[s]; slotKept[s] of them so far. Capacity per label = its box count.
  const slotStart = new Int32Array(numSlots + 1);
  for (let s = 0; s < numSlots; s++) slotStart[s + 1] = slotStart[s] + counts[s];
  const slotKept = new Int32Array(numSlots);
  const kept = new Float64Array(5 * n);

  // Spatial indexes for labels with many boxes (others scan their kept boxes linearly).
  const indexOf: (LabelIndex | null)[] = new Array(numSlots).fill(null);
  const bigLabel = new Uint8Array(numSlots);
  let bigAny = false;
  for (let s = 0; s < numSlots; s++) {
    bigLabel[s] = counts[s] >= GRID_MIN_COUNT ? 1 : 0;
    if (bigLabel[s]) bigAny = true;
  }
  if (bigAny) {
    // Per big label: bounding box, band range, whether some float32 area is tiny (< 1e-30, where
    // float32 rounding could break the band argument), count of non-degenerate boxes.
    const st = new Float64Array(8 * numSlots);
    for (let s = 0; s < numSlots; s++) {
      st.set([Infinity, Infinity, -Infinity, -Infinity, 255, 0, 0, 0], 8 * s);
    }
    for (let i = 0; i < n; i++) {
      const s = slot[i];
      if (!bigLabel[s]) continue;
      const x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3];
      if (!(x2 > x1 && y2 > y1)) continue;
      const o = 8 * s;
      if (x1 < st[o]) st[o] = x1;
      if (y1 < st[o + 1]) st[o + 1] = y1;
      if (x2 > st[o + 2]) st[o + 2] = x2;
      if (y2 > st[o + 3]) st[o + 3] = y2;
      const w = x2 - x1, h = y2 - y1;
      const b = bandOf(w > h ? w : h);
      if (b < st[o + 4]) st[o + 4] = b;
      if (b > st[o + 5]) st[o + 5] = b;
      if (fround(fround(w) * fround(h)) < 1e-30) st[o + 6] = 1;
      st[o + 7]++;
    }
    for (let s = 0; s < numSlots; s++) {
      const o = 8 * s;
      if (!bigLabel[s] || st[o + 7] === 0) continue;
      const banded = t >= BAND_MIN_THRESHOLD && st[o + 6] === 0;
      const idx: LabelIndex = {
        bmin: banded ? st[o + 4] : 0,
        bmax: banded ? st[o + 5] : 0,
        banded,
        grids: [],
        count: counts[s],
        x0: st[o],
        y0: st[o + 1],
        x1: st[o + 2],
        y1: st[o + 3],
      };
      idx.grids = new Array(idx.bmax - idx.bmin + 1).fill(null);
      if (!banded) {
        // One grid, ~count/4 cells: a few boxes per cell for spread-out detections.
        const g = Math.max(2, Math.min(64, Math.round(Math.sqrt(counts[s] / 4))));
        idx.grids[0] = new LabelGrid(idx.x0, idx.y0, idx.x1, idx.y1, g, g);
      }
      indexOf[s] = idx;
    }
  }

  const out = new Int32Array(Math.min(n, maxOutput));
  let numOut = 0;
  let stamp = 0;
  const seen = new Int32Array(n); // seen[k] === stamp: kept box k already tested for this box
  const lowFactor = t * (1 - BAND_MARGIN), highFactor = 1 / (t * (1 - BAND_MARGIN));
  for (let a = 0; a < n; a++) {
    const j = order[a];
    const x1 = boxes[4 * j], y1 = boxes[4 * j + 1], x2 = boxes[4 * j + 2], y2 = boxes[4 * j + 3];
    if (!(x2 > x1 && y2 > y1)) {
      // No positive width/height: intersection is 0 with everything, so IoU is 0, −0 or NaN and
      // never > t ≥ 0; it neither is suppressed nor suppresses.
      out[numOut++] = j;
      if (numOut === maxOutput) break;
      continue;
    }
    const area = fround(fround(x2 - x1) * fround(y2 - y1));
    const s = slot[j];
    const start = slotStart[s];
    let suppressed = false;
    const index = indexOf[s];
    let band = 0;
    if (index === null) {
      const end = 5 * (start + slotKept[s]);
      for (let k = 5 * start; k < end; k += 5) {
        const kx1 = kept[k], ky1 = kept[k + 1], kx2 = kept[k + 2], ky2 = kept[k + 3];
        // Disjoint (or touching) boxes: inter = 0 → IoU ≤ 0.
        if (kx1 >= x2 || kx2 <= x1 || ky1 >= y2 || ky2 <= y1) continue;
        if (iouF32(kx1, ky1, kx2, ky2, kept[k + 4], x1, y1, x2, y2, area) > t) {
          suppressed = true;
          break;
        }
      }
    } else {
      stamp++;
      let blo = 0, bhi = 0;
      if (index.banded) {
        const w = x2 - x1, h = y2 - y1, side = w > h ? w : h;
        band = bandOf(side);
        blo = bandOf(side * lowFactor) - index.bmin;
        bhi = bandOf(side * highFactor) - index.bmin;
        if (blo < 0) blo = 0;
        if (bhi > index.bmax - index.bmin) bhi = index.bmax - index.bmin;
      }
      for (let b = blo; b <= bhi; b++) {
        const grid = index.grids[b];
        if (grid !== null && grid.suppresses(x1, y1, x2, y2, area, t, kept, seen, stamp)) {
          suppressed = true;
          break;
        }
      }
    }
    if (suppressed) continue;
    out[numOut++] = j;
    if (numOut === maxOutput) break;
    const kk = start + slotKept[s]++;
    const k = 5 * kk;
    kept[k] = x1;
    kept[k + 1] = y1;
    kept[k + 2] = x2;
    kept[k + 3] = y2;
    kept[k + 4] = area;
    if (index !== null) {
      const b = index.banded ? band - index.bmin : 0;
      let grid = index.grids[b];
      if (grid === null) {
        // Cells twice the band's lower side bound: each box of the band spans ≤ 2×2 cells.
        const cell = 2 * 2 ** (band - 127);
        let gx = Math.max(1, Math.min(64, Math.ceil((index.x1 - index.x0) / cell)));
        let gy = Math.max(1, Math.min(64, Math.ceil((index.y1 - index.y0) / cell)));
        // At most ~2 cells per box of the label: coarser cells for small labels, so that setting
        // up the grids never costs more than the boxes do.
        const maxCells = Math.max(16, 2 * index.count);
        if (gx * gy > maxCells) {
          const f = Math.sqrt(maxCells / (gx * gy));
          gx = Math.max(1, Math.floor(gx * f));
          gy = Math.max(1, Math.floor(gy * f));
        }
        grid = index.grids[b] = new LabelGrid(index.x0, index.y0, index.x1, index.y1, gx, gy);
      }
      grid.insert(kk, x1, y1, x2, y2);
    }
  }
  return numOut === out.length ? out : out.slice(0, numOut);
}

/** Uniform grid of kept boxes (each box is listed in every cell it overlaps). */
class LabelGrid {
  private readonly gx: number;
  private readonly gy: number;
  private readonly head: Int32Array;
  private next = new Int32Array(64);
  private item = new Int32Array(64);
  private used = 0;
  private readonly x0: number;
  private readonly y0: number;
  private readonly sx: number;
  private readonly sy: number;

  /** gx × gy cells over [x0, x1] × [y0, y1]. */
  constructor(x0: number, y0: number, x1: number, y1: number, gx: number, gy: number) {
    this.gx = gx;
    this.gy = gy;
    this.x0 = x0;
    this.y0 = y0;
    this.sx = x1 > x0 ? gx / (x1 - x0) : 0;
    this.sy = y1 > y0 ? gy / (y1 - y0) : 0;
    this.head = new Int32Array(gx * gy).fill(-1);
  }

  private cellX(x: number): number {
    const c = Math.floor((x - this.x0) * this.sx);
    return c < 0 ? 0 : c >= this.gx ? this.gx - 1 : c;
  }

  private cellY(y: number): number {
    const c = Math.floor((y - this.y0) * this.sy);
    return c < 0 ? 0 : c >= this.gy ? this.gy - 1 : c;
  }

  /**
   * Whether a kept box in this grid overlaps (x1, y1, x2, y2) by IoU > t (kept boxes in `kept`,
   * stride 5; `seen`/`stamp` skip boxes listed in several cells).
   */
  suppresses(
    x1: number,
    y1: number,
    x2: number,
    y2: number,
    area: number,
    t: number,
    kept: Float64Array,
    seen: Int32Array,
    stamp: number,
  ): boolean {
    const cx0 = this.cellX(x1), cx1 = this.cellX(x2);
    const cy0 = this.cellY(y1), cy1 = this.cellY(y2);
    const gx = this.gx, head = this.head, next = this.next, item = this.item;
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        for (let e = head[cy * gx + cx]; e >= 0; e = next[e]) {
          const kk = item[e];
          if (seen[kk] === stamp) continue;
          seen[kk] = stamp;
          const k = 5 * kk;
          const kx1 = kept[k], ky1 = kept[k + 1], kx2 = kept[k + 2], ky2 = kept[k + 3];
          if (kx1 >= x2 || kx2 <= x1 || ky1 >= y2 || ky2 <= y1) continue;
          if (iouF32(kx1, ky1, kx2, ky2, kept[k + 4], x1, y1, x2, y2, area) > t) return true;
        }
      }
    }
    return false;
  }

  /** Lists kept box `k` in every cell it overlaps. */
  insert(k: number, x1: number, y1: number, x2: number, y2: number): void {
    const cx0 = this.cellX(x1), cx1 = this.cellX(x2), cy0 = this.cellY(y1), cy1 = this.cellY(y2);
    const need = this.used + (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
    if (need > this.next.length) {
      const cap = Math.max(need, 2 * this.next.length);
      const nn = new Int32Array(cap);
      nn.set(this.next);
      this.next = nn;
      const ni = new Int32Array(cap);
      ni.set(this.item);
      this.item = ni;
    }
    const gx = this.gx;
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const e = this.used++;
        const c = cy * gx + cx;
        this.item[e] = k;
        this.next[e] = this.head[c];
        this.head[c] = e;
      }
    }
  }
}

function maxOutputOf(name: string, options: NmsOptions | undefined): number {
  const m = options?.maxOutput;
  if (m === undefined) return Infinity;
  if (typeof m !== "number" || Number.isNaN(m) || m < 0) {
    throw new FcosError(`${name}: maxOutput must be a non-negative number, got ${m}`);
  }
  return Math.floor(m);
}

/**
 * Class-aware NMS with torchvision's `batched_nms` semantics: boxes of different labels never
 * suppress each other; a box is dropped when its float32 IoU with a kept, higher-scoring box of its
 * label is strictly greater than `iouThreshold`.
 *
 * @param boxes N×4 (x1, y1, x2, y2), finite.
 * @param scores N finite scores.
 * @param labels N labels (any int32).
 * @param iouThreshold suppression threshold (any number but NaN).
 * @returns kept indices, by decreasing score (equal scores: lower index first).
 * @throws {FcosError} on mismatched lengths or NaN/±Infinity values.
 *
 * @example
 * ```ts
 * import { batchedNms } from "./nms.ts";
 * const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 10, 10, 0, 0, 10, 10]);
 * const scores = new Float32Array([0.9, 0.8, 0.7]);
 * const labels = new Int32Array([0, 0, 1]);
 * console.log(batchedNms(boxes, scores, labels, 0.5)); // Int32Array [0, 2]
 * ```
 */
export function batchedNms(
  boxes: Float32Array,
  scores: Float32Array,
  labels: Int32Array,
  iouThreshold: number,
  options?: NmsOptions,
): Int32Array {
  const name = options?.name ?? "batchedNms";
  validate(name, boxes, scores, labels, iouThreshold);
  const trick = (options?.coordinateTrick ?? true) && scores.length <= COORDINATE_TRICK_MAX_BOXES;
  return nmsCore(
    trick ? coordinateTrickBoxes(boxes, labels) : boxes,
    scores,
    labels,
    iouThreshold,
    maxOutputOf(name, options),
  );
}

/**
 * Single-class NMS with torchvision's `nms` semantics (see {@linkcode batchedNms}).
 *
 * @param boxes N×4 (x1, y1, x2, y2), finite.
 * @param scores N finite scores.
 * @param iouThreshold suppression threshold (any number but NaN).
 * @returns kept indices, by decreasing score (equal scores: lower index first).
 * @throws {FcosError} on mismatched lengths or NaN/±Infinity values.
 *
 * @example
 * ```ts
 * import { nms } from "./nms.ts";
 * const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 10, 10, 20, 20, 30, 30]);
 * console.log(nms(boxes, new Float32Array([0.9, 0.8, 0.7]), 0.5)); // Int32Array [0, 2]
 * ```
 */
export function nms(
  boxes: Float32Array,
  scores: Float32Array,
  iouThreshold: number,
  options?: NmsOptions,
): Int32Array {
  const name = options?.name ?? "nms";
  validate(name, boxes, scores, null, iouThreshold);
  return nmsCore(boxes, scores, null, iouThreshold, maxOutputOf(name, options));
}

/** Float32 IoU of two boxes as torchvision's CPU NMS computes it (exported for tests/GPU checks). */
export function iouFloat32(boxes: Float32Array, i: number, j: number): number {
  const ix1 = boxes[4 * i], iy1 = boxes[4 * i + 1], ix2 = boxes[4 * i + 2], iy2 = boxes[4 * i + 3];
  const jx1 = boxes[4 * j], jy1 = boxes[4 * j + 1], jx2 = boxes[4 * j + 2], jy2 = boxes[4 * j + 3];
  const areaI = fround(fround(ix2 - ix1) * fround(iy2 - iy1));
  const areaJ = fround(fround(jx2 - jx1) * fround(jy2 - jy1));
  return iouF32(ix1, iy1, ix2, iy2, areaI, jx1, jy1, jx2, jy2, areaJ);
}
