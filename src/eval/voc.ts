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
  const N = groundTruth.length;
  const C = numClasses;

  // Ground truth grouped by (class, image): offsets into flat arrays.
  const gOff = new Int32Array(C * N + 1);
  for (let i = 0; i < N; i++) {
    const l = groundTruth[i].labels;
    for (let j = 0; j < l.length; j++) gOff[l[j] * N + i + 1]++;
  }
  for (let k = 0; k < C * N; k++) gOff[k + 1] += gOff[k];
  const G = gOff[C * N];
  const gBox = new Float64Array(G * 4);
  const gDiff = new Uint8Array(G);
  const fill = gOff.slice(0, C * N);
  const numPositives = new Array<number>(C).fill(0);
  for (let i = 0; i < N; i++) {
    const g = groundTruth[i];
    for (let j = 0; j < g.labels.length; j++) {
      const at = fill[g.labels[j] * N + i]++;
      for (let q = 0; q < 4; q++) gBox[at * 4 + q] = g.boxes[j * 4 + q];
      const diff = (g.difficult?.[j] ?? 0) || (g.iscrowd?.[j] ?? 0) ? 1 : 0;
      gDiff[at] = diff;
      if (!diff) numPositives[g.labels[j]]++;
    }
  }

  // Detections grouped by class, in image order then in-image order.
  const dCount = new Int32Array(C + 1);
  for (let i = 0; i < N; i++) {
    const l = detections[i].labels;
    for (let j = 0; j < l.length; j++) dCount[l[j] + 1]++;
  }
  for (let c = 0; c < C; c++) dCount[c + 1] += dCount[c];
  const D = dCount[C];
  const dImg = new Int32Array(D);
  const dBox = new Float64Array(D * 4);
  const dScore = new Float64Array(D);
  const dFill = dCount.slice(0, C);
  for (let i = 0; i < N; i++) {
    const d = detections[i];
    for (let j = 0; j < d.labels.length; j++) {
      const at = dFill[d.labels[j]]++;
      dImg[at] = i;
      dScore[at] = d.scores[j];
      for (let q = 0; q < 4; q++) dBox[at * 4 + q] = d.boxes[j * 4 + q];
    }
  }

  const detected = new Uint8Array(G);
  const ap07: number[] = [];
  const apArea: number[] = [];
  for (let c = 0; c < C; c++) {
    const s0 = dCount[c], n = dCount[c + 1] - s0;
    // Stable order by decreasing score (Array.prototype.sort is stable).
    const order = Array.from({ length: n }, (_, i) => s0 + i).sort((a, b) => dScore[b] - dScore[a]);
    const tp = new Float64Array(n);
    const fp = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const d = order[r];
      const img = dImg[d];
      const bx1 = dBox[d * 4], by1 = dBox[d * 4 + 1], bx2 = dBox[d * 4 + 2], by2 = dBox[d * 4 + 3];
      const areaD = (bx2 - bx1) * (by2 - by1);
      let ovmax = -Infinity, jmax = -1;
      const g0 = gOff[c * N + img], g1 = gOff[c * N + img + 1];
      for (let j = g0; j < g1; j++) {
        const gx1 = gBox[j * 4],
          gy1 = gBox[j * 4 + 1],
          gx2 = gBox[j * 4 + 2],
          gy2 = gBox[j * 4 + 3];
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
      if (jmax >= 0 && ovmax >= thr) {
        if (!gDiff[jmax]) {
          if (!detected[jmax]) {
            tp[r] = 1;
            detected[jmax] = 1;
          } else fp[r] = 1;
        }
      } else fp[r] = 1;
    }
    if (numPositives[c] === 0) {
      ap07.push(-1);
      apArea.push(-1);
      continue;
    }
    const rec = new Float64Array(n);
    const prec = new Float64Array(n);
    let ctp = 0, cfp = 0;
    for (let r = 0; r < n; r++) {
      ctp += tp[r];
      cfp += fp[r];
      rec[r] = ctp / numPositives[c];
      prec[r] = ctp / Math.max(ctp + cfp, 2.220446049250313e-16);
    }
    ap07.push(vocAveragePrecision(rec, prec, true));
    apArea.push(vocAveragePrecision(rec, prec, false));
  }
  const mean = (v: number[]) => {
    const ok = v.filter((x) => x > -1);
    return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : -1;
  };
  return {
    iouThreshold: thr,
    ap07,
    apArea,
    map07: mean(ap07),
    mapArea: mean(apArea),
    numPositives,
  };
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
