/**
 * pycocotools' default `Params` for `iouType="bbox"`: IoU and recall thresholds (numpy's
 * `linspace` values bit for bit), area ranges, maxDets, and the names of the 12 summary numbers.
 * Re-exported by `coco.ts`; kept apart so that the evaluation steps can import them without a
 * cycle.
 *
 * @module
 */

/** `numpy.linspace(start, stop, num)` value for value: `i·step + start`, last = `stop`. */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** pycocotools' IoU thresholds `np.linspace(.5, .95, 10)` (bit-identical values). */
export const COCO_IOU_THRESHOLDS: Float64Array = linspace(0.5, 0.95, 10);
/** pycocotools' recall thresholds `np.linspace(0, 1, 101)` (bit-identical values). */
export const COCO_RECALL_THRESHOLDS: Float64Array = linspace(0, 1, 101);
/** pycocotools' area ranges [lo, hi] (both bounds inclusive): all, small, medium, large. */
export const COCO_AREA_RANGES: readonly (readonly [number, number])[] = [
  [0, 1e10],
  [0, 32 * 32],
  [32 * 32, 96 * 96],
  [96 * 96, 1e10],
];
/** Labels of {@linkcode COCO_AREA_RANGES}. */
export const COCO_AREA_LABELS: readonly string[] = ["all", "small", "medium", "large"];
/** pycocotools' maxDets: detections per image and category kept for AP/AR. */
export const COCO_MAX_DETS: readonly number[] = [1, 10, 100];
/** Names of the 12 summary numbers, in pycocotools' order. */
export const COCO_STAT_NAMES: readonly string[] = [
  "AP",
  "AP50",
  "AP75",
  "APs",
  "APm",
  "APl",
  "AR1",
  "AR10",
  "AR100",
  "ARs",
  "ARm",
  "ARl",
];
