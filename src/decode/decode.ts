/**
 * FCOS post-processing of one image's head outputs on typed arrays: torchvision 0.14's
 * `FCOS.postprocess_detections`, step for step, in float32-faithful arithmetic:
 *
 * 1. per level, score = sqrt(sigmoid(cls) · sigmoid(ctrness)) for every (location, class) pair,
 *    kept when score > scoreThresh (the threshold rounded to float32, as torch compares a float32
 *    tensor with a Python float);
 * 2. per level, the `topkCandidates` best of those (equal scores: lower flat index first — torch's
 *    `topk` leaves the order of ties unspecified), label = idx % C, location = idx // C;
 * 3. `BoxLinearCoder(normalize_by_size=True).decode`: centre ± code · anchor size, and
 *    `clip_boxes_to_image` to the resized (unpadded) image;
 * 4. (not in torchvision, on by default, `dropEmpty`) drop boxes with width or height ≤ 0 after
 *    clipping — those of locations in the padding. torchvision keeps them (they can never suppress
 *    or be suppressed, so the only effect is on which detections fill the `detectionsPerImg` slots);
 * 5. batched NMS at nmsThresh (torchvision's `batched_nms`, including its float32 coordinate trick
 *    for ≤ 1000 candidates; see ./nms.ts) and the first `detectionsPerImg`.
 *
 * Only the pairs that can pass the score threshold are evaluated exactly: a per-location logit
 * bound (with a 1e-4 relative margin over float32 rounding) skips the rest with one comparison.
 * The sigmoid is `1 / (1 + exp(−x))` with each step rounded to float32; torch's SIMD `exp` is within
 * 1–2 ulp of it (4% of inputs differ by an ulp), so scores agree to ≤ 2 ulp and exactly where
 * torch's `exp` is correctly rounded.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import type { Detections } from "../model/detections.ts";
import {
  batchedNms,
  COORDINATE_TRICK_MAX_BOXES,
  coordinateTrickBoxes,
  topKByScore,
} from "./nms.ts";

const fround = Math.fround;

/** One image's head outputs and anchors, as the model reads them back. */
export interface DecodeInput {
  /** L×C classification logits (locations ordered P3…P7, row-major inside a level). */
  clsLogits: Float32Array;
  /** L×4 box regression (l, t, r, b) ≥ 0 in units of the anchor size. */
  bboxRegression: Float32Array;
  /** L centerness logits. */
  bboxCtrness: Float32Array;
  /** L×4 anchors (x1, y1, x2, y2); see `AnchorGrid` in src/model/types.ts. */
  anchors: Float32Array;
  /** Locations per level (sums to L). */
  numAnchorsPerLevel: number[];
  /** Number of classes C. */
  numClasses: number;
  /** Height of the resized image before padding (clip bound for y). */
  imageHeight: number;
  /** Width of the resized image before padding (clip bound for x). */
  imageWidth: number;
}

/** Post-processing options (torchvision's FCOS constructor arguments of the same meaning). */
export interface DecodeOptions {
  /** Keep (location, class) pairs with score > this (torchvision's FCOS default is 0.2). */
  scoreThresh?: number;
  /** Best candidates kept per level before NMS. */
  topkCandidates?: number;
  /** NMS IoU threshold. */
  nmsThresh?: number;
  /** Detections kept per image after NMS. */
  detectionsPerImg?: number;
  /** Drop boxes with width or height ≤ 0 after clipping (not done by torchvision). */
  dropEmpty?: boolean;
  /**
   * Reproduce torchvision's `batched_nms` coordinate trick for ≤ 1000 candidates (see
   * `NmsOptions.coordinateTrick` in ./nms.ts); `false` evaluates IoUs on the boxes as they are.
   */
  coordinateTrick?: boolean;
}

/**
 * Default post-processing options: score > 0.05 (the usual evaluation setting; torchvision's FCOS
 * constructor defaults to 0.2), top 1000 per level, NMS at 0.6, 100 detections, empty boxes dropped,
 * torchvision's `batched_nms` paths (coordinate trick for ≤ 1000 candidates).
 *
 * @example
 * ```ts
 * import { DEFAULT_DECODE_OPTIONS } from "./decode.ts";
 * const evalOptions = { ...DEFAULT_DECODE_OPTIONS, detectionsPerImg: 300 };
 * console.log(evalOptions.scoreThresh, evalOptions.detectionsPerImg); // 0.05 300
 * ```
 */
