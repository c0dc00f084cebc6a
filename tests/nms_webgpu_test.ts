import { batchedNms, iouFloat32, nms } from "../src/decode/nms.ts";
import { batchedNmsTensors, WebGpuNms } from "../src/decode/nms_webgpu.ts";
import { FcosError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects } from "../src/std.ts";
import { tf } from "../src/tf.ts";
import { hasWebGpuAdapter } from "./_webgpu.ts";

// The WebGPU adapter at hand (llvmpipe here). Without one the tests are skipped with a message,
// except under CI, where they fail.
const ignore = !(await hasWebGpuAdapter());
const opts = { ignore, sanitizeResources: false, sanitizeOps: false };

function bytesOf(b64: string): ArrayBuffer {
  const bin = atob(b64);
  const u8 = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
  return u8.buffer;
}

const fixtureDir = new URL("../fixtures/nms/", import.meta.url).pathname;

Deno.test({
  name: "WebGPU batchedNms equals the CPU path on the torchvision fixtures",
  ...opts,
  async fn() {
    const gpu = await WebGpuNms.create();
    try {
      let cases = 0;
      for (const e of [...Deno.readDirSync(fixtureDir)].sort((a, b) => a.name < b.name ? -1 : 1)) {
        if (!e.name.startsWith("nms_")) continue;
        const r = JSON.parse(Deno.readTextFileSync(`${fixtureDir}/${e.name}`));
        const boxes = new Float32Array(bytesOf(r.boxes));
        const scores = new Float32Array(bytesOf(r.scores));
        const labels = new Int32Array(bytesOf(r.labels));
        const cpu = batchedNms(boxes, scores, labels, r.iou);
        const got = await gpu.batchedNms(boxes, scores, labels, r.iou);
        assertEquals([...got], [...cpu], r.name);
        if (r.name.startsWith("trick")) {
          const off = { coordinateTrick: false };
          assertEquals(
            [...await gpu.batchedNms(boxes, scores, labels, r.iou, off)],
            [...batchedNms(boxes, scores, labels, r.iou, off)],
            `${r.name} without the coordinate trick`,
          );
          assert(cpu.join() !== batchedNms(boxes, scores, labels, r.iou, off).join());
        }
        cases++;
      }
      assert(cases >= 10);
    } finally {
      gpu.destroy();
    }
  },
});

Deno.test({
  name: "WebGPU NMS edge cases: empty, ties, identical, degenerate, thresholds, limits",
  ...opts,
  async fn() {
    const gpu = await WebGpuNms.create();
    try {
      const e = new Float32Array(0);
      assertEquals([...await gpu.batchedNms(e, e, new Int32Array(0), 0.5)], []);
      const boxes = new Float32Array([
        0,
        0,
        10,
        10, // 0
        10,
        0,
        20,
        10, // 1 touches 0
        9,
        0,
        19,
        10, // 2
        5,
        5,
        5,
        9, // 3 zero width
        8,
        8,
        2,
        2, // 4 inverted
        0,
        0,
        10,
        10, // 5 identical to 0
        0,
        0,
        2,
        1, // 6
        1,
        0,
        3,
        1, // 7 IoU with 6 = 1/3 → float32 0.33333334 > 1/3
      ]);
      const labels = new Int32Array(8);
      for (
        const scores of [
          new Float32Array([0.9, 0.8, 0.7, 0.95, 0.99, 0.5, 0.3, 0.2]),
          new Float32Array(8).fill(0.5), // all equal: index order
        ]
      ) {
        for (const t of [0, 1 / 3, Math.fround(1 / 3), 0.5, 0.8, 0.82, 1, 2, -0.5]) {
          const want = [...nms(boxes, scores, t)];
          assertEquals([...await gpu.batchedNms(boxes, scores, labels, t)], want, `t=${t}`);
        }
        const many = Int32Array.from({ length: 8 }, (_, i) => i * 1000003 - 4000000);
        assertEquals(
          [...await gpu.batchedNms(boxes, scores, many, 0)],
          [...batchedNms(boxes, scores, many, 0)],
        );
      }
      const s = new Float32Array([0.9, 0.8, 0.7, 0.95, 0.99, 0.5, 0.3, 0.2]);
      assertEquals(
        [...await gpu.batchedNms(boxes, s, labels, 0.5, { maxOutput: 2 })],
        [...nms(boxes, s, 0.5)].slice(0, 2),
      );
      // Large coordinates.
      const big = new Float32Array([
        1e7,
        1e7,
        1e7 + 64,
        1e7 + 64,
        1e7 + 2,
        1e7,
        1e7 + 66,
        1e7 + 64,
      ]);
      for (const t of [0.9, 0.95]) {
        assertEquals(
          [...await gpu.batchedNms(big, new Float32Array([0.5, 0.6]), new Int32Array(2), t)],
          [...nms(big, new Float32Array([0.5, 0.6]), t)],
        );
      }
    } finally {
      gpu.destroy();
    }
  },
});

