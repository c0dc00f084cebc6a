/**
 * Reading and writing the safetensors format (the format PyTorch / Hugging Face use for weights):
 *
 * ```
 * [8 bytes: N, u64 little-endian][N bytes: JSON header][byte buffer]
 * header = { "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ...,
 *            "__metadata__": { "<key>": "<string value>" } }
 * ```
 *
 * Offsets are relative to the start of the byte buffer; tensors are row-major, little-endian, and
 * must tile the buffer without gaps or overlaps. Parsing validates all of that and reports the
 * file and tensor on any problem; writing pads the header with spaces to 8-byte alignment and
 * goes through {@linkcode writeFileAtomic} so an interrupted save keeps the previous file.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { writeFileAtomic } from "./atomic.ts";
import { readInputFile } from "./read.ts";

/** Element types of the safetensors format. */
export type SafetensorsDtype =
  | "F64"
  | "F32"
  | "F16"
  | "BF16"
  | "I64"
  | "I32"
  | "I16"
  | "I8"
  | "U64"
  | "U32"
  | "U16"
  | "U8"
  | "BOOL";

/** Typed array holding the elements of one tensor (F16/BF16 as raw 16-bit patterns). */
export type TensorData =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/**
 * One tensor of a safetensors file. `data` is row-major with `prod(shape)` elements of the typed
 * array that matches `dtype` (Float32Array for F32, BigInt64Array for I64, …): F16 and BF16 are `Uint16Array`s of raw
 * bits, BOOL is a `Uint8Array` of 0/1.
 */
export interface TensorEntry {
  /** Element type. */
  dtype: SafetensorsDtype;
  /** Dimensions ([] for a scalar). */
  shape: number[];
  /** Elements, row-major. */
  data: TensorData;
}

/** A parsed safetensors file. */
export interface Safetensors {
  /** Tensors by name, in file order. */
  tensors: Map<string, TensorEntry>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

type TypedArrayCtor = {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TensorData;
  readonly BYTES_PER_ELEMENT: number;
  readonly name: string;
};

/** Bytes per element of each dtype. */
export const DTYPE_SIZE: Readonly<Record<SafetensorsDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
};

/** Typed-array class holding each dtype. */
const DTYPE_ARRAY = {
  F64: Float64Array,
  F32: Float32Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I64: BigInt64Array,
  I32: Int32Array,
  I16: Int16Array,
  I8: Int8Array,
  U64: BigUint64Array,
  U32: Uint32Array,
  U16: Uint16Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
} as unknown as Record<SafetensorsDtype, TypedArrayCtor>;

/** Largest header accepted (the reference implementation's limit too): 100 MB. */
const MAX_HEADER = 100_000_000;

// Typed arrays use the host byte order; safetensors is little-endian.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === "string" && Object.hasOwn(DTYPE_SIZE, s);
}

function numel(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * What a weights file's first bytes say it is: `safetensors` (an 8-byte header length, then `{`),
 * `zip` (PyTorch's `torch.save` format since 1.6), `torch-legacy` (a pickle starting with
 * PyTorch's magic number: the format before 1.6), `pickle` (another Python pickle), `tar`
 * (PyTorch before 0.4), or `unknown`.
 *
 * @example
 * ```ts
 * import { sniffWeightsFormat } from "./safetensors.ts";
 * console.log(sniffWeightsFormat(new TextEncoder().encode("PK\x03\x04"))); // "zip"
 * ```
 */
export function sniffWeightsFormat(
  bytes: Uint8Array,
): "safetensors" | "zip" | "torch-legacy" | "pickle" | "tar" | "unknown" {
  const b = bytes;
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5)) return "zip";
  if (b.length >= 2 && b[0] === 0x80 && b[1] >= 2 && b[1] <= 5) {
    // PROTO n, LONG1 10 bytes: 0x1950a86a20f9469cfc6c little-endian.
    const magic = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
    return magic.every((x, i) => b[2 + i] === x) ? "torch-legacy" : "pickle";
  }
  if (b.length >= 262 && new TextDecoder().decode(b.subarray(257, 262)) === "ustar") return "tar";
  if (b.length >= 9 && b[8] === 0x7b) return "safetensors";
  return "unknown";
}

/** A phrase naming the format `sniffWeightsFormat` found, for error messages. */
export function describeWeightsFormat(
  format: ReturnType<typeof sniffWeightsFormat>,
  bytes: Uint8Array,
): string {
  switch (format) {
    case "safetensors":
      return "a safetensors file";
    case "zip":
      return "a zip archive (PyTorch's torch.save format)";
    case "torch-legacy":
      return "a PyTorch checkpoint in the legacy (pre-1.6) torch.save format";
    case "pickle":
      return "a Python pickle";
    case "tar":
      return "a tar archive (PyTorch's format before 0.4)";
    default: {
      if (bytes.length === 0) return "an empty file";
      const head = [...bytes.subarray(0, 8)].map((x) => x.toString(16).padStart(2, "0")).join(" ");
      return `an unknown format (${bytes.length} bytes, starting ${head})`;
    }
  }
}