export const DEFAULT_DECODE_OPTIONS: Readonly<Required<DecodeOptions>> = Object.freeze({
  scoreThresh: 0.05,
  topkCandidates: 1000,
  nmsThresh: 0.6,
  detectionsPerImg: 100,
  dropEmpty: true,
  coordinateTrick: true,
});

/** float32 sigmoid as torch computes it: 1 / (1 + exp(−x)), each step rounded to float32. */
export function sigmoidF32(x: number): number {
  return fround(1 / fround(1 + fround(Math.exp(-x))));
}

/** Checks the class count and per-level location counts; returns L, the number of locations. */
function checkGrid(
  need: (ok: boolean, msg: string) => void,
  numClasses: number,
  numAnchorsPerLevel: number[],
): number {
  need(
    Number.isInteger(numClasses) && numClasses >= 1,
    `numClasses must be a positive integer, got ${numClasses}`,
  );
  need(
    Array.isArray(numAnchorsPerLevel) &&
      numAnchorsPerLevel.every((c) => Number.isInteger(c) && c >= 0),
    `numAnchorsPerLevel must be non-negative integers, got ${JSON.stringify(numAnchorsPerLevel)}`,
  );
  return numAnchorsPerLevel.reduce((a, b) => a + b, 0);
}

function checkInput(input: DecodeInput): number {
  const { clsLogits, bboxRegression, bboxCtrness, anchors, numAnchorsPerLevel, numClasses } = input;
  const need = (ok: boolean, msg: string) => {
    if (!ok) throw new FcosError(`decodeDetections: ${msg}`);
  };
  const L = checkGrid(need, numClasses, numAnchorsPerLevel);
  for (
    const [name, arr, per] of [
      ["clsLogits", clsLogits, numClasses],
      ["bboxRegression", bboxRegression, 4],
      ["bboxCtrness", bboxCtrness, 1],
      ["anchors", anchors, 4],
    ] as const
  ) {
    need(arr instanceof Float32Array, `${name} must be a Float32Array`);
    need(
      arr.length === L * per,
      `${name} has ${arr.length} numbers, expected ${L}×${per} = ${
        L * per
      } (L = sum of numAnchorsPerLevel)`,
    );
  }
  for (const [name, v] of [["imageHeight", input.imageHeight], ["imageWidth", input.imageWidth]]) {
    need(
      typeof v === "number" && Number.isFinite(v) && v >= 0,
      `${name} must be a finite number ≥ 0, got ${v}`,
    );
  }
  // Logits may be ±Infinity (the sigmoid saturates, as in torch); NaN is an error everywhere.
  for (let i = 0; i < bboxCtrness.length; i++) {
    if (bboxCtrness[i] !== bboxCtrness[i]) need(false, `bboxCtrness[${i}] is NaN`);
  }
  for (let i = 0; i < anchors.length; i++) {
    if (anchors[i] - anchors[i] !== 0) need(false, `anchors[${i >> 2}] has ${anchors[i]}`);
  }
  return L;
}

/**
 * The options with their defaults filled in; throws FcosError (naming `decodeDetections`) on a
 * non-numeric threshold or a non-integer limit.
 */
export function resolveDecodeOptions(options: DecodeOptions | undefined): Required<DecodeOptions> {
  const o = { ...DEFAULT_DECODE_OPTIONS, ...options };
  for (const k of ["scoreThresh", "nmsThresh"] as const) {
    if (typeof o[k] !== "number" || Number.isNaN(o[k])) {
      throw new FcosError(`decodeDetections: ${k} must be a number, got ${o[k]}`);
    }
  }
  for (const k of ["topkCandidates", "detectionsPerImg"] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 0) {
      throw new FcosError(`decodeDetections: ${k} must be a non-negative integer, got ${o[k]}`);
    }
  }
  return o;
}

// Per-level scratch of the pairs above the threshold (module-level buffers, grown as needed and
// kept for the next call; decoding is synchronous): score, location (index into the anchors),
// label, and the row of the pair's box regression in the regression array at hand.
let lvScore = new Float32Array(4096);
let lvLoc = new Int32Array(4096);
let lvLabel = new Int32Array(4096);
let lvRow = new Int32Array(4096);

function growLevelScratch(): void {
  const n = 2 * lvScore.length;
  const f = new Float32Array(n),
    l = new Int32Array(n),
    c = new Int32Array(n),
    r = new Int32Array(n);
  f.set(lvScore);
  l.set(lvLoc);
  c.set(lvLabel);
  r.set(lvRow);
  lvScore = f;
  lvLoc = l;
  lvLabel = c;
  lvRow = r;
}

