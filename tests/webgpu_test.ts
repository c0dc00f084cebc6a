import { tf } from "../src/tf.ts";
import { assert, assertEquals } from "../src/std.ts";
import { initBackend } from "../src/backend/select.ts";
import {
  checkWebGpuDevice,
  WebGpuDeviceError,
  webGpuDeviceProblem,
} from "../src/backend/webgpu.ts";
import { hasWebGpuAdapter } from "./_webgpu.ts";

const ignore = !(await hasWebGpuAdapter());
const opts = { ignore, sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "webgpu: addN of 50 tensors equals the sum, and ops queued with it still run",
  ...opts,
  async fn() {
    await initBackend({ backend: "webgpu", log: () => {} });
    const values = Array.from({ length: 50 }, (_, i) => [i + 1, -(i % 7), (i * 3) % 11]);
    const want = [0, 1, 2].map((k) => values.reduce((s, v) => s + v[k], 0));
    const before = tf.memory().numTensors;
    const [sum, other] = tf.tidy(() => {
      const xs = values.map((v) => tf.tensor1d(v));
      // `other` is queued in the same command buffer as the addN: with an invalid AddN pipeline
      // WebGPU drops the whole buffer and `other` reads back as stale memory.
      const other = tf.mul(tf.tensor1d([1, 2, 3]), tf.scalar(2));
      return [tf.addN(xs), other];
    });
    assertEquals(Array.from(await other.data()), [2, 4, 6]);
    assertEquals(Array.from(await sum.data()), want);
    tf.dispose([sum, other]);
    assertEquals(tf.memory().numTensors, before);
    // Its gradient flows to every input.
    const xs = values.slice(0, 12).map((v) => tf.variable(tf.tensor1d(v)));
    const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.addN(xs))) as tf.Scalar, xs);
    const total = [0, 1, 2].map((k) => values.slice(0, 12).reduce((s, v) => s + v[k], 0));
    assertEquals(Array.from(await grads[xs[11].name].data()), total.map((t) => 2 * t));
    tf.dispose(grads);
    tf.dispose(xs);
    assertEquals(webGpuDeviceProblem(), null);
  },
});

Deno.test({
  name: "webgpu: a device error is recorded and becomes one FcosError line",
  ...opts,
  async fn() {
    await initBackend({ backend: "webgpu", log: () => {} });
    checkWebGpuDevice(); // nothing happened yet
    const device = (tf.backend() as unknown as { device: GPUDevice }).device;
    // An invalid buffer usage: WebGPU reports it only as an uncaptured error event.
    device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
    await tf.ones([2]).data();
    for (let i = 0; i < 50 && webGpuDeviceProblem() === null; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    let error: unknown;
    try {
      checkWebGpuDevice("try a smaller --batch-size");
    } catch (e) {
      error = e;
    }
    assert(error instanceof WebGpuDeviceError, `${error}`);
    assert(/^a WebGPU validation error: .*; try a smaller --batch-size$/.test(error.message));
    assert(!error.message.includes("\n"));
  },
});
