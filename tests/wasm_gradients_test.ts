/**
 * The wasm gradient kernels (src/backend/wasm_gradients.ts) and the gradients tfjs-core lacks
 * (src/backend/gradients.ts), each against the cpu backend or a brute-force reference.
 */
import { tf } from "../src/tf.ts";
import {
  clearWasmGradientCaches,
  registerWasmGradients,
  setPatchBlockFloatsForTest,
} from "../src/backend/wasm_gradients.ts";
import { registerMissingGradients } from "../src/backend/gradients.ts";
import { assert, assertEquals } from "../src/std.ts";
import { convGradients, type Pad, relDiff, wasmDataIds } from "./_conv.ts";

registerWasmGradients();
registerMissingGradients();

type Arrays = number[][];

/** Runs `f` on `backend` and returns its outputs as plain arrays. */
async function on(backend: string, f: () => tf.Tensor[]): Promise<Arrays> {
  assert(await tf.setBackend(backend), `backend ${backend} did not start`);
  // tfjs-backend-cpu prints a "you are running in Node" banner on first use; not news here.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return tf.tidy(f).map((t) => {
    const a = Array.from(t.dataSync());
    t.dispose();
    return a;
  });
}

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, "float32", seed);
}

const CONV_CASES: { x: number[]; k: number; s: 1 | 2; pad: Pad; co: number }[] = [
  { x: [2, 9, 9, 3], k: 3, s: 1, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], co: 4 },
  { x: [2, 9, 9, 3], k: 3, s: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], co: 4 },
  { x: [1, 8, 10, 5], k: 3, s: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], co: 6 },
  { x: [2, 9, 9, 3], k: 1, s: 1, pad: [[0, 0], [0, 0], [0, 0], [0, 0]], co: 4 },
  { x: [2, 9, 9, 3], k: 1, s: 2, pad: [[0, 0], [0, 0], [0, 0], [0, 0]], co: 4 },
  { x: [1, 10, 10, 4], k: 1, s: 2, pad: [[0, 0], [0, 0], [0, 0], [0, 0]], co: 2 },
  { x: [1, 17, 15, 3], k: 7, s: 2, pad: [[0, 0], [3, 3], [3, 3], [0, 0]], co: 5 },
  { x: [1, 11, 12, 3], k: 3, s: 2, pad: "same", co: 4 },
  { x: [1, 11, 12, 3], k: 3, s: 1, pad: "valid", co: 4 },
  { x: [1, 6, 7, 2], k: 3, s: 1, pad: [[0, 0], [0, 2], [1, 0], [0, 0]], co: 3 },
  { x: [1, 6, 6, 2], k: 1, s: 1, pad: [[0, 0], [2, 1], [1, 2], [0, 0]], co: 3 },
  { x: [2, 10, 7, 3], k: 3, s: 2, pad: [[0, 0], [0, 2], [1, 0], [0, 0]], co: 4 },
  { x: [1, 9, 9, 2], k: 3, s: 2, pad: "valid", co: 3 },
  { x: [1, 4, 4, 8], k: 3, s: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], co: 16 },
];

Deno.test("Conv2DBackpropFilter / Conv2DBackpropInput on wasm match cpu", async () => {
  for (const c of CONV_CASES) {
    const run = () => {
      const x = rand(c.x, 1) as tf.Tensor4D;
      const w = rand([c.k, c.k, c.x[3], c.co], 2) as tf.Tensor4D;
      const y = tf.conv2d(x, w, c.s, c.pad);
      return convGradients(x, w, rand(y.shape, 3), c.s, c.pad);
    };
    const want = await on("cpu", run);
    const before = (await tf.setBackend("wasm"), wasmDataIds());
    const got = await on("wasm", run);
    clearWasmGradientCaches();
    assertEquals(wasmDataIds(), before, `intermediates leaked for ${JSON.stringify(c)}`);
    const d = relDiff(got, want);
    assert(d < 1e-5, `conv case ${JSON.stringify(c)}: relative difference ${d}`);
  }
});

