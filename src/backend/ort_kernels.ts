/**
 * The wasm backend's convolutions on onnxruntime's CPU kernels (MLAS, with AVX2/AVX-512 and fused
 * multiply-add): `Conv2D`, `FusedConv2D` (bias, linear or ReLU), `Conv2DBackpropInput` and
 * `Conv2DBackpropFilter`, ≈ 90 % of a training step on XNNPACK. On the development VM they run at
 * 97–153 GFLOP/s on 2 cores instead of 45–56, and a training step is 2.3–2.7× faster
 * (`bench/results/train_profile.md`).
 *
 * tfjs kernels are synchronous; onnxruntime-node's public `session.run` is a Promise, but the
 * native session under it (`onnxruntime-node/dist/binding.js`) runs synchronously, so the kernels
 * call that directly. Each kernel is a tiny ONNX graph (built with the schema of
 * `src/export/onnx_schema.ts`, dynamic dimensions, weights as graph inputs), one session per
 * attribute set, cached. The activations' NHWC ↔ NCHW transposes run inside the graph (native,
 * threaded); filters are rearranged from HWIO in JS (onnxruntime's Transpose is 3× slower on them)
 * and kept by tensor, as the head convs use theirs at five levels:
 * - forward: Transpose → Conv (OIHW filter, + bias) (+ Relu) → Transpose;
 * - input gradient: stride 1, Transpose → Conv with the filter flipped and its channels swapped
 *   → Transpose; strided, Transpose → ConvTranspose (OIHW filter; output_padding restores the rows
 *   the stride skipped) → Transpose;
 * - filter gradient: Pad → per tap, a strided Slice [N·OH·OW, Ci] and a Gemm with dy [N·OH·OW, Co]
 *   (transA) → [Ci, Co]; the taps' rows concatenated are the HWIO filter as it is.
 * onnxruntime rejects arrays on a SharedArrayBuffer, and the threaded wasm heap is one, so inputs
 * are copied out of the heap and outputs copied back (a memcpy each, small next to the GEMM).
 * MLAS's GEMMs split the output among threads, never the sum: results are the same bytes run to run
 * and with 1 or 2 threads (tests/ort_kernels_test.ts).
 *
 * Loaded by `initBackend` (option `cpuKernels`, default: these kernels when onnxruntime-node loads,
 * which needs `--allow-ffi`); anything they do not cover (NCHW, other activations, dilated
 * gradients, non-float32) goes to the kernels they replace (XNNPACK and `wasm_gradients.ts`).
 *
 * @module
 */
import type { Tensor as OrtTensor } from "onnxruntime-node";
import { FcosError } from "../errors.ts";
import { ONNX_FLOAT, ONNX_INT64, onnxModelType } from "../export/onnx_schema.ts";
import { tf } from "../tf.ts";
import { firstLine, loadOnnxRuntime, ortLoadError } from "./ort_module.ts";
import { phaseEnd, phaseStart } from "./wasm_gradients.ts";

type Info = tf.TensorInfo;
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** The parts of tfjs-backend-wasm's `BackendWasm` these kernels use. */
interface WasmBackendLike {
  /** The backend's live tensors (tfjs-backend-wasm's DataStorage). */
  dataIdMap?: { has(dataId: unknown): boolean };
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array | Int32Array | Uint8Array;
}

/** A tensor as the native session returns it. */
interface NativeTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** onnxruntime-node's native `InferenceSession` (1.30.0, `dist/binding.js`). */
interface NativeSession {
  loadModel(
    buffer: ArrayBufferLike,
    offset: number,
    length: number,
    options: Record<string, unknown>,
  ): void;
  run(
    feeds: Record<string, OrtTensor>,
    fetches: Record<string, null>,
    options: Record<string, unknown>,
  ): Record<string, NativeTensor>;
  dispose(): void;
}

interface NativeRuntime {
  Tensor: typeof OrtTensor;
  Session: new () => NativeSession;
}

