/**
 * PASCAL VOC detection metrics: per-class AP at one IoU threshold (0.5 by default) with the VOC2007
 * 11-point interpolation and with the area under the monotone precision/recall curve (VOC2010+),
 * and their means. Matching follows the VOC devkit (`VOCevaldet.m`): detections of a class are
 * taken by decreasing score (ties keep image order, then the order inside the image); each goes to
 * the ground-truth box of its image with the highest IoU (the first one on ties); IoU ≥ threshold
 * makes it a true positive if that box is not difficult and not yet detected, a false positive if it
 * was already detected, and neither if the box is difficult; anything else is a false positive.
 * Boxes use continuous coordinates (IoU without the devkit's +1 pixel), as torchvision does.
 *
 * @module
 */
import type { Detections } from "../model/detections.ts";
import type { EvalImage } from "./inputs.ts";
import { validateEvalInputs } from "./inputs.ts";

/** Per-class and mean VOC AP (−1 for a class without non-difficult ground truth). */
export interface VocResult {
  /** IoU threshold used. */
  iouThreshold: number;
  /** Per class: VOC2007 11-point interpolated AP. */
  ap07: number[];
  /** Per class: area under the monotone precision/recall envelope (VOC2010+ AP). */
  apArea: number[];
  /** Mean of `ap07` over the classes with ground truth (−1 if none has any). */
  map07: number;
  /** Mean of `apArea` over the classes with ground truth (−1 if none has any). */
  mapArea: number;
  /** Per class: number of non-difficult ground-truth boxes. */
  numPositives: number[];
}

/**
 * AP from a precision/recall curve (points in detection order): the VOC2007 11-point
 * interpolation (`use07`: mean over t = 0, 0.1, …, 1 of the best precision at recall ≥ t) or the
 * area under the monotone envelope of precision.
 *
 * @example
 * ```ts
 * import { vocAveragePrecision } from "./voc.ts";
 * // One detection, correct, one ground truth: recall 1 at precision 1.
 * console.log(vocAveragePrecision(new Float64Array([1]), new Float64Array([1]), true)); // 1.0000000000000002 (11 × 1/11)
 * console.log(vocAveragePrecision(new Float64Array([0.5]), new Float64Array([1]), false)); // 0.5
 * ```
 */
export function vocAveragePrecision(
  recall: Float64Array,
  precision: Float64Array,
  use07: boolean,
): number {
  const n = recall.length;
  if (use07) {
    let ap = 0;
    for (let i = 0; i <= 10; i++) {
      const t = i * 0.1; // np.arange(0., 1.1, 0.1)
      let p = 0;
      for (let j = 0; j < n; j++) if (recall[j] >= t && precision[j] > p) p = precision[j];
      ap += p / 11;
    }
    return ap;
  }
  // mrec = [0, rec, 1], mpre = [0, prec, 0]; envelope from the right; sum over recall changes.
  const mrec = new Float64Array(n + 2);
  const mpre = new Float64Array(n + 2);
  mrec.set(recall, 1);
  mrec[n + 1] = 1;
  mpre.set(precision, 1);
  for (let i = n + 1; i > 0; i--) if (mpre[i] > mpre[i - 1]) mpre[i - 1] = mpre[i];
  let ap = 0;
  for (let i = 0; i < n + 1; i++) {
    if (mrec[i + 1] !== mrec[i]) ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
  }
  return ap;
}

/**
 * VOC AP of every class at `iouThreshold` (default 0.5), both 11-point and area, for in-memory
 * ground truth and detections (one entry per image, same order). `difficult` and `iscrowd` boxes
 * are "difficult": neither needed nor penalised.
 *
 * @example
 * ```ts
 * import { evaluateVoc } from "./voc.ts";
 * const r = evaluateVoc(
 *   [{ boxes: new Float32Array([0, 0, 10, 10]), labels: new Int32Array([0]) }],
 *   [{
 *     boxes: new Float32Array([0, 0, 10, 10, 50, 50, 60, 60]),
 *     scores: new Float32Array([0.9, 0.8]),
 *     labels: new Int32Array([0, 0]),
 *   }],
 *   1,
 * );
 * console.log(r.map07.toFixed(3), r.mapArea); // 1.000 1
 * ```
 */