/**
 * A pair can pass only if sigmoid(cls)·sigmoid(ctr) > thr², i.e. sigmoid(cls) > thr²/sigmoid(ctr);
 * with a 1e-4 relative margin (float32 rounding is ~1e-7) that is a bound on the logit. This is
 * thr² less the margin, or −Infinity when thr ≤ 0 (every pair passes).
 */
function squaredThreshold(thr: number): number {
  return thr > 0 ? thr * thr * (1 - 1e-4) : -Infinity;
}

/** The logit bound of one location: logits ≤ it cannot pass (see `squaredThreshold`). */
function logitBound(thr2: number, sctr: number): number {
  if (!(thr2 > 0)) return -Infinity;
  const q = thr2 / sctr;
  return q >= 1 ? Infinity : Math.log(q / (1 - q));
}

/**
 * Scores one (location a, class c) pair with logit x (centerness sigmoid sctr, logit bound `bound`)
 * and appends it to the level scratch at `count` when it passes; returns the new count.
 */
function scorePair(
  x: number,
  sctr: number,
  bound: number,
  thr: number,
  a: number,
  c: number,
  row: number,
  count: number,
): number {
  if (!(x > bound)) {
    if (x !== x) throw new FcosError(`decodeDetections: clsLogits[${a}][${c}] is NaN`);
    if (bound !== -Infinity) return count; // (thr ≤ 0: even −Infinity logits pass)
  }
  const score = fround(Math.sqrt(fround(sigmoidF32(x) * sctr)));
  if (!(score > thr)) return count;
  if (count === lvScore.length) growLevelScratch();
  lvScore[count] = score;
  lvLoc[count] = a;
  lvLabel[count] = c;
  lvRow[count] = row;
  return count + 1;
}

/** Candidates of all levels after each level's top-k: boxes (m×4), scores (m), labels (m). */
class Candidates {
  boxes = new Float32Array(4 * 1024);
  scores = new Float32Array(1024);
  labels = new Int32Array(1024);
  m = 0;

  reserve(extra: number): void {
    const need = this.m + extra;
    if (need <= this.scores.length) return;
    const cap = Math.max(2 * this.scores.length, need);
    const b = new Float32Array(4 * cap), s = new Float32Array(cap), l = new Int32Array(cap);
    b.set(this.boxes);
    s.set(this.scores);
    l.set(this.labels);
    this.boxes = b;
    this.scores = s;
    this.labels = l;
  }
}

/**
 * Steps 2–3 for one level: the k best of the `count` pairs in the level scratch (collected in
 * flat-index order; the selection is stable, so equal scores keep the lower flat index first),
 * their boxes decoded from `reg` (row `lvRow[p]`) and the anchors, clipped to the image.
 */
function appendTopK(
  out: Candidates,
  count: number,
  k: number,
  reg: Float32Array,
  anchors: Float32Array,
  width: number,
  height: number,
): void {
  k = Math.min(k, count);
  const order = topKByScore(lvScore.subarray(0, count), k);
  out.reserve(k);
  const { boxes, scores, labels } = out;
  let m = out.m;
  for (let r = 0; r < k; r++) {
    const p = order[r];
    const a = lvLoc[p], row = lvRow[p];
    const ax1 = anchors[4 * a], ay1 = anchors[4 * a + 1];
    const ax2 = anchors[4 * a + 2], ay2 = anchors[4 * a + 3];
    const cx = fround(0.5 * fround(ax1 + ax2));
    const cy = fround(0.5 * fround(ay1 + ay2));
    const bw = fround(ax2 - ax1), bh = fround(ay2 - ay1);
    const r0 = reg[4 * row], r1 = reg[4 * row + 1];
    const r2 = reg[4 * row + 2], r3 = reg[4 * row + 3];
    if (r0 - r0 !== 0 || r1 - r1 !== 0 || r2 - r2 !== 0 || r3 - r3 !== 0) {
      throw new FcosError(`decodeDetections: bboxRegression[${a}] has a non-finite value`);
    }
    let x1 = fround(cx - fround(r0 * bw));
    let y1 = fround(cy - fround(r1 * bh));
    let x2 = fround(cx + fround(r2 * bw));
    let y2 = fround(cy + fround(r3 * bh));
    // clip_boxes_to_image: clamp(min=0, max=size).
    x1 = x1 < 0 ? 0 : x1 > width ? width : x1;
    x2 = x2 < 0 ? 0 : x2 > width ? width : x2;
    y1 = y1 < 0 ? 0 : y1 > height ? height : y1;
    y2 = y2 < 0 ? 0 : y2 > height ? height : y2;
    boxes[4 * m] = x1;
    boxes[4 * m + 1] = y1;
    boxes[4 * m + 2] = x2;
    boxes[4 * m + 3] = y2;
    scores[m] = lvScore[p];
    labels[m] = lvLabel[p];
    m++;
  }
  out.m = m;
}