/** The version of onnxruntime-node whose internal binding these kernels were written against. */
const PINNED_VERSION = "1.30.0";

/**
 * onnxruntime-node's synchronous native session class. This is the one place that reaches into the
 * package's internals; a version that moved them is an FcosError saying so.
 */
async function loadNativeRuntime(): Promise<NativeRuntime> {
  const purpose = 'cpuKernels "onnxruntime"';
  const ort = await loadOnnxRuntime(purpose);
  let mod: { binding?: { InferenceSession?: unknown }; initOrt?: unknown };
  try {
    mod = await import("onnxruntime-node/dist/binding.js");
  } catch (e) {
    throw ortLoadError(e, purpose);
  }
  const Session = mod.binding?.InferenceSession as (new () => NativeSession) | undefined;
  const proto = Session?.prototype as Partial<NativeSession> | undefined;
  if (
    typeof mod.initOrt !== "function" || typeof Session !== "function" ||
    typeof proto?.loadModel !== "function" || typeof proto?.run !== "function"
  ) {
    throw new FcosError(
      `onnxruntime-node ${ort.env.versions.node}: its native binding (dist/binding.js) has no ` +
        `synchronous InferenceSession.run, which the onnxruntime conv kernels call (written for ` +
        `${PINNED_VERSION}); use cpuKernels "xnnpack"`,
    );
  }
  (mod.initOrt as () => void)();
  return { Tensor: ort.Tensor, Session };
}

// ---- tiny ONNX graphs ----

type AttrValue = number | number[];

/** Builds one small ONNX model: float inputs with symbolic dims, int64 constants, nodes. */
class GraphBuilder {
  readonly #nodes: unknown[] = [];
  readonly #inputs: unknown[] = [];
  readonly #initializers: unknown[] = [];

  /** A float input of `rank` dims; a number in `fixed` pins that dim. */
  input(name: string, rank: number, fixed: (number | undefined)[] = []): string {
    const dim = Array.from(
      { length: rank },
      (_, i) => fixed[i] !== undefined ? { dim_value: fixed[i] } : { dim_param: `${name}_${i}` },
    );
    this.#inputs.push({ name, type: { tensor_type: { elem_type: ONNX_FLOAT, shape: { dim } } } });
    return name;
  }

  /** An int64 input of one dim of `length` (fed per call). */
  int64Input(name: string, length: number): string {
    const dim = [{ dim_value: length }];
    this.#inputs.push({ name, type: { tensor_type: { elem_type: ONNX_INT64, shape: { dim } } } });
    return name;
  }

  /** An int64 vector constant. */
  int64(name: string, values: number[]): string {
    const raw = new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
    this.#initializers.push({ name, dims: [values.length], data_type: ONNX_INT64, raw_data: raw });
    return name;
  }

  /** A node `op(inputs) → output` with INT / INTS attributes. */
  node(
    op: string,
    inputs: string[],
    output: string,
    attrs: Record<string, AttrValue> = {},
  ): string {
    const attribute = Object.entries(attrs).map(([name, v]) =>
      typeof v === "number" ? { name, type: 2, i: v } : { name, type: 7, ints: v }
    );
    this.#nodes.push({ op_type: op, input: inputs, output: [output], attribute });
    return output;
  }

  /** The model bytes, with `output` (float, shape left to onnxruntime) as its one output. */
  encode(output: string): Uint8Array {
    const T = onnxModelType();
    return T.encode(T.create({
      ir_version: 8,
      opset_import: [{ domain: "", version: 17 }],
      producer_name: "fcos ort_kernels",
      graph: {
        name: "kernel",
        node: this.#nodes,
        input: this.#inputs,
        initializer: this.#initializers,
        output: [{ name: output, type: { tensor_type: { elem_type: ONNX_FLOAT } } }],
      },
    })).finish();
  }
}

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];
/** Slice's "to the end" for a negative step-free end. */
const INT64_MAX = Number.MAX_SAFE_INTEGER;

