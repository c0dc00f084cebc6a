/**
 * Gradients that tfjs-core 4.22 has no gradient function for, although FCOS training meets them
 * (on every backend): `StridedSlice`, and the comparison / logical ops whose boolean outputs feed
 * `tf.where` (their gradient is zero; without one the tape throws "gradient function not found for
 * Greater" as soon as a `where` condition depends on a trained tensor). Also the cpu backend's
 * nearest-neighbour resize gradient, which is wrong for batch > 1.
 *
 * @module
 */
// tfjs straight from its package, not via ../tf.ts (the same module instance): src/tf.ts imports
// this module to register its kernels, and importing ../tf.ts back would make a cycle in which a
// program that imports this module first reaches the registration before this module has run.
import * as tf from "@tensorflow/tfjs-core";

/** Comparison kernels with inputs `a`, `b` and a boolean output: gradient zero. */
const BINARY_PREDICATES = [
  "Equal",
  "NotEqual",
  "Greater",
  "GreaterEqual",
  "Less",
  "LessEqual",
  "LogicalAnd",
  "LogicalOr",
];
/** Unary kernels with input `x` whose output carries no gradient. */
const UNARY_PREDICATES = [
  "LogicalNot",
  "IsNan",
  "IsInf",
  "IsFinite",
  "Sign",
  "Floor",
  "Ceil",
  "Round",
];

/** Attributes of tfjs's StridedSlice kernel. */
export interface StridedSliceAttrs {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
}

/**
 * The gradient of a strided slice: dy scattered back to the positions it was read from, zeros
 * elsewhere. Per axis with stride s > 1, dy is spread with (s − 1) zeros between samples
 * (reshape to [pre, m, 1, post], pad, reshape), then padded to the input's extent. Negative strides
 * are turned positive by reversing dy along that axis.
 */
function stridedSliceGrad(dy: tf.Tensor, x: tf.Tensor, attrs: StridedSliceAttrs): tf.Tensor {
  const info = tf.slice_util.sliceInfo(
    x.shape,
    attrs.begin,
    attrs.end,
    attrs.strides,
    attrs.beginMask,
    attrs.endMask,
    attrs.ellipsisMask,
    attrs.newAxisMask,
    attrs.shrinkAxisMask,
  );
  const rank = x.shape.length;
  // Per input axis: the number of elements read (m), the first position and a positive stride.
  const m: number[] = [];
  const first: number[] = [];
  const step: number[] = [];
  const reverseAxes: number[] = [];
  for (let i = 0; i < rank; i++) {
    const b = info.begin[i];
    const e = info.end[i];
    const s = info.strides[i];
    const len = s > 0 ? e - b : b - e;
    const mi = len <= 0 ? 0 : Math.ceil(len / Math.abs(s));
    m.push(mi);
    if (s > 0) {
      first.push(b);
      step.push(s);
    } else {
      first.push(b + (mi - 1) * s);
      step.push(-s);
      reverseAxes.push(i);
    }
  }
  if (m.some((v) => v === 0)) return tf.zerosLike(x);
  return tf.tidy(() => {
    let g = tf.reshape(dy, m); // the processing shape: new axes dropped, shrunk axes back as 1
    if (reverseAxes.length > 0) g = tf.reverse(g, reverseAxes);
    // One axis at a time ([pre, m, 1, post] → pad → [pre, m·s, post]): wasm's pad (XNNPACK)
    // takes at most 6 dimensions.
    for (let i = 0; i < rank; i++) {
      if (step[i] === 1) continue;
      const pre = g.shape.slice(0, i).reduce((a, v) => a * v, 1);
      const post = g.shape.slice(i + 1).reduce((a, v) => a * v, 1);
      const spread = tf.pad(tf.reshape(g, [pre, m[i], 1, post]), [[0, 0], [0, 0], [
        0,
        step[i] - 1,
      ], [0, 0]]);
      const shape = g.shape.slice();
      shape[i] = m[i] * step[i];
      g = tf.reshape(spread, shape);
    }
    // Now g[i] covers input positions [first, first + m·step); crop what runs past the end.
    const extent = m.map((v, i) => Math.min(v * step[i], x.shape[i] - first[i]));
    if (extent.some((v, i) => v !== g.shape[i])) g = tf.slice(g, g.shape.map(() => 0), extent);
    const pads = extent.map((v, i) => [first[i], x.shape[i] - first[i] - v] as [number, number]);
    return pads.some(([a, b]) => a !== 0 || b !== 0) ? tf.pad(g, pads) : g;
  });
}