Deno.test("Conv2DBackpropInput on wasm reuses its flipped filter only for the same filter", async () => {
  await tf.setBackend("wasm");
  clearWasmGradientCaches();
  const pad: tf.backend_util.ExplicitPadding = [[0, 0], [1, 1], [1, 1], [0, 0]];
  const dy = rand([1, 5, 5, 4], 30);
  const dx = (w: tf.Tensor) =>
    Array.from(
      (tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: w }, {
        strides: 1,
        pad,
        dataFormat: "NHWC",
        inputShape: [1, 5, 5, 3],
      } as unknown as tf.NamedAttrMap) as tf.Tensor).dataSync(),
    );
  const v = tf.variable(rand([3, 3, 3, 4], 31));
  const first = dx(v);
  assertEquals(dx(v), first); // cached
  v.assign(rand([3, 3, 3, 4], 32)); // new values, new dataId: no stale reuse
  const second = dx(v);
  assert(relDiff([second], [first]) > 1e-3);
  const fresh = await on("cpu", () => [
    tf.engine().runKernel("Conv2DBackpropInput", { dy, filter: v }, {
      strides: 1,
      pad,
      dataFormat: "NHWC",
      inputShape: [1, 5, 5, 3],
    } as unknown as tf.NamedAttrMap) as tf.Tensor,
  ]);
  assert(relDiff([second], fresh) < 1e-5);
  await tf.setBackend("wasm");
  // Two flipped filters are cached (v before and after assign); clearing frees exactly those.
  const held = wasmDataIds();
  clearWasmGradientCaches();
  assertEquals(wasmDataIds(), held - 2);
  tf.dispose([v, dy]);
});

Deno.test("strided Conv2DBackpropInput on wasm: same result in row blocks, both filter layouts cached", async () => {
  const pad: tf.backend_util.ExplicitPadding = [[0, 0], [1, 1], [1, 1], [0, 0]];
  const run = () => {
    const w = rand([3, 3, 5, 4], 40) as tf.Tensor4D;
    const x = rand([2, 9, 8, 5], 41) as tf.Tensor4D;
    // The same filter at stride 2 (col2im, transposed filter) and stride 1 (flipped filter).
    const g2 = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.conv2d(t as tf.Tensor4D, w, 2, pad))))(
      x,
    );
    const g1 = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.conv2d(t as tf.Tensor4D, w, 1, pad))))(
      x,
    );
    const g2again = tf.grad((t: tf.Tensor) =>
      tf.sum(tf.square(tf.conv2d(t as tf.Tensor4D, w, 2, pad)))
    )(x);
    return [g2, g1, g2again];
  };
  const want = await on("cpu", run);
  clearWasmGradientCaches();
  const whole = await on("wasm", run);
  assert(relDiff(whole, want) < 1e-5);
  // 5 · 4 · 2 = 40 rows of 3·3·5 = 45 floats: 100 floats → 2 rows per block.
  const previous = setPatchBlockFloatsForTest(100);
  try {
    clearWasmGradientCaches();
    const blocked = await on("wasm", run);
    assert(relDiff(blocked, want) < 1e-5);
  } finally {
    setPatchBlockFloatsForTest(previous);
  }
  clearWasmGradientCaches();
});

Deno.test("Conv2DBackpropFilter on wasm gives the same result when its patches go in blocks", async () => {
  const run = () => {
    const x = rand([2, 9, 8, 5], 21) as tf.Tensor4D;
    const w = rand([3, 3, 5, 4], 22) as tf.Tensor4D;
    return [
      tf.grad((f: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, 2, "same"))))(w),
    ];
  };
  const whole = await on("wasm", run);
  // 2·5·4 = 40 columns of 5 channels: 450 floats → 2 taps per block, 5 blocks.
  const previous = setPatchBlockFloatsForTest(450);
  try {
    const blocked = await on("wasm", run);
    assert(relDiff(blocked, whole) < 1e-6);
  } finally {
    setPatchBlockFloatsForTest(previous);
  }
  const want = await on("cpu", run);
  assert(relDiff(whole, want) < 1e-5);
});