/** The convolution's geometry, as the graphs need it (pads top, left, bottom, right). */
interface ConvGeometry {
  kh: number;
  kw: number;
  strides: [number, number];
  dilations: [number, number];
  pads: [number, number, number, number];
}

function geometryOf(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  const p = info.padInfo;
  return {
    kh: info.filterHeight,
    kw: info.filterWidth,
    strides: [info.strideHeight, info.strideWidth],
    dilations: [info.dilationHeight, info.dilationWidth],
    pads: [p.top, p.left, p.bottom, p.right],
  };
}

function geometryKey(g: ConvGeometry): string {
  return `${g.kh}x${g.kw} s${g.strides} d${g.dilations} p${g.pads}`;
}

function convAttrs(g: ConvGeometry): Record<string, AttrValue> {
  return { kernel_shape: [g.kh, g.kw], strides: g.strides, dilations: g.dilations, pads: g.pads };
}

/** y [N, OH, OW, Co] = act(conv(x [N, H, W, Ci], w [KH, KW, Ci, Co]) + b [Co]). */
function forwardGraph(g: ConvGeometry, bias: boolean, relu: boolean): Uint8Array {
  const b = new GraphBuilder();
  const x = b.node("Transpose", [b.input("x", 4)], "xt", { perm: TO_NCHW });
  const w = b.input("w", 4, [undefined, undefined, g.kh, g.kw]); // OIHW
  const inputs = bias ? [x, w, b.input("b", 1)] : [x, w];
  let y = b.node("Conv", inputs, "yt", convAttrs(g));
  if (relu) y = b.node("Relu", [y], "yr");
  b.node("Transpose", [y], "y", { perm: TO_NHWC });
  return b.encode("y");
}

/**
 * dx [N, H, W, Ci] of a conv, from dy [N, OH, OW, Co] and w [KH, KW, Ci, Co]: a ConvTranspose
 * whose `outputPadding` adds the bottom/right rows the forward's stride never read.
 */
function inputGradGraph(g: ConvGeometry, outputPadding: [number, number]): Uint8Array {
  const b = new GraphBuilder();
  const dy = b.node("Transpose", [b.input("dy", 4)], "dyt", { perm: TO_NCHW });
  // OIHW [Co, Ci, KH, KW] is ConvTranspose's [C_in, C_out, KH, KW] here.
  const w = b.input("w", 4, [undefined, undefined, g.kh, g.kw]);
  const dx = b.node("ConvTranspose", [dy, w], "dxt", {
    ...convAttrs(g),
    output_padding: outputPadding,
  });
  b.node("Transpose", [dx], "dx", { perm: TO_NHWC });
  return b.encode("dx");
}

/**
 * dx of a stride-1 conv as a forward conv of dy with the filter flipped in H and W and its
 * channels swapped (`pads`: top, left, bottom, right, all ≥ 0).
 */
function inputGradFlippedGraph(g: ConvGeometry, pads: number[]): Uint8Array {
  const b = new GraphBuilder();
  const dy = b.node("Transpose", [b.input("dy", 4)], "dyt", { perm: TO_NCHW });
  const w = b.input("w", 4, [undefined, undefined, g.kh, g.kw]); // flipped, [Ci, Co, KH, KW]
  const dx = b.node("Conv", [dy, w], "dxt", {
    kernel_shape: [g.kh, g.kw],
    strides: [1, 1],
    dilations: g.dilations,
    pads,
  });
  b.node("Transpose", [dx], "dx", { perm: TO_NHWC });
  return b.encode("dx");
}

/**
 * dW [KH·KW·Ci, Co] (= HWIO) of a conv, from x [N, H, W, Ci] and dy [N, OH, OW, Co]: x padded
 * (input `pads`, fed per call: the bottom/right pads make the padded size exactly
 * (OH − 1)·s + KH, negative where the stride skipped rows), one strided slice per tap
 * [N, OH, OW, Ci] → [N·OH·OW, Ci], and its ᵀ · dy [N·OH·OW, Co] → [Ci, Co]; the taps in order
 * (row-major over KH, KW) stacked, as HWIO.
 */
