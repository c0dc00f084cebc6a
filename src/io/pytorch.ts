/**
 * Reading PyTorch checkpoints (`torch.save` files, `.pth` / `.pt`) without Python, into the same
 * {@linkcode Safetensors} shape the safetensors reader returns, so every weights loader takes
 * them unchanged.
 *
 * Two container formats exist:
 *
 * - **zip** (the default since PyTorch 1.6): `PREFIX/data.pkl` holds the pickled object, each
 *   storage is a stored (uncompressed) entry `PREFIX/data/KEY`; `PREFIX/byteorder` may say
 *   `little`/`big`. The zip is read with `fflate` (npm, maintained, no dependencies).
 * - **legacy** (`_use_new_zipfile_serialization=False`): five things back to back — a pickled magic
 *   number, the protocol version (1001), a `sys_info` dict, the pickled object, the pickled list of
 *   storage keys — then each storage as an int64 element count and its raw bytes.
 *
 * In both, tensors are pickled as `torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
 * …)` where `storage` is a persistent id `('storage', torch.FloatStorage, key, location, numel)`.
 *
 * **Pickle is a code-execution format.** This reader is not a general unpickler: it implements
 * the opcodes of protocols 0–5 needed to rebuild data (numbers, strings, bytes, tuples, lists,
 * dicts, sets, the memo) and resolves only the few globals a state dict or a training checkpoint
 * needs ({@linkcode ALLOWED_GLOBALS}: `collections.OrderedDict`, the tensor-rebuild functions,
 * the storage types, dtypes, `argparse.Namespace` as plain data, …). Any other global, or a
 * `REDUCE` / `NEWOBJ` / `BUILD` on something that is not one of those, is an {@linkcode FcosError}
 * naming the file and the global; nothing is ever called or constructed from the file. It follows
 * PyTorch's own `torch.load(weights_only=True)` allow-list.
 *
 * Why not an npm pickle parser: `pickleparser` (0.2.1; its only releases, both December 2024)
 * lets a resolver whitelist globals, but it cannot read the legacy format's 10-byte `LONG1` magic
 * number ("Value too large to unpickling"), reads `LONG1` as unsigned (-1 comes out as 255),
 * stores `DICT` items as properties of the Map in Map mode, and `console.warn`s on large
 * integers (all checked against 0.2.1); `jpickle` and `unpickle` are older and unmaintained. The subset here (the `unpickle` function, about 400 lines with its opcode
 * table) refuses by construction.
 *
 * @module
 */
import { unzipSync } from "fflate";
import { FcosError } from "../errors.ts";
import {
  describeWeightsFormat,
  parseSafetensors,
  type Safetensors,
  type SafetensorsDtype,
  sniffWeightsFormat,
  type TensorData,
  type TensorEntry,
} from "./safetensors.ts";
import { readInputFile } from "./read.ts";

// ---------------------------------------------------------------------------------------------
// Values the unpickler builds

/** A Python tuple (lists are JS arrays, dicts are Maps). */
class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A resolved, allowed global (`module.name`). */
class PyGlobal {
  constructor(
    readonly path: string,
    readonly kind: GlobalKind,
    readonly dtype?: SafetensorsDtype,
  ) {}
}

/** An instance of a plain-data class (argparse.Namespace): its attributes. */
class PyObject {
  readonly fields = new Map<unknown, unknown>();
  constructor(readonly cls: string) {}
}

/** One storage of the checkpoint; `bytes` is filled in when its data is read. */
class Storage {
  bytes?: Uint8Array;
  constructor(
    readonly key: string,
    readonly dtype: SafetensorsDtype,
    readonly numel: number,
  ) {}
}

/** A tensor: a strided view of a storage (offset and strides in elements). */
class TensorRef {
  constructor(
    readonly storage: Storage,
    readonly offset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

type GlobalKind =
  | "ordered_dict"
  | "rebuild_tensor"
  | "rebuild_tensor_v2"
  | "rebuild_parameter"
  | "tuple"
  | "set"
  | "codecs_encode"
  | "namespace"
  | "device"
  | "storage"
  | "dtype";

/** Storage classes (module `torch`, or `torch.cuda` in old GPU checkpoints) and their dtype. */
const STORAGE_DTYPES: Record<string, SafetensorsDtype> = {
  FloatStorage: "F32",
  DoubleStorage: "F64",
  HalfStorage: "F16",
  BFloat16Storage: "BF16",
  LongStorage: "I64",
  IntStorage: "I32",
  ShortStorage: "I16",
  CharStorage: "I8",
  ByteStorage: "U8",
  BoolStorage: "BOOL",
};

const DTYPE_NAMES = [
  "float32",
  "float",
  "float64",
  "double",
  "float16",
  "half",
  "bfloat16",
  "int64",
  "long",
  "int32",
  "int",
  "int16",
  "short",
  "int8",
  "uint8",
  "bool",
  "complex64",
  "complex128",
  "uint16",
  "uint32",
  "uint64",
  "float8_e4m3fn",
  "float8_e5m2",
];

/**
 * The globals a checkpoint may name, and what each stands for. Everything else is refused.
 * (`_rebuild_parameter*` return their tensor; `argparse.Namespace`, which torchvision's reference
 * scripts store as `args`, becomes a bag of attributes; `_codecs.encode` is how protocol 2 pickles
 * `bytes`.)
 */
export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor",
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_parameter",
  "torch._utils._rebuild_parameter_with_state",
  "torch.Size",
  "builtins.set",
  "builtins.frozenset",
  "_codecs.encode",
  "argparse.Namespace",
  "torch.device",
  ...Object.keys(STORAGE_DTYPES).flatMap((s) => [`torch.${s}`, `torch.cuda.${s}`]),
  ...DTYPE_NAMES.map((d) => `torch.${d}`),
]);

