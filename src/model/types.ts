/**
 * Shared shapes of the FCOS model's outputs and anchor grid, used by the model, the losses, the
 * decoder and the trainer. Layout conventions (everywhere in this project):
 * - image batches are NHWC float32 tensors; conv filters are HWIO (tfjs); parameter names are
 *   torchvision's (`backbone.body.layer1.0.conv1.weight`, …) so weights round-trip with PyTorch;
 * - "locations" of one image are ordered level by level (P3…P7), then row-major (y, x) inside a
 *   level, exactly as torchvision flattens its head outputs; `L` is their total count;
 * - boxes are (x1, y1, x2, y2) in pixels of the resized (pre-padding) image unless said otherwise.
 *
 * @module
 */
import type { Tensor2D, Tensor3D } from "../tensor.ts";

// Detections live apart, free of tfjs types, so that the eval and nms entry points load no tfjs.
export type { Detections } from "./detections.ts";

/** Raw head outputs for a batch of N images with L locations each and C classes. */
export interface HeadOutputs {
  /** [N, L, C] classification logits. */
  clsLogits: Tensor3D;
  /** [N, L, 4] (l, t, r, b) ≥ 0 (after ReLU), in units of each location's anchor size. */
  bboxRegression: Tensor3D;
  /** [N, L] centerness logits. */
  bboxCtrness: Tensor2D;
}

/** The FCOS anchor grid of a padded batch (identical for every image in it). */
export interface AnchorGrid {
  /**
   * L×4 anchors (x1, y1, x2, y2), torchvision's `AnchorGenerator` with one square anchor per
   * location: the centre is (x·strideW, y·strideH) with stride = paddedSize // featureSize, and the
   * side is the level's anchor size (8, 16, 32, 64, 128 by default).
   */
  anchors: Float32Array;
  /** Locations per level (H_l·W_l), P3 first. */
  numAnchorsPerLevel: number[];
  /** Feature map size [H_l, W_l] of each level. */
  levelShapes: [number, number][];
  /** Padded batch size [H, W] the grid was built for. */
  paddedSize: [number, number];
}

/** Ground truth of one image, in resized-image pixels. */
export interface ImageTargets {
  /** K×4 boxes (x1, y1, x2, y2). */
  boxes: Float32Array;
  /** K class indices in [0, numClasses). */
  labels: Int32Array;
}