function filterGradGraph(g: ConvGeometry): Uint8Array {
  const b = new GraphBuilder();
  const xp = b.node("Pad", [b.input("x", 4), b.int64Input("pads", 8)], "xp");
  const dy = b.node("Flatten", [b.input("dy", 4)], "dy2", { axis: 3 });
  const [sh, sw] = g.strides;
  const axes = b.int64("axes", [1, 2]);
  const steps = b.int64("steps", [sh, sw]);
  const taps: string[] = [];
  for (let i = 0; i < g.kh; i++) {
    for (let j = 0; j < g.kw; j++) {
      // Rows i, i + sh, …, i + (OH − 1)·sh of a padded height (OH − 1)·sh + KH: the slice ends
      // KH − 1 − i rows before the end.
      const endH = i === g.kh - 1 ? INT64_MAX : -(g.kh - 1 - i);
      const endW = j === g.kw - 1 ? INT64_MAX : -(g.kw - 1 - j);
      const starts = b.int64(`starts_${i}_${j}`, [i, j]);
      const ends = b.int64(`ends_${i}_${j}`, [endH, endW]);
      taps.push(b.node("Slice", [xp, starts, ends, axes, steps], `tap_${i}_${j}`));
    }
  }
  // One GEMM per tap, [Ci, M]·[M, Co], stacked on rows: ≈ 1.7× faster here than one GEMM over
  // the concatenated im2col (whose transposed operand MLAS packs slowly), and no im2col buffer.
  const rows = taps.map((t, i) =>
    b.node(
      "Gemm",
      [b.node("Flatten", [t], `cols_${i}`, { axis: 3 }), dy],
      taps.length === 1 ? "dw" : `dw_${i}`,
      { transA: 1 },
    )
  );
  if (rows.length > 1) b.node("Concat", rows, "dw", { axis: 0 });
  return b.encode("dw");
}

// ---- sessions and calls ----

/** The sessions of one process, by graph key. */
class OrtRunner {
  readonly #native: NativeRuntime;
  readonly #threads: number;
  readonly #sessions = new Map<string, NativeSession>();

  constructor(native: NativeRuntime, threads: number) {
    this.#native = native;
    this.#threads = threads;
  }

  get threads(): number {
    return this.#threads;
  }