/** Python 2 module names that protocol 0-2 pickles use (Python 3 renames them on load). */
const PY2_MODULES: Record<string, string> = { __builtin__: "builtins", copy_reg: "copyreg" };

function resolveGlobal(module: string, name: string, fail: Fail): PyGlobal {
  const path = `${PY2_MODULES[module] ?? module}.${name}`;
  if (/^torch(\.cuda)?\.\w+Storage$/.test(path) && !ALLOWED_GLOBALS.has(path)) {
    fail(`storage type '${path}' is not supported (float, integer and bool tensors are)`);
  }
  if (!ALLOWED_GLOBALS.has(path)) {
    fail(
      `refusing to load: the pickle names the Python global '${path}', which a state dict never ` +
        `needs (pickles can run code; only tensors, dicts and a few torch types are read)`,
    );
  }
  const kinds: Record<string, GlobalKind> = {
    "collections.OrderedDict": "ordered_dict",
    "torch._utils._rebuild_tensor": "rebuild_tensor",
    "torch._utils._rebuild_tensor_v2": "rebuild_tensor_v2",
    "torch._utils._rebuild_parameter": "rebuild_parameter",
    "torch._utils._rebuild_parameter_with_state": "rebuild_parameter",
    "torch.Size": "tuple",
    "builtins.set": "set",
    "builtins.frozenset": "set",
    "_codecs.encode": "codecs_encode",
    "argparse.Namespace": "namespace",
    "torch.device": "device",
  };
  if (kinds[path]) return new PyGlobal(path, kinds[path]);
  if (name in STORAGE_DTYPES) return new PyGlobal(path, "storage", STORAGE_DTYPES[name]);
  return new PyGlobal(path, "dtype");
}

// ---------------------------------------------------------------------------------------------
// The unpickler

type Fail = (msg: string) => never;

/** Opcodes (pickle.py's names). */
const OP = {
  MARK: 0x28,
  STOP: 0x2e,
  POP: 0x30,
  POP_MARK: 0x31,
  DUP: 0x32,
  FLOAT: 0x46,
  INT: 0x49,
  BININT: 0x4a,
  BININT1: 0x4b,
  LONG: 0x4c,
  BININT2: 0x4d,
  NONE: 0x4e,
  PERSID: 0x50,
  BINPERSID: 0x51,
  REDUCE: 0x52,
  STRING: 0x53,
  BINSTRING: 0x54,
  SHORT_BINSTRING: 0x55,
  UNICODE: 0x56,
  BINUNICODE: 0x58,
  APPEND: 0x61,
  BUILD: 0x62,
  GLOBAL: 0x63,
  DICT: 0x64,
  EMPTY_DICT: 0x7d,
  APPENDS: 0x65,
  GET: 0x67,
  BINGET: 0x68,
  LONG_BINGET: 0x6a,
  LIST: 0x6c,
  EMPTY_LIST: 0x5d,
  PUT: 0x70,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  SETITEM: 0x73,
  TUPLE: 0x74,
  EMPTY_TUPLE: 0x29,
  SETITEMS: 0x75,
  BINFLOAT: 0x47,
  PROTO: 0x80,
  NEWOBJ: 0x81,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  LONG4: 0x8b,
  BINBYTES: 0x42,
  SHORT_BINBYTES: 0x43,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINBYTES8: 0x8e,
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  FRAME: 0x95,
  BYTEARRAY8: 0x96,
} as const;

/** Opcodes that exist but that a state dict never needs (class instantiation, extensions). */
const REFUSED_OPS: Record<number, string> = {
  0x69: "INST",
  0x6f: "OBJ",
  0x92: "NEWOBJ_EX",
  0x82: "EXT1",
  0x83: "EXT2",
  0x84: "EXT4",
  0x97: "NEXT_BUFFER",
  0x98: "READONLY_BUFFER",
};

