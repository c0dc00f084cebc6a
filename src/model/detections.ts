/**
 * The detector's output for one image, on plain typed arrays. It lives apart from ./types.ts
 * (whose head outputs are tfjs tensors) so that the decoding, NMS and evaluation modules, and the
 * `./nms` and `./eval` entry points built on them, load no tfjs, not even its types.
 *
 * @module
 */

/** Detections of one image. */
export interface Detections {
  /** K×4 boxes (x1, y1, x2, y2). */
  boxes: Float32Array;
  /** K scores, decreasing. */
  scores: Float32Array;
  /** K class indices. */
  labels: Int32Array;
}