Deno.test("resize gradients on wasm (and nearest on cpu) are the adjoints of the forward ops", async () => {
  // For a linear op A: <A x, dy> = <x, Aᵀ dy>, and Aᵀ dy is the gradient of <A x, dy>.
  for (const backend of ["wasm", "cpu"]) {
    await tf.setBackend(backend);
    const sizes: [number, number, number, number][] = [[4, 5, 8, 10], [3, 2, 7, 5], [6, 9, 3, 4]];
    for (const [ih, iw, oh, ow] of sizes) {
      for (const alignCorners of [false, true]) {
        const ops: [string, (t: tf.Tensor) => tf.Tensor][] = [
          ["bilinear", (t) => tf.image.resizeBilinear(t as tf.Tensor4D, [oh, ow], alignCorners)],
          [
            "nearest",
            (t) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [oh, ow], alignCorners),
          ],
        ];
        for (const [name, op] of ops) {
          // tfjs-backend-cpu's own bilinear gradient fails on non-square images; not replaced here.
          if (backend === "cpu" && name === "bilinear") continue;
          const x = rand([2, ih, iw, 3], 23);
          const dy = rand([2, oh, ow, 3], 24);
          const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op(t), dy)))(x);
          assertEquals(g.shape, x.shape);
          const lhs = tf.sum(tf.mul(op(x), dy)).dataSync()[0];
          const rhs = tf.sum(tf.mul(x, g)).dataSync()[0];
          assert(
            Math.abs(lhs - rhs) < 1e-4 * Math.max(1, Math.abs(lhs)),
            `${backend} ${name} ${ih}x${iw}→${oh}x${ow} alignCorners=${alignCorners}: ${lhs} vs ${rhs}`,
          );
        }
      }
    }
  }
});

Deno.test("UnsortedSegmentSum on wasm (gradient of gather) matches cpu", async () => {
  const run = () => {
    const table = rand([7, 3, 2], 4);
    const ids = tf.tensor1d([0, 3, 3, 6, 1, 0, 3], "int32");
    const direct = tf.unsortedSegmentSum(rand([7, 3, 2], 5), ids, 7);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), rand([7, 3, 2], 6))))(
      table,
    );
    const intIds = tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], "int32"), [
      2,
      0,
      2,
    ], 3);
    return [direct, g, intIds];
  };
  const want = await on("cpu", run);
  const got = await on("wasm", run);
  assert(relDiff(got, want) < 1e-6);
  assertEquals(got[2], [3, 4, 0, 0, 6, 8]);
});

/** Brute-force max-pool gradient: dy of each window goes to its first maximum. */
function maxPoolGradReference(
  x: Float32Array,
  shape: number[],
  dy: Float32Array,
  k: number,
  s: number,
  pad: number,
  outH: number,
  outW: number,
): number[] {
  const [n, h, w, c] = shape;
  const dx = new Array<number>(x.length).fill(0);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < outH; r++) {
      for (let q = 0; q < outW; q++) {
        for (let d = 0; d < c; d++) {
          let best = -Infinity;
          let at = -1;
          for (let i = 0; i < k; i++) {
            for (let j = 0; j < k; j++) {
              const y = r * s + i - pad;
              const z = q * s + j - pad;
              if (y < 0 || z < 0 || y >= h || z >= w) continue;
              const idx = ((b * h + y) * w + z) * c + d;
              if (x[idx] > best) {
                best = x[idx];
                at = idx;
              }
            }
          }
          dx[at] += dy[((b * outH + r) * outW + q) * c + d];
        }
      }
    }
  }
  return dx;
}

