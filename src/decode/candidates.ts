/**
 * Candidate selection on the device: what `FcosModel.detect` reads back from the backend.
 *
 * torchvision's post-processing keeps, per image and level, the `topkCandidates` (k) best
 * (location, class) pairs among those whose score sqrt(sigmoid(cls)·sigmoid(ctr)) exceeds
 * `scoreThresh`, then decodes their boxes and runs NMS. Reading the full head outputs back for that
 * moves L·(C + 5)·4 bytes per image across the bus (and makes the CPU score all L·C pairs): for a
 * 512×512 image (L = 5456 locations) 2.09 MB with C = 91 and 546 kB with C = 20; at 800×1333
 * (L = 22400 on the 800×1344 padded grid) 8.6 MB with C = 91.
 *
 * Here the device computes every pair's score A and, per image and level, the top
 * k' = min(pairs of the level, k + max(16, ⌈k/16⌉)) by A (`tf.topk`), gathers what decoding needs
 * for those pairs, and only that crosses the bus, in one round trip:
 * - per candidate pair, 7 float32 (A, the class logit, the centerness logit and the 4 box
 *   regression values of its location) and 1 int32 (its index location·C + class in the image,
 *   from which the CPU gets location and class): 32 bytes;
 * - per image, 1 float32: the count of non-finite class or centerness logits.
 * With k = 1000 (k' = 1063) that is 32·Σ_l min(pairs_l, 1063) + 4 bytes per image: 170 kB for a
 * 512×512 image with C = 91 (12× less), 146 kB with C = 20 (3.7× less), and the same 170 kB at
 * 800×1333 (50× less); the CPU then scores ~5k pairs instead of scanning ~500k (2M at 800×1333).
 *
 * `FcosModel.detect` uses this on WebGPU (`readback: "auto"`). On wasm and cpu, whose tensors are
 * in host memory, reading the outputs "back" is a copy, and scoring every pair and sorting on the
 * backend cost about as much as or more than the CPU's decode, which skips most pairs with one
 * comparison (FCOS-R18, one 512×512 image, wasm, 2-core VM at load ≈1.3: selection and decode
 * 12–18 ms against 16 ms for the copy and full decode with C = 91; 12–16 ms against 4.5 ms with
 * C = 20), so there it reads the full outputs.
 *
 * Exactness. The CPU decodes the read-back pairs with the exact float32 code of ./decode.ts
 * (`decodeCandidates`), which gives what `decodeDetections` gives on the full outputs provided the
 * pairs hold, per level, all of its exact top k above the threshold. The device's scores A are
 * only close to the exact scores E (GPU `exp` is a few ulp off, scaled by |x|): we assume
 * |A − E| ≤ ρ·E + τ with ρ = 1e-4 (≈1700 ulp, far above WGSL's accuracy bounds for the inputs
 * that matter) and τ = 1e-9, and check it (at half that) on every pair read back. Pairs left on the
 * device have A ≤ a' (the smallest A read back), hence E ≤ hi(a') = (a' + τ)/(1 − ρ). The
 * selection is proved to hold the exact top k of a level when the level fits whole (k' = pairs),
 * or hi(a') ≤ scoreThresh (nothing left behind can pass), or hi(a') < lo(a_k) = (a_k − τ)/(1 + ρ)
 * where a_k is the k-th largest A read back (the k pairs with the largest A all beat anything left
 * behind). Ties (equal exact scores) are then ordered by the CPU exactly as `decodeDetections`
 * orders them, lower flat index first. Where the proof fails (a run of equal scores across the
 * k'-th place, as in uniform image regions of an untrained model), or a logit is NaN or infinite,
 * or the check of the bound fails, the image is marked for the full read-back and the CPU decodes
 * its full outputs (the previous path, whose errors, e.g. on NaN, are unchanged). So is a batch
 * whose images have more than 2^24 (location, class) pairs: tfjs-backend-webgpu reads gather and
 * top-k indices through float32.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { AnchorGrid, HeadOutputs } from "../model/types.ts";
import { type CandidateInput, sigmoidF32 } from "./decode.ts";

const fround = Math.fround;

/** ρ: relative error assumed of the device's scores (see the module notes). */
export const DEVICE_SCORE_REL_ERROR = 1e-4;
/** τ: absolute error assumed of the device's scores (scores near 0, flushed denormals). */
export const DEVICE_SCORE_ABS_ERROR = 1e-9;

/** Numbers per candidate in the float read-back: A, class logit, centerness logit, 4 regression. */
const PACK = 7;

/** Most (location, class) pairs per image selected on the device; larger images are read whole. */
export const MAX_IMAGE_PAIRS = 2 ** 24;

/** Bytes read back per candidate pair: PACK float32 and one int32 index. */
export const BYTES_PER_CANDIDATE: number = 4 * PACK + 4;

/** k': candidate pairs read back per level and image for top-k `k` over `pairs` pairs. */
export function candidatesPerLevel(k: number, pairs: number): number {
  if (k <= 0) return 0;
  return Math.min(pairs, k + Math.max(16, Math.ceil(k / 16)));
}

