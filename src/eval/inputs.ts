/**
 * In-memory evaluation inputs: the ground truth of one image ({@linkcode EvalImage}) next to the
 * model's {@linkcode Detections}, and their validation.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import type { Detections } from "../model/detections.ts";

/** Ground truth of one image for evaluation (boxes in the same pixels as the detections). */
export interface EvalImage {
  /** K×4 boxes (x1, y1, x2, y2). */
  boxes: Float32Array;
  /** K class indices in [0, numClasses). */
  labels: Int32Array;
  /** K flags: VOC "difficult" (ignored by VOC AP; counted as crowd by COCO, as mmdetection does). */
  difficult?: Uint8Array;
  /** K flags: crowd boxes (ignored by both metrics; COCO matches them by intersection/detection area). */
  iscrowd?: Uint8Array;
}

function checkBoxes(boxes: Float32Array, n: number, where: string): void {
  if (boxes.length !== n * 4) {
    throw new FcosError(`${where}: boxes hold ${boxes.length} numbers, expected ${n}×4`);
  }
  for (let j = 0; j < n; j++) {
    const x1 = boxes[j * 4], y1 = boxes[j * 4 + 1], x2 = boxes[j * 4 + 2], y2 = boxes[j * 4 + 3];
    if (!Number.isFinite(x1 + y1 + x2 + y2)) {
      throw new FcosError(`${where}: box ${j} is not finite (${x1}, ${y1}, ${x2}, ${y2})`);
    }
    if (x2 < x1) throw new FcosError(`${where}: box ${j} has negative width (x1 ${x1} > x2 ${x2})`);
    if (y2 < y1) {
      throw new FcosError(`${where}: box ${j} has negative height (y1 ${y1} > y2 ${y2})`);
    }
  }
}

function checkLabels(labels: Int32Array, numClasses: number, where: string): void {
  for (let j = 0; j < labels.length; j++) {
    if (labels[j] < 0 || labels[j] >= numClasses) {
      throw new FcosError(`${where}: label ${labels[j]} of box ${j} is outside [0, ${numClasses})`);
    }
  }
}

/**
 * Checks that ground truth and detections describe the same images with consistent array lengths,
 * labels in [0, numClasses), finite boxes with x2 ≥ x1 and y2 ≥ y1, and finite scores; throws a
 * {@linkcode FcosError} naming the image and box otherwise.
 *
 * @example
 * ```ts
 * import { validateEvalInputs } from "./inputs.ts";
 * validateEvalInputs(
 *   [{ boxes: new Float32Array([0, 0, 10, 10]), labels: new Int32Array([0]) }],
 *   [{ boxes: new Float32Array(0), scores: new Float32Array(0), labels: new Int32Array(0) }],
 *   1,
 * );
 * ```
 */
export function validateEvalInputs(
  groundTruth: readonly EvalImage[],
  detections: readonly Detections[],
  numClasses: number,
): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new FcosError(`evaluation: numClasses must be a positive integer, got ${numClasses}`);
  }
  if (groundTruth.length !== detections.length) {
    throw new FcosError(
      `evaluation: ${groundTruth.length} ground-truth images but ${detections.length} detection lists`,
    );
  }
  for (let i = 0; i < groundTruth.length; i++) {
    const g = groundTruth[i];
    const where = `ground truth of image ${i}`;
    const n = g.labels.length;
    checkBoxes(g.boxes, n, where);
    checkLabels(g.labels, numClasses, where);
    if (g.difficult && g.difficult.length !== n) {
      throw new FcosError(`${where}: ${g.difficult.length} difficult flags for ${n} boxes`);
    }
    if (g.iscrowd && g.iscrowd.length !== n) {
      throw new FcosError(`${where}: ${g.iscrowd.length} iscrowd flags for ${n} boxes`);
    }
    const d = detections[i];
    const dw = `detections of image ${i}`;
    const m = d.labels.length;
    checkBoxes(d.boxes, m, dw);
    checkLabels(d.labels, numClasses, dw);
    if (d.scores.length !== m) {
      throw new FcosError(`${dw}: ${d.scores.length} scores for ${m} boxes`);
    }
    for (let j = 0; j < m; j++) {
      if (!Number.isFinite(d.scores[j])) {
        throw new FcosError(`${dw}: score of box ${j} is not finite (${d.scores[j]})`);
      }
    }
  }
}