/** A Python int from little-endian two's-complement bytes: a number when safe, else a bigint. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}

function asInt(v: unknown): number | null {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return null;
}

/** Items of a tuple or list, or null. */
function itemsOf(v: unknown): unknown[] | null {
  if (v instanceof PyTuple) return v.items;
  if (Array.isArray(v)) return v;
  return null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/**
 * Runs the pickle program starting at `start` and returns the object and where its STOP ended.
 * `persistentLoad` turns a persistent id (PERSID / BINPERSID) into a value.
 */
function unpickle(
  bytes: Uint8Array,
  start: number,
  fail: Fail,
  persistentLoad: (pid: unknown) => unknown,
): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = start;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const need = (n: number, what: string) => {
    if (!(n >= 0) || pos + n > bytes.length) {
      fail(
        `truncated: the pickle needs ${n} bytes of ${what} at byte ${pos}, the file ends at ${bytes.length}`,
      );
    }
  };
  const u8 = () => {
    need(1, "an opcode argument");
    return bytes[pos++];
  };
  const take = (n: number, what: string) => {
    need(n, what);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const u16 = () => (need(2, "an integer"), pos += 2, view.getUint16(pos - 2, true));
  const i32 = () => (need(4, "an integer"), pos += 4, view.getInt32(pos - 4, true));
  const u32 = () => (need(4, "a length"), pos += 4, view.getUint32(pos - 4, true));
  const u64 = () => {
    need(8, "a length");
    pos += 8;
    const v = view.getBigUint64(pos - 8, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail(`length ${v} at byte ${pos - 8} is too large`);
    return Number(v);
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail(`truncated: a text argument at byte ${pos} has no end of line`);
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const text = (n: number) => {
    const b = take(n, "a string");
    try {
      return utf8.decode(b);
    } catch {
      return fail(`a string at byte ${pos - n} is not valid UTF-8`);
    }
  };
  const pop = () => {
    if (stack.length === 0) fail(`malformed pickle: stack underflow at byte ${pos - 1}`);
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) fail(`malformed pickle: stack underflow at byte ${pos - 1}`);
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const items = stack;
    const prev = metastack.pop();
    if (!prev) fail(`malformed pickle: no MARK before byte ${pos - 1}`);
    stack = prev!;
    return items;
  };
  const memoGet = (i: number) => {
    if (!memo.has(i)) fail(`malformed pickle: memo entry ${i} used before it is set`);
    return memo.get(i);
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) {
      fail(`malformed pickle: SETITEM on a non-dict at byte ${pos - 1}`);
    }
    for (let i = 0; i + 1 < items.length; i += 2) {
      (target as Map<unknown, unknown>).set(items[i], items[i + 1]);
    }
  };
  const appendItems = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target)) fail(`malformed pickle: APPEND on a non-list at byte ${pos - 1}`);
    for (const x of items) (target as unknown[]).push(x);
  };
  const global = (module: string, name: string) => resolveGlobal(module, name, fail);

  for (;;) {
    if (pos >= bytes.length) {
      fail(`truncated: the pickle ends at byte ${bytes.length} before its STOP opcode`);
    }
    const at = pos;
    const op = bytes[pos++];
    switch (op) {
      case OP.PROTO: {
        const v = u8();
        if (v > 5) fail(`unsupported pickle protocol ${v}`);
        break;
      }
      case OP.FRAME:
        u64();
        break;
      case OP.STOP:
        return { value: pop(), end: pos };
      case OP.MARK:
        metastack.push(stack);
        stack = [];
        break;
      case OP.POP:
        pop();
        break;
      case OP.POP_MARK:
        popMark();
        break;
      case OP.DUP:
        stack.push(top());
        break;
      case OP.PUT:
        memo.set(Number(line()), top());
        break;
      case OP.BINPUT:
        memo.set(u8(), top());
        break;
      case OP.LONG_BINPUT:
        memo.set(u32(), top());
        break;
      case OP.MEMOIZE:
        memo.set(memo.size, top());
        break;
      case OP.GET:
        stack.push(memoGet(Number(line())));
        break;
      case OP.BINGET:
        stack.push(memoGet(u8()));
        break;
      case OP.LONG_BINGET:
        stack.push(memoGet(u32()));
        break;
      case OP.NONE:
        stack.push(null);
        break;
      case OP.NEWTRUE:
        stack.push(true);
        break;
      case OP.NEWFALSE:
        stack.push(false);
        break;
      case OP.INT: {
        const s = line();
        if (s === "01" || s === "00") stack.push(s === "01");
        else {
          const v = Number(s);
          if (!Number.isSafeInteger(v)) fail(`malformed INT '${s}' at byte ${at}`);
          stack.push(v);
        }
        break;
      }
      case OP.LONG: {
        const s = line().replace(/L$/, "");
        if (!/^-?\d+$/.test(s)) fail(`malformed LONG '${s}' at byte ${at}`);
        const v = BigInt(s);
        stack.push(Number.isSafeInteger(Number(v)) ? Number(v) : v);
        break;
      }
      case OP.BININT:
        stack.push(i32());
        break;
      case OP.BININT1:
        stack.push(u8());
        break;
      case OP.BININT2:
        stack.push(u16());
        break;
      case OP.LONG1:
        stack.push(decodeLong(take(u8(), "an integer")));
        break;
      case OP.LONG4: {
        const n = i32();
        if (n < 0) fail(`malformed LONG4 length at byte ${at}`);
        stack.push(decodeLong(take(n, "an integer")));
        break;
      }
      case OP.FLOAT:
        stack.push(Number(line()));
        break;
      case OP.BINFLOAT:
        need(8, "a float");
        stack.push(view.getFloat64(pos, false)); // big-endian
        pos += 8;
        break;
      case OP.STRING:
      case OP.UNICODE: {
        const s = line();
        if (op === OP.UNICODE) {
          if (s.includes("\\")) fail(`escaped UNICODE strings are not supported (byte ${at})`);
          stack.push(s);
        } else {
          const q = s[0];
          if (
            s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q || s.includes("\\")
          ) {
            fail(`unsupported STRING ${JSON.stringify(s.slice(0, 40))} at byte ${at}`);
          }
          stack.push(s.slice(1, -1));
        }
        break;
      }
      case OP.BINSTRING:
        stack.push(latin1.decode(take(i32(), "a string")));
        break;
      case OP.SHORT_BINSTRING:
        stack.push(latin1.decode(take(u8(), "a string")));
        break;
      case OP.BINUNICODE:
        stack.push(text(u32()));
        break;
      case OP.SHORT_BINUNICODE:
        stack.push(text(u8()));
        break;
      case OP.BINUNICODE8:
        stack.push(text(u64()));
        break;
      case OP.BINBYTES:
        stack.push(take(u32(), "bytes").slice());
        break;
      case OP.SHORT_BINBYTES:
        stack.push(take(u8(), "bytes").slice());
        break;
      case OP.BINBYTES8:
      case OP.BYTEARRAY8:
        stack.push(take(u64(), "bytes").slice());
        break;
      case OP.EMPTY_TUPLE:
        stack.push(new PyTuple([]));
        break;
      case OP.TUPLE: {
        const items = popMark(); // before reading `stack`: popMark replaces it
        stack.push(new PyTuple(items));
        break;
      }
      case OP.TUPLE1: {
        const a = pop();
        stack.push(new PyTuple([a]));
        break;
      }
      case OP.TUPLE2: {
        const b = pop(), a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      }
      case OP.TUPLE3: {
        const c = pop(), b = pop(), a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      }
      case OP.EMPTY_LIST:
        stack.push([]);
        break;
      case OP.LIST: {
        const items = popMark();
        stack.push(items);
        break;
      }
      case OP.APPEND: {
        const x = pop();
        appendItems(top(), [x]);
        break;
      }
      case OP.APPENDS: {
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case OP.EMPTY_DICT:
        stack.push(new Map());
        break;
      case OP.DICT: {
        const m = new Map();
        setItems(m, popMark());
        stack.push(m);
        break;
      }
      case OP.SETITEM: {
        const v = pop(), k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case OP.SETITEMS: {
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case OP.EMPTY_SET:
        stack.push([]);
        break;
      case OP.ADDITEMS: {
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case OP.FROZENSET: {
        const items = popMark();
        stack.push(items);
        break;
      }
      case OP.GLOBAL: {
        const module = line();
        const name = line();
        stack.push(global(module, name));
        break;
      }
      case OP.STACK_GLOBAL: {
        const name = pop(), module = pop();
        if (typeof module !== "string" || typeof name !== "string") {
          fail(`malformed STACK_GLOBAL at byte ${at}`);
        }
        stack.push(global(module as string, name as string));
        break;
      }
      case OP.PERSID:
        stack.push(persistentLoad(line()));
        break;
      case OP.BINPERSID:
        stack.push(persistentLoad(pop()));
        break;
      case OP.REDUCE: {
        const args = pop(), func = pop();
        stack.push(call(func, args, at, fail));
        break;
      }
      case OP.NEWOBJ: {
        const args = pop(), cls = pop();
        if (!(cls instanceof PyGlobal) || cls.kind !== "namespace") {
          fail(`refusing to construct ${describe(cls)} (NEWOBJ at byte ${at})`);
        }
        if ((itemsOf(args) ?? [1]).length !== 0) {
          fail(`malformed pickle: NEWOBJ arguments for ${(cls as PyGlobal).path} at byte ${at}`);
        }
        stack.push(new PyObject((cls as PyGlobal).path));
        break;
      }
      case OP.BUILD: {
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject && state instanceof Map) {
          for (const [k, v] of state) obj.fields.set(k, v);
        } else if (!(obj instanceof Map)) {
          // An OrderedDict's state is its attributes (`_metadata`): nothing to keep.
          fail(`refusing to set the state of ${describe(obj)} (BUILD at byte ${at})`);
        }
        break;
      }
      default:
        if (op in REFUSED_OPS) {
          fail(
            `refusing to load: pickle opcode ${
              REFUSED_OPS[op]
            } at byte ${at} is never needed by a state dict`,
          );
        }
        fail(
          `not a valid pickle: unknown opcode 0x${op.toString(16).padStart(2, "0")} at byte ${at}`,
        );
    }
  }
}

function describe(v: unknown): string {
  if (v instanceof PyGlobal) return `'${v.path}'`;
  if (v instanceof PyObject) return `an instance of '${v.cls}'`;
  if (v instanceof TensorRef) return "a tensor";
  if (v instanceof Storage) return "a storage";
  if (v instanceof PyTuple) return "a tuple";
  if (Array.isArray(v)) return "a list";
  if (v instanceof Map) return "a dict";
  if (v instanceof Uint8Array) return "bytes";
  return v === null ? "None" : `a ${typeof v}`;
}

/** REDUCE: applies one of the allowed functions to `args`; anything else is refused. */
function call(func: unknown, argsValue: unknown, at: number, fail: Fail): unknown {
  if (!(func instanceof PyGlobal)) {
    fail(`refusing to call ${describe(func)} (REDUCE at byte ${at})`);
  }
  const f = func as PyGlobal;
  const args = itemsOf(argsValue);
  if (!args) fail(`malformed pickle: arguments of ${f.path} at byte ${at} are not a tuple`);
  const a = args!;
  const bad = (what: string): never => fail(`malformed call of ${f.path} at byte ${at}: ${what}`);
  switch (f.kind) {
    case "ordered_dict": {
      const m = new Map<unknown, unknown>();
      if (a.length > 0) {
        for (const pair of itemsOf(a[0]) ?? bad("expected a list of pairs")) {
          const kv = itemsOf(pair);
          if (!kv || kv.length !== 2) bad("expected a list of pairs");
          m.set(kv![0], kv![1]);
        }
      }
      return m;
    }
    case "rebuild_tensor":
    case "rebuild_tensor_v2": {
      const [storage, offset, size, stride] = a;
      if (!(storage instanceof Storage)) {
        bad(`its first argument is ${describe(storage)}, not a storage`);
      }
      const off = asInt(offset);
      const shape = (itemsOf(size) ?? bad("size is not a tuple")).map(asInt);
      const strides = (itemsOf(stride) ?? bad("stride is not a tuple")).map(asInt);
      if (off === null || off < 0) bad(`storage offset ${String(offset)}`);
      if (shape.some((d) => d === null || d < 0) || strides.some((s) => s === null || s < 0)) {
        bad(`size (${shape}) or stride (${strides}) is not a tuple of non-negative integers`);
      }
      if (shape.length !== strides.length) {
        bad(`size (${shape}) and stride (${strides}) differ in length`);
      }
      return new TensorRef(storage as Storage, off!, shape as number[], strides as number[]);
    }
    case "rebuild_parameter":
      if (!(a[0] instanceof TensorRef)) {
        bad(`its first argument is ${describe(a[0])}, not a tensor`);
      }
      return a[0];
    case "tuple":
      return new PyTuple(itemsOf(a[0]) ?? []);
    case "set":
      return [...(itemsOf(a[0]) ?? [])];
    case "codecs_encode":
      if (typeof a[0] !== "string") bad("expected a string");
      // protocol 2 writes bytes as _codecs.encode(latin-1 text, 'latin1')
      return Uint8Array.from(a[0] as string, (c) => c.charCodeAt(0) & 0xff);
    case "device":
      return a.map(String).join(":");
    default:
      return fail(`refusing to call '${f.path}' (REDUCE at byte ${at}): it is not a function`);
  }
}

// ---------------------------------------------------------------------------------------------
// The two container formats

/** Bytes per element and typed array of each storage dtype. */
const ELEMENT: Partial<
  Record<
    SafetensorsDtype,
    { size: number; array: new (b: ArrayBuffer, o: number, n: number) => TensorData }
  >
> = {
  F64: { size: 8, array: Float64Array },
  F32: { size: 4, array: Float32Array },
  F16: { size: 2, array: Uint16Array },
  BF16: { size: 2, array: Uint16Array },
  I64: { size: 8, array: BigInt64Array },
  I32: { size: 4, array: Int32Array },
  I16: { size: 2, array: Int16Array },
  I8: { size: 1, array: Int8Array },
  U8: { size: 1, array: Uint8Array },
  BOOL: { size: 1, array: Uint8Array },
};

/** `('storage', torch.FloatStorage, key, location, numel[, view])` → its parts, or a failure. */
function parseStorageId(pid: unknown, fail: Fail) {
  const t = pid instanceof PyTuple ? pid.items : null;
  if (!t || t[0] !== "storage" || t.length < 5) {
    fail(`unsupported persistent id ${describe(pid)} (not a tensor storage)`);
  }
  const [, type, key, , numel, view] = t!;
  if (!(type instanceof PyGlobal) || type.kind !== "storage" || !type.dtype) {
    fail(`unsupported storage type ${describe(type)}`);
  }
  const n = asInt(numel);
  if (typeof key !== "string" || n === null || n < 0) {
    fail(`malformed storage id for '${String(key)}'`);
  }
  return { dtype: (type as PyGlobal).dtype!, key: key as string, numel: n!, view };
}

/** Copies `bytes` into a fresh buffer (aligned for any typed array). */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.slice();
}

function readZip(bytes: Uint8Array, fail: Fail): unknown {
  const sizes = new Map<string, number>();
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      // fflate trusts the central directory: a corrupt entry count would have it loop for ages
      // over garbage, so stop at the first entry that cannot be real.
      filter: (f) => {
        const real = sizes.size < bytes.length / 46 && // a central directory entry is ≥ 46 bytes
          f.name.length > 0 && !hasControlCharacter(f.name) && !sizes.has(f.name) &&
          f.size >= 0 && f.size <= bytes.length &&
          (f.compression === 0
            ? f.originalSize === f.size
            : f.compression === 8 && f.originalSize <= 1100 * f.size);
        if (!real) throw new Error(`a corrupt central directory entry (${JSON.stringify(f.name)})`);
        sizes.set(f.name, f.originalSize);
        return true;
      },
    });
  } catch (e) {
    return fail(
      `truncated or corrupt zip archive (${
        e instanceof Error ? e.message : e
      }); a torch.save file is a complete zip`,
    );
  }
  for (const [name, data] of Object.entries(files)) {
    if (data.length !== sizes.get(name)) {
      fail(
        `truncated or corrupt zip archive: entry '${name}' has ${data.length} of ${
          sizes.get(name)
        } bytes`,
      );
    }
  }
  const pkl = Object.keys(files).filter((n) => /^([^/]+\/)?data\.pkl$/.test(n));
  if (pkl.length !== 1) {
    const names = Object.keys(files).slice(0, 3).map((n) => `'${n}'`).join(", ");
    fail(
      `a zip archive without a data.pkl entry (it holds ${
        names || "nothing"
      }): not a PyTorch checkpoint`,
    );
  }
  const prefix = pkl[0].slice(0, -"data.pkl".length);
  const order = files[`${prefix}byteorder`];
  if (order && latin1.decode(order).trim() !== "little") {
    fail(`byte order '${latin1.decode(order).trim()}' is not supported (only little-endian)`);
  }
  const storages = new Map<string, Storage>();
  const load = (pid: unknown) => {
    const { dtype, key, numel } = parseStorageId(pid, fail);
    let s = storages.get(key);
    if (!s) {
      s = new Storage(key, dtype, numel);
      const data = files[`${prefix}data/${key}`];
      if (!data) {
        fail(`storage '${key}' is missing from the archive (entry '${prefix}data/${key}')`);
      }
      s.bytes = data; // fflate copied it into a buffer of its own (aligned)
      storages.set(key, s);
    } else if (s.dtype !== dtype) {
      fail(`storage '${key}' is used as both ${s.dtype} and ${dtype}`);
    }
    return s;
  };
  return unpickle(files[pkl[0]], 0, fail, load).value;
}

