/**
 * The FCOS training loss of torchvision 0.14 (`FCOS.compute_loss` + `FCOSHead.compute_loss`):
 * target assignment on the CPU, then the three loss terms as differentiable tfjs ops over the head
 * outputs.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { FcosError } from "../errors.ts";
import type { AnchorGrid, HeadOutputs, ImageTargets } from "../model/types.ts";
import { buildDenseTargets, DEFAULT_CENTER_SAMPLING_RADIUS } from "./targets.ts";
import { binaryCrossEntropyWithLogits, generalizedBoxIouLoss, sigmoidFocalLoss } from "./losses.ts";

/** Options of {@linkcode fcosLoss}. */
export interface FcosLossOptions {
  /** torchvision's `center_sampling_radius`, in anchor sizes (default 1.5). */
  centerSamplingRadius?: number;
}

/** The three FCOS loss terms (each already divided by max(1, numPositives)). */
export interface FcosLosses {
  /** Sigmoid focal loss (α 0.25, γ 2) over all locations and classes. */
  classification: tf.Scalar;
  /** GIoU loss of the decoded boxes of positive locations. */
  bboxRegression: tf.Scalar;
  /** Centerness BCE-with-logits of positive locations. */
  bboxCtrness: tf.Scalar;
  /** Positive (matched) locations over the whole batch. */
  numPositives: number;
}

/**
 * Computes torchvision's FCOS losses for a batch. Gradients flow to the three head outputs, so it
 * can be called inside `tf.variableGrads` / `tf.grads`; every intermediate tensor is disposed.
 *
 * Semantics (torchvision 0.14): each location is matched by `assignTargets` (targets.ts); the
 * classification loss is the summed sigmoid focal loss against one-hot targets of the matched
 * class (all zeros for background); the regression loss is the summed GIoU loss between the boxes
 * decoded with `BoxLinearCoder(normalize_by_size=True)` (anchor centre ∓/± regression·anchorSize)
 * and the matched GT boxes of the positives; the centerness loss is the summed BCE-with-logits of
 * the positives against the centerness of the encoded GT box. Each is divided by
 * max(1, positives in the batch).
 *
 * @param head raw head outputs: clsLogits [N, L, C], bboxRegression [N, L, 4], bboxCtrness [N, L].
 * @param grid anchors of the padded batch (L locations).
 * @param targets N images' ground truth, boxes in padded-batch pixels.
 * @param options centre-sampling radius.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { makeAnchorGrid } from "./anchors.ts";
 * import { fcosLoss } from "./fcos_loss.ts";
 * const grid = makeAnchorGrid([64, 64], [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]]);
 * const L = grid.anchors.length / 4;
 * const clsLogits = tf.zeros([1, L, 3]) as tf.Tensor3D;
 * const bboxRegression = tf.ones([1, L, 4]) as tf.Tensor3D;
 * const bboxCtrness = tf.zeros([1, L]) as tf.Tensor2D;
 * const targets = [{ boxes: new Float32Array([10, 10, 30, 30]), labels: new Int32Array([1]) }];
 * const { value, grads } = tf.variableGrads(() => {
 *   const l = fcosLoss({ clsLogits, bboxRegression, bboxCtrness }, grid, targets);
 *   return l.classification.add(l.bboxRegression).add(l.bboxCtrness) as tf.Scalar;
 * }, []);
 * value.print();
 * ```
 */
export function fcosLoss(
  head: HeadOutputs,
  grid: AnchorGrid,
  targets: ImageTargets[],
  options: FcosLossOptions = {},
): FcosLosses {
  const { clsLogits, bboxRegression, bboxCtrness } = head;
  const numLoc = grid.anchors.length / 4;
  const n = targets.length;
  if (clsLogits.rank !== 3) {
    throw new FcosError(`fcosLoss: clsLogits must be [N, L, C], got [${clsLogits.shape}]`);
  }
  const numClasses = clsLogits.shape[2];
  const expect = (name: string, t: tf.Tensor, shape: number[]) => {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new FcosError(
        `fcosLoss: ${name} must be [${shape}] (N=${n} images, L=${numLoc} ` +
          `locations), got [${t.shape}]`,
      );
    }
  };
  expect("clsLogits", clsLogits, [n, numLoc, numClasses]);
  expect("bboxRegression", bboxRegression, [n, numLoc, 4]);
  expect("bboxCtrness", bboxCtrness, [n, numLoc]);

  const dense = buildDenseTargets(
    grid,
    targets,
    options.centerSamplingRadius ?? DEFAULT_CENTER_SAMPLING_RADIUS,
    numClasses,
  );
  const normalizer = Math.max(1, dense.numPositives);

  // Per-location anchor geometry for the decode: centres [L, 4] = (cx, cy, cx, cy) and signed
  // sizes [L, 4] = (−w, −h, w, h), so that box = centre + regression·signedSize, which is
  // torchvision's `ctr ∓ rel·size` bit for bit.
  const a = grid.anchors;
  const centres = new Float32Array(numLoc * 4);
  const signedSizes = new Float32Array(numLoc * 4);
  for (let i = 0; i < numLoc; i++) {
    const cx = Math.fround(0.5 * Math.fround(a[4 * i] + a[4 * i + 2]));
    const cy = Math.fround(0.5 * Math.fround(a[4 * i + 1] + a[4 * i + 3]));
    const w = a[4 * i + 2] - a[4 * i], h = a[4 * i + 3] - a[4 * i + 1];
    centres.set([cx, cy, cx, cy], 4 * i);
    signedSizes.set([-w, -h, w, h], 4 * i);
  }

  const losses = tf.tidy(() => {
    const fg = tf.tensor2d(dense.foreground, [n, numLoc]); // [N, L]

    // Classification: one-hot of the matched class ([N, L, C]; oneHot gives zeros for −1).
    const onehot = tf.oneHot(tf.tensor2d(dense.classes, [n, numLoc], "int32"), numClasses);
    const classification = sigmoidFocalLoss(clsLogits, onehot).div(normalizer);

    // Regression: GIoU of decoded boxes, masked to positives. Background locations carry their
    // anchor box as target, which keeps every term finite so that the mask zeroes their gradient.
    const predBoxes = bboxRegression.mul(tf.tensor2d(signedSizes, [numLoc, 4])).add(
      tf.tensor2d(centres, [numLoc, 4]),
    ); // [N, L, 4]
    const gtBoxes = tf.tensor3d(dense.boxes, [n, numLoc, 4]);
    const giou = generalizedBoxIouLoss(predBoxes, gtBoxes); // [N, L]
    const bboxRegressionLoss = giou.mul(fg).sum().div(normalizer);

    // Centerness: BCE-with-logits against the encoded GT's centerness, masked to positives.
    const ctrTargets = tf.tensor2d(dense.ctrness, [n, numLoc]);
    const bce = binaryCrossEntropyWithLogits(bboxCtrness, ctrTargets); // [N, L]
    const bboxCtrnessLoss = bce.mul(fg).sum().div(normalizer);

    return {
      classification: classification as tf.Scalar,
      bboxRegression: bboxRegressionLoss as tf.Scalar,
      bboxCtrness: bboxCtrnessLoss as tf.Scalar,
    };
  });
  return { ...losses, numPositives: dense.numPositives };
}
