/**
 * Gradient kernels that `@tensorflow/tfjs-backend-wasm` 4.22 lacks (or runs slowly), built from
 * kernels it has, so that training runs on wasm:
 * - `Conv2DBackpropFilter` (every conv weight gradient): the input's patches written transposed
 *   ([KH·KW·Ci, M]) by a loop in JS, then one plain matMul with the incoming gradient [M, Co]. (wasm's
 *   matMul with `transposeA` is ≈30× slower, and its transpose and strided-slice kernels are slow.)
 * - `Conv2DBackpropInput` (every conv input gradient): stride 1, a forward conv of the incoming
 *   gradient with the flipped, channel-swapped filter (XNNPACK's forward conv is ≈10× faster than
 *   wasm's own backprop-input loop); strided, one matMul with the transposed filter and a col2im
 *   scatter-add in JS. Rearranged filters are kept for reuse (head weights serve five levels).
 * - `UnsortedSegmentSum` (the gradient of `tf.gather`): a loop over the wasm heap in JS.
 * - `MaxPoolGrad`: wasm's own picks the wrong position when a window's maximum is negative (it
 *   starts its search at 0); replaced by a loop over the heap in JS (first maximum wins, as on cpu
 *   and in PyTorch).
 * - `Slice`: wasm's own copies the whole input out of the heap (`readSync`) for every slice;
 *   `StridedSlice`: wasm's own walks every element through an N-d index computation. Slices were a
 *   large share of a training step; both are replaced by copies between heap views.
 *
 * The kernels call other wasm kernels directly (through the kernel registry), as tfjs's own
 * composite kernels do, so nothing is recorded on a gradient tape and every intermediate is freed.
 *
 * @module
 */