/** The legacy format's magic number, as pickled (`0x1950a86a20f9469cfc6c`). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

function readLegacy(bytes: Uint8Array, fail: Fail): unknown {
  const noPersistent = () => fail("malformed legacy checkpoint: a persistent id in its header");
  const magic = unpickle(bytes, 0, fail, noPersistent);
  if (magic.value !== LEGACY_MAGIC) {
    fail(
      "a Python pickle, but not one torch.save wrote (no PyTorch magic number): not a checkpoint",
    );
  }
  const proto = unpickle(bytes, magic.end, fail, noPersistent);
  if (proto.value !== LEGACY_PROTOCOL) {
    fail(
      `unsupported legacy checkpoint protocol ${String(proto.value)} (expected ${LEGACY_PROTOCOL})`,
    );
  }
  const sysInfo = unpickle(bytes, proto.end, fail, noPersistent);
  if (sysInfo.value instanceof Map && sysInfo.value.get("little_endian") === false) {
    fail("big-endian legacy checkpoints are not supported");
  }
  const storages = new Map<string, Storage>();
  const views: { storage: Storage; root: Storage; offset: number }[] = [];
  const load = (pid: unknown) => {
    const { dtype, key, numel, view } = parseStorageId(pid, fail);
    let root = storages.get(key);
    if (!root) storages.set(key, root = new Storage(key, dtype, numel));
    const v = itemsOf(view);
    if (!v) return root;
    // Pre-1.0 files pickled storage slices as (view_key, offset, size) of a root storage.
    const [viewKey, offset, size] = [String(v[0]), asInt(v[1]), asInt(v[2])];
    if (offset === null || size === null || offset < 0 || size < 0) {
      fail(`malformed storage view '${viewKey}'`);
    }
    const storage = new Storage(viewKey, dtype, size!);
    views.push({ storage, root, offset: offset! });
    return storage;
  };
  const main = unpickle(bytes, sysInfo.end, fail, load);
  const keys = unpickle(bytes, main.end, fail, noPersistent);
  const list = itemsOf(keys.value);
  if (!list) fail("malformed legacy checkpoint: the storage key list is missing");
  let pos = keys.end;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const k of list!) {
    const s = storages.get(String(k));
    if (!s) fail(`malformed legacy checkpoint: storage '${String(k)}' is listed but never used`);
    const size = ELEMENT[s!.dtype]!.size;
    if (pos + 8 > bytes.length) {
      fail(
        `truncated: storage '${
          s!.key
        }' should start at byte ${pos}, the file ends at ${bytes.length}`,
      );
    }
    const count = view.getBigInt64(pos, true);
    const n = count * BigInt(size);
    if (count < 0n || BigInt(pos + 8) + n > BigInt(bytes.length)) {
      fail(
        `truncated: storage '${s!.key}' needs ${n} bytes at byte ${
          pos + 8
        }, the file ends at ${bytes.length}`,
      );
    }
    s!.bytes = own(bytes.subarray(pos + 8, pos + 8 + Number(n)));
    pos += 8 + Number(n);
  }
  for (const { storage, root, offset } of views) {
    if (!root.bytes) continue;
    const size = ELEMENT[root.dtype]!.size;
    const end = (offset + storage.numel) * size;
    if (end > root.bytes.length) {
      fail(`storage view '${storage.key}' exceeds its storage '${root.key}'`);
    }
    storage.bytes = own(root.bytes.subarray(offset * size, end));
  }
  return main.value;
}

// ---------------------------------------------------------------------------------------------
// From the unpickled object to a state dict

/** Keys under which training checkpoints keep the model's state dict, tried in order. */
const WRAPPER_KEYS = ["model", "state_dict", "model_state_dict", "module", "net"];