Deno.test({
  name: "WebGPU NMS on GPU buffers, and bad input errors",
  ...opts,
  async fn() {
    const gpu = await WebGpuNms.create();
    try {
      const d = gpu.device;
      const make = (data: Float32Array | Int32Array, usage: number) => {
        const b = d.createBuffer({ size: data.byteLength, usage, mappedAtCreation: true });
        new Uint8Array(b.getMappedRange()).set(new Uint8Array(data.buffer));
        b.unmap();
        return b;
      };
      const S = GPUBufferUsage.STORAGE;
      const boxes = make(new Float32Array([0, 0, 10, 10, 1, 1, 10, 10, 50, 50, 60, 60]), S);
      const scores = make(new Float32Array([0.7, 0.8, 0.1]), S);
      const labels = make(new Int32Array([3, 3, 3]), S);
      assertEquals([...await gpu.run({ boxes, scores, labels, count: 3 }, 0.5)], [1, 2]);
      await assertRejects(
        () => gpu.run({ boxes, scores, labels, count: 4 }, 0.5),
        FcosError,
      );
      const noStorage = make(new Float32Array(3), GPUBufferUsage.COPY_SRC);
      await assertRejects(
        () => gpu.run({ boxes, scores: noStorage, labels, count: 3 }, 0.5),
        /STORAGE/,
      );
      await assertRejects(() => gpu.run({ boxes, scores, labels, count: 3 }, NaN), /iouThreshold/);
      await assertRejects(
        () => gpu.run({ boxes, scores, labels, count: 3 }, 0.5, { maxOutput: -2 }),
        /maxOutput/,
      );
      // NaN/Infinity already on the GPU are detected there and reported with the count.
      const nanScores = make(new Float32Array([0.7, NaN, 0.1]), S);
      await assertRejects(
        () => gpu.run({ boxes, scores: nanScores, labels, count: 3 }, 0.5),
        /a score on the GPU is NaN/,
      );
      const infBoxes = make(
        new Float32Array([0, 0, 10, 10, 1, 1, Infinity, 10, 50, 50, 60, 60]),
        S,
      );
      await assertRejects(
        () => gpu.run({ boxes: infBoxes, scores, labels, count: 3 }, 0.5),
        /a box coordinate on the GPU is NaN or ±Infinity/,
      );
      nanScores.destroy();
      infBoxes.destroy();
      await assertRejects(
        () =>
          gpu.batchedNms(
            new Float32Array([0, 0, 1, NaN]),
            new Float32Array([1]),
            new Int32Array(1),
            0.5,
          ),
        /boxes\[0\]\[3\] is NaN/,
      );
      await assertRejects(
        () => gpu.batchedNms(new Float32Array(8), new Float32Array(2), new Int32Array(1), 0.5),
        /labels has 1 entries/,
      );
      for (const b of [boxes, scores, labels, noStorage]) b.destroy();
    } finally {
      gpu.destroy();
    }
  },
});