// tfjs straight from its package, not via ../tf.ts (the same module instance): src/tf.ts imports
// this module to register its kernels, and importing ../tf.ts back would make a cycle in which a
// program that imports this module first reaches the registration before this module has run.
import * as tf from "@tensorflow/tfjs-core";
import type { StridedSliceAttrs } from "./gradients.ts";

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

  /** Frees `info` with the other intermediates. */
  adopt(info: Info): Info {
    this.#temps.push(info);
    return info;
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

/** Time spent in named phases of these kernels, while `wasmKernelPhases(true)` is on. */
let phaseTimes: Map<string, { ms: number; calls: number }> | null = null;

/**
 * Starts (`on` true: clears and returns the live map) or stops (`on` false: returns what was
 * collected) timing the phases inside these kernels (JS loops vs the wasm kernels they call), for
 * `bench/train_profile.ts`. Off by default; when off a phase costs one comparison.
 */
export function wasmKernelPhases(on: boolean): Map<string, { ms: number; calls: number }> {
  const current = phaseTimes ?? new Map();
  phaseTimes = on ? new Map() : null;
  return on ? phaseTimes! : current;
}

/** The start of a timed phase (see {@linkcode wasmKernelPhases}); 0 when timing is off. */
export function phaseStart(): number {
  return phaseTimes === null ? 0 : performance.now();
}

/** Adds the time since `t0` to phase `name` (see {@linkcode wasmKernelPhases}). */
export function phaseEnd(name: string, t0: number): void {
  if (phaseTimes === null) return;
  const e = phaseTimes.get(name) ?? { ms: 0, calls: 0 };
  e.ms += performance.now() - t0;
  e.calls++;
  phaseTimes.set(name, e);
}

/** Most floats one transposed-patch block may hold (64 MB); more taps go to further blocks. */
let patchBlockFloats = 16 * 1024 * 1024;

/** Sets the patch block size (in floats) and returns the previous one; for tests of the blocking. */
export function setPatchBlockFloatsForTest(floats: number): number {
  const previous = patchBlockFloats;
  patchBlockFloats = floats;
  return previous;
}

/**
 * A copy of `view` (a view of the wasm heap) in plain JS memory, reused between calls. V8 reads
 * typed arrays over wasm memory ≈ 2× slower than over an ordinary ArrayBuffer (a transpose: 5.5
 * vs 2.3 ns per float measured here), so loops that read a tensor many times, or with a stride,
 * first copy it out (a memcpy).
 */
function plainCopy(view: Float32Array): Float32Array {
  if (view.length > SCRATCH_MAX_FLOATS) return view; // not worth 64 MB+ of JS memory
  if (scratch.length < view.length) scratch = new Float32Array(view.length);
  const out = scratch.subarray(0, view.length);
  out.set(view);
  return out;
}
let scratch = new Float32Array(0);
/** Largest tensor copied out by {@linkcode plainCopy} (16 Mi floats, 64 MB). */
const SCRATCH_MAX_FLOATS = 16 * 1024 * 1024;

/**
 * Writes the transposed patches of taps `t0 … t1−1` of input `x` [N, H, W, Ci] into `dst`
 * [(t1 − t0)·Ci, M]: row (t − t0)·Ci + c, column m = (n·OH + oh)·OW + ow holds
 * x[n, oh·sh + kh − top, ow·sw + kw − left, c] (zero outside the image), tap t = kh·KW + kw.
 */
function transposedPatches(
  x: Float32Array,
  dst: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  t0: number,
  t1: number,
): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow } =
    info;
  const { strideHeight: sh, strideWidth: sw, filterWidth: kw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const m = n * oh * ow;
  // Columns go in chunks: the chunk's input pixels (CHUNK·Ci floats) stay in cache while each of
  // the Ci destination rows receives CHUNK consecutive floats.
  const CHUNK = 64;
  const srcOf = new Int32Array(CHUNK); // input offset of each column in the chunk, −1 = padding
  for (let t = t0; t < t1; t++) {
    const i = Math.floor(t / kw);
    const j = t % kw;
    const rowBase = (t - t0) * ci * m;
    for (let col0 = 0; col0 < m; col0 += CHUNK) {
      const cols = Math.min(CHUNK, m - col0);
      for (let u = 0; u < cols; u++) {
        const col = col0 + u;
        const q = col % ow;
        const r = Math.floor(col / ow) % oh;
        const b = Math.floor(col / (ow * oh));
        const y = r * sh + i - top;
        const z = q * sw + j - left;
        srcOf[u] = y >= 0 && y < h && z >= 0 && z < w ? ((b * h + y) * w + z) * ci : -1;
      }
      for (let c = 0; c < ci; c++) {
        const d = rowBase + c * m + col0;
        for (let u = 0; u < cols; u++) {
          const o = srcOf[u];
          dst[d + u] = o < 0 ? 0 : x[o + c];
        }
      }
    }
  }
}

/**
 * dW[kh, kw, ci, co] = Σ_{n, oh, ow} x[n, oh·s + kh − padTop, ow·s + kw − padLeft, ci] · dy[n, oh, ow, co].
 * The input's patches are written transposed, [KH·KW·Ci, M] (M = N·OH·OW, zero padding included),
 * and one plain matMul with dy [M, Co] gives dW flattened in HWIO order. dy is the matMul's fixed
 * operand (packed once, and no transpose of it is needed); in blocks of taps when the patches are
 * large.
 */
function conv2dBackpropFilter(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): Info {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  const backend = args.backend as WasmBackendLike;
  const k = new KernelRunner(backend);
  try {
    const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co } = info;
    const taps = info.filterHeight * info.filterWidth;
    const m = n * oh * ow;
    const dy2 = k.reshape(dy, [1, m, co]);
    const perBlock = Math.max(1, Math.floor(patchBlockFloats / (ci * m)));
    const blocks: Info[] = [];
    // A plain copy of x, made once; a heap view instead (too large to copy) is taken again for
    // each block, as an allocation may move the heap.
    let xs: Float32Array | undefined;
    let copied = false;
    for (let t0 = 0; t0 < taps; t0 += perBlock) {
      const t1 = Math.min(taps, t0 + perBlock);
      const patches = backend.makeOutput([1, (t1 - t0) * ci, m], "float32");
      k.adopt(patches);
      let t = phaseStart();
      if (!copied) {
        const view = backend.typedArrayFromHeap(x) as Float32Array;
        xs = plainCopy(view);
        copied = xs !== view;
      }
      transposedPatches(
        xs!,
        backend.typedArrayFromHeap(patches) as Float32Array,
        info,
        t0,
        t1,
      );
      phaseEnd("BackpropFilter: transposed patches (JS)", t);
      t = phaseStart();
      // [1, g·Ci, M] × [1, M, Co] → [1, g·Ci, Co]
      blocks.push(
        k.run("BatchMatMul", { a: patches, b: dy2 }, { transposeA: false, transposeB: false }),
      );
      phaseEnd("BackpropFilter: matMul (wasm)", t);
    }
    const flat = blocks.length === 1 ? blocks[0] : k.run("Concat", blocks, { axis: 1 });
    return k.finish(k.reshape(flat, attrs.filterShape));
  } catch (e) {
    k.abort();
    throw e;
  }
}