/** Steps 4–5: drop empty boxes (optionally), batched NMS, the first detectionsPerImg. */
function finishDetections(cands: Candidates, opt: Required<DecodeOptions>): Detections {
  const { boxes: candBoxes, scores: candScores, labels: candLabels, m } = cands;
  // NMS as torchvision runs it on all m candidates (its coordinate trick, when m ≤ 1000, shifts by
  // the largest coordinate of all of them, empty boxes included), then the empty boxes are left
  // out: they can neither suppress nor be suppressed, so dropping them before the greedy pass only
  // frees their output slots.
  let nmsBoxes: Float32Array = candBoxes.subarray(0, 4 * m);
  let nmsScores: Float32Array = candScores.subarray(0, m);
  let nmsLabels: Int32Array = candLabels.subarray(0, m);
  if (opt.coordinateTrick && m <= COORDINATE_TRICK_MAX_BOXES) {
    nmsBoxes = coordinateTrickBoxes(nmsBoxes, nmsLabels);
  }
  let origin: Int32Array | null = null; // index into the candidates of each NMS input
  if (opt.dropEmpty) {
    origin = new Int32Array(m);
    let k = 0;
    for (let i = 0; i < m; i++) {
      if (candBoxes[4 * i + 2] > candBoxes[4 * i] && candBoxes[4 * i + 3] > candBoxes[4 * i + 1]) {
        origin[k++] = i;
      }
    }
    if (k < m) {
      const b = new Float32Array(4 * k), sc = new Float32Array(k), lb = new Int32Array(k);
      for (let r = 0; r < k; r++) {
        const i = origin[r];
        b.set(nmsBoxes.subarray(4 * i, 4 * i + 4), 4 * r);
        sc[r] = nmsScores[i];
        lb[r] = nmsLabels[i];
      }
      nmsBoxes = b;
      nmsScores = sc;
      nmsLabels = lb;
    } else origin = null;
  }
  const kept = batchedNms(nmsBoxes, nmsScores, nmsLabels, opt.nmsThresh, {
    maxOutput: opt.detectionsPerImg,
    name: "decodeDetections",
    coordinateTrick: false, // applied above when due
  });
  const keep = origin === null ? kept : kept.map((r) => origin[r]);
  const K = keep.length;
  const boxes = new Float32Array(4 * K), scores = new Float32Array(K), labels = new Int32Array(K);
  for (let i = 0; i < K; i++) {
    const j = keep[i];
    boxes[4 * i] = candBoxes[4 * j];
    boxes[4 * i + 1] = candBoxes[4 * j + 1];
    boxes[4 * i + 2] = candBoxes[4 * j + 2];
    boxes[4 * i + 3] = candBoxes[4 * j + 3];
    scores[i] = candScores[j];
    labels[i] = candLabels[j];
  }
  return { boxes, scores, labels };
}

/**
 * Decodes one image's FCOS head outputs into detections, exactly as torchvision's
 * `FCOS.postprocess_detections` (see the module notes for the one optional difference, dropping
 * empty boxes, and for tie order).
 *
 * @param input head outputs of one image (L locations, C classes), anchors and clip size.
 * @param options thresholds and limits; defaults in {@linkcode DEFAULT_DECODE_OPTIONS}.
 * @returns K ≤ detectionsPerImg detections by decreasing score: boxes K×4, scores K, labels K.
 * @throws {FcosError} on inconsistent lengths, non-finite values or bad options.
 *
 * @example
 * ```ts
 * import { decodeDetections } from "./decode.ts";
 * // One level with one location (anchor 8×8 centred at (4, 4)) and 2 classes.
 * const det = decodeDetections({
 *   clsLogits: new Float32Array([3, -5]),
 *   bboxRegression: new Float32Array([0.5, 0.5, 0.5, 0.5]),
 *   bboxCtrness: new Float32Array([2]),
 *   anchors: new Float32Array([0, 0, 8, 8]),
 *   numAnchorsPerLevel: [1],
 *   numClasses: 2,
 *   imageHeight: 8,
 *   imageWidth: 8,
 * });
 * console.log(det.boxes, det.labels); // Float32Array [0, 0, 8, 8] Int32Array [0]
 * ```
 */
