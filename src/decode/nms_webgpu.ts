/**
 * Batched NMS in WGSL for WebGPU, for candidates that are already on the GPU (a `GPUBuffer` of
 * one's own, or tfjs-backend-webgpu tensors via {@linkcode batchedNmsTensors}): only the kept
 * indices are read back (one 4-byte count, then exactly the kept entries).
 *
 * Same results as the CPU path ({@linkcode batchedNms} in ./nms.ts, torchvision semantics, including
 * the float32 coordinate trick of `batched_nms` for N ≤ 1000 — labels must then be < 2^24 in
 * magnitude so that they convert to float32 exactly):
 *
 * 1. a bitonic sort of (score key, index) gives the global order (score descending, index ascending;
 *    stages with compare distance ≤ 256 run in workgroup memory, 512 elements per workgroup);
 * 2. a second bitonic sort of (label, global rank) lays each label out contiguously, in score order;
 * 3. one workgroup per label runs torchvision's greedy loop: for each surviving box in order, its
 *    256 threads test all later boxes of the label in parallel and mark the suppressed ones;
 * 4. a single-workgroup prefix sum compacts the kept boxes in global rank order.
 *
 * The IoU test reproduces torchvision's float32 arithmetic: WGSL rounds `+ − ×` correctly but only
 * bounds `/` to 2.5 ulp, so `fl(inter / union) > t` is decided without trusting the division:
 * outside a 2^-20 band around the threshold the quotient decides; inside it, an exact integer
 * comparison of `inter` against `m · union` (m = the float32 rounding midpoint just above t, with
 * round-half-even on ties). The product `inter` is passed through an opaque `select` so that no
 * compiler fuses it into `union = (areaI + areaJ) − inter` (an FMA would round differently).
 * Not reproduced: float32 overflow (areas ≥ 3.4e38, i.e. coordinates beyond ~1e19) and subnormal
 * areas, which GPUs may flush to zero; keep coordinates between 1e-15 and 1e18 in magnitude.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import type { Tensor, Tensor1D, Tensor2D } from "../tensor.ts";
import { tf } from "../tf.ts";
import { COORDINATE_TRICK_MAX_BOXES } from "./nms.ts";

const WG = 256;

const SHADER = /* wgsl */ `
struct Params {
  n: u32,
  size: u32,       // padded power of two for the sorts
  maxOut: u32,
  negT: u32,       // 1 when the IoU threshold is < 0
  tUp: f32,        // smallest float32 > t (t ≥ 0), or +huge
  lo: f32,         // tUp·(1 − 2^-20): quotients ≤ lo are certainly not > t
  hi: f32,         // tUp·(1 + 2^-20): quotients ≥ hi certainly are
  mM: u32,         // rounding midpoint below tUp = mM · 2^mE, mM < 2^25
  mE: i32,
  tieUp: u32,      // 1 when a quotient exactly at the midpoint rounds up to tUp
  opaque: u32,     // always 0, unknown to the compiler
  trick: u32,      // 1: shift boxes by label·(max + 1) as torchvision's batched_nms does (N ≤ 1000)
}

struct Stage { k: u32, j: u32, p0: u32, p1: u32 }

@group(0) @binding(0) var<uniform> P: Params;

// ---- 1. keys: descending score order as ascending u32 keys ------------------------------------
@group(1) @binding(0) var<storage, read> scoresIn: array<f32>;
@group(1) @binding(1) var<storage, read_write> key1: array<u32>;
@group(1) @binding(2) var<storage, read_write> val1: array<u32>;
@group(1) @binding(3) var<storage, read_write> badKeys: array<atomic<u32>>; // bit 0: score, 1: box

fn nonFinite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u; }

@compute @workgroup_size(${WG})
fn makeKeys(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= P.size) { return; }
  if (i >= P.n) { key1[i] = 0xffffffffu; val1[i] = 0xffffffffu; return; }
  if (nonFinite(scoresIn[i])) { atomicOr(&badKeys[0], 1u); }
  var b = bitcast<u32>(scoresIn[i]);
  if (b == 0x80000000u) { b = 0u; }  // -0 ties with +0
  var ordered: u32;
  if ((b & 0x80000000u) != 0u) { ordered = ~b; } else { ordered = b | 0x80000000u; }
  key1[i] = ~ordered;
  val1[i] = i;
}

// ---- bitonic compare-exchange of (key, val) pairs ---------------------------------------------
@group(1) @binding(0) var<storage, read_write> sk: array<u32>;
@group(1) @binding(1) var<storage, read_write> sv: array<u32>;
@group(2) @binding(0) var<uniform> S: Stage;

@compute @workgroup_size(${WG})
fn bitonic(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  let t = gid.x + gid.y * nw.x * ${WG}u;
  if (t >= P.size / 2u) { return; }
  let j = S.j;
  let i = 2u * j * (t / j) + (t % j);
  let l = i + j;
  let ascending = (i & S.k) == 0u;
  let ki = sk[i]; let kl = sk[l]; let vi = sv[i]; let vl = sv[l];
  let iGreater = ki > kl || (ki == kl && vi > vl);
  if (iGreater == ascending) {
    sk[i] = kl; sk[l] = ki; sv[i] = vl; sv[l] = vi;
  }
}

// All stages of one bitonic pass with j ≤ 256 on a 512-element block in workgroup memory:
// k from S.k to S.j (doubling), j from min(k/2, 256) down to 1.
var<workgroup> lk: array<u32, ${2 * WG}>;
var<workgroup> lv: array<u32, ${2 * WG}>;

@compute @workgroup_size(${WG})
fn bitonicLocal(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
  let base = (wid.x + wid.y * nw.x) * ${2 * WG}u;
  if (base >= P.size) { return; }
  lk[lid] = sk[base + lid];
  lk[lid + ${WG}u] = sk[base + lid + ${WG}u];
  lv[lid] = sv[base + lid];
  lv[lid + ${WG}u] = sv[base + lid + ${WG}u];
  workgroupBarrier();
  for (var k = S.k; k <= S.j; k = k * 2u) {
    for (var j = min(k / 2u, ${WG}u); j >= 1u; j = j / 2u) {
      let i = 2u * j * (lid / j) + (lid % j);
      let l = i + j;
      let ascending = ((base + i) & k) == 0u;
      let ki = lk[i]; let kl = lk[l]; let vi = lv[i]; let vl = lv[l];
      let iGreater = ki > kl || (ki == kl && vi > vl);
      if (iGreater == ascending) {
        lk[i] = kl; lk[l] = ki; lv[i] = vl; lv[l] = vi;
      }
      workgroupBarrier();
    }
  }
  sk[base + lid] = lk[lid];
  sk[base + lid + ${WG}u] = lk[lid + ${WG}u];
  sv[base + lid] = lv[lid];
  sv[base + lid + ${WG}u] = lv[lid + ${WG}u];
}

// ---- 2. keys for the label-major sort ---------------------------------------------------------
@group(1) @binding(0) var<storage, read> labelsIn: array<i32>;
@group(1) @binding(1) var<storage, read> order1: array<u32>;
@group(1) @binding(2) var<storage, read_write> key2: array<u32>;
@group(1) @binding(3) var<storage, read_write> val2: array<u32>;

@compute @workgroup_size(${WG})
fn makeLabelKeys(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = gid.x;
  if (p >= P.size) { return; }
  if (p >= P.n) { key2[p] = 0xffffffffu; val2[p] = 0xffffffffu; return; }
  key2[p] = bitcast<u32>(labelsIn[order1[p]]) ^ 0x80000000u;
  val2[p] = p;
}

// ---- max of all coordinates (for the coordinate trick) ----------------------------------------
@group(1) @binding(0) var<storage, read> mBoxes: array<f32>;
@group(1) @binding(1) var<storage, read_write> mOut: array<f32>;

var<workgroup> partialMax: array<f32, ${WG}>;

@compute @workgroup_size(${WG})
fn maxCoord(@builtin(local_invocation_index) lid: u32) {
  var m = -3.4028234663852886e38;
  for (var i = lid; i < 4u * P.n; i = i + ${WG}u) { m = max(m, mBoxes[i]); }
  partialMax[lid] = m;
  workgroupBarrier();
  for (var d = ${WG}u / 2u; d > 0u; d = d / 2u) {
    if (lid < d) { partialMax[lid] = max(partialMax[lid], partialMax[lid + d]); }
    workgroupBarrier();
  }
  if (lid == 0u) { mOut[1] = partialMax[0]; }
}

// ---- 3. gather boxes in label-major order ----------------------------------------------------
@group(1) @binding(0) var<storage, read> boxesIn: array<vec4<f32>>;
@group(1) @binding(1) var<storage, read> gLabels: array<i32>;
@group(1) @binding(2) var<storage, read> gOrder1: array<u32>;
@group(1) @binding(3) var<storage, read> gOrder2: array<u32>;
@group(1) @binding(4) var<storage, read_write> sBox: array<vec4<f32>>;
@group(1) @binding(5) var<storage, read_write> sMeta: array<vec4<u32>>; // label, rank, area bits, removed
@group(1) @binding(6) var<storage, read_write> keptByRank: array<u32>;
@group(1) @binding(7) var<storage, read_write> badGather: array<atomic<u32>>; // [flags, max bits]

@compute @workgroup_size(${WG})
fn gather(@builtin(global_invocation_id) gid: vec3<u32>) {
  let q = gid.x;
  if (q >= P.n) { return; }
  let p = gOrder2[q];
  let i = gOrder1[p];
  var b = boxesIn[i];
  if (nonFinite(b.x) || nonFinite(b.y) || nonFinite(b.z) || nonFinite(b.w)) {
    atomicOr(&badGather[0], 2u);
  }
  if (P.trick == 1u) {
    // torchvision: offsets = label.to(float32) * (max + 1); boxes + offsets. The select keeps the
    // product from being fused into the additions.
    let step = bitcast<f32>(atomicLoad(&badGather[1])) + 1.0;
    let off = select(f32(gLabels[i]) * step, 0.0, P.opaque == 1u);
    b = b + vec4<f32>(off, off, off, off);
  }
  sBox[q] = b;
  let area = (b.z - b.x) * (b.w - b.y);
  sMeta[q] = vec4<u32>(bitcast<u32>(gLabels[i]), p, bitcast<u32>(area), 0u);
  keptByRank[q] = 0u;
}

// ---- 4. greedy NMS, one workgroup per label ---------------------------------------------------
@group(1) @binding(0) var<storage, read> nBox: array<vec4<f32>>;
@group(1) @binding(1) var<storage, read_write> nMeta: array<vec4<u32>>;
@group(1) @binding(2) var<storage, read_write> nKept: array<u32>;

var<workgroup> segEnd: atomic<u32>;
var<workgroup> current: u32;

fn mantissa(bits: u32) -> vec2<i32> { // (integer mantissa, exponent) of a positive float32
  let e = (bits >> 23u) & 0xffu;
  if (e == 0u) { return vec2<i32>(i32(bits & 0x7fffffu), -149); }
  return vec2<i32>(i32((bits & 0x7fffffu) | 0x800000u), i32(e) - 150);
}

// Exact: is inter / uni > m (= mM·2^mE), or == m with round-up? inter, uni > 0 finite.
fn aboveMidpoint(inter: f32, uni: f32) -> bool {
  let a = mantissa(bitcast<u32>(inter));
  let b = mantissa(bitcast<u32>(uni));
  let s = a.y - P.mE - b.y;
  // P = mM · Mb as 64 bits (hi, lo) from 16-bit limbs.
  let mh = P.mM >> 16u; let ml = P.mM & 0xffffu;
  let bh = u32(b.x) >> 16u; let bl = u32(b.x) & 0xffffu;
  let mid = mh * bl + ml * bh;
  let low = ml * bl;
  let lo = low + (mid << 16u);
  let carry = select(0u, 1u, lo < low);
  let hi = mh * bh + (mid >> 16u) + carry;
  if (s < 0) { return false; }       // Ma < 2^24 ≤ P·2^-s for normal uni; see the module notes
  if (s >= 27) { return true; }      // Ma·2^s ≥ 2^50 > P
  let su = u32(s);
  let ma = u32(a.x);
  let xlo = ma << su;
  var xhi = 0u;
  if (su > 0u) { xhi = ma >> (32u - su); }
  if (xhi != hi) { return xhi > hi; }
  if (xlo != lo) { return xlo > lo; }
  return P.tieUp == 1u;
}

fn suppresses(bi: vec4<f32>, ai: f32, bj: vec4<f32>, aj: f32) -> bool {
  let w = max(0.0, min(bi.z, bj.z) - max(bi.x, bj.x));
  let h = max(0.0, min(bi.w, bj.w) - max(bi.y, bj.y));
  // select() on a runtime-zero uniform keeps the product from being fused into the subtraction.
  let inter = select(w * h, 0.0, P.opaque == 1u);
  let uni = (ai + aj) - inter;
  if (inter > 0.0 && uni > 0.0) {
    if (P.negT == 1u) { return true; }
    let q = inter / uni;
    if (q >= P.hi) { return true; }
    if (q <= P.lo) { return false; }
    return aboveMidpoint(inter, uni);
  }
  // inter == 0: the IoU is 0 or −0 (> t only for t < 0), or NaN when uni == 0 (never).
  return P.negT == 1u && uni != 0.0;
}

@compute @workgroup_size(${WG})
fn segmentNms(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let q = wid.x + wid.y * nw.x;
  // Only the first position of each label does work (uniform per workgroup).
  if (q >= P.n) { return; }
  let label = nMeta[q].x;
  if (q > 0u && nMeta[q - 1u].x == label) { return; }
  if (lid == 0u) { atomicStore(&segEnd, P.n); }
  workgroupBarrier();
  // Find where the label ends.
  var base = q + 1u;
  loop {
    let pos = base + lid;
    if (pos < P.n && nMeta[pos].x != label) { atomicMin(&segEnd, pos); }
    workgroupBarrier();
    let e = atomicLoad(&segEnd);
    workgroupBarrier();
    base = base + ${WG}u;
    if (e < base || base >= P.n) { break; }
  }
  let end = atomicLoad(&segEnd);
  for (var i = q; i < end; i = i + 1u) {
    if (lid == 0u) { current = nMeta[i].w; }
    let removed = workgroupUniformLoad(&current);
    if (removed != 0u) { continue; }
    let bi = nBox[i];
    let ai = bitcast<f32>(nMeta[i].z);
    if (lid == 0u) { nKept[nMeta[i].y] = 1u; }
    for (var j = i + 1u + lid; j < end; j = j + ${WG}u) {
      if (nMeta[j].w == 0u && suppresses(bi, ai, nBox[j], bitcast<f32>(nMeta[j].z))) {
        nMeta[j].w = 1u;
      }
    }
    storageBarrier();
  }
}

// ---- 5. compact kept boxes in rank order ------------------------------------------------------
@group(1) @binding(0) var<storage, read> cKept: array<u32>;
@group(1) @binding(1) var<storage, read> cOrder1: array<u32>;
@group(1) @binding(2) var<storage, read_write> outIdx: array<u32>;
@group(1) @binding(3) var<storage, read_write> outCount: array<u32>;

var<workgroup> partial: array<u32, ${WG}>;

@compute @workgroup_size(${WG})
fn compact(@builtin(local_invocation_index) lid: u32) {
  let chunk = (P.n + ${WG}u - 1u) / ${WG}u;
  let s = lid * chunk;
  let e = min(s + chunk, P.n);
  var c = 0u;
  for (var p = s; p < e; p = p + 1u) { c = c + cKept[p]; }
  partial[lid] = c;
  workgroupBarrier();
  // Inclusive Hillis–Steele scan over the 256 partial counts.
  for (var d = 1u; d < ${WG}u; d = d * 2u) {
    var v = 0u;
    if (lid >= d) { v = partial[lid - d]; }
    workgroupBarrier();
    partial[lid] = partial[lid] + v;
    workgroupBarrier();
  }
  var o = partial[lid] - c;
  for (var p = s; p < e; p = p + 1u) {
    if (cKept[p] == 1u) {
      if (o < P.maxOut) { outIdx[o] = cOrder1[p]; }
      o = o + 1u;
    }
  }
  if (lid == ${WG}u - 1u) { outCount[0] = min(partial[lid], P.maxOut); }
}
`;

