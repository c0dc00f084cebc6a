/**
 * The PyTorch checkpoint reader: files that Debian's torch writes at test time
 * (`scripts/reference/pth.py`) in the zip and legacy formats give the tensors torch holds (every
 * dtype, strided views, shared storages, wrapped checkpoints), the same tensors as the safetensors
 * route, and load into the model; pickles that call functions, truncated files, files that are
 * not checkpoints or hold no tensors are one-line FcosErrors naming the file.
 */
import { tf } from "../src/tf.ts";
import { FcosError } from "../src/errors.ts";
import { parseStateDict, parseTorchCheckpoint, readStateDict } from "../src/io/pytorch.ts";
import {
  f16ToNumber,
  parseSafetensors,
  readSafetensors,
  serializeSafetensors,
  sniffWeightsFormat,
  type TensorEntry,
  toFloat32,
} from "../src/io/safetensors.ts";
import { inferConfig, loadBackboneWeights, loadWeights, stateDict } from "../src/io/weights.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../src/std.ts";
import { referenceDir } from "./_reference.ts";
import { zipSync } from "fflate";

const dir = referenceDir("pth");

/** Asserts that `fn` throws one FcosError line that names `file` and matches `pattern`. */
function throwsLine(fn: () => unknown, file: string, pattern: RegExp): string {
  try {
    fn();
  } catch (e) {
    assert(e instanceof FcosError, `expected FcosError, got ${e}`);
    const msg = (e as Error).message;
    assert(msg.startsWith(`${file}: `), `names the file: ${msg}`);
    assert(!msg.includes("\n"), `one line: ${msg}`);
    assert(pattern.test(msg), `${msg} should match ${pattern}`);
    return msg;
  }
  throw new Error(`expected an FcosError matching ${pattern}`);
}

/** Expected values written by pth.py: {name: {dtype, shape, values (float64, 'inf' as text)}}. */
type Expected = Record<string, { dtype: string; shape: number[]; values: (number | string)[] }>;

function assertTensorsAsTorch(tensors: Map<string, TensorEntry>, want: Expected, what: string) {
  assertEquals([...tensors.keys()], Object.keys(want), `${what}: names in order`);
  for (const [name, w] of Object.entries(want)) {
    const t = tensors.get(name)!;
    assertEquals(t.dtype, w.dtype, `${what}: ${name} dtype`);
    assertEquals(t.shape, w.shape, `${what}: ${name} shape`);
    const special: Record<string, number> = { inf: Infinity, "-inf": -Infinity, nan: NaN };
    const values = w.values.map((v) => typeof v === "string" ? special[v] : v);
    let got: number[];
    if (t.dtype === "F16") got = Array.from(t.data as Uint16Array, f16ToNumber);
    else if (t.dtype === "F32" || t.dtype === "BF16") got = Array.from(toFloat32(t, name));
    else got = Array.from(t.data as ArrayLike<number | bigint>, Number); // F64, integers, bool
    // Exact: torch wrote these values, so each is representable in its dtype.
    assertEquals(got, values, `${what}: ${name} values`);
  }
}