export function decodeDetections(input: DecodeInput, options?: DecodeOptions): Detections {
  const L = checkInput(input);
  const opt = resolveDecodeOptions(options);
  const { clsLogits, bboxRegression, bboxCtrness, anchors, numAnchorsPerLevel } = input;
  const C = input.numClasses;
  const thr = fround(opt.scoreThresh);
  const thr2 = squaredThreshold(thr);
  const cands = new Candidates();
  let loc0 = 0;
  for (let level = 0; level < numAnchorsPerLevel.length; level++) {
    const nLoc = numAnchorsPerLevel[level];
    let count = 0;
    for (let a = loc0; a < loc0 + nLoc; a++) {
      const sctr = sigmoidF32(bboxCtrness[a]);
      const bound = logitBound(thr2, sctr);
      const base = a * C;
      for (let c = 0; c < C; c++) {
        count = scorePair(clsLogits[base + c], sctr, bound, thr, a, c, a, count);
      }
    }
    appendTopK(
      cands,
      count,
      opt.topkCandidates,
      bboxRegression,
      anchors,
      input.imageWidth,
      input.imageHeight,
    );
    loc0 += nLoc;
  }
  if (loc0 !== L) throw new FcosError("decodeDetections: internal error (level sizes)");
  return finishDetections(cands, opt);
}

/**
 * Some (location, class) pairs of one image with the head outputs they need: what
 * `FcosModel.detect` reads back after selecting candidates on the device (see
 * src/decode/candidates.ts). Pairs are grouped by level and, inside a level, ordered by
 * increasing flat index (location, then class), as torchvision's per-level flattening orders them.
 */
export interface CandidateInput {
  /** Pairs of level l are those at [levelStarts[l], levelStarts[l + 1]); length levels + 1. */
  levelStarts: ArrayLike<number>;
  /** M locations (indices into `anchors`, i.e. over all levels), one per pair. */
  locations: Int32Array;
  /** M class indices in [0, numClasses). */
  labels: Int32Array;
  /** M classification logits. */
  clsLogits: Float32Array;
  /** M centerness logits (of each pair's location). */
  bboxCtrness: Float32Array;
  /** M×4 box regression (of each pair's location). */
  bboxRegression: Float32Array;
  /** L×4 anchors (x1, y1, x2, y2) of all locations. */
  anchors: Float32Array;
  /** Locations per level (sums to L). */
  numAnchorsPerLevel: number[];
  /** Number of classes C. */
  numClasses: number;
  /** Height of the resized image before padding (clip bound for y). */
  imageHeight: number;
  /** Width of the resized image before padding (clip bound for x). */
  imageWidth: number;
}

function checkCandidates(input: CandidateInput): void {
  const need = (ok: boolean, msg: string) => {
    if (!ok) throw new FcosError(`decodeCandidates: ${msg}`);
  };
  const { levelStarts, locations, labels, clsLogits, bboxCtrness, bboxRegression } = input;
  const { anchors, numAnchorsPerLevel, numClasses } = input;
  const L = checkGrid(need, numClasses, numAnchorsPerLevel);
  const M = locations.length;
  need(
    locations instanceof Int32Array && labels instanceof Int32Array,
    "locations and labels must be Int32Arrays",
  );
  for (
    const [name, arr, len] of [
      ["labels", labels, M],
      ["clsLogits", clsLogits, M],
      ["bboxCtrness", bboxCtrness, M],
      ["bboxRegression", bboxRegression, 4 * M],
      ["anchors", anchors, 4 * L],
    ] as const
  ) {
    need(arr.length === len, `${name} has ${arr.length} numbers, expected ${len}`);
  }
  for (const arr of [clsLogits, bboxCtrness, bboxRegression, anchors]) {
    need(arr instanceof Float32Array, "logits, regression and anchors must be Float32Arrays");
  }
  need(
    levelStarts.length === numAnchorsPerLevel.length + 1 && levelStarts[0] === 0 &&
      levelStarts[numAnchorsPerLevel.length] === M,
    `levelStarts must have ${numAnchorsPerLevel.length + 1} entries from 0 to ${M}`,
  );
  let loc0 = 0;
  for (let level = 0; level < numAnchorsPerLevel.length; level++) {
    const loc1 = loc0 + numAnchorsPerLevel[level];
    const j0 = levelStarts[level], j1 = levelStarts[level + 1];
    need(Number.isInteger(j0) && j1 >= j0, `levelStarts must not decrease`);
    let prev = -1;
    for (let j = j0; j < j1; j++) {
      const a = locations[j], c = labels[j];
      need(a >= loc0 && a < loc1, `pair ${j}: location ${a} is not in level ${level}`);
      need(c >= 0 && c < numClasses, `pair ${j}: label ${c} is not in [0, ${numClasses})`);
      const flat = (a - loc0) * numClasses + c;
      need(
        flat > prev,
        `pair ${j}: pairs of a level must be in increasing (location, class) order`,
      );
      prev = flat;
      if (bboxCtrness[j] !== bboxCtrness[j]) need(false, `bboxCtrness[${a}] is NaN`);
    }
    loc0 = loc1;
  }
  for (const [name, v] of [["imageHeight", input.imageHeight], ["imageWidth", input.imageWidth]]) {
    need(
      typeof v === "number" && Number.isFinite(v) && v >= 0,
      `${name} must be a finite number ≥ 0, got ${v}`,
    );
  }
  for (let i = 0; i < anchors.length; i++) {
    if (anchors[i] - anchors[i] !== 0) need(false, `anchors[${i >> 2}] has ${anchors[i]}`);
  }
}

