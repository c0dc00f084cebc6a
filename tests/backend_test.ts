/**
 * Backend selection (src/backend/select.ts) and cross-backend agreement: a small conv net
 * (conv + GroupNorm + ReLU + max-pool + nearest/bilinear resize + gather) gives the same forward
 * outputs and gradients on wasm (with worker threads), cpu and — tiny input — WebGPU.
 */
import { tf } from "../src/tf.ts";
import {
  chooseDefaultBackend,
  initBackend,
  isSoftwareAdapter,
  parseBackendName,
  shutdownBackend,
} from "../src/backend/select.ts";
import { FcosError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../src/std.ts";
import { hasWebGpuAdapter } from "./_webgpu.ts";

Deno.test("software WebGPU adapters are recognised and never the default", () => {
  const llvmpipe = { description: "llvmpipe (LLVM 15.0.6, 256 bits)", vendor: "65541" };
  assert(isSoftwareAdapter(llvmpipe));
  assert(isSoftwareAdapter({ description: "lavapipe", vendor: "mesa" }));
  assert(isSoftwareAdapter({ description: "SwiftShader Device (Subzero)", vendor: "google" }));
  assert(isSoftwareAdapter({ description: "Microsoft Basic Render Driver" }));
  assert(isSoftwareAdapter({ description: "some GPU", isFallbackAdapter: true }));
  assert(!isSoftwareAdapter({ description: "NVIDIA H100 80GB HBM3", vendor: "nvidia" }));
  assert(!isSoftwareAdapter({ vendor: "apple", architecture: "metal-3" }));
  assertEquals(chooseDefaultBackend({ description: "llvmpipe", software: true }), "wasm");
  assertEquals(chooseDefaultBackend({ description: "NVIDIA H100", software: false }), "webgpu");
  assertEquals(chooseDefaultBackend(null), "wasm");
});

Deno.test("unknown backend names and bad thread counts are FcosErrors", async () => {
  assertEquals(parseBackendName("wasm"), "wasm");
  assertThrows(() => parseBackendName("webgl"), FcosError);
  assertThrows(() => parseBackendName("WASM"), FcosError);
  await assertRejects(
    // deno-lint-ignore no-explicit-any
    () => initBackend({ backend: "tensorflow" as any, log: () => {} }),
    /unknown backend 'tensorflow'/,
  );
  await assertRejects(() => initBackend({ backend: "wasm", threads: 0, log: () => {} }), FcosError);
});

Deno.test("a forced backend that cannot start is an FcosError, not a silent fallback", async () => {
  // Hide navigator.gpu: forcing webgpu must fail loudly.
  Object.defineProperty(navigator, "gpu", { value: undefined, configurable: true });
  try {
    await assertRejects(
      () => initBackend({ backend: "webgpu", log: () => {} }),
      /backend 'webgpu' failed to start: no WebGPU adapter/,
    );
  } finally {
    delete (navigator as unknown as { gpu?: unknown }).gpu;
  }
  assert("gpu" in navigator);
});

Deno.test("a program on wasm with 2 threads ends by itself and leaves no worker files", async () => {
  const script = `
    import { tf } from ${JSON.stringify(new URL("../src/tf.ts", import.meta.url).href)};
    import { initBackend } from ${
    JSON.stringify(new URL("../src/backend/select.ts", import.meta.url).href)
  };
    import { wasmThreadFilesDir } from ${
    JSON.stringify(new URL("../src/backend/wasm_threads.ts", import.meta.url).href)
  };
    const info = await initBackend({ backend: "wasm", threads: 2, log: () => {} });
    const w = tf.variable(tf.randomUniform([3, 3, 4, 4], -1, 1, "float32", 1));
    const { grads } = tf.variableGrads(() =>
      tf.sum(tf.conv2d(tf.ones([1, 16, 16, 4]), w, 1, "same")));
    await new Promise((r) => setTimeout(r, 50));
    const dir = wasmThreadFilesDir();
    console.log(JSON.stringify({ info, g: (await grads[w.name].data()).length, dir }));
  `;
  const tmp = await Deno.makeTempDir();
  const file = `${tmp}/main.ts`;
  await Deno.writeTextFile(file, script);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `--config=${new URL("../deno.json", import.meta.url).pathname}`, file],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill(), 60_000);
  const out = await child.output();
  clearTimeout(timer);
  await Deno.remove(tmp, { recursive: true });
  const stdout = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
  const { info, g, dir } = JSON.parse(stdout);
  assertEquals([info, g], [{ name: "wasm", threads: 2, cpuKernels: "onnxruntime" }, 144]);
  assert(typeof dir === "string" && dir.includes("fcos-wasm-threads-"), stdout);
  await assertRejects(() => Deno.stat(dir), Deno.errors.NotFound);
});

