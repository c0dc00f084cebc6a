/**
 * Evaluation of in-memory detections (what the trainer has after an epoch): COCO bbox metrics with
 * pycocotools' semantics plus VOC mAP@0.5, without writing or parsing JSON.
 *
 * @module
 */
import type { Detections } from "../model/detections.ts";
import {
  type CocoDetections,
  type CocoEvaluation,
  type CocoGroundTruth,
  evaluateCoco,
} from "./coco.ts";
import { type EvalImage, validateEvalInputs } from "./inputs.ts";
import { evaluateVoc } from "./voc.ts";

/** Result of {@linkcode evaluateDetections}. */
export interface DetectionMetrics {
  /** COCO bbox evaluation (12 stats, per category, precision/recall arrays). */
  coco: CocoEvaluation;
  /** VOC mAP@0.5 with the VOC2007 11-point AP (the VOC07 test protocol). */
  vocMap50: number;
  /** Per class VOC2007 11-point AP@0.5 (−1 for classes without non-difficult ground truth). */
  vocAp50PerClass: number[];
  /** VOC mAP@0.5 with area-under-curve AP (VOC2010+ protocol). */
  vocMap50Area: number;
  /** Per class area-under-curve AP@0.5 (−1 for classes without non-difficult ground truth). */
  vocAp50AreaPerClass: number[];
}

/**
 * Turns in-memory ground truth and detections into the column tables of {@linkcode evaluateCoco}:
 * image ids are the indices 0…N−1, category ids the class indices 0…C−1 (named by `classNames`),
 * boxes become (x, y, w, h) with w = x2 − x1, the ground-truth `area` is w·h, and difficult or
 * crowd boxes become COCO crowd boxes (ignored, matched by intersection over detection area).
 *
 * @example
 * ```ts
 * import { cocoTablesFromDetections } from "./detections.ts";
 * const { gt, dt } = cocoTablesFromDetections(
 *   [{ boxes: new Float32Array([0, 0, 10, 20]), labels: new Int32Array([1]) }],
 *   [{ boxes: new Float32Array(0), scores: new Float32Array(0), labels: new Int32Array(0) }],
 *   2,
 * );
 * console.log(gt.area[0], dt.count); // 200 0
 * ```
 */
export function cocoTablesFromDetections(
  groundTruth: readonly EvalImage[],
  detections: readonly Detections[],
  numClasses: number,
  classNames?: readonly string[],
): { gt: CocoGroundTruth; dt: CocoDetections } {
  validateEvalInputs(groundTruth, detections, numClasses);
  const imageIds = Array.from({ length: groundTruth.length }, (_, i) => i);
  const categoryIds = Array.from({ length: numClasses }, (_, i) => i);
  return {
    gt: {
      source: "in-memory ground truth",
      imageIds,
      categoryIds,
      categoryNames: categoryIds.map((k) => classNames?.[k] ?? String(k)),
      imageIndex: new Map(imageIds.map((id) => [id, id])),
      categoryIndex: new Map(categoryIds.map((id) => [id, id])),
      ...groundTruthColumns(groundTruth),
    },
    dt: { source: "in-memory detections", ...detectionColumns(detections) },
  };
}

/** The per-annotation columns of a {@linkcode CocoGroundTruth}. */
type GroundTruthColumns = Pick<
  CocoGroundTruth,
  "count" | "image" | "category" | "bbox" | "area" | "iscrowd" | "zeroId"
>;

/** Ground truth boxes of every image as COCO columns: (x, y, w, h), area w·h, difficult → crowd. */
function groundTruthColumns(
  groundTruth: readonly EvalImage[],
): GroundTruthColumns {
  let count = 0;
  for (const g of groundTruth) count += g.labels.length;
  const image = new Int32Array(count);
  const category = new Int32Array(count);
  const bbox = new Float64Array(count * 4);
  const area = new Float64Array(count);
  const iscrowd = new Uint8Array(count);
  let g = 0;
  for (let i = 0; i < groundTruth.length; i++) {
    const gi = groundTruth[i];
    for (let j = 0; j < gi.labels.length; j++, g++) {
      const x1 = gi.boxes[j * 4], y1 = gi.boxes[j * 4 + 1];
      const w = gi.boxes[j * 4 + 2] - x1, h = gi.boxes[j * 4 + 3] - y1;
      image[g] = i;
      category[g] = gi.labels[j];
      bbox[g * 4] = x1;
      bbox[g * 4 + 1] = y1;
      bbox[g * 4 + 2] = w;
      bbox[g * 4 + 3] = h;
      area[g] = w * h;
      iscrowd[g] = (gi.iscrowd?.[j] ?? 0) || (gi.difficult?.[j] ?? 0) ? 1 : 0;
    }
  }
  return { count, image, category, bbox, area, iscrowd, zeroId: new Uint8Array(count) };
}

/** Detections of every image as COCO columns: boxes (x1, y1, x2, y2) → (x, y, w, h). */
function detectionColumns(detections: readonly Detections[]): Omit<CocoDetections, "source"> {
  let count = 0;
  for (const d of detections) count += d.labels.length;
  const image = new Int32Array(count);
  const category = new Int32Array(count);
  const bbox = new Float64Array(count * 4);
  const score = new Float64Array(count);
  let d = 0;
  for (let i = 0; i < detections.length; i++) {
    const di = detections[i];
    for (let j = 0; j < di.labels.length; j++, d++) {
      const x1 = di.boxes[j * 4], y1 = di.boxes[j * 4 + 1];
      image[d] = i;
      category[d] = di.labels[j];
      bbox[d * 4] = x1;
      bbox[d * 4 + 1] = y1;
      bbox[d * 4 + 2] = di.boxes[j * 4 + 2] - x1;
      bbox[d * 4 + 3] = di.boxes[j * 4 + 3] - y1;
      score[d] = di.scores[j];
    }
  }
  return { count, image, category, bbox, score };
}

/**
 * Evaluates a model's detections on a data set held in memory: COCO bbox metrics (pycocotools'
 * semantics, see {@linkcode evaluateCoco}) and VOC AP@0.5 (see {@linkcode evaluateVoc}).
 * `groundTruth[i]` and `detections[i]` describe the same image, in the same pixels. Difficult boxes
 * are crowd/ignored for COCO (as mmdetection's VOC→COCO conversion does) and "difficult" for VOC.
 *
 * @example
 * ```ts
 * import { evaluateDetections } from "./detections.ts";
 * const m = evaluateDetections(
 *   [{ boxes: new Float32Array([10, 10, 60, 60]), labels: new Int32Array([0]) }],
 *   [{ boxes: new Float32Array([10, 10, 60, 60]), scores: new Float32Array([0.9]), labels: new Int32Array([0]) }],
 *   2,
 *   ["cat", "dog"],
 * );
 * console.log(m.coco.stats[0].toFixed(3), m.vocMap50.toFixed(3), m.coco.perCategory.dog.AP); // 1.000 1.000 -1
 * ```
 */
export function evaluateDetections(
  groundTruth: readonly EvalImage[],
  detections: readonly Detections[],
  numClasses: number,
  classNames?: readonly string[],
): DetectionMetrics {
  const { gt, dt } = cocoTablesFromDetections(groundTruth, detections, numClasses, classNames);
  const coco = evaluateCoco(gt, dt);
  const voc = evaluateVoc(groundTruth, detections, numClasses);
  return {
    coco,
    vocMap50: voc.map07,
    vocAp50PerClass: voc.ap07,
    vocMap50Area: voc.mapArea,
    vocAp50AreaPerClass: voc.apArea,
  };
}