Deno.test({
  name: "pytorch: zip and legacy files give torch's tensors (dtypes, views, shared storage)",
  ignore: dir === null,
  async fn() {
    const want: Expected = JSON.parse(await Deno.readTextFile(`${dir}/expected.json`));
    for (
      const f of [
        "tensors_zip.pth",
        "tensors_legacy.pth",
        "wrapped_model.pth", // {"model": …, "optimizer": …, "args": Namespace, "epoch": 7}
        "wrapped_state_dict_legacy.pth", // {"state_dict": …, "epoch": 2}
        "ddp.pth", // every name prefixed by "module."
      ]
    ) {
      const st = await readStateDict(`${dir}/${f}`);
      assertTensorsAsTorch(st.tensors, want, f);
      assertEquals(st.metadata, {});
    }
    // The formats are told from the bytes.
    const zip = await Deno.readFile(`${dir}/tensors_zip.pth`);
    const legacy = await Deno.readFile(`${dir}/tensors_legacy.pth`);
    assertEquals([sniffWeightsFormat(zip), sniffWeightsFormat(legacy)], ["zip", "torch-legacy"]);
    // The I64 scalar keeps its type; the double keeps its precision.
    const st = parseTorchCheckpoint(legacy, "x.pth");
    assertEquals(st.tensors.get("bn.num_batches_tracked")!.data, new BigInt64Array([1234n]));
    assertEquals((st.tensors.get("double")!.data as Float64Array)[0], 1 / 3);
    // Views come out as their own contiguous arrays (shared_a/b share one storage in the file).
    const a = st.tensors.get("shared_a")!.data, b = st.tensors.get("shared_b")!.data;
    assert(a.buffer !== b.buffer, "each tensor owns its data");
  },
});

Deno.test({
  name: "pytorch: a .pth state dict is the same tensors as safetensors and loads into the model",
  ignore: dir === null,
  async fn() {
    await tf.setBackend("wasm");
    const pth = await readStateDict(`${dir}/fcos.pth`);
    const safe = await readSafetensors(`${dir}/fcos.safetensors`);
    assertEquals([...pth.tensors.keys()], [...safe.tensors.keys()]);
    for (const [name, t] of safe.tensors) assertEquals(pth.tensors.get(name), t, name);
    // readStateDict takes safetensors too, unchanged.
    assertEquals(await readStateDict(`${dir}/fcos.safetensors`), safe);

    const { config } = inferConfig(pth, "fcos.pth");
    assertEquals(config, {
      backbone: "resnet18",
      numClasses: 3,
      fpnChannels: 32,
      backboneWidth: 0.25,
      headConvs: 1,
    });
    const model = FcosModel.create(config);
    try {
      const report = await loadWeights(model, `${dir}/fcos.pth`);
      assertEquals(report.loaded, model.params.specs.length);
      assert(
        report.ignored.every((n) => n.endsWith("num_batches_tracked")) && report.ignored.length > 0,
      );
      const sd = await stateDict(model);
      for (const [name, t] of sd) {
        assertEquals(t.data, toFloat32(safe.tensors.get(name)!, name), name);
      }
      // A torchvision ResNet state dict (legacy format, with fc.*) loads as the backbone.
      const body = await loadBackboneWeights(model, `${dir}/resnet_body_legacy.pth`);
      assertEquals(body.ignored.filter((n) => n.startsWith("fc.")), ["fc.weight", "fc.bias"]);
      assert(body.loaded > 50);
    } finally {
      model.dispose();
    }
  },
});

Deno.test({
  name: "pytorch: a pickle that calls a function is refused, naming the global; nothing runs",
  ignore: dir === null,
  async fn() {
    const f1 = `${dir}/evil_system.pth`;
    throwsLine(() => parseStateDict(Deno.readFileSync(f1), f1), f1, /'posix\.system'/);
    const f2 = `${dir}/evil_eval_legacy.pth`;
    throwsLine(() => parseStateDict(Deno.readFileSync(f2), f2), f2, /'builtins\.eval'/);
    await assertRejects(() => readStateDict(f1), /refusing to load/);
  },
});