function tensorEntries(m: Map<unknown, unknown>): [string, TensorRef][] {
  return [...m].filter((kv): kv is [string, TensorRef] =>
    typeof kv[0] === "string" && kv[1] instanceof TensorRef
  );
}

/** The tensors of the state dict inside `root` (the dict itself, or `root.model`, …). */
function findStateDict(root: unknown, fail: Fail): [string, TensorRef][] {
  if (root instanceof TensorRef) fail("holds a single tensor, not a state dict of named tensors");
  const dict = root instanceof PyObject ? root.fields : root;
  if (!(dict instanceof Map)) fail(`holds ${describe(root)}, not a state dict`);
  const m = dict as Map<unknown, unknown>;
  const direct = tensorEntries(m);
  if (direct.length > 0) return direct;
  for (const key of WRAPPER_KEYS) {
    const inner = m.get(key);
    const d = inner instanceof PyObject ? inner.fields : inner;
    if (d instanceof Map) {
      const t = tensorEntries(d);
      if (t.length > 0) return t;
    }
  }
  const keys = [...m.keys()].slice(0, 6).map((k) => `'${String(k)}'`).join(", ");
  return fail(
    `holds no tensors (a dict with keys ${
      keys || "none"
    }; looked for a state dict at the top and under ${
      WRAPPER_KEYS.map((k) => `'${k}'`).join(", ")
    })`,
  );
}