export function evaluateVoc(
  groundTruth: readonly EvalImage[],
  detections: readonly Detections[],
  numClasses: number,
  options: { iouThreshold?: number } = {},
): VocResult {
  validateEvalInputs(groundTruth, detections, numClasses);
  const thr = options.iouThreshold ?? 0.5;
  const gt = groupGroundTruth(groundTruth, numClasses);
  const dt = groupDetections(detections, numClasses);
  const detected = new Uint8Array(gt.difficult.length); // [boxes] taken by a true positive
  const ap07: number[] = [];
  const apArea: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const { tp, fp } = matchClass(gt, dt, c, thr, detected);
    if (gt.numPositives[c] === 0) {
      ap07.push(-1);
      apArea.push(-1);
      continue;
    }
    const { recall, precision } = precisionRecall(tp, fp, gt.numPositives[c]);
    ap07.push(vocAveragePrecision(recall, precision, true));
    apArea.push(vocAveragePrecision(recall, precision, false));
  }
  return {
    iouThreshold: thr,
    ap07,
    apArea,
    map07: meanOfValid(ap07),
    mapArea: meanOfValid(apArea),
    numPositives: gt.numPositives,
  };
}

/** Ground truth grouped by (class, image): class c, image i is rows `[start[c·N + i], start[c·N + i + 1])`. */
interface VocGroundTruth {
  /** Images N. */
  images: number;
  /** [C·N + 1] where each (class, image) group starts. */
  start: Int32Array;
  /** [rows·4] boxes (x1, y1, x2, y2). */
  box: Float64Array;
  /** [rows] 1 for difficult or crowd boxes: neither needed nor penalised. */
  difficult: Uint8Array;
  /** [C] non-difficult boxes per class. */
  numPositives: number[];
}

/** Detections grouped by class, in image order then in-image order: class c is rows `[start[c], start[c + 1])`. */
interface VocDetections {
  /** [C + 1] where each class starts. */
  start: Int32Array;
  /** [rows] image index. */
  image: Int32Array;
  /** [rows·4] boxes (x1, y1, x2, y2). */
  box: Float64Array;
  /** [rows] scores. */
  score: Float64Array;
}

function groupGroundTruth(groundTruth: readonly EvalImage[], C: number): VocGroundTruth {
  const N = groundTruth.length;
  const start = new Int32Array(C * N + 1);
  for (let i = 0; i < N; i++) {
    const l = groundTruth[i].labels;
    for (let j = 0; j < l.length; j++) start[l[j] * N + i + 1]++;
  }
  for (let k = 0; k < C * N; k++) start[k + 1] += start[k];
  const G = start[C * N];
  const box = new Float64Array(G * 4);
  const difficult = new Uint8Array(G);
  const fill = start.slice(0, C * N);
  const numPositives = new Array<number>(C).fill(0);
  for (let i = 0; i < N; i++) {
    const g = groundTruth[i];
    for (let j = 0; j < g.labels.length; j++) {
      const at = fill[g.labels[j] * N + i]++;
      for (let q = 0; q < 4; q++) box[at * 4 + q] = g.boxes[j * 4 + q];
      const diff = (g.difficult?.[j] ?? 0) || (g.iscrowd?.[j] ?? 0) ? 1 : 0;
      difficult[at] = diff;
      if (!diff) numPositives[g.labels[j]]++;
    }
  }
  return { images: N, start, box, difficult, numPositives };
}

function groupDetections(detections: readonly Detections[], C: number): VocDetections {
  const N = detections.length;
  const start = new Int32Array(C + 1);
  for (let i = 0; i < N; i++) {
    const l = detections[i].labels;
    for (let j = 0; j < l.length; j++) start[l[j] + 1]++;
  }
  for (let c = 0; c < C; c++) start[c + 1] += start[c];
  const D = start[C];
  const image = new Int32Array(D);
  const box = new Float64Array(D * 4);
  const score = new Float64Array(D);
  const fill = start.slice(0, C);
  for (let i = 0; i < N; i++) {
    const d = detections[i];
    for (let j = 0; j < d.labels.length; j++) {
      const at = fill[d.labels[j]]++;
      image[at] = i;
      score[at] = d.scores[j];
      for (let q = 0; q < 4; q++) box[at * 4 + q] = d.boxes[j * 4 + q];
    }
  }
  return { start, image, box, score };
}

/**
 * The devkit's matching of class c: its detections by decreasing score (stable), each to the box
 * of its image with the highest IoU (the first on ties); returns [n] true/false positive flags in
 * that order (both 0 for a detection on a difficult box). `detected` marks boxes already taken.
 */