Deno.test({
  name: "pytorch: no tensors, a plain pickle, another model's state dict: one line each",
  ignore: dir === null,
  async fn() {
    const none = `${dir}/no_tensors.pth`;
    throwsLine(
      () => parseStateDict(Deno.readFileSync(none), none),
      none,
      /holds no tensors \(a dict with keys 'epoch', 'note'/,
    );
    const pkl = `${dir}/plain.pkl`;
    throwsLine(() => parseStateDict(Deno.readFileSync(pkl), pkl), pkl, /not one torch\.save wrote/);
    // A ResNet classifier is not a detector: inferConfig says what it holds.
    const body = `${dir}/resnet_body_legacy.pth`;
    const st = await readStateDict(body);
    throwsLine(() => inferConfig(st, body), body, /not an FCOS state dict.*ResNet classifier/);
    // Loading it as a whole detector names the first tensor the model lacks.
    await tf.setBackend("wasm");
    const model = FcosModel.create({ backbone: "resnet18", backboneWidth: 0.25, numClasses: 3 });
    try {
      await assertRejects(() => loadWeights(model, body), /unexpected tensor 'conv1\.weight'/);
    } finally {
      model.dispose();
    }
  },
});

Deno.test({
  name: "pytorch: a truncated checkpoint is an FcosError at every length",
  ignore: dir === null,
  async fn() {
    for (const f of ["tensors_legacy.pth", "tensors_zip.pth"]) {
      const bytes = await Deno.readFile(`${dir}/${f}`);
      const step = f.includes("zip") ? 7 : 1;
      const messages = new Set<string>();
      for (let n = 0; n < bytes.length; n += step) {
        const msg = throwsLine(() => parseStateDict(bytes.subarray(0, n), f), f, /./);
        messages.add(msg.replace(/\d+/g, "N"));
      }
      assert([...messages].some((m) => /truncated/.test(m)), [...messages].join("\n"));
    }
  },
});

Deno.test({
  name: "pytorch: corrupted bytes give tensors or an FcosError, never another error or a hang",
  ignore: dir === null,
  async fn() {
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let refused = 0;
    for (const f of ["tensors_legacy.pth", "tensors_zip.pth", "wrapped_model.pth"]) {
      const good = await Deno.readFile(`${dir}/${f}`);
      for (let k = 0; k < 400; k++) {
        const bytes = good.slice();
        for (let j = random() * 4; j >= 0; j--) {
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        }
        try {
          parseStateDict(bytes, f);
        } catch (e) {
          if (!(e instanceof FcosError)) throw new Error(`${f}, mutation ${k}: ${e}`);
          refused++;
        }
      }
    }
    assert(refused > 300, `${refused} of 1200 corrupted files refused`);
  },
});

Deno.test({
  name: "pytorch: each reader names the format it was given instead",
  ignore: dir === null,
  async fn() {
    for (
      const [f, found] of [
        ["tensors_zip.pth", /a zip archive \(PyTorch's torch\.save format\), not a safetensors/],
        ["tensors_legacy.pth", /legacy \(pre-1\.6\) torch\.save format, not a safetensors/],
      ] as const
    ) {
      const file = `${dir}/${f}`;
      await assertRejects(() => readSafetensors(file), found);
      throwsLine(() => parseSafetensors(Deno.readFileSync(file), file), file, found);
    }
    const safe = `${dir}/fcos.safetensors`;
    throwsLine(
      () => parseTorchCheckpoint(Deno.readFileSync(safe), safe),
      safe,
      /a safetensors file, not a PyTorch checkpoint/,
    );
  },
});

// ---- Without torch: hand-made files

/** Protocol-2 pickle bytes from opcode strings and byte arrays. */
function pickle(...parts: (string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === "string") { for (const c of p) out.push(c.charCodeAt(0)); }
    else out.push(...p);
  }
  return new Uint8Array(out);
}

/** The legacy header: magic number, protocol 1001, an empty sys_info dict. */
const LEGACY_HEAD: (string | number[])[] = [
  [0x80, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19],
  ".",
  [0x80, 2, 0x4d, 0xe9, 0x03], // BININT2 1001
  ".",
  [0x80, 2],
  "}.",
];

Deno.test("pytorch: hand-made legacy pickles — globals are refused, a tensor is rebuilt", () => {
  // GLOBAL os.system, REDUCE: refused at the GLOBAL, before any call could be made.
  const evil = pickle(...LEGACY_HEAD, [0x80, 2], "cos\nsystem\n", "X", [2, 0, 0, 0], "ls", [
    0x85,
  ], "R.");
  throwsLine(() => parseStateDict(evil, "evil.pth"), "evil.pth", /global 'os\.system'/);
  // STACK_GLOBAL (protocol 4) is checked the same way.
  const evil4 = pickle(...LEGACY_HEAD, [0x80, 4, 0x8c, 8], "builtins", [0x8c, 4], "exec", [
    0x93,
  ], ".");
  throwsLine(() => parseStateDict(evil4, "evil4.pth"), "evil4.pth", /global 'builtins\.exec'/);
  // An allowed global that is not a function cannot be called.
  const dtypeCall = pickle(...LEGACY_HEAD, [0x80, 2], "ctorch\nfloat32\n)R.");
  throwsLine(
    () => parseStateDict(dtypeCall, "d.pth"),
    "d.pth",
    /refusing to call 'torch\.float32'/,
  );
  // Class instantiation opcodes are refused.
  const inst = pickle(...LEGACY_HEAD, "(ios\nsystem\n.");
  throwsLine(() => parseStateDict(inst, "i.pth"), "i.pth", /opcode INST/);

  // {"w": _rebuild_tensor_v2(storage '0' float32 of 4, offset 1, size (2,), stride (2,))}
  const w = pickle(
    ...LEGACY_HEAD,
    [0x80, 2],
    "}X",
    [1, 0, 0, 0],
    "w",
    "ctorch._utils\n_rebuild_tensor_v2\n(",
    "(X",
    [7, 0, 0, 0],
    "storage",
    "ctorch\nFloatStorage\nX",
    [1, 0, 0, 0],
    "0X",
    [3, 0, 0, 0],
    "cpuK",
    [4],
    "NtQ", // (…, None) tuple, BINPERSID
    "K",
    [1],
    "K",
    [2, 0x85],
    "K",
    [2, 0x85],
    [0x89], // requires_grad False
    "ccollections\nOrderedDict\n)R",
    "tRs.",
    [0x80, 2],
    "]X",
    [1, 0, 0, 0],
    "0a.", // storage keys ['0']
    [4, 0, 0, 0, 0, 0, 0, 0], // 4 elements
    [...new Uint8Array(new Float32Array([10, 11, 12, 13]).buffer)],
  );
  const st = parseStateDict(w, "w.pth");
  assertEquals([...st.tensors], [["w", {
    dtype: "F32",
    shape: [2],
    data: new Float32Array([11, 13]),
  }]]);
  // Its storage data cut short; a view past its storage's end.
  throwsLine(() => parseStateDict(w.subarray(0, w.length - 4), "w.pth"), "w.pth", /truncated/);
});

Deno.test("pytorch: a zip that is not a checkpoint, an empty file, other bytes", () => {
  const notCkpt = zipSync({ "a/readme.txt": new TextEncoder().encode("hello") }, { level: 0 });
  throwsLine(
    () => parseStateDict(notCkpt, "x.zip"),
    "x.zip",
    /without a data\.pkl.*'a\/readme\.txt'/,
  );
  const head = notCkpt.subarray(0, 30);
  throwsLine(() => parseStateDict(head, "cut.pth"), "cut.pth", /truncated or corrupt zip/);
  throwsLine(() => parseStateDict(new Uint8Array(0), "e.pth"), "e.pth", /an empty file/);
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1]);
  throwsLine(
    () => parseStateDict(jpeg, "photo.jpg"),
    "photo.jpg",
    /unknown format \(12 bytes, starting ff d8 ff e0.*neither safetensors nor a PyTorch checkpoint/,
  );
  // Safetensors still parse through the dispatcher.
  const bytes = serializeSafetensors({
    w: { dtype: "F32", shape: [1], data: new Float32Array([3]) },
  });
  assertEquals(
    parseStateDict(bytes, "w.safetensors").tensors.get("w")!.data,
    new Float32Array([3]),
  );
  assertThrows(() => parseTorchCheckpoint(bytes, "w.safetensors"), FcosError);
});