/** Filters rearranged for the input gradient, by the filter's dataId and layout; LRU order. */
const filterCache = new Map<unknown, Map<string, { info: Info; backend: WasmBackendLike }>>();
const FILTER_CACHE_SIZE = 16;
/** At most this many floats (128 MB) in cached filters. */
const FILTER_CACHE_FLOATS = 32 * 1024 * 1024;
let filterCacheFloats = 0;

/**
 * The filter rearranged into `shape` by `fill(src, dst)` (a loop in JS: wasm's Reverse + Transpose
 * took 100–200 ms for a 3×3×512×512 filter, more than the conv itself), kept for the filter's next
 * use: FCOS's head convs share their weights over the five levels, and XNNPACK packs weights once
 * per tensor, so reusing the rearranged tensor also reuses the packed operator. A tensor's data
 * never changes (a variable's assign gives it a new dataId), so the dataId is a safe key — with the
 * shapes, since a Reshape keeps the dataId while the rearrangement depends on the shape.
 */
function cachedFilter(
  backend: WasmBackendLike,
  filter: Info,
  layout: string,
  shape: number[],
  fill: (src: Float32Array, dst: Float32Array) => void,
): Info {
  const key = `${layout} [${filter.shape}] → [${shape}]`;
  const entries = filterCache.get(filter.dataId);
  const hit = entries?.get(key);
  if (entries !== undefined && hit !== undefined && hit.backend === backend) {
    filterCache.delete(filter.dataId); // most recently used goes last
    filterCache.set(filter.dataId, entries);
    return hit.info;
  }
  const t = phaseStart();
  const info = backend.makeOutput(shape, "float32");
  fill(
    backend.typedArrayFromHeap(filter) as Float32Array,
    backend.typedArrayFromHeap(info) as Float32Array,
  );
  phaseEnd(`filter rearranged (${layout}, JS)`, t);
  const map = entries ?? new Map();
  map.set(key, { info, backend });
  filterCacheFloats += sizeOf(shape);
  filterCache.delete(filter.dataId);
  filterCache.set(filter.dataId, map);
  while (
    filterCache.size > 1 &&
    (filterCache.size > FILTER_CACHE_SIZE || filterCacheFloats > FILTER_CACHE_FLOATS)
  ) {
    const [key, oldest] = filterCache.entries().next().value!;
    filterCache.delete(key);
    for (const e of oldest.values()) {
      e.backend.disposeData(e.info.dataId);
      filterCacheFloats -= sizeOf(e.info.shape);
    }
  }
  return info;
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, v) => a * v, 1);
}

/** [KH, KW, Ci, Co] → flipped in H and W, channels swapped: [KH, KW, Co, Ci]. */
function flippedFilter(
  backend: WasmBackendLike,
  filter: Info,
  taps: number,
  ci: number,
  co: number,
): Info {
  return cachedFilter(
    backend,
    filter,
    "flip",
    [filter.shape[0], filter.shape[1], co, ci],
    (src, dst) => flipSwapFilter(plainCopy(src), dst, taps, ci, co),
  );
}