/** A contiguous row-major copy of a strided view of its storage. */
function materialise(t: TensorRef, name: string, fail: Fail): TensorEntry {
  const { storage, offset, shape, stride } = t;
  const el = ELEMENT[storage.dtype]!;
  if (!storage.bytes) fail(`tensor '${name}': the data of storage '${storage.key}' is missing`);
  const bytes = storage.bytes!;
  if (bytes.length % el.size !== 0) {
    fail(
      `storage '${storage.key}' has ${bytes.length} bytes, not a whole number of ${storage.dtype} elements`,
    );
  }
  const available = bytes.length / el.size;
  let n = 1;
  for (const d of shape) n *= d;
  if (n * el.size > 2 ** 31 - 1) {
    fail(`tensor '${name}': shape [${shape}] is ${n} elements, too large to load`);
  }
  let last = offset;
  for (let i = 0; i < shape.length; i++) if (shape[i] > 0) last += (shape[i] - 1) * stride[i];
  if (n > 0 && last >= available) {
    fail(
      `tensor '${name}': shape [${shape}] with strides [${stride}] from offset ${offset} reaches element ${last} of a ${available}-element storage (truncated?)`,
    );
  }
  const src = new el.array(bytes.buffer as ArrayBuffer, bytes.byteOffset, available);
  let contiguous = true;
  for (let i = shape.length - 1, want = 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== want) contiguous = false;
    want *= shape[i];
  }
  let data: TensorData;
  if (contiguous || n === 0) {
    data = src.slice(offset, offset + n);
  } else {
    const out = new el.array(new ArrayBuffer(n * el.size), 0, n);
    const s = src as unknown as { [i: number]: number | bigint };
    const o = out as unknown as { [i: number]: number | bigint };
    const rank = shape.length;
    const idx = new Array<number>(rank).fill(0);
    let p = offset;
    for (let i = 0; i < n; i++) {
      o[i] = s[p];
      for (let d = rank - 1; d >= 0; d--) {
        idx[d]++;
        p += stride[d];
        if (idx[d] < shape[d]) break;
        p -= stride[d] * shape[d];
        idx[d] = 0;
      }
    }
    data = out;
  }
  return { dtype: storage.dtype, shape: shape.slice(), data };
}

