/**
 * The chained tensor methods (`x.mul(y)`, `x.reshape(s)`, `x.toFloat()`, …) that the
 * `@tensorflow/tfjs` umbrella package installs on tfjs-core's `Tensor` class. tfjs-core declares
 * them (its `dist/public/chained_ops/*.d.ts`) but installs them only from its per-file ES module
 * build, whose extensionless imports Deno cannot load, and its bundles leave them out; so this
 * module installs the same 137 methods, with tfjs 4.22's semantics, on the one tfjs-core that
 * `../tf.ts` loads.
 *
 * @module
 */
// tfjs straight from its package, not via ../tf.ts (the same module instance): src/tf.ts imports
// this module to install the methods, and importing ../tf.ts back would make a cycle.
import * as tf from "@tensorflow/tfjs-core";
// The method types: tfjs-core's own `declare module` augmentation of `Tensor` (types only).
import type {} from "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops";

/**
 * Methods that call the tfjs op of the same name with the tensor as the first argument:
 * `x.name(...args)` is `tf.name(x, ...args)` (the list of tfjs-core 4.22's chained ops).
 */
export const SAME_NAME_OPS = [
  ..."abs acos acosh add all any argMax argMin asin asinh atan atan2 atanh avgPool".split(" "),
  ..."batchToSpaceND batchNorm broadcastTo cast ceil clipByValue conv1d conv2d".split(" "),
  ..."conv2dTranspose cos cosh cumprod cumsum depthToSpace depthwiseConv2d dilation2d".split(" "),
  ..."div divNoNan dot elu equal erf euclideanNorm exp expandDims expm1 fft floor".split(" "),
  ..."floorDiv gather greater greaterEqual ifft irfft isFinite isInf isNaN leakyRelu".split(" "),
  ..."less lessEqual localResponseNormalization log log1p logSigmoid logSoftmax".split(" "),
  ..."logSumExp logicalAnd logicalNot logicalOr logicalXor matMul max maxPool maximum".split(" "),
  ..."mean min minimum mirrorPad mod mul neg norm notEqual oneHot onesLike pad pool".split(" "),
  ..."pow prelu prod reciprocal relu relu6 reshape reverse rfft round rsqrt selu".split(" "),
  ..."separableConv2d sigmoid sign sin sinh slice softmax softplus spaceToBatchND".split(" "),
  ..."split sqrt square squaredDifference squeeze step stridedSlice sub sum tan tanh".split(" "),
  ..."tile topk transpose unique unsortedSegmentSum unstack zerosLike".split(" "),
] as const;

/** Methods that call an op of `tf.image` of the same name. */
const IMAGE_OPS = ["resizeBilinear", "resizeNearestNeighbor"] as const;

type Method = (this: tf.Tensor, ...args: never[]) => unknown;

/** The methods whose arguments are not just passed on (as tfjs-core 4.22 defines them). */
const SPECIAL: Record<string, Method> = {
  as1D(this: tf.Tensor) {
    return tf.reshape(this, [this.size]);
  },
  flatten(this: tf.Tensor) {
    return tf.reshape(this, [this.size]);
  },
  as2D(this: tf.Tensor, ...shape: number[]) {
    return tf.reshape(this, shape.slice(0, 2));
  },
  as3D(this: tf.Tensor, ...shape: number[]) {
    return tf.reshape(this, shape.slice(0, 3));
  },
  as4D(this: tf.Tensor, ...shape: number[]) {
    return tf.reshape(this, shape.slice(0, 4));
  },
  as5D(this: tf.Tensor, ...shape: number[]) {
    return tf.reshape(this, shape.slice(0, 5));
  },
  asScalar(this: tf.Tensor) {
    tf.util.assert(this.size === 1, () => "The array must have only 1 element.");
    return tf.reshape(this, []);
  },
  asType(this: tf.Tensor, dtype: tf.DataType) {
    return tf.cast(this, dtype);
  },
  toBool(this: tf.Tensor) {
    return tf.cast(this, "bool");
  },
  toFloat(this: tf.Tensor) {
    return tf.cast(this, "float32");
  },
  toInt(this: tf.Tensor) {
    return tf.cast(this, "int32");
  },
  reshapeAs(this: tf.Tensor, x: tf.Tensor) {
    return tf.reshape(this, x.shape);
  },
  concat(this: tf.Tensor, x: tf.Tensor | tf.Tensor[], axis?: number) {
    return tf.concat([this, ...(x instanceof tf.Tensor ? [x] : x)], axis);
  },
  stack(this: tf.Tensor, x: tf.Tensor | tf.Tensor[], axis?: number) {
    return tf.stack([this, ...(x instanceof tf.Tensor ? [x] : x)], axis);
  },
  where(this: tf.Tensor, condition: tf.Tensor, x: tf.Tensor) {
    return tf.where(condition, this, x);
  },
};

let installed = false;

/**
 * Installs the chained methods on tfjs-core's `Tensor` class (idempotent). Each one first throws
 * if the tensor was disposed, as tfjs's do. Importing `../tf.ts` calls it.
 *
 * @example
 * ```ts
 * import { registerChainedOps } from "./chained_ops.ts";
 * // tfjs straight from its package, not via ../tf.ts (the same module instance): src/tf.ts imports
 * // this module to install the methods, and importing ../tf.ts back would make a cycle.
 * import * as tf from "@tensorflow/tfjs-core";
 * registerChainedOps();
 * console.log(tf.tensor([1, 2, 3, 4]).reshape([2, 2]).mul(2).shape); // [2, 2]
 * ```
 */
export function registerChainedOps(): void {
  if (installed) return;
  const proto = tf.Tensor.prototype as unknown as Record<string, Method>;
  const install = (name: string, method: Method) => {
    proto[name] = function (this: tf.Tensor, ...args: never[]) {
      this.throwIfDisposed();
      return method.apply(this, args);
    };
  };
  const ops = tf as unknown as Record<string, (...a: unknown[]) => unknown>;
  const imageOps = tf.image as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of SAME_NAME_OPS) {
    install(name, function (this: tf.Tensor, ...args: never[]) {
      return ops[name](this, ...args);
    });
  }
  for (const name of IMAGE_OPS) {
    install(name, function (this: tf.Tensor, ...args: never[]) {
      return imageOps[name](this, ...args);
    });
  }
  for (const [name, method] of Object.entries(SPECIAL)) install(name, method);
  installed = true;
}