  session(key: string, build: () => Uint8Array): NativeSession {
    let s = this.#sessions.get(key);
    if (s === undefined) {
      const bytes = build();
      s = new this.#native.Session();
      s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, {
        intraOpNumThreads: this.#threads,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
        logSeverityLevel: 3, // errors only: these graphs are ours, their warnings are not news
        // Buffers are freed after each run rather than kept per session (dozens of sessions):
        // with the arena a 4×512×512 training step peaked 0.5 GB higher (4.33 vs 3.83 GiB RSS)
        // for ≈ 5 % less CPU time.
        enableCpuMemArena: false,
        enableMemPattern: false,
        // Idle pool threads sleep instead of spinning on the cores the wasm threads need.
        extra: { session: { intra_op: { allow_spinning: "0" } } },
      });
      this.#sessions.set(key, s);
    }
    return s;
  }

  /**
   * Runs `session` on heap tensors `feeds` (copied out: onnxruntime takes no SharedArrayBuffer)
   * plus int64 vectors, and writes its one output into a new heap tensor of `shape`.
   */
  run(
    phase: string,
    session: NativeSession,
    backend: WasmBackendLike,
    feeds: Record<string, Info | HostTensor>,
    int64Feeds: Record<string, number[]>,
    outName: string,
    shape: number[],
  ): Info {
    const { Tensor } = this.#native;
    let t = phaseStart();
    const inputs: Record<string, OrtTensor> = {};
    for (const [name, feed] of Object.entries(feeds)) {
      const data = "dataId" in feed
        ? (backend.typedArrayFromHeap(feed) as Float32Array).slice()
        : feed.data;
      inputs[name] = new Tensor("float32", data, feed.shape);
    }
    for (const [name, values] of Object.entries(int64Feeds)) {
      inputs[name] = new Tensor("int64", BigInt64Array.from(values.map(BigInt)), [values.length]);
    }
    phaseEnd(`ORT ${phase}: copies in (JS)`, t);
    t = phaseStart();
    const out = session.run(inputs, { [outName]: null }, {})[outName];
    phaseEnd(`ORT ${phase}: run (onnxruntime)`, t);
    const size = shape.reduce((a, v) => a * v, 1);
    if (out === undefined || out.data.length !== size) {
      throw new Error(
        `onnxruntime ${phase}: got [${out?.dims}], expected [${shape}]`,
      );
    }
    t = phaseStart();
    const result = backend.makeOutput(shape, "float32");
    (backend.typedArrayFromHeap(result) as Float32Array).set(out.data);
    phaseEnd(`ORT ${phase}: copy out (JS)`, t);
    return result;
  }

  dispose(): void {
    for (const s of this.#sessions.values()) s.dispose();
    this.#sessions.clear();
  }
}

// ---- filters, rearranged in JS and kept ----

/** A float tensor in JS memory, fed to onnxruntime as it is. */
interface HostTensor {
  data: Float32Array;
  shape: number[];
}

/**
 * The layouts the graphs take a filter in: `oihw` [Co, Ci, KH, KW] (Conv, and ConvTranspose's
 * [C_in, C_out, KH, KW] for the input gradient) and `flip` [Ci, Co, KH, KW] flipped in H and W (the
 * stride-1 input gradient as a Conv).
 */
type FilterLayout = "oihw" | "flip";

/**
 * dst = the HWIO filter `src` [T = KH·KW, Ci, Co] in `layout`, in 32×32 tiles of (Ci, Co).
 * onnxruntime's own Transpose takes 3.5–4.5 ms for a 3×3×256×256 filter, this 1.3 ms.
 */
function rearrangeFilter(
  src: Float32Array,
  taps: number,
  ci: number,
  co: number,
  layout: FilterLayout,
): Float32Array {
  const dst = new Float32Array(src.length);
  // dst index = o·strideO + i·strideI + tap'
  const strideO = layout === "oihw" ? ci * taps : taps;
  const strideI = layout === "oihw" ? taps : co * taps;
  const T = 32;
  for (let tap = 0; tap < taps; tap++) {
    const from = layout === "flip" ? taps - 1 - tap : tap;
    for (let i0 = 0; i0 < ci; i0 += T) {
      const i1 = Math.min(ci, i0 + T);
      for (let o0 = 0; o0 < co; o0 += T) {
        const o1 = Math.min(co, o0 + T);
        for (let i = i0; i < i1; i++) {
          const s0 = (from * ci + i) * co;
          const d0 = i * strideI + tap;
          for (let o = o0; o < o1; o++) dst[d0 + o * strideO] = src[s0 + o];
        }
      }
    }
  }
  return dst;
}

/** Rearranged filters by the filter's dataId, then layout and shape; least recently used first. */
const filterCache = new Map<unknown, Map<string, Float32Array>>();
let filterCacheFloats = 0;
/**
 * At most this many floats (256 MB) in kept filters: every conv filter of FCOS-R50 in one layout
 * (≈ 32 M), so a forward with unchanged weights rearranges none. Filters of freed tensors (a
 * training step's) are dropped as soon as another is kept.
 */
const FILTER_CACHE_FLOATS = 64 * 1024 * 1024;

