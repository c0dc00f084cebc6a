/**
 * Conv-heavy work on the backend at hand: a ResNet-18 conv stack (no norm layers) on 1×256×320×3,
 * forward and forward+backward, plus the wasm kernels src/backend/wasm_gradients.ts replaces, each
 * against wasm's own.
 *
 *   deno bench -A bench/conv_bench.ts                                  # initBackend's choice
 *   FCOS_BENCH_BACKEND=wasm FCOS_BENCH_THREADS=1 deno bench -A bench/conv_bench.ts
 *   FCOS_BENCH_BACKEND=wasm FCOS_BENCH_THREADS=2 deno bench -A bench/conv_bench.ts
 *
 * A process runs one thread count (the wasm module starts once); compare runs side by side.
 * Results: bench/results/backend.md.
 */
import { tf } from "../src/tf.ts";
import { type BackendName, initBackend, shutdownBackend } from "../src/backend/select.ts";
import { groupNorm } from "../src/backend/group_norm.ts";
import { replacedWasmKernel } from "../src/backend/wasm_gradients.ts";

// wasm's own kernels that src/tf.ts replaced on import (their setup still runs at start-up).
const own = {
  Conv2DBackpropInput: replacedWasmKernel("Conv2DBackpropInput"),
  Slice: replacedWasmKernel("Slice"),
  StridedSlice: replacedWasmKernel("StridedSlice"),
};

const threadsEnv = Deno.env.get("FCOS_BENCH_THREADS");
const info = await initBackend({
  backend: Deno.env.get("FCOS_BENCH_BACKEND") as BackendName | undefined,
  threads: threadsEnv ? Number(threadsEnv) : undefined,
});
const tag = info.name === "wasm" ? `wasm ${info.threads} thr` : info.name;

// ---- ResNet-18 conv stack -------------------------------------------------------------------
type Pad = tf.backend_util.ExplicitPadding;
const pad = (p: number): Pad => [[0, 0], [p, p], [p, p], [0, 0]];

function variable(shape: number[], seed: number): tf.Variable {
  const fanIn = shape[0] * shape[1] * shape[2];
  return tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), "float32", seed));
}

interface Block {
  conv1: tf.Variable;
  conv2: tf.Variable;
  down?: tf.Variable;
  stride: 1 | 2;
}

const stem = variable([7, 7, 3, 64], 1);
const blocks: Block[] = [];
let seed = 2;
let channels = 64;
for (const [out, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]] as [number, 1 | 2][]) {
  for (let b = 0; b < 2; b++) {
    const s = b === 0 ? stride : 1;
    blocks.push({
      conv1: variable([3, 3, channels, out], seed++),
      conv2: variable([3, 3, out, out], seed++),
      down: s !== 1 || channels !== out ? variable([1, 1, channels, out], seed++) : undefined,
      stride: s,
    });
    channels = out;
  }
}

/** [1, 256, 320, 3] → [1, 8, 10, 512]. */
function body(x: tf.Tensor4D): tf.Tensor4D {
  let y = tf.relu(tf.conv2d(x, stem as tf.Tensor4D, 2, pad(3)));
  y = tf.maxPool(tf.pad(y, pad(1), -1e30) as tf.Tensor4D, 3, 2, "valid");
  for (const b of blocks) {
    const h = tf.relu(tf.conv2d(y, b.conv1 as tf.Tensor4D, b.stride, pad(1)));
    const h2 = tf.conv2d(h, b.conv2 as tf.Tensor4D, 1, pad(1));
    const skip = b.down ? tf.conv2d(y, b.down as tf.Tensor4D, b.stride, pad(0)) : y;
    y = tf.relu(tf.add(h2, skip));
  }
  return y;
}

const image = tf.randomUniform([1, 256, 320, 3], 0, 1, "float32", 7) as tf.Tensor4D;

