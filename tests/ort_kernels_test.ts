/**
 * The wasm convolutions on onnxruntime's kernels (src/backend/ort_kernels.ts): every kernel
 * against tfjs-wasm's own (XNNPACK and src/backend/wasm_gradients.ts) and the cpu backend; a
 * seeded training run on them is the same bytes twice (2 threads) and close to the XNNPACK run;
 * without --allow-ffi the default falls back with one line and an explicit request is one
 * FcosError naming the flag.
 */
import { tf } from "../src/tf.ts";
import { initBackend } from "../src/backend/select.ts";
import { activeCpuKernels, type CpuKernels, setCpuKernels } from "../src/backend/ort_kernels.ts";
import { wasmKernelPhases } from "../src/backend/wasm_gradients.ts";
import { assert, assertEquals } from "../src/std.ts";
import { convGradients, largeConvDigest, type Pad, relDiff, wasmDataIds } from "./_conv.ts";
import { TINY, trainedWeights, weightsDigest } from "./_tiny_train.ts";
import { FcosModel } from "../src/model/fcos.ts";

const info = await initBackend({ backend: "wasm", threads: 2, log: () => {} });

type Arrays = Float32Array[];
interface ConvCase {
  x: [number, number, number, number];
  k: number;
  s: 1 | 2;
  pad: Pad;
  co: number;
}

const P1: Pad = [[0, 0], [1, 1], [1, 1], [0, 0]];
const CASES: ConvCase[] = [
  { x: [2, 9, 9, 3], k: 3, s: 1, pad: P1, co: 4 },
  { x: [2, 9, 9, 3], k: 3, s: 2, pad: P1, co: 4 },
  { x: [1, 8, 10, 5], k: 3, s: 2, pad: P1, co: 6 },
  { x: [3, 9, 9, 3], k: 1, s: 1, pad: "valid", co: 4 },
  { x: [2, 10, 10, 4], k: 1, s: 2, pad: "valid", co: 2 },
  { x: [2, 17, 15, 3], k: 7, s: 2, pad: [[0, 0], [3, 3], [3, 3], [0, 0]], co: 5 },
  { x: [1, 11, 12, 3], k: 3, s: 2, pad: "same", co: 4 },
  { x: [1, 11, 12, 3], k: 3, s: 1, pad: "same", co: 4 },
  { x: [1, 11, 12, 3], k: 3, s: 1, pad: "valid", co: 4 },
  { x: [1, 6, 7, 2], k: 3, s: 1, pad: [[0, 0], [0, 2], [1, 0], [0, 0]], co: 3 },
  { x: [2, 10, 7, 3], k: 3, s: 2, pad: [[0, 0], [0, 2], [1, 0], [0, 0]], co: 4 },
  // Pads past the kernel (stride 1: the input gradient takes ConvTranspose, not the flipped conv).
  { x: [1, 6, 6, 2], k: 1, s: 1, pad: [[0, 0], [2, 1], [1, 2], [0, 0]], co: 3 },
  { x: [1, 9, 9, 2], k: 3, s: 2, pad: "valid", co: 3 },
  { x: [2, 13, 11, 32], k: 3, s: 1, pad: P1, co: 24 },
  { x: [2, 16, 16, 16], k: 3, s: 2, pad: P1, co: 32 },
];

/** Forward (plain, fused with bias + ReLU, fused with bias), filter and input gradient. */
function convOutputs(c: ConvCase): tf.Tensor[] {
  const x = tf.randomUniform(c.x, -1, 1, "float32", 1) as tf.Tensor4D;
  const w = tf.randomUniform([c.k, c.k, c.x[3], c.co], -1, 1, "float32", 2) as tf.Tensor4D;
  const bias = tf.randomUniform([c.co], -1, 1, "float32", 4) as tf.Tensor1D;
  const y = tf.conv2d(x, w, c.s, c.pad);
  const fused = (activation: "relu" | "linear") =>
    tf.fused.conv2d({ x, filter: w, strides: c.s, pad: c.pad, bias, activation });
  const dy = tf.randomUniform(y.shape, -1, 1, "float32", 3);
  const [dw, dx] = convGradients(x, w, dy, c.s, c.pad);
  return [y, fused("relu"), fused("linear"), dw, dx];
}

/** Runs `f` on cpu, or on wasm with the given kernels; outputs as arrays. */
async function on(where: "cpu" | CpuKernels, f: () => tf.Tensor[]): Promise<Arrays> {
  await tf.setBackend(where === "cpu" ? "cpu" : "wasm");
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  if (where !== "cpu") setCpuKernels(where);
  const outs = tf.tidy(f);
  const arrays = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outs);
  return arrays;
}

