/**
 * The three FCOS loss terms as differentiable tfjs ops (torchvision semantics), written to run over
 * every location with a foreground mask instead of gathering positives: a gather's gradient is
 * `UnsortedSegmentSum`, which tfjs' cpu backend runs as one op per segment and wasm lacks, while the
 * masked form costs a handful of elementwise kernels over [N, L].
 *
 * @module
 */
import { tf } from "../tf.ts";
import { FcosError } from "../errors.ts";

/**
 * Sums a tensor in two stages (innermost axis first): float32 backends that accumulate naively
 * (wasm) lose ~1e-4 relative on 10⁵–10⁶ terms in one pass; per-row sums first keep it ~1e-6.
 */
export function sumTwoStage(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => (x.rank > 1 ? x.sum(-1).sum() : x.sum()) as tf.Scalar);
}

/**
 * Sigmoid focal loss of torchvision (`ops.sigmoid_focal_loss`), summed, for binary targets:
 * `ce·(1 − p_t)^γ·α_t` with `ce = BCEWithLogits(x, t)`, `p_t = p·t + (1 − p)(1 − t)`,
 * `α_t = α·t + (1 − α)(1 − t)`.
 *
 * With t ∈ {0, 1} and `s = x·(1 − 2t)`, `ce = softplus(s)` and `1 − p_t = sigmoid(s)`, which is the
 * numerically stable form used here (no `log(sigmoid)` and no `1 − p` cancellation). The gradient
 * is fused (`tf.customGrad`): `∂/∂x = (1 − 2t)·α_t·σ(s)^γ·(σ(s) + γ·softplus(s)·(1 − σ(s)))`,
 * reusing the forward's sigmoid and softplus; it keeps a handful of [N, L, C] buffers instead of
 * autograd's dozen, and avoids the cpu backend's slow broadcast in the gradient of `sum`.
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
 * await tf.setBackend("cpu");
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
    const sign = tf.scalar(1).sub(t.mul(tf.scalar(2))); // 1 − 2t: +1 negatives, −1 positives
    // α·t + (1 − α)(1 − t) = (1 − α) + (2α − 1)·t; [] shaped scalars keep cpu's fast path.
    const alphaT = alpha >= 0 ? tf.scalar(1 - alpha).add(t.mul(tf.scalar(2 * alpha - 1))) : null;
    return focalCore(logits, sign, alphaT, alphaT ? sign.mul(alphaT) : sign, gamma);
  });
}

/**
 * {@linkcode sigmoidFocalLoss} against one-hot targets given as class indices: the targets of
 * row r (the last axis holds the C classes) are 1 at `classes[r]` and 0 elsewhere (all 0 when
 * `classes[r] < 0`). The per-element constants are built with typed arrays instead of half a dozen
 * tensor ops over the [..., C] logits.
 *
 * @param logits [..., C] logits.
 * @param classes [rows] class index per row (−1: background), rows = logits.size / C.
 * @param alpha weight of positives (0.25); negative disables it.
 * @param gamma focusing exponent (2).
 * @returns scalar sum over all elements.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { sigmoidFocalLossOneHot } from "./losses.ts";
 * await tf.setBackend("cpu");
 * const l = sigmoidFocalLossOneHot(tf.zeros([2, 3]), new Int32Array([1, -1]));
 * l.print(); // (5·0.75 + 0.25)·0.25·ln 2
 * ```
 */
export function sigmoidFocalLossOneHot(
  logits: tf.Tensor,
  classes: Int32Array,
  alpha = 0.25,
  gamma = 2,
): tf.Scalar {
  const numClasses = logits.shape[logits.rank - 1];
  if (classes.length * numClasses !== logits.size) {
    throw new FcosError(
      `sigmoidFocalLossOneHot: ${classes.length} class indices for logits of shape [${logits.shape}]`,
    );
  }
  const sign = new Float32Array(logits.size).fill(1);
  const alphaT = new Float32Array(logits.size).fill(1 - alpha);
  for (let r = 0; r < classes.length; r++) {
    const c = classes[r];
    if (c < 0) continue;
    if (c >= numClasses) {
      throw new FcosError(`sigmoidFocalLossOneHot: class ${c} at row ${r} ≥ ${numClasses}`);
    }
    sign[r * numClasses + c] = -1;
    alphaT[r * numClasses + c] = alpha;
  }
  const weight = new Float32Array(logits.size);
  for (let k = 0; k < weight.length; k++) weight[k] = alpha >= 0 ? sign[k] * alphaT[k] : sign[k];
  return tf.tidy(() =>
    focalCore(
      logits,
      tf.tensor(sign, logits.shape),
      alpha >= 0 ? tf.tensor(alphaT, logits.shape) : null,
      tf.tensor(weight, logits.shape),
      gamma,
    )
  );
}

/**
 * Focal loss sum with its fused gradient, given s's sign (1 − 2t), α_t (or null) and the gradient
 * weight (1 − 2t)·α_t: `∂/∂x = weight·σ(s)^γ·(σ(s) + γ·softplus(s)·(1 − σ(s)))`.
 */
