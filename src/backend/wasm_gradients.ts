/**
 * Gradient kernels that `@tensorflow/tfjs-backend-wasm` 4.22 lacks (or runs slowly), built from
 * kernels it has, so that training runs on wasm:
 * - `Conv2DBackpropFilter` (every conv weight gradient): one transpose of the incoming gradient,
 *   then per filter tap a (strided) slice of the padded input and a plain matMul. wasm's matMul with
 *   `transposeA` is ≈30× slower than an explicit transpose, so the transpose is done once, up front.
 * - `Conv2DBackpropInput` (every conv input gradient): a forward conv of the stride-dilated incoming
 *   gradient with the flipped, channel-swapped filter; XNNPACK's forward conv is far faster than
 *   wasm's own backprop-input loop.
 * - `UnsortedSegmentSum` (the gradient of `tf.gather`): a loop over the wasm heap in JS.
 * - `MaxPoolGrad`: wasm's own picks the wrong position when a window's maximum is negative (it
 *   starts its search at 0); replaced by a loop over the heap in JS (first maximum wins, as on cpu
 *   and in PyTorch).
 * - `Slice`: wasm's own copies the whole input out of the heap (`readSync`) for every slice, which
 *   made slices a large share of a training step; replaced by a copy between heap views of just the
 *   sliced rows.
 *
 * The kernels call other wasm kernels directly (through the kernel registry), as tfjs's own
 * composite kernels do, so nothing is recorded on a gradient tape and every intermediate is freed.
 *
 * @module
 */
import { tf } from "../tf.ts";

type Info = tf.TensorInfo;
type Attrs = Record<string, unknown>;

/** The parts of tfjs-backend-wasm's `BackendWasm` these kernels use. */
interface WasmBackendLike {
  disposeData(dataId: unknown, force?: boolean): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array | Int32Array | Uint8Array;
}

/** Runs registered wasm kernels and frees every intermediate result except the one kept. */
class KernelRunner {
  readonly #backend: WasmBackendLike;
  readonly #temps: Info[] = [];

  constructor(backend: unknown) {
    this.#backend = backend as WasmBackendLike;
  }

  run(name: string, inputs: Info[] | Record<string, Info>, attrs: Attrs = {}): Info {
    const kernel = tf.getKernel(name, "wasm");
    if (kernel === undefined) throw new Error(`wasm kernel '${name}' is not registered`);
    const out = kernel.kernelFunc({
      inputs: inputs as unknown as tf.NamedTensorInfoMap,
      backend: this.#backend as unknown as tf.KernelBackend,
      attrs: attrs as tf.NamedAttrMap,
    }) as Info;
    this.#temps.push(out);
    return out;
  }

  reshape(x: Info, shape: number[]): Info {
    return this.run("Reshape", { x }, { shape });
  }

  transpose(x: Info, perm: number[]): Info {
    return this.run("Transpose", { x }, { perm });
  }

  /** Frees every intermediate except `result` and returns `result`. */
  finish(result: Info): Info {
    for (const t of this.#temps) {
      if (t !== result) this.#backend.disposeData(t.dataId);
    }
    this.#temps.length = 0;
    return result;
  }

  /** Frees every intermediate (on error paths). */
  abort(): void {
    for (const t of this.#temps) this.#backend.disposeData(t.dataId);
    this.#temps.length = 0;
  }
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
}

function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: ConvAttrs,
): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== "NHWC") {
    throw new Error(`wasm conv gradient: only NHWC is supported, got ${attrs.dataFormat}`);
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
}

/**
 * dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·s + kh − padTop, ow·s + kw − padLeft, ci] · dy[n, oh, ow, co].
 * dyᵀ [Co, M] (M = N·OH·OW) is made once; per tap (kh, kw) the input patch [M, Ci] is a (strided)
 * slice of the zero-padded input, and dyᵀ · patch gives that tap's [Co, Ci] block.
 */