Deno.test({
  name: "batchedNmsTensors runs on tfjs-backend-webgpu tensors without reading them back",
  ...opts,
  async fn() {
    const previous = tf.getBackend();
    // Off webgpu it refuses clearly.
    await tf.setBackend("cpu");
    await assertRejects(
      () => batchedNmsTensors(tf.zeros([1, 4]), tf.zeros([1]), tf.zeros([1], "int32"), 0.5),
      /not 'webgpu'/,
    );
    assert(await tf.setBackend("webgpu"), "tfjs webgpu backend starts");
    try {
      const boxes = tf.tensor2d([[0, 0, 10, 10], [1, 1, 10, 10], [0, 0, 10, 10], [30, 30, 40, 40]]);
      const scores = tf.tensor1d([0.9, 0.8, 0.7, 0.6]);
      const labels = tf.tensor1d([0, 0, 1, 0], "int32");
      // Tensors made from JS values stay on the CPU until a kernel uses them.
      assertEquals([...await batchedNmsTensors(boxes, scores, labels, 0.5)], [0, 2, 3]);
      // Outputs of GPU kernels (CPU forwarding off) are used in place via dataToGPU().
      const forward = tf.env().getBool("WEBGPU_CPU_FORWARD");
      tf.env().set("WEBGPU_CPU_FORWARD", false);
      try {
        const [gb, gs, gl] = tf.tidy(
          () => [boxes.add(0), scores.mul(1), labels.add(tf.scalar(0, "int32"))],
        );
        assertEquals([...await batchedNmsTensors(gb, gs, gl, 0.5)], [0, 2, 3]);
        assertEquals([...await batchedNmsTensors(gb, gs, gl, 0.5, { maxOutput: 1 })], [0]);
        tf.dispose([gb, gs, gl]);
      } finally {
        tf.env().set("WEBGPU_CPU_FORWARD", forward);
      }
      await assertRejects(
        () => batchedNmsTensors(boxes, scores, tf.tensor1d([0, 0, 1], "int32"), 0.5),
        /labels has shape/,
      );
      tf.dispose([boxes, scores, labels]);
    } finally {
      if (previous) await tf.setBackend(previous);
    }
  },
});

/** The float32 next to a positive float32 `x`, up (dir 1) or down (dir −1). */
function f32Next(x: number, dir: number): number {
  const f = new Float32Array([x]);
  new Uint32Array(f.buffer)[0] += dir;
  return f[0];
}

Deno.test({
  name: "WebGPU NMS decides float32 IoUs within an ulp of the threshold exactly as the CPU",
  ...opts,
  async fn() {
    const gpu = await WebGpuNms.create();
    try {
      let seed = 4242;
      const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
      const P = 520; // 2P > 1000 boxes: IoUs on the raw coordinates (no coordinate trick)
      for (const target of [0.5, 1 / 3, 0.6, 0.7]) {
        // Pair p (label p): box A and box B = A moved right so that IoU = (w − d)/(w + d) ≈ target,
        // then nudged by a few float32 steps so that float32 IoUs straddle the threshold.
        const boxes = new Float32Array(8 * P), scores = new Float32Array(2 * P);
        const labels = new Int32Array(2 * P);
        for (let p = 0; p < P; p++) {
          const x = Math.fround(rand() * 500), y = Math.fround(rand() * 500);
          const w = Math.fround(1 + rand() * 200), h = Math.fround(1 + rand() * 200);
          let bx = Math.fround(x + w * (1 - target) / (1 + target));
          for (let k = Math.floor(rand() * 9) - 4; k !== 0; k -= Math.sign(k)) {
            bx = f32Next(bx, Math.sign(k));
          }
          boxes.set([x, y, x + w, y + h, bx, y, bx + w, y + h], 8 * p);
          scores.set([0.9, 0.8], 2 * p);
          labels.set([p, p], 2 * p);
        }
        let nearest = iouFloat32(boxes, 0, 1);
        for (let p = 1; p < P; p++) {
          const v = iouFloat32(boxes, 2 * p, 2 * p + 1);
          if (Math.abs(v - target) < Math.abs(nearest - target)) nearest = v;
        }
        for (const t of [target, nearest, f32Next(nearest, -1), nearest - 1e-12]) {
          const cpu = batchedNms(boxes, scores, labels, t);
          let suppressed = 0;
          for (let p = 0; p < P; p++) if (iouFloat32(boxes, 2 * p, 2 * p + 1) > t) suppressed++;
          assertEquals(cpu.length, 2 * P - suppressed, `CPU, target ${target}, t ${t}`);
          assert(suppressed > 0 && suppressed < P, `both outcomes at t ${t} (${suppressed})`);
          const got = await gpu.batchedNms(boxes, scores, labels, t);
          assertEquals([...got], [...cpu], `GPU, target ${target}, t ${t}`);
        }
      }
    } finally {
      gpu.destroy();
    }
  },
});
