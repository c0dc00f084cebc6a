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
import type { Detections } from "../model/types.ts";
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

let levelIdxScratch = new Int32Array(4096);
let levelScoreScratch = new Float32Array(4096);

/** float32 sigmoid as torch computes it: 1 / (1 + exp(−x)), each step rounded to float32. */
export function sigmoidF32(x: number): number {
  return fround(1 / fround(1 + fround(Math.exp(-x))));
}

function checkInput(input: DecodeInput): number {
  const { clsLogits, bboxRegression, bboxCtrness, anchors, numAnchorsPerLevel, numClasses } = input;
  const need = (ok: boolean, msg: string) => {
    if (!ok) throw new FcosError(`decodeDetections: ${msg}`);
  };
  need(
    Number.isInteger(numClasses) && numClasses >= 1,
    `numClasses must be a positive integer, got ${numClasses}`,
  );
  need(
    Array.isArray(numAnchorsPerLevel) &&
      numAnchorsPerLevel.every((c) => Number.isInteger(c) && c >= 0),
    `numAnchorsPerLevel must be non-negative integers, got ${JSON.stringify(numAnchorsPerLevel)}`,
  );
  const L = numAnchorsPerLevel.reduce((a, b) => a + b, 0);
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

function optionsOf(options: DecodeOptions | undefined): Required<DecodeOptions> {
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
  const opt = optionsOf(options);
  const { clsLogits, bboxRegression, bboxCtrness, anchors, numAnchorsPerLevel } = input;
  const C = input.numClasses;
  const thr = fround(opt.scoreThresh);
  const width = input.imageWidth, height = input.imageHeight;

  // Candidates of all levels after top-k: boxes (M×4), scores (M), labels (M).
  let cap = 1024;
  let candBoxes = new Float32Array(4 * cap);
  let candScores = new Float32Array(cap);
  let candLabels = new Int32Array(cap);
  let m = 0;

  // Per-level scratch: flat indices and scores of the pairs above the threshold (module-level
  // buffers, grown as needed and kept for the next call; the function is synchronous).
  let lvIdx = levelIdxScratch;
  let lvScore = levelScoreScratch;
  // A pair can pass only if sigmoid(cls)·sigmoid(ctr) > thr², i.e. sigmoid(cls) > thr²/sigmoid(ctr);
  // with a 1e-4 relative margin (float32 rounding is ~1e-7) that is a bound on the logit.
  const thr2 = thr > 0 ? thr * thr * (1 - 1e-4) : -Infinity;

  let loc0 = 0;
  for (let level = 0; level < numAnchorsPerLevel.length; level++) {
    const nLoc = numAnchorsPerLevel[level];
    let count = 0;
    for (let a = loc0; a < loc0 + nLoc; a++) {
      const sctr = sigmoidF32(bboxCtrness[a]);
      const base = a * C;
      let bound = -Infinity; // logits ≤ bound cannot pass
      if (thr2 > 0) {
        const q = thr2 / sctr;
        bound = q >= 1 ? Infinity : Math.log(q / (1 - q));
      }
      for (let c = 0; c < C; c++) {
        const x = clsLogits[base + c];
        if (!(x > bound)) {
          if (x !== x) {
            throw new FcosError(`decodeDetections: clsLogits[${a}][${c}] is NaN`);
          }
          if (bound !== -Infinity) continue; // (thr ≤ 0: even −Infinity logits pass)
        }
        const score = fround(Math.sqrt(fround(sigmoidF32(x) * sctr)));
        if (!(score > thr)) continue;
        if (count === lvIdx.length) {
          const ni = new Int32Array(2 * count);
          ni.set(lvIdx);
          lvIdx = ni;
          const ns = new Float32Array(2 * count);
          ns.set(lvScore);
          lvScore = ns;
          levelIdxScratch = lvIdx;
          levelScoreScratch = lvScore;
        }
        lvIdx[count] = (a - loc0) * C + c;
        lvScore[count] = score;
        count++;
      }
    }
    // Top-k: candidates were collected in flat-index order, and the selection is stable.
    const k = Math.min(opt.topkCandidates, count);
    const order = topKByScore(lvScore.subarray(0, count), k);
    if (m + k > cap) {
      cap = Math.max(2 * cap, m + k);
      const nb = new Float32Array(4 * cap);
      nb.set(candBoxes);
      candBoxes = nb;
      const ns = new Float32Array(cap);
      ns.set(candScores);
      candScores = ns;
      const nl = new Int32Array(cap);
      nl.set(candLabels);
      candLabels = nl;
    }
    for (let r = 0; r < k; r++) {
      const p = order[r];
      const flat = lvIdx[p];
      const a = loc0 + Math.floor(flat / C);
      const label = flat - Math.floor(flat / C) * C;
      const ax1 = anchors[4 * a], ay1 = anchors[4 * a + 1];
      const ax2 = anchors[4 * a + 2], ay2 = anchors[4 * a + 3];
      const cx = fround(0.5 * fround(ax1 + ax2));
      const cy = fround(0.5 * fround(ay1 + ay2));
      const bw = fround(ax2 - ax1), bh = fround(ay2 - ay1);
      const r0 = bboxRegression[4 * a], r1 = bboxRegression[4 * a + 1];
      const r2 = bboxRegression[4 * a + 2], r3 = bboxRegression[4 * a + 3];
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
      candBoxes[4 * m] = x1;
      candBoxes[4 * m + 1] = y1;
      candBoxes[4 * m + 2] = x2;
      candBoxes[4 * m + 3] = y2;
      candScores[m] = lvScore[p];
      candLabels[m] = label;
      m++;
    }
    loc0 += nLoc;
  }
  if (loc0 !== L) throw new FcosError("decodeDetections: internal error (level sizes)");

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
