/** Running the conv gradient kernels directly, for the kernel tests. */
import { tf } from "../src/tf.ts";
import { assertEquals } from "../src/std.ts";

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

/**
 * SHA-256 (hex) of a conv's output and both gradients on a shape large enough for threaded GEMMs
 * (4×24×24×96 → 128, 3×3), seeded, on the active backend.
 */
export async function largeConvDigest(): Promise<string> {
  const outs = tf.tidy(() => {
    const x = tf.randomUniform([4, 24, 24, 96], -1, 1, "float32", 21) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 96, 128], -1, 1, "float32", 22) as tf.Tensor4D;
    const y = tf.conv2d(x, w, 1, "same");
    return [y, ...convGradients(x, w, tf.randomUniform(y.shape, -1, 1, "float32", 23), 1, "same")];
  });
  const parts = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outs);
  return await floatsDigest(parts);
}

/** SHA-256 (hex) of the bytes of `parts`, one after the other. */
export async function floatsDigest(parts: Float32Array[]): Promise<string> {
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const digest = await crypto.subtle.digest("SHA-256", all);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Largest |a − b| relative to max(1, largest |b|), over all outputs (NaN counts as ∞). */
export function relDiff(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  assertEquals(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    assertEquals(a[i].length, b[i].length, `output ${i}: length`);
    let scale = 1;
    for (let j = 0; j < b[i].length; j++) scale = Math.max(scale, Math.abs(b[i][j]));
    for (let j = 0; j < a[i].length; j++) {
      const d = Math.abs(a[i][j] - b[i][j]) / scale;
      if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
    }
  }
  return worst;
}

/** Data ids the wasm backend holds (tensors and kernel intermediates). */
export function wasmDataIds(): number {
  return (tf.findBackend("wasm") as unknown as { numDataIds(): number }).numDataIds();
}