function matchClass(
  gt: VocGroundTruth,
  dt: VocDetections,
  c: number,
  thr: number,
  detected: Uint8Array,
): { tp: Float64Array; fp: Float64Array } {
  const { image: dImg, box: dBox, score: dScore } = dt;
  const N = gt.images;
  const s0 = dt.start[c], n = dt.start[c + 1] - s0;
  // Stable order by decreasing score (Array.prototype.sort is stable).
  const order = Array.from({ length: n }, (_, i) => s0 + i).sort((a, b) => dScore[b] - dScore[a]);
  const tp = new Float64Array(n);
  const fp = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const d = order[r];
    const img = dImg[d];
    const g0 = gt.start[c * N + img], g1 = gt.start[c * N + img + 1];
    const jmax = matchedBox(gt, g0, g1, dBox, d, thr);
    if (jmax >= 0) {
      if (!gt.difficult[jmax]) {
        if (!detected[jmax]) {
          tp[r] = 1;
          detected[jmax] = 1;
        } else fp[r] = 1;
      }
    } else fp[r] = 1;
  }
  return { tp, fp };
}

/**
 * The box among rows [g0, g1) with the highest IoU with detection d (the first on ties), or −1
 * when none overlaps it by at least `thr`.
 */
function matchedBox(
  gt: VocGroundTruth,
  g0: number,
  g1: number,
  dBox: Float64Array,
  d: number,
  thr: number,
): number {
  const gBox = gt.box;
  const bx1 = dBox[d * 4], by1 = dBox[d * 4 + 1], bx2 = dBox[d * 4 + 2], by2 = dBox[d * 4 + 3];
  const areaD = (bx2 - bx1) * (by2 - by1);
  let ovmax = -Infinity, jmax = -1;
  for (let j = g0; j < g1; j++) {
    const gx1 = gBox[j * 4], gy1 = gBox[j * 4 + 1], gx2 = gBox[j * 4 + 2], gy2 = gBox[j * 4 + 3];
    const iw = Math.min(bx2, gx2) - Math.max(bx1, gx1);
    const ih = Math.min(by2, gy2) - Math.max(by1, gy1);
    if (iw > 0 && ih > 0) {
      const inter = iw * ih;
      const ov = inter / (areaD + (gx2 - gx1) * (gy2 - gy1) - inter);
      if (ov > ovmax) {
        ovmax = ov;
        jmax = j;
      }
    }
  }
  return ovmax >= thr ? jmax : -1;
}

/** Cumulative recall tp/np and precision tp/max(tp + fp, eps) along the ranked detections. */
function precisionRecall(
  tp: Float64Array,
  fp: Float64Array,
  numPositives: number,
): { recall: Float64Array; precision: Float64Array } {
  const n = tp.length;
  const recall = new Float64Array(n);
  const precision = new Float64Array(n);
  let ctp = 0, cfp = 0;
  for (let r = 0; r < n; r++) {
    ctp += tp[r];
    cfp += fp[r];
    recall[r] = ctp / numPositives;
    precision[r] = ctp / Math.max(ctp + cfp, 2.220446049250313e-16);
  }
  return { recall, precision };
}

/** Mean of the values > −1 (left to right), or −1 when there are none. */
function meanOfValid(v: number[]): number {
  const ok = v.filter((x) => x > -1);
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : -1;
}

/**
 * Formats a {@linkcode VocResult} as a table: one row per class (AP 11-point, AP area, positives;
 * "-" for classes without ground truth), then the two means.
 *
 * @example
 * ```ts
 * import { evaluateVoc, formatVocSummary } from "./voc.ts";
 * const r = evaluateVoc(
 *   [{ boxes: new Float32Array([0, 0, 10, 10]), labels: new Int32Array([0]) }],
 *   [{ boxes: new Float32Array([0, 0, 10, 10]), scores: new Float32Array([0.9]), labels: new Int32Array([0]) }],
 *   2,
 * );
 * console.log(formatVocSummary(r, ["cat", "dog"]));
 * ```
 */
export function formatVocSummary(result: VocResult, classNames?: readonly string[]): string {
  const names = result.ap07.map((_, c) => classNames?.[c] ?? String(c));
  const width = Math.max(5, ...names.map((n) => n.length));
  const col = (v: string) => v.padStart(13);
  const f = (v: number) => col(v < 0 ? "-" : v.toFixed(4));
  const iou = result.iouThreshold.toFixed(2);
  const lines = [
    `${"class".padEnd(width)}${col(`AP@${iou} 07`)}${col(`AP@${iou} area`)}${col("positives")}`,
  ];
  names.forEach((n, c) => {
    lines.push(
      `${n.padEnd(width)}${f(result.ap07[c])}${f(result.apArea[c])}${
        col(String(result.numPositives[c]))
      }`,
    );
  });
  lines.push(`${"mAP".padEnd(width)}${f(result.map07)}${f(result.mapArea)}`);
  return lines.join("\n");
}