Deno.test("initBackend starts the onnxruntime kernels by default (-A)", () => {
  assertEquals(info.cpuKernels, "onnxruntime");
  assertEquals(activeCpuKernels(), "onnxruntime");
});

Deno.test("onnxruntime conv kernels match XNNPACK's and cpu's (forward, fused, both gradients)", async () => {
  for (const c of CASES) {
    const name = JSON.stringify(c);
    const want = await on("cpu", () => convOutputs(c));
    const xnnpack = await on("xnnpack", () => convOutputs(c));
    const before = wasmDataIds();
    const phases = wasmKernelPhases(true);
    const ort = await on("onnxruntime", () => convOutputs(c));
    wasmKernelPhases(false);
    assertEquals(wasmDataIds(), before, `${name}: intermediates leaked`);
    // Each of the five outputs went through onnxruntime (nothing fell back unnoticed).
    const runs = [...phases].filter(([k]) => k.endsWith("run (onnxruntime)"))
      .reduce((n, [, v]) => n + v.calls, 0);
    assertEquals(runs, 5, `${name}: onnxruntime runs ${[...phases.keys()]}`);
    const dCpu = relDiff(ort, want);
    const dXnn = relDiff(ort, xnnpack);
    assert(dCpu < 1e-5, `${name}: onnxruntime vs cpu ${dCpu}`);
    assert(dXnn < 1e-5, `${name}: onnxruntime vs XNNPACK ${dXnn}`);
  }
  await tf.setBackend("wasm");
});

Deno.test("what onnxruntime does not cover falls back to the replaced kernels (relu6, NCHW-free)", async () => {
  const f = () => {
    const x = tf.randomUniform([1, 7, 7, 3], -1, 1, "float32", 5) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 3, 4], -1, 1, "float32", 6) as tf.Tensor4D;
    return [tf.fused.conv2d({ x, filter: w, strides: 1, pad: "same", activation: "relu6" })];
  };
  const want = await on("cpu", f);
  const phases = wasmKernelPhases(true);
  const got = await on("onnxruntime", f);
  wasmKernelPhases(false);
  assertEquals([...phases.keys()].filter((k) => k.startsWith("ORT")), []);
  assert(relDiff(got, want) < 1e-5);
});

Deno.test("dilated forward convs run on onnxruntime and match cpu", async () => {
  const f = () => {
    const x = tf.randomUniform([2, 11, 13, 4], -1, 1, "float32", 11) as tf.Tensor4D;
    const w = tf.randomUniform([3, 3, 4, 6], -1, 1, "float32", 12) as tf.Tensor4D;
    const bias = tf.randomUniform([6], -1, 1, "float32", 13) as tf.Tensor1D;
    return [
      tf.conv2d(x, w, 1, "same", "NHWC", 2),
      tf.conv2d(x, w, 1, "valid", "NHWC", [2, 3]),
      tf.fused.conv2d({
        x,
        filter: w,
        strides: 1,
        pad: "same",
        dilations: 2,
        bias,
        activation: "relu",
      }),
    ];
  };
  const want = await on("cpu", f);
  const phases = wasmKernelPhases(true);
  const got = await on("onnxruntime", f);
  wasmKernelPhases(false);
  assertEquals(phases.get("ORT forward: run (onnxruntime)")?.calls, 3);
  const d = relDiff(got, want);
  assert(d < 1e-5, `relative difference ${d}`);
});

Deno.test("kept rearranged filters follow the filter: a variable's assign and a reshape (same data)", async () => {
  const f = () => {
    const outs: tf.Tensor[] = [];
    const both = (w: tf.Tensor4D) => {
      const x = tf.randomUniform([1, 6, 6, w.shape[2]], -1, 1, "float32", 8) as tf.Tensor4D;
      const y = tf.conv2d(x, w, 1, "same");
      outs.push(y, ...convGradients(x, w, y, 1, "same"));
    };
    const v = tf.variable(tf.randomUniform([3, 3, 8, 8], -1, 1, "float32", 9)) as tf.Variable<
      tf.Rank.R4
    >;
    both(v);
    both(v); // the kept layouts
    v.assign(tf.randomUniform([3, 3, 8, 8], -1, 1, "float32", 10) as tf.Tensor4D);
    both(v);
    both(tf.reshape(v, [3, 3, 4, 16])); // the same dataId in another shape
    v.dispose();
    return outs;
  };
  const cpu = await on("cpu", f);
  const ort = await on("onnxruntime", f);
  const d = relDiff(ort, cpu);
  assert(d < 1e-5, `relative difference ${d}`);
});

