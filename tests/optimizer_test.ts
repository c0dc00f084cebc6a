import { tf } from "../src/tf.ts";
import { assertAlmostEquals, assertEquals, assertRejects, assertThrows } from "../src/std.ts";
import { FcosError } from "../src/errors.ts";
import { clipByGlobalNorm, Sgd } from "../src/train/optimizer.ts";

await tf.setBackend("cpu");
(tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;

function close(actual: ArrayLike<number>, expected: number[], tol = 1e-6) {
  assertEquals(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assertAlmostEquals(actual[i], expected[i], tol, `element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

// Expected values: torch 1.13 `torch.optim.SGD([p, q], momentum=0.9, weight_decay=0.01)` with the
// same gradients set by hand and lr changed per step (as a scheduler does).
const GRADS: [number[], number[]][] = [
  [[0.5, -1.0, 2.0, 0.0], [1.0, 2.0]],
  [[0.25, 0.5, -1.5, 1.0], [-0.5, 0.0]],
  [[-0.1, 0.2, 0.3, -0.4], [0.7, -0.2]],
];
const LRS = [0.1, 0.05, 0.02];
const TORCH_P = [
  [0.949000001, -1.898, 0.299499989, 2.99699998],
  [0.913075507, -1.87615097, 0.284125239, 2.9441514],
  [0.901960075, -1.8719101, 0.272533506, 2.93253708],
];
const TORCH_Q = [
  [0.149749994, -0.949249983],
  [0.129562616, -1.03843784],
  [0.108269252, -1.06633782],
];
const TORCH_BUF_P = [
  0.5557717680931091,
  -0.21204347908496857,
  0.5795868635177612,
  0.5807144641876221,
];

Deno.test("Sgd: matches torch.optim.SGD (momentum, weight decay, first-step buffer, lr per step)", async () => {
  const p = tf.variable(tf.tensor1d([1, -2, 0.5, 3]));
  const q = tf.variable(tf.tensor2d([[0.25, -0.75]]));
  const sgd = new Sgd([{ name: "p", variable: p }, { name: "q", variable: q }], {
    momentum: 0.9,
    weightDecay: 0.01,
  });
  for (let s = 0; s < 3; s++) {
    const grads = new Map<string, tf.Tensor>([
      ["p", tf.tensor1d(GRADS[s][0])],
      ["q", tf.tensor2d([GRADS[s][1]])],
    ]);
    sgd.step(grads, LRS[s]);
    tf.dispose([...grads.values()]);
    close(p.dataSync(), TORCH_P[s]);
    close(q.dataSync(), TORCH_Q[s]);
  }
  assertEquals(sgd.steps, 3);
  close((await sgd.getState()).buffers.get("p")!.data, TORCH_BUF_P);
  sgd.dispose();
  p.dispose();
  q.dispose();
});

Deno.test("Sgd: state round-trips, so a restored optimizer continues identically", async () => {
  const run = async (restoreAfter: number | null) => {
    const p = tf.variable(tf.tensor1d([1, -2, 0.5, 3]));
    let sgd = new Sgd([{ name: "p", variable: p }], { momentum: 0.9, weightDecay: 0.01 });
    for (let s = 0; s < 3; s++) {
      if (s === restoreAfter) {
        const state = await sgd.getState();
        sgd.dispose();
        sgd = new Sgd([{ name: "p", variable: p }], { momentum: 0.9, weightDecay: 0.01 });
        sgd.setState(state);
      }
      const g = tf.tensor1d(GRADS[s][0]);
      sgd.step(new Map([["p", g]]), LRS[s]);
      g.dispose();
    }
    const out = Array.from(p.dataSync());
    sgd.dispose();
    p.dispose();
    return out;
  };
  assertEquals(await run(1), await run(null));
  assertEquals(await run(2), await run(null));
});

Deno.test("Sgd: leaves no tensor behind and rejects a bad state", () => {
  const start = tf.memory().numTensors;
  const init = tf.zeros([3]);
  const p = tf.variable(init);
  init.dispose();
  const sgd = new Sgd([{ name: "p", variable: p }]);
  const g = tf.ones([3]);
  const before = tf.memory().numTensors;
  sgd.step(new Map([["p", g]]), 0.1);
  sgd.step(new Map([["p", g]]), 0.1);
  assertEquals(tf.memory().numTensors, before);
  assertThrows(
    () => sgd.setState({ steps: 1, buffers: new Map() }, "opt.safetensors"),
    /opt\.safetensors: no momentum buffer for 'p'/,
  );
  assertThrows(
    () =>
      sgd.setState({
        steps: 1,
        buffers: new Map([["p", { data: new Float32Array(2), shape: [2] }]]),
      }),
    FcosError,
  );
  assertThrows(() => sgd.step(new Map([["p", g]]), NaN), FcosError);
  g.dispose();
  sgd.dispose();
  p.dispose();
  assertEquals(tf.memory().numTensors, start);
});

Deno.test("clipByGlobalNorm: torch.nn.utils.clip_grad_norm_ values; no-op below the limit", async () => {
  const grads = new Map<string, tf.Tensor>([["a", tf.tensor1d([3, 4])], ["b", tf.tensor1d([12])]]);
  const { norm, clipped } = await clipByGlobalNorm(grads, 6.5);
  assertAlmostEquals(norm, 13, 1e-5);
  assertEquals(clipped, true);
  close(grads.get("a")!.dataSync(), [1.4999998807907104, 1.9999998807907104]);
  close(grads.get("b")!.dataSync(), [5.999999523162842]);
  const r = await clipByGlobalNorm(grads, 100);
  assertEquals(r.clipped, false);
  close(grads.get("b")!.dataSync(), [5.999999523162842]);
  tf.dispose([...grads.values()]);
  await assertRejects(() => clipByGlobalNorm(new Map(), 0), FcosError);
});
