import {
  f16ToNumber,
  numberToF16,
  parseSafetensors,
  readSafetensors,
  serializeSafetensors,
  type TensorEntry,
  toFloat32,
  writeSafetensors,
} from "../src/io/safetensors.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { FcosError } from "../src/errors.ts";
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertRejects,
  assertThrows,
} from "../src/std.ts";
import { referenceDir } from "./_reference.ts";

function allDtypes(): Record<string, TensorEntry> {
  return {
    f64: { dtype: "F64", shape: [2], data: new Float64Array([1 / 3, -2]) },
    f32: { dtype: "F32", shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
    f16: { dtype: "F16", shape: [2], data: new Uint16Array([numberToF16(1.5), numberToF16(-2)]) },
    bf16: { dtype: "BF16", shape: [1], data: new Uint16Array([0x3fc0]) }, // 1.5
    i64: { dtype: "I64", shape: [], data: new BigInt64Array([-5n]) },
    u64: { dtype: "U64", shape: [1], data: new BigUint64Array([9n]) },
    i32: { dtype: "I32", shape: [3], data: new Int32Array([-1, 0, 2 ** 31 - 1]) },
    u32: { dtype: "U32", shape: [1], data: new Uint32Array([4e9]) },
    i16: { dtype: "I16", shape: [1], data: new Int16Array([-300]) },
    u16: { dtype: "U16", shape: [1], data: new Uint16Array([65535]) },
    i8: { dtype: "I8", shape: [1, 1, 1], data: new Int8Array([-128]) },
    u8: { dtype: "U8", shape: [3], data: new Uint8Array([0, 7, 255]) },
    bool: { dtype: "BOOL", shape: [2], data: new Uint8Array([1, 0]) },
    empty: { dtype: "F32", shape: [0, 4], data: new Float32Array(0) },
  };
}

Deno.test("safetensors: round trip of every dtype with metadata", () => {
  const src = allDtypes();
  const bytes = serializeSafetensors(src, { format: "pt", note: "ünïcode" });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assertEquals(n % 8, 0); // header padded to 8 bytes
  const { tensors, metadata } = parseSafetensors(bytes, "x.safetensors");
  assertEquals(metadata, { format: "pt", note: "ünïcode" });
  assertEquals(tensors.size, Object.keys(src).length);
  for (const [name, t] of Object.entries(src)) {
    const got = tensors.get(name)!;
    assertEquals(got.dtype, t.dtype);
    assertEquals(got.shape, t.shape);
    assertEquals(got.data, t.data);
    // Every tensor's data offset is a multiple of its element size (aligned layout).
    const off = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)))[name].data_offsets;
    assertEquals(off[0] % t.data.BYTES_PER_ELEMENT, 0);
  }
  // A Map input gives the same bytes.
  assertEquals(
    serializeSafetensors(new Map(Object.entries(src)), { format: "pt", note: "ünïcode" }),
    bytes,
  );
});

Deno.test("safetensors: toFloat32 converts every dtype", () => {
  const t = allDtypes();
  assertEquals(toFloat32(t.f16, "f16"), new Float32Array([1.5, -2]));
  assertEquals(toFloat32(t.bf16, "bf16"), new Float32Array([1.5]));
  assertEquals(toFloat32(t.i64, "i64"), new Float32Array([-5]));
  assertEquals(toFloat32(t.u64, "u64"), new Float32Array([9]));
  assertEquals(toFloat32(t.bool, "bool"), new Float32Array([1, 0]));
  assertEquals(toFloat32(t.i8, "i8"), new Float32Array([-128]));
  assertEquals(toFloat32(t.u32, "u32"), new Float32Array([4e9]));
  assertAlmostEquals(toFloat32(t.f64, "f64")[0], 1 / 3, 1e-7);
  assert(toFloat32(t.f32, "f32") === t.f32.data); // no copy for F32
});

Deno.test("safetensors: f16 conversion is exact both ways", () => {
  // Every finite half value round-trips through number.
  for (let h = 0; h < 0x10000; h++) {
    const x = f16ToNumber(h);
    if (Number.isNaN(x)) continue;
    assertEquals(numberToF16(x), h);
  }
  assertEquals(numberToF16(65520), 0x7c00); // rounds up to Inf
  assertEquals(numberToF16(1 + 2 ** -11), numberToF16(1)); // tie → even
  assertEquals(numberToF16(1 + 3 * 2 ** -11), numberToF16(1 + 2 ** -9)); // tie → even (up)
  assertEquals(numberToF16(2 ** -25), 0); // tie between 0 and the smallest subnormal → 0
  assertEquals(numberToF16(2 ** -25 * 1.5), 1);
  assert(Number.isNaN(f16ToNumber(numberToF16(NaN))));
});

