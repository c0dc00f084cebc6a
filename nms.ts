/**
 * Non-maximum suppression and FCOS decoding on typed arrays, without tfjs: torchvision's `nms` and
 * `batched_nms` (the same kept indices in the same order, including `batched_nms`'s float32
 * coordinate offset trick), and `FCOS.postprocess_detections` (score threshold, per-level top-k,
 * box decoding, clipping, batched NMS) on one image's head outputs. For NMS on tfjs tensors on the
 * GPU, see `WebGpuNms` in the package root.
 *
 * @example Suppress overlapping boxes of one class, then per class
 * ```ts
 * import { batchedNms, nms } from "jsr:@fcos/fcos/nms";
 *
 * const boxes = new Float32Array([0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30]); // N×4 (x1, y1, x2, y2)
 * const scores = new Float32Array([0.9, 0.8, 0.7]);
 * console.log(nms(boxes, scores, 0.5)); // Int32Array [0, 2]: box 1 overlaps box 0 (IoU 0.68)
 * console.log(batchedNms(boxes, scores, new Int32Array([0, 1, 0]), 0.5)); // Int32Array [0, 1, 2]
 * ```
 *
 * @module
 */

export { batchedNms, nms, type NmsOptions } from "./src/decode/nms.ts";
export {
  decodeDetections,
  type DecodeInput,
  type DecodeOptions,
  DEFAULT_DECODE_OPTIONS,
} from "./src/decode/decode.ts";
export type { Detections } from "./src/model/detections.ts";
export { FcosError } from "./src/errors.ts";