function conv2dBackpropFilter(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): Info {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  const k = new KernelRunner(args.backend);
  try {
    const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co } = info;
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const m = n * oh * ow;
    // dy [N, OH, OW, Co] → dyT [1, Co, M]
    const dyT = k.reshape(k.transpose(k.reshape(dy, [m, co]), [1, 0]), [1, co, m]);
    // Rows/columns of the padded input that some tap reads: [0, (OH−1)·sh + KH).
    const needH = (oh - 1) * sh + kh;
    const needW = (ow - 1) * sw + kw;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const bottom = Math.max(0, needH - top - x.shape[1]);
    const right = Math.max(0, needW - left - x.shape[2]);
    // xp [N, H + top + bottom, W + left + right, Ci]
    const xp = top || bottom || left || right
      ? k.run("PadV2", { x }, {
        paddings: [[0, 0], [top, bottom], [left, right], [0, 0]],
        constantValue: 0,
      })
      : x;
    const single = kh === 1 && kw === 1 && sh === 1 && sw === 1 && xp.shape[1] === oh &&
      xp.shape[2] === ow;
    const blocks: Info[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        let patch: Info; // [N, OH, OW, Ci]
        if (single) patch = xp;
        else if (sh === 1 && sw === 1) {
          patch = k.run("Slice", { x: xp }, { begin: [0, i, j, 0], size: [n, oh, ow, ci] });
        } else {
          patch = k.run("StridedSlice", { x: xp }, {
            begin: [0, i, j, 0],
            end: [n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1, ci],
            strides: [1, sh, sw, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          });
        }
        // [1, Co, M] × [1, M, Ci] → [1, Co, Ci]
        blocks.push(
          k.run("BatchMatMul", { a: dyT, b: k.reshape(patch, [1, m, ci]) }, {
            transposeA: false,
            transposeB: false,
          }),
        );
      }
    }
    // [KH·KW, Co, Ci] → [KH·KW, Ci, Co] → [KH, KW, Ci, Co]
    const stacked = blocks.length === 1 ? blocks[0] : k.run("Concat", blocks, { axis: 0 });
    const dw = k.reshape(k.transpose(stacked, [0, 2, 1]), [kh, kw, ci, co]);
    return k.finish(dw);
  } catch (e) {
    k.abort();
    throw e;
  }
}

/**
 * dx = conv2d(dilate(dy, stride), flip(W)ᵀ) with stride 1: dy is spread onto a grid with
 * (stride − 1) zeros between samples, the filter is flipped in H and W with its channels swapped
 * ([KH, KW, Co, Ci]), and the padding is chosen so that the output is exactly [N, H, W, Ci].
 */
function conv2dBackpropInputViaConv(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): Info {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
  const info = convInfo(attrs.inputShape, filter.shape, attrs);
  const k = new KernelRunner(args.backend);
  try {
    const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co } = info;
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const [inH, inW] = [info.inHeight, info.inWidth];
    // W [KH, KW, Ci, Co] → flipped in H, W and transposed to [KH, KW, Co, Ci]
    const w = k.transpose(k.run("Reverse", { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
    // dyd [N, OH·sh, OW·sw, Co]: dy[oh] at row oh·sh, zeros between.
    let dyd = dy;
    if (sh > 1 || sw > 1) {
      const spread = k.run("PadV2", { x: k.reshape(dy, [n, oh, 1, ow, 1, co]) }, {
        paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
        constantValue: 0,
      });
      dyd = k.reshape(spread, [n, oh * sh, ow * sw, co]);
    }
    // dx[ih] = Σ_kh' dyd[ih + padT' ... ] with padT = KH−1−top, padB = H + top − OH·sh.
    let padT = kh - 1 - info.padInfo.top;
    let padB = inH + info.padInfo.top - oh * sh;
    let padL = kw - 1 - info.padInfo.left;
    let padR = inW + info.padInfo.left - ow * sw;
    // A negative pad means those rows of dyd reach no input pixel: crop them.
    if (padT < 0 || padB < 0 || padL < 0 || padR < 0) {
      const h0 = Math.max(0, -padT);
      const w0 = Math.max(0, -padL);
      const h1 = dyd.shape[1] - Math.max(0, -padB);
      const w1 = dyd.shape[2] - Math.max(0, -padR);
      dyd = k.run("Slice", { x: dyd }, { begin: [0, h0, w0, 0], size: [n, h1 - h0, w1 - w0, co] });
      padT = Math.max(0, padT);
      padB = Math.max(0, padB);
      padL = Math.max(0, padL);
      padR = Math.max(0, padR);
    }
    const dx = k.run("Conv2D", { x: dyd, filter: w }, {
      strides: [1, 1],
      pad: [[0, 0], [padT, padB], [padL, padR], [0, 0]],
      dataFormat: "NHWC",
      dilations: [1, 1],
      dimRoundingMode: undefined,
    });
    if (dx.shape[1] !== inH || dx.shape[2] !== inW || dx.shape[3] !== ci) {
      throw new Error(
        `wasm Conv2DBackpropInput: got [${dx.shape}], expected [${n},${inH},${inW},${ci}]`,
      );
    }
    return k.finish(dx);
  } catch (e) {
    k.abort();
    throw e;
  }
}

/** out[s, …] = Σ_{i: ids[i] = s} x[i, …]; ids outside [0, numSegments) are dropped (as in TF). */
function unsortedSegmentSum(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): Info {
  const { x, segmentIds } = args.inputs as { x: Info; segmentIds: Info };
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  const backend = args.backend as WasmBackendLike;
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    throw new Error(`wasm UnsortedSegmentSum: unsupported dtype ${x.dtype}`);
  }
  const idsRank = segmentIds.shape.length;
  const inner = x.shape.slice(idsRank);
  const d = inner.reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([numSegments, ...inner], x.dtype);
  // Views are taken after makeOutput: an allocation may move the heap.
  const xs = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = backend.typedArrayFromHeap(segmentIds) as Int32Array;
  const o = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  o.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * d;
    const dst = s * d;
    for (let j = 0; j < d; j++) o[dst + j] += xs[src + j];
  }
  return out;
}

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: "floor" | "round" | "ceil";
}