function build(header: unknown, buffer: Uint8Array, rawHeader?: string): Uint8Array {
  const json = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + buffer.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(buffer, 8 + json.length);
  return out;
}

function throwsWith(bytes: Uint8Array, re: RegExp): void {
  assertThrows(() => parseSafetensors(bytes, "bad.safetensors"), FcosError);
  try {
    parseSafetensors(bytes, "bad.safetensors");
  } catch (e) {
    const msg = (e as Error).message;
    assert(msg.startsWith("bad.safetensors: "), msg);
    assert(re.test(msg), `${msg} does not match ${re}`);
  }
}

Deno.test("safetensors: malformed files are rejected with the file and tensor named", () => {
  const good = serializeSafetensors({
    a: { dtype: "F32", shape: [2], data: new Float32Array([1, 2]) },
  });
  throwsWith(good.subarray(0, 5), /shorter than the 8-byte/);
  throwsWith(good.subarray(0, 20), /header length \d+ exceeds the file/);
  throwsWith(good.subarray(0, good.length - 1), /tensor 'a'.*outside/);
  throwsWith(build(null, new Uint8Array(0), "{not json"), /not valid UTF-8 JSON/);
  throwsWith(build([1, 2], new Uint8Array(0)), /not a JSON object/);
  const buf8 = new Uint8Array(8);
  throwsWith(
    build({
      a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
      b: { dtype: "F32", shape: [1], data_offsets: [4, 8] },
    }, buf8),
    /tensor '(a|b)'.*overlap/,
  );
  throwsWith(
    build({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, buf8),
    /tensor 'a'.*gap/,
  );
  throwsWith(
    build({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, buf8),
    /4 trailing bytes/,
  );
  throwsWith(
    build({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, buf8),
    /tensor 'a': 8 bytes for F32 shape \[3\], expected 12/,
  );
  throwsWith(
    build({ a: { dtype: "F8", shape: [1], data_offsets: [0, 1] } }, buf8),
    /'a'.*unknown dtype/,
  );
  throwsWith(build({ a: { dtype: "U8", shape: [-1], data_offsets: [0, 1] } }, buf8), /'a'.*shape/);
  throwsWith(
    build({ a: { dtype: "U8", shape: [1], data_offsets: [1] } }, buf8),
    /'a'.*data_offsets/,
  );
  throwsWith(build({ a: { dtype: "U8", shape: [8], data_offsets: [8, 0] } }, buf8), /'a'.*outside/);
  throwsWith(
    build({ __metadata__: { k: 1 } }, new Uint8Array(0)),
    /__metadata__\.k is not a string/,
  );
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
  throwsWith(huge, /exceeds the file/);
});

Deno.test("safetensors: serialize rejects inconsistent entries", () => {
  assertThrows(
    () => serializeSafetensors({ w: { dtype: "F32", shape: [3], data: new Float32Array(2) } }),
    /tensor 'w': shape \[3\] needs 3 elements, data has 2/,
  );
  assertThrows(
    () => serializeSafetensors({ w: { dtype: "I64", shape: [1], data: new Float32Array(1) } }),
    /tensor 'w': I64 data must be a BigInt64Array, got Float32Array/,
  );
  assertThrows(
    () =>
      serializeSafetensors({ w: { dtype: "X" as "F32", shape: [1], data: new Float32Array(1) } }),
    /tensor 'w': unknown dtype/,
  );
});

Deno.test("safetensors: writeSafetensors writes atomically and readSafetensors reads back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/w.safetensors`;
    await writeSafetensors(file, allDtypes(), { epoch: "3" });
    const back = await readSafetensors(file);
    assertEquals(back.metadata, { epoch: "3" });
    assertEquals(back.tensors.get("i32")!.data, new Int32Array([-1, 0, 2 ** 31 - 1]));
    // A failing write (bad entry) leaves the previous file intact and no temp file behind.
    await assertRejects(
      () => writeSafetensors(file, { w: { dtype: "F32", shape: [2], data: new Float32Array(1) } }),
      /w\.safetensors: tensor 'w'/,
    );
    assertEquals((await readSafetensors(file)).metadata, { epoch: "3" });
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assertEquals(names, ["w.safetensors"]);
    await assertRejects(
      () => readSafetensors(`${dir}/missing.safetensors`),
      /missing\.safetensors: cannot read/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("atomic: writeFileAtomic replaces the file and cleans up on failure", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/a.txt`;
    await writeFileAtomic(file, "one");
    await writeFileAtomic(file, new TextEncoder().encode("two"));
    assertEquals(await Deno.readTextFile(file), "two");
    await assertRejects(() => writeFileAtomic(`${dir}/no/such/dir/x`, "x"), FcosError);
    // Renaming over a directory fails: the temp file must be removed.
    await Deno.mkdir(`${dir}/d`);
    await Deno.writeTextFile(`${dir}/d/keep`, "k");
    await assertRejects(() => writeFileAtomic(`${dir}/d`, "x"), /d: cannot write/);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assertEquals(names.sort(), ["a.txt", "d"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("safetensors: reads a file written from PyTorch", async () => {
  const dir = referenceDir("safetensors");
  if (dir === null) return;
  const { tensors, metadata } = await readSafetensors(`${dir}/torch.safetensors`);
  assertEquals(metadata.format, "pt");
  const expected: Record<string, { dtype: string; shape: number[]; values: (number | string)[] }> =
    JSON.parse(await Deno.readTextFile(`${dir}/expected.json`));
  assertEquals([...tensors.keys()].sort(), Object.keys(expected).sort());
  for (const [name, exp] of Object.entries(expected)) {
    const t = tensors.get(name)!;
    assertEquals(t.dtype, exp.dtype, name);
    assertEquals(t.shape, exp.shape, name);
    const got = toFloat32(t, name);
    assertEquals(got.length, exp.values.length, name);
    exp.values.forEach((v, i) => {
      const want = typeof v === "string" ? Number(v.replace("inf", "Infinity")) : Math.fround(v);
      assertEquals(got[i], want, `${name}[${i}]`);
    });
  }
  assertEquals(
    tensors.get("backbone.body.bn1.num_batches_tracked")!.data,
    new BigInt64Array([1234n]),
  );
  // Our writer's output of the same tensors parses to identical data.
  const again = parseSafetensors(serializeSafetensors(tensors, metadata), "again");
  for (const [name, t] of tensors) assertEquals(again.tensors.get(name)!.data, t.data, name);
});

// Reads a safetensors file the way PyTorch users do by hand (json header + numpy views, which
// torch.from_numpy wraps as is) and prints every tensor as float64 values. numpy only: importing
// torch would cost seconds.
const PY_READER = `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n].decode("utf-8"))
buf = raw[8 + n:]
np_types = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "BF16": np.int16,
            "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8,
            "U16": np.uint16, "U32": np.uint32, "U64": np.uint64, "BOOL": np.bool_}
out = {"__metadata__": header.pop("__metadata__", {})}
for name, spec in header.items():
    b, e = spec["data_offsets"]
    a = np.frombuffer(buf[b:e], dtype=np_types[spec["dtype"]])
    if spec["dtype"] == "BF16":  # numpy has no bfloat16: it is the top half of a float32
        a = (a.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
    a = a.reshape(spec["shape"])
    out[name] = {"shape": list(a.shape), "values": a.astype(np.float64).flatten().tolist()}
print(json.dumps(out))
`;

Deno.test("safetensors: a file we write reads back in Python (numpy)", async () => {
  let ok = false;
  try {
    const probe = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", "import numpy"],
      stdout: "null",
      stderr: "null",
    }).output();
    ok = probe.code === 0;
  } catch {
    ok = false;
  }
  if (!ok) {
    if (Deno.env.get("CI") === "true") throw new Error("CI needs /usr/bin/python3 with numpy");
    console.warn("skipping: /usr/bin/python3 with numpy not available");
    return;
  }
  const src = allDtypes();
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/ours.safetensors`;
    await writeSafetensors(file, src, { format: "pt" });
    const res = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", PY_READER, file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(res.code, 0, new TextDecoder().decode(res.stderr));
    const py = JSON.parse(new TextDecoder().decode(res.stdout));
    assertEquals(py.__metadata__, { format: "pt" });
    for (const [name, t] of Object.entries(src)) {
      assertEquals(py[name].shape, t.shape, name);
      const ours = Array.from(toFloat32(t, name));
      const theirs = (py[name].values as number[]).map(Math.fround);
      assertEquals(theirs, ours, name);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