Deno.bench({
  name: `resnet18 conv stack forward 1×256×320 (${tag})`,
  group: "resnet18",
  baseline: true,
  n: 5,
  warmup: 1,
  async fn() {
    const y = tf.tidy(() => tf.sum(body(image)));
    await y.data();
    y.dispose();
  },
});

Deno.bench({
  name: `resnet18 conv stack forward+backward 1×256×320 (${tag})`,
  group: "resnet18",
  n: 3,
  warmup: 1,
  async fn() {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(body(image))) as tf.Scalar);
    await Promise.all(Object.values(grads).map((g) => g.data()));
    tf.dispose([value, ...Object.values(grads)]);
  },
});

// ---- GroupNorm, 32 groups on a [1, 64, 80, 256] map: one kernel vs composed ops -------------
function composedGroupNorm(x: tf.Tensor4D, groups: number, gamma: tf.Tensor, beta: tf.Tensor) {
  const [n, h, w, c] = x.shape;
  const r = tf.reshape(x, [n, h * w, groups, c / groups]);
  const { mean, variance } = tf.moments(r, [1, 3], true);
  const y = tf.mul(tf.sub(r, mean), tf.rsqrt(tf.add(variance, 1e-5)));
  return tf.add(tf.mul(tf.reshape(y, x.shape), gamma), beta);
}
const gnX = tf.variable(tf.randomNormal([1, 64, 80, 256], 0, 1, "float32", 11));
const gnGamma = tf.variable(tf.ones([256]));
const gnBeta = tf.variable(tf.zeros([256]));
for (
  const [label, gn, baseline] of [
    ["composed ops", composedGroupNorm, true],
    ["groupNorm()", groupNorm],
  ] as [string, typeof composedGroupNorm, boolean?][]
) {
  Deno.bench({
    name: `GroupNorm G=32 [1,64,80,256] forward+backward: ${label} (${tag})`,
    group: "groupNorm",
    baseline,
    n: 10,
    warmup: 2,
    async fn() {
      const { value, grads } = tf.variableGrads(() =>
        tf.sum(tf.square(gn(gnX as tf.Tensor4D, 32, gnGamma, gnBeta))) as tf.Scalar
      );
      await Promise.all(Object.values(grads).map((g) => g.data()));
      tf.dispose([value, ...Object.values(grads)]);
    },
  });
}

// ---- wasm kernels: ours vs wasm's own ------------------------------------------------------
type Kernel = tf.KernelFunc | undefined;

/** Runs a kernel function directly on the active backend and frees its output. */
function runKernel(kernel: Kernel, inputs: Record<string, tf.Tensor>, attrs: object): void {
  const backend = tf.backend();
  const out = kernel!({
    inputs: inputs as unknown as tf.NamedTensorInfoMap,
    backend,
    attrs: attrs as tf.NamedAttrMap,
  }) as tf.TensorInfo;
  backend.readSync(out.dataId); // waits for the kernel; cheap next to it
  backend.disposeData(out.dataId);
}