/** [KH, KW, Ci, Co] → [Co, KH·KW·Ci] (the filter as a matrix, transposed). */
function transposedFilter(backend: WasmBackendLike, filter: Info, kc: number, co: number): Info {
  return cachedFilter(
    backend,
    filter,
    "transpose",
    [1, co, kc],
    (src, dst) => transposeMatrix(src, dst, kc, co),
  );
}

/** dst [cols, rows] = srcᵀ for src [rows, cols], in 32×32 tiles. */
function transposeMatrix(src: Float32Array, dst: Float32Array, rows: number, cols: number) {
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
      }
    }
  }
}

/**
 * Frees the rearranged filters `Conv2DBackpropInput` keeps for reuse (those of at most 16 filters,
 * 128 MB). For tests that count
 * the wasm backend's buffers, and for freeing memory after training.
 */
export function clearWasmGradientCaches(): void {
  for (const entries of filterCache.values()) {
    for (const { info, backend } of entries.values()) backend.disposeData(info.dataId);
  }
  filterCache.clear();
  filterCacheFloats = 0;
}

/**
 * dst[t, o, i] = src[taps − 1 − t, i, o] for a filter [taps, ci, co] (taps = KH·KW in row-major
 * order, so reversing t flips both H and W): the flipped, channel-swapped filter. Transposed in
 * 32×32 tiles so that reads and writes both stay in cache.
 */
function flipSwapFilter(
  src: Float32Array,
  dst: Float32Array,
  taps: number,
  ci: number,
  co: number,
) {
  const T = 32;
  const block = ci * co;
  for (let t = 0; t < taps; t++) {
    const s0 = (taps - 1 - t) * block;
    const d0 = t * block;
    for (let i0 = 0; i0 < ci; i0 += T) {
      const i1 = Math.min(ci, i0 + T);
      for (let o0 = 0; o0 < co; o0 += T) {
        const o1 = Math.min(co, o0 + T);
        for (let i = i0; i < i1; i++) {
          const s = s0 + i * co;
          for (let o = o0; o < o1; o++) dst[d0 + o * ci + i] = src[s + o];
        }
      }
    }
  }
}

/**
 * The input gradient of a strided conv without the zeros of a dilated dy (which make the forward-conv
 * formulation do stride² times the work): G = dy [M, Co] · Wᵀ [Co, KH·KW·Ci] (one matMul per block
 * of rows), then each row of G is added back into the input pixels its patch came from (col2im, a
 * loop in JS).
 */
function conv2dBackpropInputCol2im(
  dy: Info,
  filter: Info,
  info: tf.backend_util.Conv2DInfo,
  backend: WasmBackendLike,
  k: KernelRunner,
): Info {
  const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { inHeight: h, inWidth: w } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const kc = kh * kw * ci;
  const m = n * oh * ow;
  const wt = transposedFilter(backend, filter, kc, co); // [1, Co, KH·KW·Ci]
  const dy2 = k.reshape(dy, [1, m, co]);
  const dx = backend.makeOutput([n, h, w, ci], "float32");
  (backend.typedArrayFromHeap(dx) as Float32Array).fill(0);
  const rowsPerBlock = Math.max(1, Math.floor(patchBlockFloats / kc));
  for (let r0 = 0; r0 < m; r0 += rowsPerBlock) {
    const r1 = Math.min(m, r0 + rowsPerBlock);
    const a = r0 === 0 && r1 === m
      ? dy2
      : k.run("Slice", { x: dy2 }, { begin: [0, r0, 0], size: [1, r1 - r0, co] });
    let t = phaseStart();
    const g = k.run("BatchMatMul", { a, b: wt }, { transposeA: false, transposeB: false });
    phaseEnd("BackpropInput strided: matMul (wasm)", t);
    t = phaseStart();
    const gv = backend.typedArrayFromHeap(g) as Float32Array; // [rows, KH·KW·Ci]
    const out = backend.typedArrayFromHeap(dx) as Float32Array;
    for (let row = r0; row < r1; row++) {
      const q = row % ow;
      const r = Math.floor(row / ow) % oh;
      const b = Math.floor(row / (ow * oh));
      let src = (row - r0) * kc;
      for (let i = 0; i < kh; i++) {
        const y = r * sh + i - top;
        if (y < 0 || y >= h) {
          src += kw * ci;
          continue;
        }
        for (let j = 0; j < kw; j++, src += ci) {
          const z = q * sw + j - left;
          if (z < 0 || z >= w) continue;
          const dst = ((b * h + y) * w + z) * ci;
          for (let c = 0; c < ci; c++) out[dst + c] += gv[src + c];
        }
      }
    }
    phaseEnd("BackpropInput strided: col2im (JS)", t);
  }
  return dx;
}