/**
 * Reads a PyTorch checkpoint held in memory — a `torch.save` file in the zip format (PyTorch ≥ 1.6)
 * or the legacy format — and returns its state dict as safetensors-shaped entries: the object
 * itself when it is a dict of tensors, else the dict of tensors under `model`, `state_dict`,
 * `model_state_dict`, `module` or `net` (as training scripts save `{"model": …, "epoch": …}`).
 * Views are copied out contiguous (strides and storage offsets applied), each tensor keeps its
 * dtype (F32, F16, BF16, F64, I64, …), non-tensor entries are dropped, and a `module.` prefix
 * on every name (a `DistributedDataParallel` model) is removed. Only the few Python globals a
 * state dict needs are understood; any other global is refused without being run. Throws
 * {@linkcode FcosError} naming `file` and the problem (truncated, not a checkpoint, no tensors,
 * a refused global).
 *
 * @example
 * ```ts ignore
 * import { parseTorchCheckpoint } from "jsr:@fcos/fcos/weights";
 * const bytes = await Deno.readFile("resnet18-f37072fd.pth");
 * const { tensors } = parseTorchCheckpoint(bytes, "resnet18-f37072fd.pth");
 * console.log(tensors.get("conv1.weight")?.shape); // [64, 3, 7, 7]
 * ```
 */
