/**
 * Names for the tfjs tensor types that appear in this library's public signatures (documented
 * aliases of `@tensorflow/tfjs-core`'s own classes, so the API docs stay self-contained).
 *
 * @module
 */
import type * as tfjs from "@tensorflow/tfjs-core";

/** A tfjs tensor of any rank. */
export type Tensor = tfjs.Tensor;
/** A rank-0 tfjs tensor. */
export type Scalar = tfjs.Scalar;
/** A rank-1 tfjs tensor. */
export type Tensor1D = tfjs.Tensor1D;
/** A rank-2 tfjs tensor. */
export type Tensor2D = tfjs.Tensor2D;
/** A rank-3 tfjs tensor. */
export type Tensor3D = tfjs.Tensor3D;
/** A rank-4 tfjs tensor (NHWC image batches and feature maps here). */
export type Tensor4D = tfjs.Tensor4D;
/** A mutable tfjs tensor (model weights). */
export type Variable = tfjs.Variable;