if (info.name === "wasm") {
  const ours = (name: string) => tf.getKernel(name, "wasm")?.kernelFunc;

  // Input gradient of a 3×3 conv, 256 → 256 channels on 64×80 (an FPN/head-sized layer).
  const dy = tf.randomUniform([1, 64, 80, 256], -1, 1, "float32", 8);
  const filter = tf.randomUniform([3, 3, 256, 256], -1, 1, "float32", 9);
  const dxAttrs = { strides: 1, pad: pad(1), dataFormat: "NHWC", inputShape: [1, 64, 80, 256] };
  Deno.bench({
    name: `Conv2DBackpropInput 3×3 256→256 on 64×80: wasm's own (${tag})`,
    group: "conv2dBackpropInput",
    baseline: true,
    n: 2,
    warmup: 1,
    fn: () => runKernel(own.Conv2DBackpropInput, { dy, filter }, dxAttrs),
  });
  Deno.bench({
    name: `Conv2DBackpropInput 3×3 256→256 on 64×80: forward-conv formulation (${tag})`,
    group: "conv2dBackpropInput",
    n: 5,
    warmup: 1,
    fn: () => runKernel(ours("Conv2DBackpropInput"), { dy, filter }, dxAttrs),
  });
  // Input gradient of a stride-2 3×3 conv 128 → 256 from 64×80 (a ResNet stage's first conv).
  const dy2 = tf.randomUniform([1, 32, 40, 256], -1, 1, "float32", 12);
  const filter2 = tf.randomUniform([3, 3, 128, 256], -1, 1, "float32", 13);
  const dx2Attrs = { strides: 2, pad: pad(1), dataFormat: "NHWC", inputShape: [1, 64, 80, 128] };
  for (
    const [label, kernel, baseline] of [
      ["wasm's own", own.Conv2DBackpropInput, true],
      ["matMul + col2im", ours("Conv2DBackpropInput")],
    ] as [string, Kernel, boolean?][]
  ) {
    Deno.bench({
      name: `Conv2DBackpropInput 3×3 stride 2 128→256, 64×80 input: ${label} (${tag})`,
      group: "conv2dBackpropInput stride 2",
      baseline,
      n: 5,
      warmup: 1,
      fn: () => runKernel(kernel, { dy: dy2, filter: filter2 }, dx2Attrs),
    });
  }
  Deno.bench({
    name: `Conv2DBackpropFilter 3×3 256→256 on 64×80: transposed patches + matMul (${tag})`,
    group: "conv2dBackpropFilter",
    n: 5,
    warmup: 1,
    fn: () =>
      runKernel(ours("Conv2DBackpropFilter"), { x: dy, dy }, {
        strides: 1,
        pad: pad(1),
        dataFormat: "NHWC",
        filterShape: [3, 3, 256, 256],
      }),
  });
  Deno.bench({
    name: `conv2d forward 3×3 256→256 on 64×80, for scale (${tag})`,
    group: "conv2dBackpropFilter",
    baseline: true,
    n: 5,
    warmup: 1,
    fn: () =>
      runKernel(ours("Conv2D"), { x: dy, filter }, {
        strides: 1,
        pad: pad(1),
        dataFormat: "NHWC",
        dilations: 1,
      }),
  });

  // Slices of a P3-sized feature map.
  const big = tf.randomUniform([1, 128, 160, 256], -1, 1, "float32", 10);
  const sliceAttrs = { begin: [0, 10, 20, 0], size: [1, 100, 100, 256] };
  for (
    const [label, kernel, baseline] of [["wasm's own", own.Slice, true], [
      "ours",
      ours("Slice"),
    ]] as [string, Kernel, boolean?][]
  ) {
    Deno.bench({
      name: `Slice [1,128,160,256] → [1,100,100,256]: ${label} (${tag})`,
      group: "slice",
      baseline,
      n: 10,
      warmup: 2,
      fn: () => runKernel(kernel, { x: big }, sliceAttrs),
    });
  }
  const strided = {
    begin: [0, 1, 1, 0],
    end: [1, 128, 160, 256],
    strides: [1, 2, 2, 1],
    beginMask: 0,
    endMask: 0,
    ellipsisMask: 0,
    newAxisMask: 0,
    shrinkAxisMask: 0,
  };
  for (
    const [label, kernel, baseline] of [["wasm's own", own.StridedSlice, true], [
      "ours",
      ours("StridedSlice"),
    ]] as [string, Kernel, boolean?][]
  ) {
    Deno.bench({
      name: `StridedSlice [1,128,160,256] step 2 → [1,64,80,256]: ${label} (${tag})`,
      group: "stridedSlice",
      baseline,
      n: 10,
      warmup: 2,
      fn: () => runKernel(kernel, { x: big }, strided),
    });
  }
}

// Stop the wasm worker threads and remove their files after the last bench (runs twice: warmup).
Deno.bench({
  name: "(end: shutdownBackend)",
  n: 1,
  warmup: 0,
  fn: () => shutdownBackend(),
});