/** The source pixel along one axis of tfjs's nearest-neighbour resize, for each output index. */
function nearestSources(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Int32Array {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effIn / effOut;
  const out = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const frac = halfPixelCenters ? ratio * (o + 0.5) : ratio * o;
    let i = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    if (halfPixelCenters) i = Math.max(0, i);
    out[o] = i;
  }
  return out;
}

/**
 * cpu's `ResizeNearestNeighborGrad` is wrong for batch > 1 (tfjs-backend-cpu 4.22; the FPN's
 * top-down path uses this op): the adjoint of tfjs's forward, each dy added to its source pixel.
 */
function resizeNearestNeighborGradCpu(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const { images, dy } = args.inputs as { images: tf.TensorInfo; dy: tf.TensorInfo };
  const { alignCorners, halfPixelCenters } = args.attrs as {
    alignCorners: boolean;
    halfPixelCenters: boolean;
  };
  const backend = args.backend as {
    data: { get(id: unknown): { values: Float32Array } };
    makeTensorInfo(shape: number[], dtype: "float32", values: Float32Array): tf.TensorInfo;
  };
  const [n, ih, iw, c] = images.shape;
  const [, oh, ow] = dy.shape;
  const rows = nearestSources(ih, oh, alignCorners, halfPixelCenters);
  const cols = nearestSources(iw, ow, alignCorners, halfPixelCenters);
  const g = backend.data.get(dy.dataId).values;
  const dx = new Float32Array(n * ih * iw * c);
  let i = 0;
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      for (let q = 0; q < ow; q++) {
        const base = ((b * ih + rows[r]) * iw + cols[q]) * c;
        for (let d = 0; d < c; d++) dx[base + d] += g[i++];
      }
    }
  }
  return backend.makeTensorInfo(images.shape, "float32", dx);
}

let registered = false;

/**
 * Registers the gradient functions tfjs-core lacks that FCOS training may meet: `StridedSlice`
 * (`tf.stridedSlice` with any strides, masks or negative steps) and a zero gradient for the
 * comparison / logical / rounding kernels (`Greater`, `Less`, `Equal`, `LogicalAnd`, `Floor`, …),
 * so that `tf.where(tf.greater(a, b), …)` on trained tensors can be differentiated; and replaces the
 * cpu backend's `ResizeNearestNeighborGrad`, wrong for batch > 1. Idempotent; a gradient already
 * registered (by tfjs or anyone else) is kept. Backend independent; `initBackend`
 * calls it.
 *
 * @example
 * ```ts
 * import { registerMissingGradients } from "./gradients.ts";
 * // tfjs straight from its package, not via ../tf.ts (the same module instance): src/tf.ts imports
// this module to register its kernels, and importing ../tf.ts back would make a cycle in which a
// program that imports this module first reaches the registration before this module has run.
import * as tf from "@tensorflow/tfjs-core";
 * registerMissingGradients();
 * const g = tf.grad((x: tf.Tensor) => tf.sum(tf.stridedSlice(x, [1], [6], [2])))(tf.zeros([6]));
 * console.log(Array.from(await g.data())); // [0, 1, 0, 1, 0, 1]
 * ```
 */
export function registerMissingGradients(): void {
  if (registered) return;
  registered = true;
  const add = (config: tf.GradConfig) => {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  };
  for (const kernelName of BINARY_PREDICATES) {
    add({
      kernelName,
      inputsToSave: ["a", "b"],
      gradFunc: (_dy, saved) => ({
        a: () => tf.zerosLike(saved[0]).toFloat(),
        b: () => tf.zerosLike(saved[1]).toFloat(),
      }),
    });
  }
  for (const kernelName of UNARY_PREDICATES) {
    add({
      kernelName,
      inputsToSave: ["x"],
      gradFunc: (_dy, saved) => ({ x: () => tf.zerosLike(saved[0]).toFloat() }),
    });
  }
  const cpuNearestGrad = tf.getKernel("ResizeNearestNeighborGrad", "cpu");
  if (cpuNearestGrad !== undefined) tf.unregisterKernel("ResizeNearestNeighborGrad", "cpu");
  tf.registerKernel({
    kernelName: "ResizeNearestNeighborGrad",
    backendName: "cpu",
    kernelFunc: resizeNearestNeighborGradCpu as tf.KernelFunc,
    setupFunc: cpuNearestGrad?.setupFunc,
  });
  add({
    kernelName: "StridedSlice",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => ({
      x: () => stridedSliceGrad(dy as tf.Tensor, saved[0], attrs as unknown as StridedSliceAttrs),
    }),
  });
}