export function parseTorchCheckpoint(bytes: Uint8Array, file = "<checkpoint>"): Safetensors {
  const fail: Fail = (msg) => {
    throw new FcosError(`${file}: ${msg}`);
  };
  const format = sniffWeightsFormat(bytes);
  let root: unknown;
  if (format === "zip") root = readZip(bytes, fail);
  else if (format === "torch-legacy" || format === "pickle") root = readLegacy(bytes, fail);
  else if (format === "tar") {
    fail("the tar format of PyTorch before 0.4 is not supported; re-save it with torch.save");
  } else {
    fail(
      `${
        describeWeightsFormat(format, bytes)
      }, not a PyTorch checkpoint (a torch.save zip or pickle)`,
    );
  }
  let entries = findStateDict(root, fail);
  if (entries.every(([k]) => k.startsWith("module."))) {
    entries = entries.map(([k, t]) => [k.slice("module.".length), t]);
  }
  const tensors = new Map<string, TensorEntry>();
  for (const [name, t] of entries) tensors.set(name, materialise(t, name, fail));
  return { tensors, metadata: {} };
}

/**
 * Parses weights held in memory, whichever format they are in (told from the bytes, not the
 * name): safetensors, or a PyTorch checkpoint (see {@linkcode parseTorchCheckpoint}).
 *
 * @example
 * ```ts
 * import { parseStateDict } from "./pytorch.ts";
 * import { serializeSafetensors } from "./safetensors.ts";
 * const bytes = serializeSafetensors({ w: { dtype: "F32", shape: [1], data: new Float32Array([2]) } });
 * console.log(parseStateDict(bytes, "w.safetensors").tensors.get("w")?.data); // Float32Array [2]
 * ```
 */
export function parseStateDict(bytes: Uint8Array, file = "<weights>"): Safetensors {
  const format = sniffWeightsFormat(bytes);
  if (format === "safetensors") return parseSafetensors(bytes, file);
  if (format !== "unknown") return parseTorchCheckpoint(bytes, file);
  try {
    return parseSafetensors(bytes, file);
  } catch (e) {
    if (!(e instanceof FcosError)) throw e;
    throw new FcosError(
      `${file}: ${
        describeWeightsFormat(format, bytes)
      }: neither safetensors nor a PyTorch checkpoint`,
      { cause: e },
    );
  }
}

/**
 * Reads a weights file in any supported format — safetensors, or a PyTorch `torch.save`
 * checkpoint (`.pth`/`.pt`, zip or legacy format, a bare state dict or one wrapped in a training
 * checkpoint) — into safetensors-shaped entries. The format is told from the bytes. This is what
 * every loader ({@linkcode loadWeights}, {@linkcode loadBackboneWeights}, the CLI's `--weights`
 * and `--backbone-weights`) uses, so torchvision downloads load without converting them. Throws
 * {@linkcode FcosError} naming the file and the problem.
 *
 * @example
 * ```ts ignore
 * import { FcosModel, inferConfig, loadWeights, readStateDict } from "jsr:@fcos/fcos";
 * const st = await readStateDict("fcos_resnet50_fpn_coco-99b0c9b7.pth");
 * const model = FcosModel.create(inferConfig(st).config); // resnet50, 91 classes
 * await loadWeights(model, st);
 * ```
 */
export async function readStateDict(path: string): Promise<Safetensors> {
  return parseStateDict(await readInputFile(path), path);
}

/** True when `name` holds a control character or U+FFFD (a name decoded from garbage). */
function hasControlCharacter(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0xfffd) return true;
  }
  return false;
}