/**
 * {@linkcode decodeDetections} on a subset of the (location, class) pairs: the same steps, scores
 * and tie order, on the pairs given. It returns exactly what `decodeDetections` returns on the full
 * head outputs whenever the subset holds, in every level, each pair of that level's top
 * `topkCandidates` among those scoring above `scoreThresh` — which the device-side selection in
 * src/decode/candidates.ts guarantees (else it falls back to the full outputs).
 *
 * @param input the candidate pairs of one image, anchors and clip size.
 * @param options thresholds and limits; defaults in {@linkcode DEFAULT_DECODE_OPTIONS}.
 * @returns K ≤ detectionsPerImg detections by decreasing score: boxes K×4, scores K, labels K.
 * @throws {FcosError} on inconsistent input, a NaN logit, a non-finite selected box or bad options.
 *
 * @example
 * ```ts
 * import { decodeCandidates } from "./decode.ts";
 * // One level of two locations (anchors 8×8), 2 classes; only the pair (location 1, class 0).
 * const det = decodeCandidates({
 *   levelStarts: [0, 1],
 *   locations: new Int32Array([1]),
 *   labels: new Int32Array([0]),
 *   clsLogits: new Float32Array([3]),
 *   bboxCtrness: new Float32Array([2]),
 *   bboxRegression: new Float32Array([0.5, 0.5, 0.5, 0.5]),
 *   anchors: new Float32Array([0, 0, 8, 8, 8, 0, 16, 8]),
 *   numAnchorsPerLevel: [2],
 *   numClasses: 2,
 *   imageHeight: 8,
 *   imageWidth: 16,
 * });
 * console.log(det.boxes, det.labels); // Float32Array [8, 0, 16, 8] Int32Array [0]
 * ```
 */
export function decodeCandidates(input: CandidateInput, options?: DecodeOptions): Detections {
  checkCandidates(input);
  const opt = resolveDecodeOptions(options);
  const { levelStarts, locations, labels, clsLogits, bboxCtrness, bboxRegression } = input;
  const thr = fround(opt.scoreThresh);
  const thr2 = squaredThreshold(thr);
  const cands = new Candidates();
  for (let level = 0; level < input.numAnchorsPerLevel.length; level++) {
    let count = 0;
    let lastLoc = -1, sctr = 0, bound = 0;
    for (let j = levelStarts[level]; j < levelStarts[level + 1]; j++) {
      const a = locations[j];
      if (a !== lastLoc) {
        // Pairs of one location are adjacent: its sigmoid and bound are computed once.
        sctr = sigmoidF32(bboxCtrness[j]);
        bound = logitBound(thr2, sctr);
        lastLoc = a;
      }
      count = scorePair(clsLogits[j], sctr, bound, thr, a, labels[j], j, count);
    }
    appendTopK(
      cands,
      count,
      opt.topkCandidates,
      bboxRegression,
      input.anchors,
      input.imageWidth,
      input.imageHeight,
    );
  }
  return finishDetections(cands, opt);
}
