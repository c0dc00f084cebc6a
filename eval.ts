/**
 * Detection metrics without tfjs: COCO bbox evaluation with pycocotools' semantics (the same 12
 * numbers as `COCOeval.summarize()`), PASCAL VOC AP@0.5, and the readers of COCO ground truth and
 * results files. Nothing here loads tfjs or any npm package, so a script that only scores
 * detections starts at once and needs only `--allow-read`.
 *
 * @example Score a COCO results file, as pycocotools' `COCOeval(gt, gt.loadRes(dt), "bbox")` does
 * ```ts ignore
 * import { evaluateCoco, formatCocoSummary, readCocoGroundTruth, readCocoResults } from "jsr:@fcos/fcos/eval";
 *
 * const gt = await readCocoGroundTruth("instances_val2017.json");
 * const dt = await readCocoResults("detections.json", gt);
 * const result = evaluateCoco(gt, dt);
 * console.log(formatCocoSummary(result.stats)); // the 12-line summary; result.stats[0] is AP
 * ```
 *
 * @module
 */

export {
  COCO_STAT_NAMES,
  type CocoCategoryStats,
  type CocoDetections,
  type CocoEvaluation,
  type CocoGroundTruth,
  type CocoId,
  type CocoStats,
  evaluateCoco,
  formatCocoSummary,
  parseCocoGroundTruth,
  parseCocoResults,
  readCocoGroundTruth,
  readCocoResults,
} from "./src/eval/coco.ts";
export { type DetectionMetrics, evaluateDetections } from "./src/eval/detections.ts";
export type { EvalImage } from "./src/eval/inputs.ts";
export {
  evaluateVoc,
  formatVocSummary,
  vocAveragePrecision,
  type VocResult,
} from "./src/eval/voc.ts";
export type { Detections } from "./src/model/detections.ts";
export { FcosError } from "./src/errors.ts";