Deno.test("MaxPoolGrad on wasm is right where windows are all negative", async () => {
  await tf.setBackend("wasm");
  const shape = [2, 7, 7, 4];
  const x = rand(shape, 7) as tf.Tensor4D; // about half the windows' maxima are < 0 near edges
  const xNeg = tf.sub(x, 2) as tf.Tensor4D; // every value negative
  for (const input of [x, xNeg]) {
    for (const [k, s, pad] of [[3, 2, 1], [3, 1, 0], [2, 2, 0]]) {
      const f = (t: tf.Tensor) => {
        const p = pad > 0
          ? tf.pad(t as tf.Tensor4D, [[0, 0], [pad, pad], [pad, pad], [0, 0]], -Infinity)
          : t as tf.Tensor4D;
        return tf.maxPool(p as tf.Tensor4D, k, s, "valid");
      };
      const y = f(input);
      const dy = rand(y.shape, 8);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), dy)))(input);
      const want = maxPoolGradReference(
        input.dataSync() as Float32Array,
        shape,
        dy.dataSync() as Float32Array,
        k,
        s,
        pad,
        y.shape[1],
        y.shape[2],
      );
      const got = Array.from(g.dataSync());
      assert(relDiff([got], [want]) < 1e-6, `maxPool k=${k} s=${s} pad=${pad}`);
    }
  }
});

Deno.test("Slice on wasm matches cpu (ranks 1–5, float32 and int32)", async () => {
  const cases: [number[], number[], number[]][] = [
    [[10], [3], [4]],
    [[4, 5], [1, 0], [2, 5]],
    [[4, 5], [1, 2], [3, 2]],
    [[3, 4, 5], [0, 1, 0], [3, 2, 5]],
    [[2, 6, 7, 3], [1, 2, 3, 0], [1, 3, 4, 3]],
    [[2, 6, 7, 3], [0, 2, 3, 1], [2, 3, 4, 2]],
    [[2, 3, 4, 5, 6], [1, 0, 1, 2, 0], [1, 3, 2, 3, 6]],
    [[2, 3], [0, 0], [2, 3]],
    [[5], [2], [0]],
  ];
  const run = () =>
    cases.flatMap(([shape, begin, size]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const f = tf.reshape(tf.range(0, n), shape);
      const i = tf.cast(f, "int32");
      return [tf.slice(f, begin, size), tf.slice(i, begin, size)];
    });
  const want = await on("cpu", run);
  const got = await on("wasm", run);
  assertEquals(got, want);
});

/** Brute force: the slice of positions 0..n−1, so dy lands on the positions it was read from. */
function stridedSliceGradReference(
  shape: number[],
  slice: (t: tf.Tensor) => tf.Tensor,
  dy: number[],
): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  const positions = slice(tf.reshape(tf.range(0, n), shape)).dataSync();
  const dx = new Array<number>(n).fill(0);
  positions.forEach((p, i) => dx[p] += dy[i]);
  return dx;
}

const STRIDED_CASES: { shape: number[]; f: (t: tf.Tensor) => tf.Tensor }[] = [
  { shape: [10], f: (t) => tf.stridedSlice(t, [1], [9], [3]) },
  { shape: [10], f: (t) => tf.stridedSlice(t, [8], [1], [-2]) },
  { shape: [10], f: (t) => tf.stridedSlice(t, [0], [0], [-1], 1, 1) },
  { shape: [2, 7, 6, 3], f: (t) => tf.stridedSlice(t, [0, 1, 0, 0], [2, 7, 6, 3], [1, 2, 3, 1]) },
  { shape: [2, 7, 6, 3], f: (t) => tf.stridedSlice(t, [0, 0, 1, 0], [2, 7, 5, 3], [1, 1, 1, 1]) },
  // (tfjs 4.22's forward stridedSlice is wrong, on cpu and wasm alike, when a shrunk axis meets a
  // stride > 1 on another axis: x[1, ::2] of a 4×5 range gives [1, 2, 3]. Not tested here.)
  { shape: [4, 5], f: (t) => tf.stridedSlice(t, [1, 0], [2, 5], [1, 1], 0, 0, 0, 0, 1) },
  { shape: [4, 5, 3], f: (t) => tf.stridedSlice(t, [0, 1], [0, 5], [1, 2], 1, 1, 0, 1) },
  { shape: [3, 4, 5], f: (t) => tf.stridedSlice(t, [0, 1], [0, 4], [1, 2], 0, 0, 1) },
  { shape: [6, 4], f: (t) => tf.stridedSlice(t, [-1, 0], [-7, 4], [-2, 1]) },
];