/**
 * The filter `filter` (HWIO, on the wasm heap) in `layout`, kept for its next use: FCOS's head
 * convs share their weights over the five levels, and the forward and the input gradient of a
 * strided conv share a layout. A tensor's data never changes (a variable's assign gives it a new
 * dataId), so the dataId is a safe key.
 */
function filterIn(backend: WasmBackendLike, filter: Info, layout: FilterLayout): HostTensor {
  const [kh, kw, ci, co] = filter.shape;
  const shape = layout === "oihw" ? [co, ci, kh, kw] : [ci, co, kh, kw];
  // Reshape keeps the dataId, so the shape is part of the key.
  const key = `${layout} ${filter.shape}`;
  const entries = filterCache.get(filter.dataId);
  const hit = entries?.get(key);
  if (entries !== undefined) {
    filterCache.delete(filter.dataId); // most recently used goes last
    filterCache.set(filter.dataId, entries);
  }
  if (hit !== undefined) return { data: hit, shape };
  const t = phaseStart();
  // A plain copy first: V8 reads wasm memory ≈ 2× slower than an ArrayBuffer.
  const src = (backend.typedArrayFromHeap(filter) as Float32Array).slice();
  const data = rearrangeFilter(src, kh * kw, ci, co, layout);
  phaseEnd(`ORT filter rearranged (${layout}, JS)`, t);
  const map = entries ?? new Map<string, Float32Array>();
  map.set(key, data);
  dropFreedFilters(backend);
  filterCache.set(filter.dataId, map);
  filterCacheFloats += data.length;
  while (filterCache.size > 1 && filterCacheFloats > FILTER_CACHE_FLOATS) {
    const [key, oldest] = filterCache.entries().next().value!;
    filterCache.delete(key);
    for (const a of oldest.values()) filterCacheFloats -= a.length;
  }
  return { data, shape };
}

/** Drops the kept layouts of filters the backend no longer holds. */
function dropFreedFilters(backend: WasmBackendLike): void {
  const live = backend.dataIdMap;
  if (live === undefined) return;
  for (const [dataId, entries] of filterCache) {
    if (live.has(dataId)) continue;
    filterCache.delete(dataId);
    for (const a of entries.values()) filterCacheFloats -= a.length;
  }
}

// ---- the kernels (null: not covered, the replaced kernel runs) ----

interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
  activation?: string;
}

function convInfo(xShape: number[], filterShape: number[], a: ConvAttrs) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    "channelsLast",
  );
}

function isNhwcFloat(a: ConvAttrs, ...tensors: Info[]): boolean {
  return (a.dataFormat ?? "NHWC") === "NHWC" && tensors.every((t) => t.dtype === "float32");
}

/** `Conv2D` and `FusedConv2D` (bias of Co values; activation linear or relu). */
function convForward(runner: OrtRunner, args: KernelArgs): Info | null {
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, Info>;
  const a = args.attrs as unknown as ConvAttrs;
  const activation = a.activation ?? "linear";
  if (!isNhwcFloat(a, x, filter) || preluActivationWeights !== undefined) return null;
  if (activation !== "linear" && activation !== "relu") return null;
  const co = filter.shape[3];
  if (bias !== undefined && (bias.dtype !== "float32" || sizeOf(bias.shape) !== co)) return null;
  const info = convInfo(x.shape, filter.shape, a);
  const g = geometryOf(info);
  const relu = activation === "relu";
  const key = `fwd ${geometryKey(g)} b${bias !== undefined} ${activation}`;
  const session = runner.session(key, () => forwardGraph(g, bias !== undefined, relu));
  const backend = args.backend as WasmBackendLike;
  const feeds: Record<string, Info | HostTensor> = { x, w: filterIn(backend, filter, "oihw") };
  if (bias !== undefined) feeds.b = { ...bias, shape: [co] };
  return runner.run(
    "forward",
    session,
    backend,
    feeds,
    {},
    "y",
    [
      info.batchSize,
      info.outHeight,
      info.outWidth,
      co,
    ],
  );
}