/** Candidates that already live in GPU buffers of the same device. */
export interface GpuNmsInput {
  /** N×4 float32 (x1, y1, x2, y2), STORAGE usage, ≥ 16·N bytes. */
  boxes: GPUBuffer;
  /** N float32 scores, STORAGE usage. */
  scores: GPUBuffer;
  /** N int32 labels, STORAGE usage. */
  labels: GPUBuffer;
  /** N. */
  count: number;
}

/** Options of {@linkcode WebGpuNms.run}. */
export interface GpuNmsOptions {
  /** Read back at most this many kept indices (the first ones). */
  maxOutput?: number;
  /** As `NmsOptions.coordinateTrick` of ./nms.ts (default true: torchvision's paths). */
  coordinateTrick?: boolean;
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Threshold constants for the exact float32 comparison `fl(q) > t` (see the shader). */
function thresholdParams(t: number) {
  const f = new Float32Array(1), u = new Uint32Array(f.buffer);
  if (t < 0) return { negT: 1, tUp: 0, lo: 0, hi: 0, mM: 0, mE: 0, tieUp: 0 };
  // Smallest float32 > t.
  f[0] = t;
  if (f[0] <= t) u[0] += 1; // t ≥ 0: the next bit pattern is the next float up
  const tUp = f[0];
  if (!Number.isFinite(tUp)) {
    return { negT: 0, tUp: 3.4e38, lo: 3.4e38, hi: 3.4e38, mM: 0, mE: 0, tieUp: 0 };
  }
  u[0] -= 1;
  const below = f[0]; // largest float32 ≤ t
  u[0] += 1;
  const m = (below + tUp) / 2; // exact in double
  const tieUp = (u[0] & 1) === 0 ? 1 : 0; // ties round to the even neighbour
  if (m === 0) return { negT: 0, tUp, lo: 0, hi: tUp, mM: 1, mE: -150, tieUp };
  let mE = Math.floor(Math.log2(m)) - 24;
  let mM = m / 2 ** mE;
  while (mM >= 2 ** 25) {
    mE++;
    mM = m / 2 ** mE;
  }
  while (mM < 2 ** 24) {
    mE--;
    mM = m / 2 ** mE;
  }
  if (!Number.isInteger(mM)) throw new FcosError(`nms (webgpu): internal threshold error for ${t}`);
  return {
    negT: 0,
    tUp,
    lo: tUp * (1 - 2 ** -20),
    hi: tUp * (1 + 2 ** -20),
    mM,
    mE,
    tieUp,
  };
}

/**
 * WebGPU batched NMS with torchvision's semantics (identical results to the CPU
 * {@linkcode batchedNms} of ./nms.ts). Create once per device; `run` works on GPU buffers,
 * `batchedNms` uploads typed arrays first.
 *
 * @example
 * ```ts ignore
 * import { WebGpuNms } from "./nms_webgpu.ts";
 * const gpu = await WebGpuNms.create();
 * const keep = await gpu.batchedNms(
 *   new Float32Array([0, 0, 10, 10, 1, 1, 10, 10]),
 *   new Float32Array([0.9, 0.8]),
 *   new Int32Array([0, 0]),
 *   0.5,
 * );
 * console.log(keep); // Int32Array [0]
 * gpu.destroy();
 * ```
 */
export class WebGpuNms {
  /** The device the pipelines were built for; input buffers must belong to it. */
  readonly device: GPUDevice;
  private readonly ownsDevice: boolean;
  private readonly pipes: Record<string, GPUComputePipeline>;
  private readonly stageLayout: GPUBindGroupLayout;

