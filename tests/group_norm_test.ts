/**
 * src/backend/group_norm.ts: the GroupNorm kernels (wasm, cpu) and the composed fallback give
 * torch.nn.GroupNorm's outputs and the same gradients as autodiff through composed ops.
 */
import { tf } from "../src/tf.ts";
import { groupNorm } from "../src/backend/group_norm.ts";
import { registerWasmGradients } from "../src/backend/wasm_gradients.ts";
import { assert, assertEquals, assertThrows } from "../src/std.ts";
import { hasWebGpuAdapter } from "./_webgpu.ts";

registerWasmGradients();

/** The textbook definition from tfjs ops, differentiated by tfjs's autodiff. */
function reference(
  x: tf.Tensor4D,
  groups: number,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
): tf.Tensor {
  const [n, h, w, c] = x.shape;
  const r = tf.reshape(x, [n, h * w, groups, c / groups]);
  const { mean, variance } = tf.moments(r, [1, 3], true);
  const y = tf.mul(tf.sub(r, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(tf.reshape(y, x.shape), gamma), beta);
}

type Impl = typeof reference;

/** Output and gradients (x, gamma, beta) of Σ f(x)·w for a fixed random w. */
async function run(backend: string, impl: Impl, shape: number[], groups: number) {
  assert(await tf.setBackend(backend));
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  const c = shape[3];
  const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, "float32", 1), 3), 5) as tf.Tensor4D;
  const gamma = tf.randomNormal([c], 1, 0.2, "float32", 2) as tf.Tensor1D;
  const beta = tf.randomNormal([c], 0, 0.2, "float32", 3) as tf.Tensor1D;
  const wgt = tf.randomNormal(shape, 0, 1, "float32", 4);
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(impl(a as tf.Tensor4D, groups, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5), wgt));
  const y = impl(x, groups, gamma, beta, 1e-5);
  const grads = tf.grads(f)([x, gamma, beta]);
  const out = [y, ...grads];
  const arrays = await Promise.all(out.map(async (t) => Array.from(await t.data())));
  tf.dispose([x, gamma, beta, wgt, ...out]);
  return arrays;
}

function assertClose(got: number[][], want: number[][], tol: number, what: string) {
  assertEquals(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    const scale = Math.max(1, ...want[i].map(Math.abs));
    const worst = Math.max(...got[i].map((v, j) => Math.abs(v - want[i][j])));
    assert(worst <= tol * scale, `${what}, output ${i}: max difference ${worst} (scale ${scale})`);
  }
}

const SHAPES: [number[], number][] = [[[2, 5, 6, 8], 2], [[1, 7, 3, 32], 32], [[1, 4, 4, 6], 1]];

Deno.test("groupNorm kernels on cpu and wasm match autodiff through composed ops", async () => {
  for (const [shape, groups] of SHAPES) {
    const want = await run("cpu", reference, shape, groups);
    for (const backend of ["cpu", "wasm"]) {
      const got = await run(backend, groupNorm, shape, groups);
      assertClose(got, want, 2e-5, `${backend} ${shape} G=${groups}`);
    }
  }
});

Deno.test("groupNorm matches torch.nn.GroupNorm on a hand-checked case", async () => {
  await tf.setBackend("wasm");
  // One image, 1×2 pixels, 2 channels, 1 group: values 1, 2, 3, 4 → mean 2.5, var 1.25.
  const x = tf.tensor4d([1, 2, 3, 4], [1, 1, 2, 2]);
  const y = groupNorm(x, 1, tf.tensor1d([1, 2]), tf.tensor1d([0, 1]), 0);
  const s = Math.sqrt(1.25);
  const want = [-1.5 / s, 2 * (-0.5 / s) + 1, 0.5 / s, 2 * (1.5 / s) + 1];
  const got = Array.from(await y.data());
  got.forEach((v, i) => assert(Math.abs(v - want[i]) < 1e-6, `${got} vs ${want}`));
});

Deno.test({
  name: "groupNorm's composed fallback (WebGPU) matches the kernels",
  ignore: !(await hasWebGpuAdapter()),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const want = await run("wasm", groupNorm, [1, 4, 5, 8], 4);
    const got = await run("webgpu", groupNorm, [1, 4, 5, 8], 4);
    assertClose(got, want, 1e-4, "webgpu");
  },
});

Deno.test("groupNorm rejects channel counts that do not split into groups", async () => {
  await tf.setBackend("wasm");
  const x = tf.zeros([1, 2, 2, 6]) as tf.Tensor4D;
  assertThrows(() => groupNorm(x, 4, tf.ones([6]), tf.zeros([6])), Error);
  assertThrows(() => groupNorm(x, 3, tf.ones([5]), tf.zeros([6])), Error);
});