/** `Conv2DBackpropInput`: dx of `inputShape` from dy and the filter. */
function convInputGrad(runner: OrtRunner, args: KernelArgs): Info | null {
  const { dy, filter } = args.inputs as Record<string, Info>;
  const a = args.attrs as unknown as ConvAttrs & { inputShape: number[] };
  if (!isNhwcFloat(a, dy, filter)) return null;
  const info = convInfo(a.inputShape, filter.shape, a);
  const g = geometryOf(info);
  // ConvTranspose's size: s·(OH − 1) + KH − top − bottom (+ output_padding, < s).
  const reach = (o: number, s: number, k: number, p0: number, p1: number) =>
    s * (o - 1) + k - p0 - p1;
  const outputPadding: [number, number] = [
    info.inHeight - reach(info.outHeight, g.strides[0], g.kh, g.pads[0], g.pads[2]),
    info.inWidth - reach(info.outWidth, g.strides[1], g.kw, g.pads[1], g.pads[3]),
  ];
  if (outputPadding.some((p, i) => p < 0 || p >= g.strides[i])) return null;
  // Stride 1: a forward conv with the flipped filter (MLAS's conv is ≈ 1.1–1.4× faster here in
  // CPU time than its ConvTranspose, a GEMM then col2im); strided: ConvTranspose.
  let key = `dx ${geometryKey(g)} op${outputPadding}`;
  let build = () => inputGradGraph(g, outputPadding);
  let layout: FilterLayout = "oihw";
  const flipPads = [
    g.kh - 1 - g.pads[0],
    g.kw - 1 - g.pads[1],
    info.inHeight + g.pads[0] - info.outHeight,
    info.inWidth + g.pads[1] - info.outWidth,
  ];
  if (
    g.strides[0] === 1 && g.strides[1] === 1 &&
    g.dilations[0] === 1 && g.dilations[1] === 1 && flipPads.every((p) => p >= 0)
  ) {
    key = `dxflip ${g.kh}x${g.kw} p${flipPads}`;
    build = () => inputGradFlippedGraph(g, flipPads);
    layout = "flip";
  }
  const backend = args.backend as WasmBackendLike;
  const session = runner.session(key, build);
  return runner.run(
    "BackpropInput",
    session,
    backend,
    { dy, w: filterIn(backend, filter, layout) },
    {},
    "dx",
    [...a.inputShape],
  );
}

/** `Conv2DBackpropFilter`: dW [KH, KW, Ci, Co] from x and dy. */
function convFilterGrad(runner: OrtRunner, args: KernelArgs): Info | null {
  const { x, dy } = args.inputs as Record<string, Info>;
  const a = args.attrs as unknown as ConvAttrs & { filterShape: number[] };
  if (!isNhwcFloat(a, x, dy)) return null;
  const info = convInfo(x.shape, a.filterShape, a);
  const g = geometryOf(info);
  if (g.dilations[0] !== 1 || g.dilations[1] !== 1) return null;
  const [top, left] = g.pads;
  // Pads that make the padded size exactly (O − 1)·s + K (negative: rows the stride never reads).
  const bottom = (info.outHeight - 1) * g.strides[0] + g.kh - info.inHeight - top;
  const right = (info.outWidth - 1) * g.strides[1] + g.kw - info.inWidth - left;
  const key = `dw ${g.kh}x${g.kw} s${g.strides}`;
  const session = runner.session(key, () => filterGradGraph(g));
  return runner.run(
    "BackpropFilter",
    session,
    args.backend as WasmBackendLike,
    { x, dy },
    { pads: [0, top, left, 0, 0, bottom, right, 0] },
    "dw",
    [...a.filterShape],
  );
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, v) => a * v, 1);
}

// ---- switching ----

/** The kernel sets the wasm backend's convolutions can run on. */
export type CpuKernels = "onnxruntime" | "xnnpack";