  private constructor(device: GPUDevice, ownsDevice: boolean, module: GPUShaderModule) {
    this.device = device;
    this.ownsDevice = ownsDevice;
    const d = device;
    const ro = { type: "read-only-storage" } as const;
    const rw = { type: "storage" } as const;
    const layout = (types: GPUBufferBindingLayout[]) =>
      d.createBindGroupLayout({
        entries: types.map((buffer, binding) => ({
          binding,
          visibility: GPUShaderStage.COMPUTE,
          buffer,
        })),
      });
    const paramsLayout = layout([{ type: "uniform" }]);
    this.stageLayout = layout([{ type: "uniform", hasDynamicOffset: true }]);
    const pipe = (entryPoint: string, groups: GPUBindGroupLayout[]) =>
      d.createComputePipeline({
        layout: d.createPipelineLayout({ bindGroupLayouts: [paramsLayout, ...groups] }),
        compute: { module, entryPoint },
      });
    this.pipes = {
      makeKeys: pipe("makeKeys", [layout([ro, rw, rw, rw])]),
      bitonic: pipe("bitonic", [layout([rw, rw]), this.stageLayout]),
      bitonicLocal: pipe("bitonicLocal", [layout([rw, rw]), this.stageLayout]),
      makeLabelKeys: pipe("makeLabelKeys", [layout([ro, ro, rw, rw])]),
      maxCoord: pipe("maxCoord", [layout([ro, rw])]),
      gather: pipe("gather", [layout([ro, ro, ro, ro, rw, rw, rw, rw])]),
      segmentNms: pipe("segmentNms", [layout([ro, rw, rw])]),
      compact: pipe("compact", [layout([ro, ro, rw, rw])]),
    };
  }

