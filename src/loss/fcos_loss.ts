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
import {
  generalizedBoxIouLossPlanar,
  maskedBceWithLogitsSum,
  maskedSum,
  type PlanarBoxes,
  sigmoidFocalLossOneHot,
} from "./losses.ts";
import type { Scalar } from "../tensor.ts";

/** Options of {@linkcode fcosLoss}. */
export interface FcosLossOptions {
  /** torchvision's `center_sampling_radius`, in anchor sizes (default 1.5). */
  centerSamplingRadius?: number;
  /**
   * Divide the three terms by this instead of max(1, positives of `targets`): the micro-batches of
   * one batch share the whole batch's normaliser, so that their summed losses and gradients are
   * the whole batch's.
   */
  normalizer?: number;
}

/** The three FCOS loss terms (each already divided by max(1, numPositives)). */
export interface FcosLosses {
  /** Sigmoid focal loss (α 0.25, γ 2) over all locations and classes. */
  classification: Scalar;
  /** GIoU loss of the decoded boxes of positive locations. */
  bboxRegression: Scalar;
  /** Centerness BCE-with-logits of positive locations. */
  bboxCtrness: Scalar;
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
 * await tf.setBackend("cpu");
 * const grid = makeAnchorGrid([64, 64], [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]]);
 * const L = grid.anchors.length / 4;
 * // In training these come from the model; variables stand in for its weights here.
 * const clsLogits = tf.variable(tf.zeros([1, L, 3])) as tf.Variable<tf.Rank.R3>;
 * const bboxRegression = tf.variable(tf.ones([1, L, 4])) as tf.Variable<tf.Rank.R3>;
 * const bboxCtrness = tf.variable(tf.zeros([1, L])) as tf.Variable<tf.Rank.R2>;
 * const targets = [{ boxes: new Float32Array([10, 10, 30, 30]), labels: new Int32Array([1]) }];
 * const { value, grads } = tf.variableGrads(() => {
 *   const l = fcosLoss({ clsLogits, bboxRegression, bboxCtrness }, grid, targets);
 *   return l.classification.add(l.bboxRegression).add(l.bboxCtrness) as Scalar;
 * });
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
  const normalizer = options.normalizer ?? Math.max(1, dense.numPositives);
  if (!(normalizer > 0)) {
    throw new FcosError(`fcosLoss: normalizer must be positive, got ${normalizer}`);
  }

  // Planar [N, L] constants (no broadcasting, see generalizedBoxIouLossPlanar): the anchor centre
  // and the signed anchor size per coordinate, so that box_d = centre_d + regression_d·signed_d is
  // torchvision's `ctr ∓ rel·size` bit for bit; and the matched GT coordinates.
  const a = grid.anchors;
  const total = n * numLoc;
  const centreX = new Float32Array(total), centreY = new Float32Array(total);
  const negW = new Float32Array(total), negH = new Float32Array(total);
  const gt = [0, 1, 2, 3].map(() => new Float32Array(total));
  for (let img = 0; img < n; img++) {
    for (let i = 0; i < numLoc; i++) {
      const o = img * numLoc + i;
      centreX[o] = 0.5 * Math.fround(a[4 * i] + a[4 * i + 2]);
      centreY[o] = 0.5 * Math.fround(a[4 * i + 1] + a[4 * i + 3]);
      negW[o] = a[4 * i] - a[4 * i + 2];
      negH[o] = a[4 * i + 1] - a[4 * i + 3];
      for (let d = 0; d < 4; d++) gt[d][o] = dense.boxes[4 * o + d];
    }
  }

  const losses = tf.tidy(() => {
    const planar = (v: Float32Array) => tf.tensor2d(v, [n, numLoc]); // [N, L]
    const fg = planar(dense.foreground);
    const norm = tf.scalar(normalizer);

    // Classification: focal loss against the one-hot of the matched class (zeros for −1).
    const classification = sigmoidFocalLossOneHot(clsLogits, dense.classes).div(norm);

    // Regression: GIoU of the decoded boxes, masked to positives. Background locations carry their
    // anchor box as target, which keeps every term finite so that the mask zeroes their gradient.
    const [r0, r1, r2, r3] = tf.unstack(tf.transpose(bboxRegression, [2, 0, 1])); // 4 × [N, L]
    const cx = planar(centreX), cy = planar(centreY);
    const w = planar(negW).neg(), h = planar(negH).neg();
    const pred: PlanarBoxes = [
      r0.mul(planar(negW)).add(cx),
      r1.mul(planar(negH)).add(cy),
      r2.mul(w).add(cx),
      r3.mul(h).add(cy),
    ];
    const giou = generalizedBoxIouLossPlanar(pred, gt.map(planar) as PlanarBoxes); // [N, L]
    const bboxRegressionLoss = maskedSum(giou, fg).div(norm);

    // Centerness: BCE-with-logits against the encoded GT's centerness, masked to positives.
    const bboxCtrnessLoss = maskedBceWithLogitsSum(bboxCtrness, planar(dense.ctrness), fg).div(
      norm,
    );

    return {
      classification: classification as Scalar,
      bboxRegression: bboxRegressionLoss as Scalar,
      bboxCtrness: bboxCtrnessLoss as Scalar,
    };
  });
  return { ...losses, numPositives: dense.numPositives };
}