let runner: OrtRunner | null = null;
let active = false;
let wrapped = false;

const KERNELS: [string, (r: OrtRunner, args: KernelArgs) => Info | null][] = [
  ["Conv2D", convForward],
  ["FusedConv2D", convForward],
  ["Conv2DBackpropInput", convInputGrad],
  ["Conv2DBackpropFilter", convFilterGrad],
];

/**
 * Puts a wrapper around each covered wasm kernel: onnxruntime while active, else (or for what it
 * does not cover) the kernel it replaces. Done once; the wrapped kernels must be registered.
 */
function wrapWasmKernels(): void {
  if (wrapped) return;
  for (const [name, ortKernel] of KERNELS) {
    const existing = tf.getKernel(name, "wasm");
    if (existing === undefined) throw new Error(`wasm kernel '${name}' is not registered`);
    const fallback = existing.kernelFunc;
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({
      kernelName: name,
      backendName: "wasm",
      setupFunc: existing.setupFunc,
      kernelFunc: (args) => {
        const out = active && runner !== null ? ortKernel(runner, args as KernelArgs) : null;
        return out ?? fallback(args);
      },
    });
  }
  wrapped = true;
}

/**
 * Loads onnxruntime-node and routes the wasm backend's convolutions to it, with `threads` intra-op
 * threads (use the wasm thread count). Needs `--allow-ffi`; without it (or when the package cannot
 * load) an FcosError saying why, and the kernels stay as they were. A second call with the same
 * thread count only reactivates them.
 *
 * @example
 * ```ts ignore
 * import { enableOrtKernels } from "./ort_kernels.ts";
 * await enableOrtKernels(2); // --allow-ffi
 * ```
 */
export async function enableOrtKernels(threads: number): Promise<void> {
  if (runner === null || runner.threads !== threads) {
    const hasFfi = Deno.permissions.querySync?.({ name: "ffi" }).state === "granted";
    // Asking would prompt on a terminal; the kernels are an optimisation, so never ask.
    if (!hasFfi) {
      throw ortLoadError(new Deno.errors.NotCapable("ffi"), 'cpuKernels "onnxruntime"');
    }
    let native: NativeRuntime;
    try {
      native = await loadNativeRuntime();
    } catch (e) {
      throw e instanceof FcosError ? e : new FcosError(`onnxruntime kernels: ${firstLine(e)}`);
    }
    runner?.dispose();
    runner = new OrtRunner(native, threads);
  }
  wrapWasmKernels();
  active = true;
}

/**
 * Switches the wasm convolutions between onnxruntime (after {@linkcode enableOrtKernels}) and the
 * kernels they replace, e.g. to compare the two in tests and benchmarks; returns the previous
 * setting.
 *
 * @example
 * ```ts ignore
 * import { setCpuKernels } from "./ort_kernels.ts";
 * const before = setCpuKernels("xnnpack");
 * // ... XNNPACK ...
 * setCpuKernels(before);
 * ```
 */
export function setCpuKernels(kernels: CpuKernels): CpuKernels {
  const before = activeCpuKernels();
  if (kernels === "onnxruntime" && runner === null) {
    throw new FcosError("the onnxruntime kernels are not loaded (enableOrtKernels)");
  }
  active = kernels === "onnxruntime";
  return before;
}

/**
 * Which kernels the wasm convolutions run on now.
 *
 * @example
 * ```ts
 * import { activeCpuKernels } from "./ort_kernels.ts";
 * console.log(activeCpuKernels()); // "xnnpack" until enableOrtKernels
 * ```
 */
export function activeCpuKernels(): CpuKernels {
  return active && runner !== null ? "onnxruntime" : "xnnpack";
}

/** Releases the onnxruntime sessions and goes back to XNNPACK (idempotent). */
export function disposeOrtKernels(): void {
  active = false;
  filterCache.clear();
  filterCacheFloats = 0;
  runner?.dispose();
  runner = null;
}