/** dx of a max pool: each dy goes to the first maximum of its window (positions as on cpu). */
function maxPoolGrad(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): Info {
  const { dy, input } = args.inputs as { dy: Info; input: Info };
  const attrs = args.attrs as unknown as PoolAttrs;
  const backend = args.backend as WasmBackendLike;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } =
    info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = backend.makeOutput(input.shape, "float32");
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  const out = backend.typedArrayFromHeap(dx) as Float32Array;
  out.fill(0);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < oh; r++) {
      const r0 = Math.max(0, r * sh - top);
      const r1 = Math.min(h, r * sh - top + fh);
      for (let q = 0; q < ow; q++) {
        const q0 = Math.max(0, q * sw - left);
        const q1 = Math.min(w, q * sw - left + fw);
        const gBase = ((b * oh + r) * ow + q) * c;
        for (let d = 0; d < c; d++) {
          let best = -Infinity;
          let at = -1;
          for (let i = r0; i < r1; i++) {
            let idx = ((b * h + i) * w + q0) * c + d;
            for (let j = q0; j < q1; j++, idx += c) {
              if (x[idx] > best) {
                best = x[idx];
                at = idx;
              }
            }
          }
          if (at >= 0) out[at] += g[gBase + d];
        }
      }
    }
  }
  return dx;
}

/**
 * A slice copied between heap views: the trailing axes that are taken whole are merged into one
 * contiguous run, so a slice costs one `copyWithin` per run instead of a copy of the whole input.
 */
function slice(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): Info {
  const { x } = args.inputs as { x: Info };
  const { begin, size } = args.attrs as { begin: number | number[]; size: number | number[] };
  const backend = args.backend as WasmBackendLike;
  if (x.dtype === "string") throw new Error("wasm Slice: string tensors are not supported");
  const [b, sz] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
  const out = backend.makeOutput(sz, x.dtype);
  const total = sz.reduce((a, v) => a * v, 1);
  if (total === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const rank = x.shape.length;
  if (rank === 0) {
    dst[0] = src[0];
    return out;
  }
  // Merge trailing axes taken whole into the contiguous run length.
  let k = rank - 1;
  let run = sz[k];
  while (k > 0 && sz[k] === x.shape[k]) {
    k--;
    run *= sz[k];
  }
  // Axes 0..k-1 are iterated (axis k is part of the run).
  const strides = tf.util.computeStrides(x.shape);
  strides.push(1);
  const idx = new Array<number>(k).fill(0);
  let o = 0;
  for (;;) {
    let off = 0;
    for (let a = 0; a < rank; a++) off += (a < k ? b[a] + idx[a] : b[a]) * strides[a];
    dst.set(src.subarray(off, off + run), o);
    o += run;
    let a = k - 1;
    while (a >= 0) {
      idx[a]++;
      if (idx[a] < sz[a]) break;
      idx[a] = 0;
      a--;
    }
    if (a < 0) break;
  }
  return out;
}

let registered = false;

/**
 * Registers, for the `wasm` backend, the gradient kernels FCOS training needs that
 * tfjs-backend-wasm 4.22 lacks (`Conv2DBackpropFilter`, `UnsortedSegmentSum`) and replaces its slow
 * `Conv2DBackpropInput` with a forward-conv formulation. Idempotent; a kernel someone else has
 * already registered for `wasm` (other than tfjs's own `Conv2DBackpropInput`) is left alone.
 * `initBackend` calls it when it picks wasm.
 *
 * @example
 * ```ts
 * import { registerWasmGradients } from "./wasm_gradients.ts";
 * import { tf } from "../tf.ts";
 * registerWasmGradients();
 * await tf.setBackend("wasm");
 * const w = tf.variable(tf.ones([3, 3, 1, 2]));
 * const { grads } = tf.variableGrads(() => tf.sum(tf.conv2d(tf.ones([1, 5, 5, 1]), w, 1, "same")));
 * console.log(grads[w.name].shape); // [3, 3, 1, 2]
 * ```
 */
export function registerWasmGradients(): void {
  if (registered) return;
  registered = true;
  const add = (kernelName: string, kernelFunc: tf.KernelFunc, replace = false) => {
    if (tf.getKernel(kernelName, "wasm") !== undefined) {
      if (!replace) return;
      tf.unregisterKernel(kernelName, "wasm");
    }
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
  };
  add("Conv2DBackpropFilter", conv2dBackpropFilter as tf.KernelFunc);
  add("Conv2DBackpropInput", conv2dBackpropInputViaConv as tf.KernelFunc, true);
  add("UnsortedSegmentSum", unsortedSegmentSum as tf.KernelFunc);
  add("MaxPoolGrad", maxPoolGrad as tf.KernelFunc, true);
  add("Slice", slice as tf.KernelFunc, true);
}