/**
 * Parses a safetensors file held in memory. Tensor data is copied out of `bytes` (so each entry
 * owns an aligned buffer). Throws {@linkcode FcosError} naming `file` (and the tensor) when the
 * header length, the JSON, a dtype/shape, or the offsets (in range, contiguous, matching the
 * shape's size) are wrong.
 *
 * @example
 * ```ts
 * import { parseSafetensors, serializeSafetensors } from "./safetensors.ts";
 * const bytes = serializeSafetensors({ w: { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) } });
 * const { tensors } = parseSafetensors(bytes, "w.safetensors");
 * console.log(tensors.get("w")?.data); // Float32Array [1, 2]
 * ```
 */
export function parseSafetensors(bytes: Uint8Array, file = "<safetensors>"): Safetensors {
  const fail = (msg: string): never => {
    throw new FcosError(`${file}: ${msg}`);
  };
  if (!LITTLE_ENDIAN) fail("big-endian hosts are not supported");
  const format = sniffWeightsFormat(bytes);
  if (format !== "safetensors" && format !== "unknown") {
    fail(
      `${describeWeightsFormat(format, bytes)}, not a safetensors file (readStateDict reads both)`,
    );
  }
  if (bytes.length < 8) {
    fail(`not a safetensors file: ${bytes.length} bytes, shorter than the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    fail(
      `header length ${n64} exceeds the file (${bytes.length} bytes): truncated or not safetensors`,
    );
  }
  const n = Number(n64);
  if (n > MAX_HEADER) fail(`header length ${n} is larger than ${MAX_HEADER} bytes`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`header is not valid UTF-8 JSON (${e instanceof Error ? e.message : e})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    fail("header is not a JSON object");
  }
  const bufStart = 8 + n;
  const bufLen = bytes.length - bufStart;

  const metadata: Record<string, string> = {};
  const specs: { name: string; dtype: SafetensorsDtype; shape: number[]; b: number; e: number }[] =
    [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        fail("__metadata__ is not an object of strings");
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__.${k} is not a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor '${name}'`;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      fail(`${where}: entry is not an object`);
    }
    const { dtype, shape, data_offsets: off } = raw as Record<string, unknown>;
    if (!isDtype(dtype)) fail(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
    if (
      !Array.isArray(shape) ||
      !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
    ) {
      fail(`${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (
      !Array.isArray(off) || off.length !== 2 ||
      !off.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
    ) {
      fail(`${where}: data_offsets ${JSON.stringify(off)} is not [begin, end]`);
    }
    const [b, e] = off as [number, number];
    if (b > e || e > bufLen) {
      fail(`${where}: data_offsets [${b}, ${e}] outside the ${bufLen}-byte data buffer`);
    }
    const d = dtype as SafetensorsDtype;
    const want = numel(shape as number[]) * DTYPE_SIZE[d];
    if (e - b !== want) {
      fail(
        `${where}: ${e - b} bytes for ${d} shape [${shape}], expected ${want} (wrong size)`,
      );
    }
    specs.push({ name, dtype: d, shape: (shape as number[]).slice(), b, e });
  }

  // Tensors must tile the buffer: sorted by begin, each starts where the previous ended.
  const sorted = specs.slice().sort((x, y) => x.b - y.b || x.e - y.e);
  let pos = 0;
  for (const s of sorted) {
    if (s.b < pos) fail(`tensor '${s.name}': data_offsets [${s.b}, ${s.e}] overlap another tensor`);
    if (s.b > pos) fail(`tensor '${s.name}': gap in the data buffer before offset ${s.b}`);
    pos = s.e;
  }
  if (pos !== bufLen) {
    fail(`data buffer has ${bufLen - pos} trailing bytes not covered by any tensor`);
  }

  const tensors = new Map<string, TensorEntry>();
  for (const s of specs) {
    const size = DTYPE_SIZE[s.dtype];
    const array = DTYPE_ARRAY[s.dtype];
    // Copy: the source offset may not be aligned for the typed array.
    const copy = bytes.slice(bufStart + s.b, bufStart + s.e);
    const data = new array(copy.buffer, 0, (s.e - s.b) / size);
    tensors.set(s.name, { dtype: s.dtype, shape: s.shape, data });
  }
  return { tensors, metadata };
}

/**
 * Reads and parses a safetensors file (see {@linkcode parseSafetensors}).
 *
 * @example
 * ```ts
 * import { readSafetensors } from "./safetensors.ts";
 * const { tensors, metadata } = await readSafetensors("weights.safetensors");
 * for (const [name, t] of tensors) console.log(name, t.dtype, t.shape);
 * ```
 */
export async function readSafetensors(path: string): Promise<Safetensors> {
  return parseSafetensors(await readInputFile(path), path);
}

/** Converts IEEE half-precision bits to a number. */
export function f16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24; // subnormal (or zero)
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** Converts a number to IEEE half-precision bits (round to nearest even). */
export function numberToF16(x: number): number {
  f32Scratch[0] = x;
  const f = u32Scratch[0];
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff;
  let mant = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00; // overflow → Inf
  if (e <= 0) {
    if (e < -10) return sign; // underflow → ±0
    mant |= 0x800000; // subnormal half: shift in the implicit bit
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = mant >> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (r & 1))) r++;
    return sign | r;
  }
  let r = mant >> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1))) {
    r++;
    if (r === 0x400) {
      r = 0;
      e++;
      if (e >= 31) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | r;
}

/**
 * The elements of `entry` as float32, converting from any dtype (F16/BF16 bits, F64, integers,
 * BOOL → 0/1; I64/U64 through `Number`). An F32 entry's own array is returned, not a copy.
 * `name` is only used in error messages.
 *
 * @example
 * ```ts
 * import { toFloat32 } from "./safetensors.ts";
 * const n = toFloat32({ dtype: "I64", shape: [], data: new BigInt64Array([7n]) }, "bn.num_batches_tracked");
 * console.log(n[0]); // 7
 * ```
 */
export function toFloat32(entry: TensorEntry, name: string): Float32Array {
  checkEntry(entry, name);
  const { dtype, data } = entry;
  const n = data.length;
  if (dtype === "F32") return data as Float32Array;
  const out = new Float32Array(n);
  if (dtype === "F16") {
    const src = data as Uint16Array;
    for (let i = 0; i < n; i++) out[i] = f16ToNumber(src[i]);
  } else if (dtype === "BF16") {
    // bfloat16 is the top half of a float32.
    const src = data as Uint16Array;
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = src[i] << 16;
  } else if (dtype === "I64" || dtype === "U64") {
    const src = data as BigInt64Array | BigUint64Array;
    for (let i = 0; i < n; i++) out[i] = Number(src[i]);
  } else {
    out.set(data as Exclude<TensorData, BigInt64Array | BigUint64Array>);
  }
  return out;
}

function checkEntry(t: TensorEntry, name: string): void {
  const bad = (msg: string): never => {
    throw new FcosError(`tensor '${name}': ${msg}`);
  };
  if (!t || typeof t !== "object") bad("not a tensor entry");
  if (!isDtype(t.dtype)) bad(`unknown dtype ${JSON.stringify(t.dtype)}`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    bad(`shape ${JSON.stringify(t.shape)} is not a list of non-negative integers`);
  }
  const ctor = DTYPE_ARRAY[t.dtype];
  if (!(t.data instanceof ctor)) {
    bad(
      `${t.dtype} data must be a ${ctor.name}, got ${t.data?.constructor?.name ?? typeof t.data}`,
    );
  }
  const n = numel(t.shape);
  if (t.data.length !== n) bad(`shape [${t.shape}] needs ${n} elements, data has ${t.data.length}`);
}

/**
 * Encodes tensors (and optional string metadata) as a safetensors file. Tensors are laid out by
 * decreasing element size, then name, so every tensor is aligned to its element size (as the
 * Python implementation does); the header is padded with spaces to a multiple of 8 bytes.
 * Throws {@linkcode FcosError} naming the tensor when its data type or length does not match.
 *
 * @example
 * ```ts
 * import { serializeSafetensors } from "./safetensors.ts";
 * const bytes = serializeSafetensors(
 *   { "head.weight": { dtype: "F32", shape: [2, 2], data: new Float32Array([1, 0, 0, 1]) } },
 *   { format: "pt" },
 * );
 * console.log(bytes.length % 8); // 0
 * ```
 */
export function serializeSafetensors(
  tensors: Map<string, TensorEntry> | Record<string, TensorEntry>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === "__metadata__") throw new FcosError(`tensor name '__metadata__' is reserved`);
    checkEntry(t, name);
  }
  entries.sort(([na, a], [nb, b]) =>
    DTYPE_SIZE[b.dtype] - DTYPE_SIZE[a.dtype] || (na < nb ? -1 : na > nb ? 1 : 0)
  );
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new FcosError(`metadata '${k}': value must be a string`);
    }
    header.__metadata__ = metadata;
  }
  let offset = 0;
  for (const [name, t] of entries) {
    const len = t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + len] };
    offset += len;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20); // spaces are valid trailing JSON whitespace
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/**
 * Writes tensors as a safetensors file, atomically (a crash mid-write keeps the previous file).
 *
 * @example
 * ```ts
 * import { readSafetensors, writeSafetensors } from "./safetensors.ts";
 * const file = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await writeSafetensors(file, { b: { dtype: "I64", shape: [], data: new BigInt64Array([3n]) } });
 * console.log((await readSafetensors(file)).tensors.get("b")?.data[0]); // 3n
 * ```
 */
export async function writeSafetensors(
  path: string,
  tensors: Map<string, TensorEntry> | Record<string, TensorEntry>,
  metadata?: Record<string, string>,
): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = serializeSafetensors(tensors, metadata);
  } catch (e) {
    if (e instanceof FcosError) throw new FcosError(`${path}: ${e.message}`, { cause: e });
    throw e;
  }
  await writeFileAtomic(path, bytes);
}