Deno.test("every backend module can be the first one a program imports (no import cycle)", async () => {
  for (const name of ["gradients", "group_norm", "wasm_gradients", "wasm_threads", "select"]) {
    const url = new URL(`../src/backend/${name}.ts`, import.meta.url).href;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `--config=${new URL("../deno.json", import.meta.url).pathname}`,
        `await import(${JSON.stringify(url)}); console.log("ok");`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assertEquals(
      [out.code, new TextDecoder().decode(out.stdout).trim()],
      [0, "ok"],
      `${name}: ${err}`,
    );
  }
});

/** Group norm as composed ops: x [N, H, W, C] → groups of C/G channels, moments over H, W, C/G. */
function groupNorm(x: tf.Tensor4D, groups: number, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const r = tf.reshape(x, [n, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(r, [1, 2, 4], true);
  const y = tf.mul(tf.sub(r, mean), tf.rsqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.mul(tf.reshape(y, [n, h, w, c]), gamma), beta) as tf.Tensor4D;
}

interface Net {
  [name: string]: tf.Variable;
}

function makeNet(): Net {
  const v = (shape: number[], seed: number) =>
    tf.variable(tf.randomUniform(shape, -0.5, 0.5, "float32", seed));
  return {
    stem: v([7, 7, 3, 8], 1),
    c3: v([3, 3, 8, 8], 2),
    c3s2: v([3, 3, 8, 16], 3),
    lat: v([1, 1, 16, 8], 4),
    gamma: v([8], 5),
    beta: v([8], 6),
    head: v([3, 3, 8, 4], 7),
  };
}

/** The net's scalar loss and its outputs: stride-2 7×7 stem, max-pool, GN, FPN-like top-down. */
function forward(net: Net, x: tf.Tensor4D): { loss: tf.Scalar; outputs: tf.Tensor[] } {
  const pad = (p: number) => [[0, 0], [p, p], [p, p], [0, 0]] as tf.backend_util.ExplicitPadding;
  let y = tf.relu(tf.conv2d(x, net.stem as tf.Tensor4D, 2, pad(3)));
  y = tf.maxPool(tf.pad(y, pad(1), -1e30) as tf.Tensor4D, 3, 2, "valid");
  const c3 = tf.relu(
    groupNorm(tf.conv2d(y, net.c3 as tf.Tensor4D, 1, pad(1)), 2, net.gamma, net.beta),
  );
  const c4 = tf.relu(tf.conv2d(c3, net.c3s2 as tf.Tensor4D, 2, pad(1)));
  const lat = tf.conv2d(c4, net.lat as tf.Tensor4D, 1, pad(0));
  const [h, w] = c3.shape.slice(1, 3);
  const top = tf.add(
    tf.add(c3, tf.image.resizeNearestNeighbor(lat, [h, w])),
    tf.image.resizeBilinear(lat, [h, w]),
  );
  const out = tf.conv2d(top as tf.Tensor4D, net.head as tf.Tensor4D, 1, pad(1)); // [N, h, w, 4]
  const flat = tf.reshape(out, [-1, 4]);
  const picked = tf.gather(flat, tf.tensor1d([0, 2, 2, 5], "int32"));
  const loss = tf.add(
    tf.mean(tf.softplus(tf.neg(tf.abs(flat)))),
    tf.sum(tf.square(tf.sigmoid(picked))),
  ) as tf.Scalar;
  return { loss, outputs: [out] };
}

/** Forward outputs, loss and every gradient of the net, as plain arrays. */
async function runNet(shape: [number, number, number, number]): Promise<Map<string, number[]>> {
  const net = makeNet();
  const x = tf.randomUniform(shape, 0, 1, "float32", 42) as tf.Tensor4D;
  const result = new Map<string, number[]>();
  let kept: tf.Tensor[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const { loss, outputs } = forward(net, x);
    kept = outputs.map((o) => tf.keep(o));
    return loss;
  });
  // (await data(), not dataSync(): WebGPU cannot read synchronously in Deno.)
  for (const [i, o] of kept.entries()) result.set(`out${i}`, Array.from(await o.data()));
  result.set("loss", Array.from(await value.data()));
  for (const [name, v] of Object.entries(net)) {
    result.set(`grad ${name}`, Array.from(await grads[v.name].data()));
  }
  tf.dispose([value, x, ...kept, ...Object.values(grads), ...Object.values(net)]);
  return result;
}

function assertClose(got: Map<string, number[]>, want: Map<string, number[]>, tol: number) {
  assertEquals([...got.keys()], [...want.keys()]);
  for (const [key, w] of want) {
    const g = got.get(key)!;
    const scale = Math.max(1e-3, ...w.map(Math.abs));
    const worst = Math.max(...g.map((v, i) => Math.abs(v - w[i])));
    assert(worst <= tol * scale, `${key}: max difference ${worst} vs scale ${scale}`);
  }
}

Deno.test({
  name: "wasm (2 threads) and cpu agree on a conv/GN/resize net's outputs and gradients",
  // wasm worker threads outlive the test (they end in the last test).
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const lines: string[] = [];
    const info = await initBackend({ backend: "wasm", threads: 2, log: (l) => lines.push(l) });
    assertEquals(info, { name: "wasm", threads: 2, cpuKernels: "onnxruntime" });
    assertEquals(tf.getBackend(), "wasm");
    assertEquals(lines.length, 1);
    assert(/^backend: wasm \(SIMD, 2 threads, onnxruntime conv kernels\)/.test(lines[0]), lines[0]);
    // A second call without a forced backend keeps the running one.
    assertEquals(await initBackend({ log: () => {} }), info);
    // Square: tfjs-backend-cpu's resizeBilinear gradient fails on non-square images.
    const wasm = await runNet([2, 32, 32, 3]);
    const cpuInfo = await initBackend({ backend: "cpu", log: () => {} });
    assertEquals(cpuInfo.name, "cpu");
    assertEquals(tf.getBackend(), "cpu");
    const cpu = await runNet([2, 32, 32, 3]);
    assertClose(wasm, cpu, 1e-5);
    await initBackend({ backend: "wasm", log: () => {} });
    assertEquals(tf.getBackend(), "wasm");
  },
});

Deno.test({
  name: "webgpu (any adapter, tiny input) agrees with wasm",
  sanitizeOps: false,
  sanitizeResources: false,
  ignore: !(await hasWebGpuAdapter()),
  async fn() {
    await initBackend({ backend: "wasm", log: () => {} });
    const wasm = await runNet([1, 16, 16, 3]);
    const lines: string[] = [];
    const info = await initBackend({ backend: "webgpu", log: (l) => lines.push(l) });
    assertEquals(info.name, "webgpu");
    assert(typeof info.adapter === "string" && info.adapter.length > 0);
    assert(/^backend: webgpu on '.+' \((software|hardware) adapter\)$/.test(lines[0]), lines[0]);
    const webgpu = await runNet([1, 16, 16, 3]);
    assertClose(webgpu, wasm, 1e-4);
  },
});

Deno.test({
  name: "shutdownBackend stops the wasm worker threads",
  sanitizeOps: false,
  sanitizeResources: false,
  fn() {
    shutdownBackend();
    shutdownBackend(); // idempotent
  },
});