Deno.test("large onnxruntime conv kernels (threaded GEMMs) give the same bytes run to run", async () => {
  const c: ConvCase = { x: [4, 24, 24, 96], k: 3, s: 1, pad: P1, co: 128 };
  const a = await on("onnxruntime", () => convOutputs(c));
  const b = await on("onnxruntime", () => convOutputs(c));
  for (let i = 0; i < a.length; i++) {
    assertEquals(new Uint8Array(a[i].buffer), new Uint8Array(b[i].buffer), `output ${i}`);
  }
});

Deno.test("a seeded training run on the onnxruntime kernels (2 threads) is the same bytes twice, and close to XNNPACK's", async () => {
  assertEquals(info.threads, 2);
  setCpuKernels("onnxruntime");
  const a = await trainedWeights();
  const b = await trainedWeights();
  setCpuKernels("xnnpack");
  const x = await trainedWeights();
  setCpuKernels("onnxruntime");
  let changed = 0;
  let worst = 0;
  const init = FcosModel.create(TINY, { seed: 7 });
  for (const [name, wa] of a) {
    const wb = b.get(name)!;
    assertEquals(
      new Uint8Array(wa.buffer, wa.byteOffset, wa.byteLength),
      new Uint8Array(wb.buffer, wb.byteOffset, wb.byteLength),
      `${name}: not the same bytes`,
    );
    const w0 = (await init.params.get(name).data()) as Float32Array;
    if (wa.some((v, i) => v !== w0[i])) changed++;
    const wx = x.get(name)!;
    for (let i = 0; i < wa.length; i++) worst = Math.max(worst, Math.abs(wa[i] - wx[i]));
  }
  init.dispose();
  assert(changed > 20, `training changed ${changed} tensors`);
  assert(worst < 1e-4, `onnxruntime vs XNNPACK weights after 2 steps: max diff ${worst}`);
});

Deno.test("on the onnxruntime kernels, 1 thread gives the same bytes as 2 (a large conv, a training run)", async () => {
  setCpuKernels("onnxruntime");
  const here = `${await largeConvDigest()} ${await weightsDigest(await trainedWeights())}`;
  const url = (p: string) => JSON.stringify(new URL(p, import.meta.url).href);
  const code = `
    import { initBackend } from ${url("../src/backend/select.ts")};
    import { trainedWeights, weightsDigest } from ${url("./_tiny_train.ts")};
    import { largeConvDigest } from ${url("./_conv.ts")};
    await initBackend({ backend: "wasm", threads: 1, cpuKernels: "onnxruntime", log: () => {} });
    console.log(\`\${await largeConvDigest()} \${await weightsDigest(await trainedWeights())}\`);
    Deno.exit(0);
  `;
  const one = await runScript(code, ["-A"]);
  assertEquals(one.code, 0, one.stderr);
  assert(/^[0-9a-f]{64} [0-9a-f]{64}$/.test(here), here);
  assertEquals(one.stdout.trim(), here);
});

async function runScript(code: string, permissions: string[]) {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, code);
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        ...permissions,
        file,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("without --allow-ffi: the default runs XNNPACK saying why; asking for onnxruntime is one FcosError", async () => {
  const select = JSON.stringify(new URL("../src/backend/select.ts", import.meta.url).href);
  const errors = JSON.stringify(new URL("../src/errors.ts", import.meta.url).href);
  const code = `
    import { initBackend } from ${select};
    import { FcosError } from ${errors};
    const kernels = Deno.args[0] === "ask" ? "onnxruntime" : undefined;
    try {
      const info = await initBackend({ backend: "wasm", threads: 1, cpuKernels: kernels, log: (l) => console.log(l) });
      console.log("kernels", info.cpuKernels);
    } catch (e) {
      console.log("error", e instanceof FcosError ? "FcosError" : "other", e.message);
    }
    Deno.exit(0);
  `;
  const perms = ["--allow-read", "--allow-env", "--allow-write", "--no-prompt"];
  const byDefault = await runScript(code, perms);
  assertEquals(byDefault.code, 0, byDefault.stderr);
  assert(/xnnpack conv kernels.*--allow-ffi/.test(byDefault.stdout), byDefault.stdout);
  assert(byDefault.stdout.includes("kernels xnnpack"), byDefault.stdout);
  const asked = await runScript(code.replace("Deno.args[0]", '"ask"'), perms);
  assert(/^error FcosError .*--allow-ffi/m.test(asked.stdout), asked.stdout);
});