/** What {@linkcode selectCandidates} read back. */
export interface CandidateSelection {
  /**
   * Per image: its candidate pairs (decode them with `decodeCandidates`), or null where the image
   * must be decoded from its full head outputs (a non-finite logit, or a level where the
   * selection could not be proved to hold the exact top k; see the module notes).
   */
  images: (CandidateInput | null)[];
  /** Bytes read back from the backend for the whole batch. */
  bytesRead: number;
}

/** Options of {@linkcode selectCandidates} (as resolved by `resolveDecodeOptions`). */
export interface SelectOptions {
  /** Score threshold (compared as float32, as the decoder does). */
  scoreThresh: number;
  /** Candidates kept per level before NMS (k), a non-negative integer. */
  topkCandidates: number;
}

interface LevelPlan {
  /** First location of the level. */
  loc0: number;
  /** Locations in the level. */
  n: number;
  /** k': pairs read back per image. */
  kp: number;
  /** Offset of the level's pairs in each image's read-back rows. */
  offset: number;
}

/**
 * out[i, j, …] = x[i, idx[i, j], …]: x [N, M, …], idx [N, J] int32. On WebGPU a gather with
 * batchDims = 1 (indices stay below M); elsewhere a gather on the flattened batch with global
 * indices, as tfjs-backend-wasm 4.22's gather with batchDims = 1 read wrong rows for the second
 * image (values [2, 1600], indices [2, 1063]; right on cpu).
 */
function gatherPerImage(x: tf.Tensor, idx: tf.Tensor): tf.Tensor {
  if (tf.getBackend() === "webgpu") return tf.gather(x, idx, 1, 1);
  const [n, m, ...rest] = x.shape;
  const offsets = tf.mul(tf.expandDims(tf.range(0, n, 1, "int32"), 1), tf.scalar(m, "int32"));
  return tf.gather(tf.reshape(x, [n * m, ...rest]), tf.add(idx, offsets));
}

/** 1 where x is NaN or ±Infinity, else 0 (float32). */
function nonFinite(x: tf.Tensor): tf.Tensor {
  return tf.sub(1, tf.cast(tf.isFinite(x), "float32"));
}

/**
 * Selects each image's decoding candidates on the device and reads back only those (see the
 * module notes for what crosses the bus and why the result is exact). The head tensors stay
 * with the caller.
 *
 * @param head head outputs of a batch: clsLogits [N, L, C], bboxRegression [N, L, 4],
 *   bboxCtrness [N, L].
 * @param grid the batch's anchor grid (L locations).
 * @param imageSizes [height, width] of each resized image before padding (clip bounds).
 * @param options score threshold and per-level top-k.
 */
export async function selectCandidates(
  head: HeadOutputs,
  grid: AnchorGrid,
  imageSizes: [number, number][],
  options: SelectOptions,
): Promise<CandidateSelection> {
  const [N, L, C] = head.clsLogits.shape;
  const k = options.topkCandidates;
  const thr = fround(options.scoreThresh);
  const plans: LevelPlan[] = [];
  let loc0 = 0, K = 0;
  for (const n of grid.numAnchorsPerLevel) {
    const kp = candidatesPerLevel(k, n * C);
    plans.push({ loc0, n, kp, offset: K });
    loc0 += n;
    K += kp;
  }
  if (loc0 !== L) {
    throw new Error(`selectCandidates: the anchor grid has ${loc0} locations, not ${L}`);
  }

  // tfjs-backend-webgpu reads gather and top-k indices through float32: exact below 2^24.
  if (L * C > MAX_IMAGE_PAIRS) {
    return { images: Array.from({ length: N }, () => null), bytesRead: 0 };
  }

  // On the device: the scores, each level's top k', the gathers; the read-back is one float
  // tensor [N, K, 7] (K = Σ k'), one int tensor [N, K] (pair index location·C + class in the
  // image) and the flags [N].
  const [flags, pack, index] = tf.tidy(() => {
    const flags = tf.add(
      tf.sum(nonFinite(head.clsLogits), [1, 2]),
      tf.sum(nonFinite(head.bboxCtrness), 1),
    ); // [N]
    if (K === 0) return [flags];
    const cls = tf.reshape(head.clsLogits, [N, L * C]);
    const score = tf.reshape(
      tf.sqrt(tf.mul(tf.sigmoid(head.clsLogits), tf.expandDims(tf.sigmoid(head.bboxCtrness), 2))),
      [N, L * C],
    ); // [N, L·C]
    const values: tf.Tensor[] = [], pairs: tf.Tensor[] = [];
    for (const { loc0, n, kp } of plans) {
      if (kp === 0) continue;
      const top = tf.topk(tf.slice(score, [0, loc0 * C], [N, n * C]), kp); // [N, k'] each
      values.push(top.values);
      pairs.push(loc0 === 0 ? top.indices : tf.add(top.indices, tf.scalar(loc0 * C, "int32")));
    }
    const pair = pairs.length === 1 ? pairs[0] : tf.concat(pairs, 1); // [N, K] int32
    const loc = tf.floorDiv(pair, tf.scalar(C, "int32")); // [N, K] int32
    const pack = tf.concat([
      tf.expandDims(values.length === 1 ? values[0] : tf.concat(values, 1), 2),
      tf.expandDims(gatherPerImage(cls, pair), 2),
      tf.expandDims(gatherPerImage(head.bboxCtrness, loc), 2),
      gatherPerImage(head.bboxRegression, loc), // [N, K, 4]
    ], 2); // [N, K, 7]
    return [flags, pack, pair];
  }) as (tf.Tensor | undefined)[];
  let packData: Float32Array, indexData: Int32Array, flagData: Float32Array;
  try {
    const [p, i, f] = await Promise.all([
      pack?.data() ?? new Float32Array(0),
      index?.data() ?? new Int32Array(0),
      flags!.data(),
    ]);
    packData = p as Float32Array;
    indexData = i as Int32Array;
    flagData = f as Float32Array;
  } finally {
    tf.dispose([pack, index, flags].filter((t): t is tf.Tensor => t !== undefined));
  }

  const images: (CandidateInput | null)[] = [];
  for (let i = 0; i < N; i++) {
    images.push(
      flagData[i] !== 0
        ? null
        : imageCandidates(packData, indexData, i, K, plans, grid, C, thr, k, imageSizes[i]),
    );
  }
  return { images, bytesRead: packData.byteLength + indexData.byteLength + flagData.byteLength };
}

