/**
 * The three FCOS loss terms as differentiable tfjs ops (torchvision semantics), written to run over
 * every location with a foreground mask instead of gathering positives: a gather's gradient is
 * `UnsortedSegmentSum`, which tfjs' cpu backend runs as one op per segment and wasm lacks, while the
 * masked form costs a handful of elementwise kernels over [N, L].
 *
 * @module
 */
import { tf } from "../tf.ts";

/**
 * Sigmoid focal loss of torchvision (`ops.sigmoid_focal_loss`), summed, for binary targets:
 * `ce·(1 − p_t)^γ·α_t` with `ce = BCEWithLogits(x, t)`, `p_t = p·t + (1 − p)(1 − t)`,
 * `α_t = α·t + (1 − α)(1 − t)`.
 *
 * With t ∈ {0, 1} and `s = x·(1 − 2t)`, `ce = softplus(s)` and `1 − p_t = sigmoid(s)`, which is the
 * numerically stable form used here (no `log(sigmoid)` and no `1 − p` cancellation).
 *
 * @param logits [...] logits x.
 * @param targets [...] (same shape) 0/1 targets t; soft targets are not supported.
 * @param alpha weight of positives (0.25); a negative value disables α weighting like torch.
 * @param gamma focusing exponent (2).
 * @returns scalar sum over all elements.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { sigmoidFocalLoss } from "./losses.ts";
 * const loss = sigmoidFocalLoss(tf.tensor1d([2, -1]), tf.tensor1d([1, 0]));
 * loss.print();
 * ```
 */
export function sigmoidFocalLoss(
  logits: tf.Tensor,
  targets: tf.Tensor,
  alpha = 0.25,
  gamma = 2,
): tf.Scalar {
  return tf.tidy(() => {
    const t = targets.toFloat();
    const sign = tf.scalar(1).sub(t.mul(2)); // 1 − 2t: +1 for negatives, −1 for positives
    const s = logits.mul(sign);
    const oneMinusPt = tf.sigmoid(s);
    const modulating = gamma === 2
      ? tf.square(oneMinusPt)
      : gamma === 1
      ? oneMinusPt
      : tf.pow(oneMinusPt, gamma);
    let loss = tf.softplus(s).mul(modulating);
    if (alpha >= 0) {
      const alphaT = tf.scalar(1 - alpha).add(t.mul(2 * alpha - 1)); // α·t + (1 − α)(1 − t)
      loss = loss.mul(alphaT);
    }
    return loss.sum() as tf.Scalar;
  });
}

/**
 * Binary cross-entropy with logits, `softplus(x) − x·t`, elementwise (stable for any x).
 *
 * @param logits [...] logits x.
 * @param targets [...] targets t in [0, 1].
 * @returns [...] per-element loss.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { binaryCrossEntropyWithLogits } from "./losses.ts";
 * binaryCrossEntropyWithLogits(tf.tensor1d([0]), tf.tensor1d([1])).print(); // [0.6931]
 * ```
 */
export function binaryCrossEntropyWithLogits<T extends tf.Tensor>(
  logits: T,
  targets: tf.Tensor,
): T {
  return tf.tidy(() => tf.softplus(logits).sub(logits.mul(targets))) as T;
}

/**
 * Generalized IoU loss of torchvision (`ops.generalized_box_iou_loss`, eps 1e-7), elementwise:
 * `1 − (IoU − (C − U)/(C + eps))` with `IoU = I/(U + eps)`, C the smallest enclosing box's area.
 * Boxes are (x1, y1, x2, y2) along the last axis.
 *
 * @param boxes1 [..., 4] predicted boxes.
 * @param boxes2 [..., 4] target boxes.
 * @param eps torchvision's 1e-7.
 * @returns [...] per-box loss (the last axis dropped).
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { generalizedBoxIouLoss } from "./losses.ts";
 * const l = generalizedBoxIouLoss(tf.tensor2d([[0, 0, 2, 2]]), tf.tensor2d([[1, 1, 3, 3]]));
 * l.print(); // [1.0794] (IoU 1/7, enclosing 9)
 * ```
 */
export function generalizedBoxIouLoss(boxes1: tf.Tensor, boxes2: tf.Tensor, eps = 1e-7): tf.Tensor {
  return tf.tidy(() => {
    const axis = boxes1.rank - 1;
    const [x1, y1, x2, y2] = tf.unstack(boxes1, axis);
    const [x1g, y1g, x2g, y2g] = tf.unstack(boxes2, axis);
    // Intersection: torch zeroes it unless both sides are positive; relu·relu is the same value
    // and the same gradient (relu' = 0 at ≤ 0).
    const iw = tf.relu(tf.minimum(x2, x2g).sub(tf.maximum(x1, x1g)));
    const ih = tf.relu(tf.minimum(y2, y2g).sub(tf.maximum(y1, y1g)));
    const inter = iw.mul(ih);
    const area1 = x2.sub(x1).mul(y2.sub(y1));
    const area2 = x2g.sub(x1g).mul(y2g.sub(y1g));
    const union = area1.add(area2).sub(inter);
    const epsT = tf.scalar(eps);
    const iou = inter.div(union.add(epsT));
    const cw = tf.maximum(x2, x2g).sub(tf.minimum(x1, x1g));
    const ch = tf.maximum(y2, y2g).sub(tf.minimum(y1, y1g));
    const areaC = cw.mul(ch);
    const giou = iou.sub(areaC.sub(union).div(areaC.add(epsT)));
    return tf.scalar(1).sub(giou);
  });
}
