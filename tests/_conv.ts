/** Running the conv gradient kernels directly, for the kernel tests. */
import { tf } from "../src/tf.ts";

/** Conv padding as tfjs takes it. */
export type Pad = "same" | "valid" | tf.backend_util.ExplicitPadding;

/**
 * [dW, dx] of `conv2d(x, w, strides, pad)` (NHWC, HWIO) for the incoming gradient `dy`, from the
 * `Conv2DBackpropFilter` and `Conv2DBackpropInput` kernels of the active backend.
 */
export function convGradients(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  dy: tf.Tensor,
  strides: number,
  pad: Pad,
): [tf.Tensor, tf.Tensor] {
  const attrs = { strides, pad, dataFormat: "NHWC" };
  const dw = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
    ...attrs,
    filterShape: w.shape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  const dx = tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, {
    ...attrs,
    inputShape: x.shape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  return [dw, dx];
}