  /**
   * Builds the pipelines on `device`, or on a new device of the default adapter.
   * @throws {FcosError} when WebGPU or an adapter is unavailable, or the shader fails to compile.
   */
  static async create(device?: GPUDevice): Promise<WebGpuNms> {
    let owns = false;
    if (!device) {
      const adapter = await navigator.gpu?.requestAdapter();
      if (!adapter) throw new FcosError("nms (webgpu): no WebGPU adapter is available");
      device = await adapter.requestDevice();
      owns = true;
    }
    device.pushErrorScope("validation");
    const module = device.createShaderModule({ code: SHADER });
    const self = new WebGpuNms(device, owns, module);
    const err = await device.popErrorScope();
    if (err) throw new FcosError(`nms (webgpu): shader/pipeline error: ${err.message}`);
    return self;
  }

  /**
   * NMS of `input.count` candidates already on the GPU; returns the kept indices by decreasing
   * score (equal scores: lower index first).
   * @throws {FcosError} on a NaN threshold, buffers too small or without STORAGE usage, NaN/±Infinity
   * scores or coordinates (detected on the GPU, reported with the count), or a GPU validation error.
   */
  async run(
    input: GpuNmsInput,
    iouThreshold: number,
    options?: GpuNmsOptions,
  ): Promise<Int32Array> {
    const n = input.count;
    if (!Number.isInteger(n) || n < 0) {
      throw new FcosError(`nms (webgpu): count must be a non-negative integer, got ${n}`);
    }
    if (typeof iouThreshold !== "number" || Number.isNaN(iouThreshold)) {
      throw new FcosError(`nms (webgpu): iouThreshold must be a number, got ${iouThreshold}`);
    }
    for (
      const [name, buf, bytes] of [
        ["boxes", input.boxes, 16 * n],
        ["scores", input.scores, 4 * n],
        ["labels", input.labels, 4 * n],
      ] as const
    ) {
      if (buf.size < bytes) {
        throw new FcosError(`nms (webgpu): ${name} buffer has ${buf.size} bytes, need ${bytes}`);
      }
      if ((buf.usage & GPUBufferUsage.STORAGE) === 0) {
        throw new FcosError(`nms (webgpu): ${name} buffer lacks STORAGE usage`);
      }
    }
    const requested = options?.maxOutput ?? n;
    if (typeof requested !== "number" || Number.isNaN(requested) || requested < 0) {
      throw new FcosError(
        `nms (webgpu): maxOutput must be a non-negative number, got ${requested}`,
      );
    }
    const maxOut = Math.min(n, Math.floor(requested));
    if (n === 0 || maxOut <= 0) return new Int32Array(0);
    const d = this.device;
    const size = nextPow2(n);
    const th = thresholdParams(iouThreshold);
    const params = new ArrayBuffer(48);
    const pu = new Uint32Array(params), pf = new Float32Array(params), pi = new Int32Array(params);
    pu[0] = n;
    pu[1] = size;
    pu[2] = maxOut;
    pu[3] = th.negT;
    pf[4] = th.tUp;
    pf[5] = th.lo;
    pf[6] = th.hi;
    pu[7] = th.mM;
    pi[8] = th.mE;
    pu[9] = th.tieUp;
    pu[10] = 0;
    pu[11] = (options?.coordinateTrick ?? true) && n <= COORDINATE_TRICK_MAX_BOXES ? 1 : 0;
    const temps: GPUBuffer[] = [];
    const buffer = (bytes: number, usage: number = GPUBufferUsage.STORAGE) => {
      const b = d.createBuffer({ size: Math.max(16, bytes), usage });
      temps.push(b);
      return b;
    };
    const paramBuf = buffer(48, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    d.queue.writeBuffer(paramBuf, 0, params);
    // Bitonic stages (k, j), one 256-byte uniform slot each.
    // Bitonic stages as (k, j, local): global compare-exchange passes for j ≥ 512; the j ≤ 256
    // stages of each k run in one workgroup-memory pass (local = 1: k range [k, j]).
    const stages: number[] = [];
    const block = 2 * WG;
    if (size < block) {
      for (let k = 2; k <= size; k *= 2) for (let j = k / 2; j >= 1; j /= 2) stages.push(k, j, 0);
    } else {
      stages.push(2, block, 1);
      for (let k = 2 * block; k <= size; k *= 2) {
        for (let j = k / 2; j >= block; j /= 2) stages.push(k, j, 0);
        stages.push(k, k, 1);
      }
    }
    const numStages = stages.length / 3;
    const stageBuf = buffer(
      256 * Math.max(1, numStages),
      GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    );
    const stageData = new Uint32Array(64 * Math.max(1, numStages));
    for (let s = 0; s < numStages; s++) {
      stageData[64 * s] = stages[3 * s];
      stageData[64 * s + 1] = stages[3 * s + 1];
    }
    d.queue.writeBuffer(stageBuf, 0, stageData);

    const key1 = buffer(4 * size), val1 = buffer(4 * size);
    const key2 = buffer(4 * size), val2 = buffer(4 * size);
    const sBox = buffer(16 * n), sMeta = buffer(16 * n), kept = buffer(4 * n);
    const outIdx = buffer(4 * n, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const outCount = buffer(4, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    // bad[0]: bit 0 = a non-finite score, bit 1 = a non-finite coordinate (zeroed at creation).
    // bad[1]: the largest coordinate (float32 bits), for the coordinate trick.
    const bad = buffer(8, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC);
    const readCount = buffer(8, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);
    const readIdx = buffer(4 * n, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST);

    const group = (pipe: GPUComputePipeline, index: number, buffers: GPUBuffer[]) =>
      d.createBindGroup({
        layout: pipe.getBindGroupLayout(index),
        entries: buffers.map((b, binding) => ({ binding, resource: { buffer: b } })),
      });
    const p = this.pipes;
    const paramsGroup = (pipe: GPUComputePipeline) => group(pipe, 0, [paramBuf]);
    const stageGroup = d.createBindGroup({
      layout: this.stageLayout,
      entries: [{ binding: 0, resource: { buffer: stageBuf, size: 16 } }],
    });
    const groups1D = (threads: number) => Math.ceil(threads / WG);
    const dims = (groups: number): [number, number] => {
      const x = Math.min(groups, 65535);
      return [x, Math.ceil(groups / x)];
    };

    d.pushErrorScope("validation");
    const enc = d.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(p.makeKeys);
    pass.setBindGroup(0, paramsGroup(p.makeKeys));
    pass.setBindGroup(1, group(p.makeKeys, 1, [input.scores, key1, val1, bad]));
    pass.dispatchWorkgroups(groups1D(size));
    const sort = (keys: GPUBuffer, vals: GPUBuffer) => {
      const [gx, gy] = dims(groups1D(size / 2));
      const [lx, ly] = dims(Math.ceil(size / block));
      const globalGroups = [paramsGroup(p.bitonic), group(p.bitonic, 1, [keys, vals])];
      const localGroups = [paramsGroup(p.bitonicLocal), group(p.bitonicLocal, 1, [keys, vals])];
      let current = -1;
      for (let s = 0; s < numStages; s++) {
        const local = stages[3 * s + 2];
        if (local !== current) {
          pass.setPipeline(local ? p.bitonicLocal : p.bitonic);
          const g = local ? localGroups : globalGroups;
          pass.setBindGroup(0, g[0]);
          pass.setBindGroup(1, g[1]);
          current = local;
        }
        pass.setBindGroup(2, stageGroup, [256 * s]);
        if (local) pass.dispatchWorkgroups(lx, ly);
        else pass.dispatchWorkgroups(gx, gy);
      }
    };
    sort(key1, val1);
    pass.setPipeline(p.makeLabelKeys);
    pass.setBindGroup(0, paramsGroup(p.makeLabelKeys));
    pass.setBindGroup(1, group(p.makeLabelKeys, 1, [input.labels, val1, key2, val2]));
    pass.dispatchWorkgroups(groups1D(size));
    sort(key2, val2);
    pass.setPipeline(p.maxCoord);
    pass.setBindGroup(0, paramsGroup(p.maxCoord));
    pass.setBindGroup(1, group(p.maxCoord, 1, [input.boxes, bad]));
    pass.dispatchWorkgroups(1);
    pass.setPipeline(p.gather);
    pass.setBindGroup(0, paramsGroup(p.gather));
    pass.setBindGroup(
      1,
      group(p.gather, 1, [input.boxes, input.labels, val1, val2, sBox, sMeta, kept, bad]),
    );
    pass.dispatchWorkgroups(groups1D(n));
    pass.setPipeline(p.segmentNms);
    pass.setBindGroup(0, paramsGroup(p.segmentNms));
    pass.setBindGroup(1, group(p.segmentNms, 1, [sBox, sMeta, kept]));
    const [sx, sy] = dims(n);
    pass.dispatchWorkgroups(sx, sy);
    pass.setPipeline(p.compact);
    pass.setBindGroup(0, paramsGroup(p.compact));
    pass.setBindGroup(1, group(p.compact, 1, [kept, val1, outIdx, outCount]));
    pass.dispatchWorkgroups(1);
    pass.end();
    enc.copyBufferToBuffer(outCount, 0, readCount, 0, 4);
    enc.copyBufferToBuffer(bad, 0, readCount, 4, 4);
    enc.copyBufferToBuffer(outIdx, 0, readIdx, 0, 4 * n);
    d.queue.submit([enc.finish()]);
    const err = await d.popErrorScope();
    try {
      if (err) throw new FcosError(`nms (webgpu): GPU validation error: ${err.message}`);
      await readCount.mapAsync(GPUMapMode.READ);
      const [count, flags] = new Uint32Array(readCount.getMappedRange().slice(0));
      readCount.unmap();
      if (flags !== 0) {
        const what = [flags & 1 ? "a score" : "", flags & 2 ? "a box coordinate" : ""]
          .filter((x) => x).join(" and ");
        throw new FcosError(`nms (webgpu): ${what} on the GPU is NaN or ±Infinity`);
      }
      if (count > maxOut) throw new FcosError(`nms (webgpu): internal error (count ${count})`);
      if (count === 0) return new Int32Array(0);
      await readIdx.mapAsync(GPUMapMode.READ, 0, 4 * count);
      const out = new Int32Array(readIdx.getMappedRange(0, 4 * count).slice(0));
      readIdx.unmap();
      return out;
    } finally {
      for (const b of temps) b.destroy();
    }
  }

  /**
   * Uploads typed arrays (validated like the CPU path) and runs {@linkcode WebGpuNms.run}.
   * @throws {FcosError} on mismatched lengths or NaN/±Infinity values.
   */
  async batchedNms(
    boxes: Float32Array,
    scores: Float32Array,
    labels: Int32Array,
    iouThreshold: number,
    options?: GpuNmsOptions,
  ): Promise<Int32Array> {
    validateArrays(boxes, scores, labels);
    const n = scores.length;
    const d = this.device;
    const up = (data: Float32Array | Int32Array) => {
      const b = d.createBuffer({
        size: Math.max(16, data.byteLength),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      });
      if (data.byteLength > 0) {
        d.queue.writeBuffer(b, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
      }
      return b;
    };
    const bb = up(boxes), sb = up(scores), lb = up(labels);
    try {
      return await this.run({ boxes: bb, scores: sb, labels: lb, count: n }, iouThreshold, options);
    } finally {
      bb.destroy();
      sb.destroy();
      lb.destroy();
    }
  }

  /** Releases the device if this object created it. */
  destroy(): void {
    if (this.ownsDevice) this.device.destroy();
  }
}

function validateArrays(boxes: Float32Array, scores: Float32Array, labels: Int32Array): void {
  const n = scores.length;
  if (boxes.length !== 4 * n) {
    throw new FcosError(
      `nms (webgpu): boxes has ${boxes.length} numbers but scores has ${n} entries (expected ${
        4 * n
      })`,
    );
  }
  if (labels.length !== n) {
    throw new FcosError(`nms (webgpu): labels has ${labels.length} entries but scores has ${n}`);
  }
  for (let i = 0; i < n; i++) {
    if (scores[i] - scores[i] !== 0) {
      throw new FcosError(`nms (webgpu): scores[${i}] is ${scores[i]} (must be finite)`);
    }
  }
  for (let i = 0; i < 4 * n; i++) {
    if (boxes[i] - boxes[i] !== 0) {
      throw new FcosError(`nms (webgpu): boxes[${i >> 2}][${i & 3}] is ${boxes[i]}`);
    }
  }
}

/** The WebGPU device of tfjs's active backend, or null when tfjs does not run on webgpu. */
function tfjsDevice(): GPUDevice | null {
  if (tf.getBackend() !== "webgpu") return null;
  const backend = tf.backend() as unknown as { device?: GPUDevice };
  return backend.device ?? null;
}

const perDevice = new WeakMap<GPUDevice, Promise<WebGpuNms>>();

/**
 * Batched NMS of tfjs tensors that live on the webgpu backend, without reading them back: the
 * tensors' GPU buffers (`tensor.dataToGPU()`) feed {@linkcode WebGpuNms.run} on the backend's own
 * device, and only the kept indices come back.
 *
 * @param boxes [N, 4] float32 (x1, y1, x2, y2).
 * @param scores [N] float32.
 * @param labels [N] int32.
 * @throws {FcosError} when the active tfjs backend is not webgpu or the shapes/dtypes are wrong.
 *
 * @example
 * ```ts ignore
 * import { tf } from "../tf.ts";
import { COORDINATE_TRICK_MAX_BOXES } from "./nms.ts";
 * import { batchedNmsTensors } from "./nms_webgpu.ts";
 * await tf.setBackend("webgpu");
 * const keep = await batchedNmsTensors(
 *   tf.tensor2d([[0, 0, 10, 10], [1, 1, 10, 10]]),
 *   tf.tensor1d([0.9, 0.8]),
 *   tf.tensor1d([0, 0], "int32"),
 *   0.5,
 * );
 * console.log(keep); // Int32Array [0]
 * ```
 */
export async function batchedNmsTensors(
  boxes: Tensor2D,
  scores: Tensor1D,
  labels: Tensor1D,
  iouThreshold: number,
  options?: GpuNmsOptions,
): Promise<Int32Array> {
  const device = tfjsDevice();
  if (device === null) {
    throw new FcosError(
      `nms (webgpu): tfjs backend is '${tf.getBackend()}', not 'webgpu'; use batchedNms instead`,
    );
  }
  const n = scores.shape[0];
  if (boxes.rank !== 2 || boxes.shape[0] !== n || boxes.shape[1] !== 4) {
    throw new FcosError(`nms (webgpu): boxes has shape [${boxes.shape}], expected [${n}, 4]`);
  }
  if (labels.rank !== 1 || labels.shape[0] !== n) {
    throw new FcosError(`nms (webgpu): labels has shape [${labels.shape}], expected [${n}]`);
  }
  if (boxes.dtype !== "float32" || scores.dtype !== "float32" || labels.dtype !== "int32") {
    throw new FcosError(
      `nms (webgpu): dtypes must be float32/float32/int32, got ${boxes.dtype}/${scores.dtype}/${labels.dtype}`,
    );
  }
  if (n === 0) return new Int32Array(0);
  let nmsP = perDevice.get(device);
  if (!nmsP) {
    nmsP = WebGpuNms.create(device);
    perDevice.set(device, nmsP);
  }
  const gpuNms = await nmsP;
  const held: { release(): void }[] = [];
  try {
    const bufs: GPUBuffer[] = [];
    for (const t of [boxes, scores, labels]) {
      const g = await gpuBufferOf(t, device);
      held.push(g);
      bufs.push(g.buffer);
    }
    return await gpuNms.run(
      { boxes: bufs[0], scores: bufs[1], labels: bufs[2], count: n },
      iouThreshold,
      options,
    );
  } finally {
    for (const h of held) h.release();
  }
}

/**
 * The GPU buffer holding a webgpu-backend tensor. Tensors that tfjs still keeps on the CPU (made
 * from JS values and not yet used by a GPU kernel) are uploaded from their CPU copy instead, which
 * involves no GPU read-back.
 */
async function gpuBufferOf(
  t: Tensor,
  device: GPUDevice,
): Promise<{ buffer: GPUBuffer; release(): void }> {
  try {
    // Make tfjs upload CPU-resident values itself (webgpu backend), then take its buffer.
    (tf.backend() as unknown as { uploadToGPU?(id: unknown): void }).uploadToGPU?.(t.dataId);
    const g = t.dataToGPU();
    if (!g.buffer) {
      g.tensorRef.dispose();
      throw new FcosError("nms (webgpu): tfjs did not return a GPU buffer for a tensor");
    }
    return { buffer: g.buffer, release: () => g.tensorRef.dispose() };
  } catch (e) {
    if (e instanceof FcosError || !/not on GPU/i.test(String(e))) throw e;
    const data = (await t.data()) as Float32Array | Int32Array;
    const buffer = device.createBuffer({
      size: Math.max(16, data.byteLength),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(
      buffer,
      0,
      data.buffer as ArrayBuffer,
      data.byteOffset,
      data.byteLength,
    );
    return { buffer, release: () => buffer.destroy() };
  }
}