/** Upper bound of an exact score given a device score (see the module notes). */
function hi(a: number): number {
  return (a + DEVICE_SCORE_ABS_ERROR) / (1 - DEVICE_SCORE_REL_ERROR);
}

/** Lower bound of an exact score given a device score. */
function lo(a: number): number {
  return (a - DEVICE_SCORE_ABS_ERROR) / (1 + DEVICE_SCORE_REL_ERROR);
}

/** Image i's candidates from the read-back rows, or null when the selection is not proved exact. */
function imageCandidates(
  pack: Float32Array,
  index: Int32Array,
  i: number,
  K: number,
  plans: LevelPlan[],
  grid: AnchorGrid,
  C: number,
  thr: number,
  k: number,
  [imageHeight, imageWidth]: [number, number],
): CandidateInput | null {
  const locations = new Int32Array(K), labels = new Int32Array(K);
  const clsLogits = new Float32Array(K), bboxCtrness = new Float32Array(K);
  const bboxRegression = new Float32Array(4 * K);
  const levelStarts = [0];
  let m = 0;
  for (const { loc0, n, kp, offset } of plans) {
    if (kp === 0) { // (top-k 0 or an empty level: nothing is selected)
      levelStarts.push(m);
      continue;
    }
    const row0 = i * K + offset;
    const sorted = new Float32Array(kp);
    for (let r = 0; r < kp; r++) {
      const base = (row0 + r) * PACK;
      const a = pack[base];
      // The error bound, checked at half its size on every pair read back (NaN fails too).
      const e = fround(Math.sqrt(fround(sigmoidF32(pack[base + 1]) * sigmoidF32(pack[base + 2]))));
      if (!(Math.abs(a - e) <= 0.5 * (DEVICE_SCORE_REL_ERROR * e + DEVICE_SCORE_ABS_ERROR))) {
        return null;
      }
      sorted[r] = a;
    }
    if (kp < n * C) {
      // The level was cut at k': prove that nothing left behind can be selected.
      sorted.sort(); // ascending
      const aMin = sorted[0], aK = sorted[kp - Math.min(k, kp)];
      if (!(hi(aMin) <= thr || hi(aMin) < lo(aK))) return null;
    }
    // Rows by increasing flat index (the decoder's and torchvision's order); pairs that cannot
    // pass the threshold are left out.
    const order = Array.from({ length: kp }, (_, r) => r).sort((x, y) =>
      index[row0 + x] - index[row0 + y]
    );
    let prev = -1;
    for (const r of order) {
      const flat = index[row0 + r] - loc0 * C; // flat index in the level
      if (flat <= prev || flat >= n * C) return null; // (a repeated or stray index: not exact)
      prev = flat;
      const base = (row0 + r) * PACK;
      if (!(hi(pack[base]) > thr)) continue;
      const a = Math.floor(flat / C); // location in the level
      locations[m] = loc0 + a;
      labels[m] = flat - a * C;
      clsLogits[m] = pack[base + 1];
      bboxCtrness[m] = pack[base + 2];
      bboxRegression[4 * m] = pack[base + 3];
      bboxRegression[4 * m + 1] = pack[base + 4];
      bboxRegression[4 * m + 2] = pack[base + 5];
      bboxRegression[4 * m + 3] = pack[base + 6];
      m++;
    }
    levelStarts.push(m);
  }
  return {
    levelStarts,
    locations: locations.subarray(0, m),
    labels: labels.subarray(0, m),
    clsLogits: clsLogits.subarray(0, m),
    bboxCtrness: bboxCtrness.subarray(0, m),
    bboxRegression: bboxRegression.subarray(0, 4 * m),
    anchors: grid.anchors,
    numAnchorsPerLevel: grid.numAnchorsPerLevel,
    numClasses: C,
    imageHeight,
    imageWidth,
  };
}