function focalCore(
  logits: tf.Tensor,
  sign: tf.Tensor,
  alphaT: tf.Tensor | null,
  gradWeight: tf.Tensor,
  gamma: number,
): tf.Scalar {
  const power = (v: tf.Tensor) =>
    gamma === 2 ? tf.square(v) : gamma === 1 ? v : tf.pow(v, tf.scalar(gamma));
  const focal = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const s = x.mul(sign);
    const sg = tf.sigmoid(s); // 1 − p_t
    const sp = tf.softplus(s); // ce
    let perElement = sp.mul(power(sg));
    if (alphaT) perElement = perElement.mul(alphaT);
    save([sg, sp, gradWeight]);
    return {
      value: sumTwoStage(perElement),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sgS, spS, weightS] = saved;
        const inner = spS.mul(tf.scalar(1).sub(sgS)).mul(tf.scalar(gamma)).add(sgS);
        // dy is a [] scalar, so this multiply stays elementwise.
        return inner.mul(power(sgS)).mul(weightS).mul(dy.reshape([]));
      },
    };
  });
  return tf.tidy(() => focal(logits) as tf.Scalar);
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
 * await tf.setBackend("cpu");
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
 * await tf.setBackend("cpu");
 * const l = generalizedBoxIouLoss(tf.tensor2d([[0, 0, 2, 2]]), tf.tensor2d([[1, 1, 3, 3]]));
 * l.print(); // [1.0794] (IoU 1/7, enclosing 9)
 * ```
 */
export function generalizedBoxIouLoss(boxes1: tf.Tensor, boxes2: tf.Tensor, eps = 1e-7): tf.Tensor {
  return tf.tidy(() => {
    const axis = boxes1.rank - 1;
    const [x1, y1, x2, y2] = tf.unstack(boxes1, axis);
    const [x1g, y1g, x2g, y2g] = tf.unstack(boxes2, axis);
    return generalizedBoxIouLossPlanar([x1, y1, x2, y2], [x1g, y1g, x2g, y2g], eps);
  });
}

/** Four same-shaped tensors x1, y1, x2, y2 of a set of boxes ("planar" layout). */
export type PlanarBoxes = [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];

/**
 * {@linkcode generalizedBoxIouLoss} on boxes given as four coordinate tensors of one shape. The
 * planar layout keeps every op elementwise on equal shapes: slicing the last axis of [..., 4]
 * (`Unpack`) and broadcasting are slow on tfjs' cpu backend.
 *
 * @param boxes1 predicted x1, y1, x2, y2, each [...].
 * @param boxes2 target x1, y1, x2, y2, each [...].
 * @param eps torchvision's 1e-7.
 * @returns [...] per-box loss.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { generalizedBoxIouLossPlanar } from "./losses.ts";
 * await tf.setBackend("cpu");
 * const c = (v: number) => tf.tensor1d([v]);
 * generalizedBoxIouLossPlanar([c(0), c(0), c(2), c(2)], [c(0), c(0), c(2), c(2)]).print(); // [0]
 * ```
 */
export function generalizedBoxIouLossPlanar(
  boxes1: PlanarBoxes,
  boxes2: PlanarBoxes,
  eps = 1e-7,
): tf.Tensor {
  return tf.tidy(() => {
    const [x1, y1, x2, y2] = boxes1;
    const [x1g, y1g, x2g, y2g] = boxes2;
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

/**
 * `Σ x·mask` with a fused gradient `mask·dy` (mask constant). Equivalent to
 * `x.mul(mask).sum()`, but the gradient stays elementwise (tfjs' `sum` gradient broadcasts a
 * [1, …, 1] tensor, which the cpu backend runs element by element through index arithmetic).
 *
 * @param x [...] values.
 * @param mask [...] constant weights (0/1 for a selection).
 * @returns scalar sum.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { maskedSum } from "./losses.ts";
 * await tf.setBackend("cpu");
 * maskedSum(tf.tensor1d([1, 2, 3]), tf.tensor1d([1, 0, 1])).print(); // 4
 * ```
 */
export function maskedSum(x: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [v, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([mask]);
    return {
      value: sumTwoStage(v.mul(mask)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => saved[0].mul(dy.reshape([])),
    };
  });
  return tf.tidy(() => f(x) as tf.Scalar);
}

/**
 * `Σ mask·BCEWithLogits(x, t)` (torch's `binary_cross_entropy_with_logits(reduction="sum")` over
 * the selected elements), with the fused gradient `mask·(sigmoid(x) − t)·dy`.
 *
 * @param logits [...] logits x.
 * @param targets [...] constant targets t in [0, 1].
 * @param mask [...] constant 0/1 selection.
 * @returns scalar sum.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { maskedBceWithLogitsSum } from "./losses.ts";
 * await tf.setBackend("cpu");
 * const l = maskedBceWithLogitsSum(tf.tensor1d([0, 5]), tf.tensor1d([1, 0]), tf.tensor1d([1, 0]));
 * l.print(); // ln 2
 * ```
 */
export function maskedBceWithLogitsSum(
  logits: tf.Tensor,
  targets: tf.Tensor,
  mask: tf.Tensor,
): tf.Scalar {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const value = sumTwoStage(binaryCrossEntropyWithLogits(x, targets).mul(mask));
    save([tf.sigmoid(x).sub(targets).mul(mask)]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => saved[0].mul(dy.reshape([])),
    };
  });
  return tf.tidy(() => f(logits) as tf.Scalar);
}