/**
 * The input gradient. Stride 1: dx = conv2d(dy, flip(W)ᵀ), a forward conv (XNNPACK) with the filter
 * flipped in H and W and its channels swapped ([KH, KW, Co, Ci]), padded so that the output is
 * exactly [N, H, W, Ci]. Strided: `conv2dBackpropInputCol2im` (a forward conv would need a dilated
 * dy, stride² times the work).
 */
function conv2dBackpropInputViaConv(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): Info {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
  const info = convInfo(attrs.inputShape, filter.shape, attrs);
  const backend = args.backend as WasmBackendLike;
  const k = new KernelRunner(backend);
  try {
    const { batchSize: n, outHeight: oh, outWidth: ow, inChannels: ci, outChannels: co } = info;
    const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
    const [inH, inW] = [info.inHeight, info.inWidth];
    if (sh > 1 || sw > 1) return k.finish(conv2dBackpropInputCol2im(dy, filter, info, backend, k));
    const w = flippedFilter(backend, filter, kh * kw, ci, co);
    let dyd = dy;
    // Stride 1: dx[ih] = Σ_kh' dy[ih − padT + kh'] · Wflip[kh'] with padT = KH−1−top and
    // padB = H + top − OH.
    let padT = kh - 1 - info.padInfo.top;
    let padB = inH + info.padInfo.top - oh;
    let padL = kw - 1 - info.padInfo.left;
    let padR = inW + info.padInfo.left - ow;
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
    const t = phaseStart();
    const dx = k.run("Conv2D", { x: dyd, filter: w }, {
      strides: [1, 1],
      pad: [[0, 0], [padT, padB], [padL, padR], [0, 0]],
      dataFormat: "NHWC",
      dilations: [1, 1],
      dimRoundingMode: undefined,
    });
    phaseEnd("BackpropInput stride 1: Conv2D (wasm)", t);
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
 * Copies a strided box of `src` (shape `shape`) into `dst`: for each axis a, `size[a]` positions
 * `begin[a] + i·step[a]` (step ≠ 0). Trailing axes taken whole with step 1 are merged into one
 * contiguous run, copied with `set` when long and by a loop when short.
 */
function copyBox(
  src: Float32Array | Int32Array | Uint8Array,
  dst: Float32Array | Int32Array | Uint8Array,
  shape: number[],
  begin: number[],
  size: number[],
  step: number[],
): void {
  const rank = shape.length;
  if (rank === 0) {
    dst[0] = src[0];
    return;
  }
  const strides = tf.util.computeStrides(shape);
  strides.push(1);
  // The innermost axis k and those after it form the run (k = rank − 1 when nothing merges).
  let k = rank - 1;
  let run = size[k];
  if (step[k] === 1) {
    while (k > 0 && size[k] === shape[k] && step[k - 1] === 1) {
      k--;
      run *= size[k];
    }
  }
  const innerStep = step[k] === 1 ? 1 : step[k] * strides[k];
  const contiguous = innerStep === 1;
  const idx = new Array<number>(k).fill(0);
  let base = 0;
  for (let a = 0; a < rank; a++) base += begin[a] * strides[a];
  let o = 0;
  for (;;) {
    let off = base;
    for (let a = 0; a < k; a++) off += idx[a] * step[a] * strides[a];
    if (contiguous && run >= 32) {
      dst.set(src.subarray(off, off + run), o);
      o += run;
    } else {
      for (let j = 0; j < run; j++, off += innerStep) dst[o++] = src[off];
    }
    let a = k - 1;
    while (a >= 0) {
      idx[a]++;
      if (idx[a] < size[a]) break;
      idx[a] = 0;
      a--;
    }
    if (a < 0) break;
  }
}

/**
 * A slice copied between heap views (wasm's own copies the whole input out of the heap first).
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
  if (sz.some((v) => v === 0)) return out;
  copyBox(
    backend.typedArrayFromHeap(x),
    backend.typedArrayFromHeap(out),
    x.shape,
    b,
    sz,
    sz.map(() => 1),
  );
  return out;
}

let nativeStridedSlice: tf.KernelFunc | undefined;

/**
 * A strided slice copied between heap views: wasm's own walks every element with an N-d index
 * computation (≈50 ms for a 1×64×80×128 → 1×32×40×128 tap), many times slower than a copy, and
 * returns float32 for int32 input when strides are not all 1. Strings go to wasm's own kernel.
 */
function stridedSlice(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): Info {
  const { x } = args.inputs as { x: Info };
  const a = args.attrs as unknown as StridedSliceAttrs;
  const backend = args.backend as WasmBackendLike;
  const info = tf.slice_util.sliceInfo(
    x.shape,
    a.begin,
    a.end,
    a.strides,
    a.beginMask,
    a.endMask,
    a.ellipsisMask,
    a.newAxisMask,
    a.shrinkAxisMask,
  );
  if (x.dtype === "string") {
    return nativeStridedSlice!(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
  }
  const size = x.shape.map((_, i) =>
    Math.max(0, Math.ceil((info.end[i] - info.begin[i]) / info.strides[i]))
  );
  const out = backend.makeOutput(size, x.dtype);
  if (size.every((v) => v > 0)) {
    copyBox(
      backend.typedArrayFromHeap(x),
      backend.typedArrayFromHeap(out),
      x.shape,
      info.begin,
      size,
      info.strides,
    );
  }
  // [sizes per input axis] → the final shape (shrunk axes dropped, new axes added).
  const result = new KernelRunner(backend).reshape(out, info.finalShape);
  backend.disposeData(out.dataId);
  return result;
}

let registered = false;
/** wasm's own kernels that `registerWasmGradients` replaced, by name. */
const replacedKernels = new Map<string, tf.KernelFunc>();

/**
 * wasm's own kernel function that `registerWasmGradients` replaced (`Conv2DBackpropInput`,
 * `MaxPoolGrad`, `Slice`, `StridedSlice`), for benchmarks against it; undefined for others.
 */
export function replacedWasmKernel(kernelName: string): tf.KernelFunc | undefined {
  return replacedKernels.get(kernelName);
}

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
 * // tfjs straight from its package, not via ../tf.ts (the same module instance): src/tf.ts imports
// this module to register its kernels, and importing ../tf.ts back would make a cycle in which a
// program that imports this module first reaches the registration before this module has run.
import * as tf from "@tensorflow/tfjs-core";
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
    const existing = tf.getKernel(kernelName, "wasm");
    if (existing !== undefined) {
      if (!replace) return;
      replacedKernels.set(kernelName, existing.kernelFunc);
      tf.unregisterKernel(kernelName, "wasm");
    }
    // Keep the original's setupFunc: it binds the wasm function a fallback to it calls.
    const setupFunc = existing?.setupFunc;
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc, setupFunc });
  };
  add("Conv2DBackpropFilter", conv2dBackpropFilter as tf.KernelFunc);
  add("Conv2DBackpropInput", conv2dBackpropInputViaConv as tf.KernelFunc, true);
  add("UnsortedSegmentSum", unsortedSegmentSum as tf.KernelFunc);
  add("MaxPoolGrad", maxPoolGrad as tf.KernelFunc, true);
  add("Slice", slice as tf.KernelFunc, true);
  nativeStridedSlice = tf.getKernel("StridedSlice", "wasm")?.kernelFunc;
  if (nativeStridedSlice !== undefined) add("StridedSlice", stridedSlice as tf.KernelFunc, true);
}