Deno.test("StridedSlice on wasm (replaced) matches cpu, int32 and negative strides included", async () => {
  const run = () =>
    STRIDED_CASES.flatMap(({ shape, f }) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = tf.reshape(tf.range(0, n), shape);
      return [f(x), f(tf.cast(x, "int32"))];
    });
  const want = await on("cpu", run);
  const got = await on("wasm", run);
  assertEquals(got, want);
});

Deno.test("StridedSlice gradient (registered here) matches brute force on cpu and wasm", async () => {
  for (const backend of ["cpu", "wasm"]) {
    await tf.setBackend(backend);
    for (const { shape, f } of STRIDED_CASES) {
      const x = rand(shape, 9);
      const y = f(x);
      const dy = rand(y.shape, 10);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), dy)))(x);
      const want = stridedSliceGradReference(shape, f, Array.from(dy.dataSync()));
      assertEquals(g.shape, shape);
      assert(relDiff([Array.from(g.dataSync())], [want]) < 1e-6, `${backend} ${f}`);
    }
  }
});

Deno.test("where(greater(...)) on trained tensors has a gradient (zero through the mask)", async () => {
  const run = () => {
    const x = rand([3, 4], 11);
    const g = tf.grad((t: tf.Tensor) => {
      const mask = tf.logicalAnd(tf.greater(t, -0.5), tf.lessEqual(t, 0.5));
      return tf.sum(tf.where(mask, tf.mul(t, t), tf.mul(t, 3)));
    })(x);
    return [g, tf.where(tf.logicalAnd(tf.greater(x, -0.5), tf.lessEqual(x, 0.5)), 2 * 1, 3)];
  };
  const want = await on("cpu", run);
  const got = await on("wasm", run);
  assert(relDiff(got, want) < 1e-6);
  // d/dx of x² is 2x inside the band, 3 outside.
  const x = Array.from(rand([3, 4], 11).dataSync());
  x.forEach((v, i) => {
    const expect = v > -0.5 && v <= 0.5 ? 2 * v : 3;
    assert(Math.abs(got[0][i] - expect) < 1e-6);
  });
});

Deno.test("resizeNearestNeighbor gradient on wasm and cpu (replaced) is right for batch 2", async () => {
  for (const backend of ["wasm", "cpu"]) {
    await tf.setBackend(backend);
    const x = rand([2, 3, 4, 2], 12) as tf.Tensor4D;
    const up = (t: tf.Tensor) => tf.image.resizeNearestNeighbor(t as tf.Tensor4D, [6, 8]);
    const dy = rand([2, 6, 8, 2], 13);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(up(t), dy)))(x);
    // Brute force: an exact 2× upsampling copies x[i, j] to the 2×2 block at (2i, 2j).
    const d = dy.dataSync();
    const want: number[] = [];
    for (let b = 0; b < 2; b++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 4; j++) {
          for (let c = 0; c < 2; c++) {
            let s = 0;
            for (const [di, dj] of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
              s += d[((b * 6 + 2 * i + di) * 8 + 2 * j + dj) * 2 + c];
            }
            want.push(s);
          }
        }
      }
    }
    assert(relDiff([Array.from(g.dataSync())], [want]) < 1e-6, backend);
  }
});

Deno.test("wasm: kept rearranged filters follow a reshape of the same data (another shape, same dataId)", async () => {
  const f = () => {
    const outs: tf.Tensor[] = [];
    const both = (w: tf.Tensor4D) => {
      const x = rand([1, 6, 6, w.shape[2]], 8) as tf.Tensor4D;
      const y = tf.conv2d(x, w, 1, "same");
      outs.push(y, ...convGradients(x, w, y, 1, "same"));
    };
    const w = rand([3, 3, 8, 8], 9) as tf.Tensor4D;
    both(w);
    both(tf.reshape(w, [3, 3, 4, 16])); // the same dataId: the kept flip must not be reused
    return outs;
  };
  const cpu = await on("cpu", f);
  clearWasmGradientCaches();
  const wasm = await on("wasm", f);
  const d = relDiff(wasm, cpu);
  assert(d < 1e-5, `relative difference ${d}`);
});
