/**
 * GroupNorm (torch.nn.GroupNorm semantics over NHWC) as one kernel with a closed-form gradient.
 *
 * Composed from tfjs ops (reshape, moments, sub, mul, rsqrt, add) GroupNorm costs, forward plus
 * backward on wasm, about a third of the 3×3 conv it follows (≈25 small kernels and their tape).
 * Here it is two kernels, `FcosGroupNorm` and `FcosGroupNormGrad`, written as loops over the data in
 * JS for wasm (on the heap, no copies) and cpu; on other backends (WebGPU) `groupNorm` falls back to
 * composed ops with the same closed-form gradient.
 *
 * @module
 */
// tfjs straight from its package, not via ../tf.ts (the same module instance): src/tf.ts imports
// this module to register its kernels, and importing ../tf.ts back would make a cycle in which a
// program that imports this module first reaches the registration before this module has run.
import * as tf from "@tensorflow/tfjs-core";

const FORWARD = "FcosGroupNorm";
const BACKWARD = "FcosGroupNormGrad";

type Floats = Float32Array;

/** Shape facts of one GroupNorm call: x [N, H, W, C] in G groups of C/G channels. */
interface Dims {
  n: number;
  hw: number;
  c: number;
  groups: number;
}

function dimsOf(shape: number[], groups: number): Dims {
  const [n, h, w, c] = shape;
  return { n, hw: h * w, c, groups };
}

/**
 * Per (image, group): mean and 1/√(var + eps) (biased variance; float64 sums, two passes). Every
 * loop here walks the data in memory order with per-group accumulators, so each pass streams.
 */
function groupStats(x: Floats, d: Dims, eps: number): { mean: Float64Array; inv: Float64Array } {
  const { n, hw, c, groups } = d;
  const per = c / groups;
  const count = hw * per;
  const mean = new Float64Array(n * groups);
  const inv = new Float64Array(n * groups);
  for (let b = 0; b < n; b++) {
    const g0 = b * groups;
    for (let p = 0; p < hw; p++) {
      let i = (b * hw + p) * c;
      for (let g = g0; g < g0 + groups; g++) {
        let s = 0;
        for (let k = 0; k < per; k++) s += x[i++];
        mean[g] += s;
      }
    }
    for (let g = g0; g < g0 + groups; g++) mean[g] /= count;
    for (let p = 0; p < hw; p++) {
      let i = (b * hw + p) * c;
      for (let g = g0; g < g0 + groups; g++) {
        const mu = mean[g];
        let v = 0;
        for (let k = 0; k < per; k++) {
          const t = x[i++] - mu;
          v += t * t;
        }
        inv[g] += v;
      }
    }
    for (let g = g0; g < g0 + groups; g++) inv[g] = 1 / Math.sqrt(inv[g] / count + eps);
  }
  return { mean, inv };
}

/** y = (x − mean) / √(var + eps) · gamma + beta. */
function forwardLoop(x: Floats, gamma: Floats, beta: Floats, y: Floats, d: Dims, eps: number) {
  const { n, hw, c, groups } = d;
  const per = c / groups;
  const { mean, inv } = groupStats(x, d, eps);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < hw; p++) {
      const base = (b * hw + p) * c;
      for (let g = 0; g < groups; g++) {
        const mu = mean[b * groups + g];
        const s = inv[b * groups + g];
        const c0 = g * per;
        for (let k = c0; k < c0 + per; k++) {
          y[base + k] = (x[base + k] - mu) * s * gamma[k] + beta[k];
        }
      }
    }
  }
}

/**
 * With x̂ = (x − mean)·inv and ĝ = dy·gamma, per (image, group) of m elements:
 * dx = inv · (ĝ − mean(ĝ) − x̂ · mean(ĝ·x̂)); dgamma = Σ dy·x̂ and dbeta = Σ dy over N, H, W.
 */
function backwardLoop(
  dy: Floats,
  x: Floats,
  gamma: Floats,
  dx: Floats,
  dgamma: Floats,
  dbeta: Floats,
  d: Dims,
  eps: number,
) {
  const { n, hw, c, groups } = d;
  const per = c / groups;
  const m = hw * per;
  const { mean, inv } = groupStats(x, d, eps);
  const dg = new Float64Array(c);
  const db = new Float64Array(c);
  const sumG = new Float64Array(n * groups);
  const sumGX = new Float64Array(n * groups);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < hw; p++) {
      const base = (b * hw + p) * c;
      for (let g = 0; g < groups; g++) {
        const j = b * groups + g;
        const mu = mean[j];
        const s = inv[j];
        let a = 0;
        let bx = 0;
        for (let k = g * per; k < (g + 1) * per; k++) {
          const xh = (x[base + k] - mu) * s;
          const gy = dy[base + k];
          const gh = gy * gamma[k];
          a += gh;
          bx += gh * xh;
          dg[k] += gy * xh;
          db[k] += gy;
        }
        sumG[j] += a;
        sumGX[j] += bx;
      }
    }
  }
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < hw; p++) {
      const base = (b * hw + p) * c;
      for (let g = 0; g < groups; g++) {
        const j = b * groups + g;
        const mu = mean[j];
        const s = inv[j];
        const a = sumG[j] / m;
        const bx = sumGX[j] / m;
        for (let k = g * per; k < (g + 1) * per; k++) {
          const xh = (x[base + k] - mu) * s;
          dx[base + k] = s * (dy[base + k] * gamma[k] - a - xh * bx);
        }
      }
    }
  }
  dgamma.set(dg);
  dbeta.set(db);
}

interface GroupNormAttrs {
  groups: number;
  eps: number;
}

/** Reading inputs and making outputs on the wasm heap or in the cpu backend's store. */
interface Store {
  read(t: tf.TensorInfo): Floats;
  make(shape: number[]): { info: tf.TensorInfo; data: Floats };
}

function wasmStore(backend: unknown): Store {
  const b = backend as {
    makeOutput(shape: number[], dtype: "float32"): tf.TensorInfo;
    typedArrayFromHeap(t: tf.TensorInfo): Floats;
  };
  return {
    read: (t) => b.typedArrayFromHeap(t),
    make: (shape) => {
      const info = b.makeOutput(shape, "float32");
      return { info, data: b.typedArrayFromHeap(info) };
    },
  };
}

function cpuStore(backend: unknown): Store {
  const b = backend as {
    data: { get(id: unknown): { values: Floats } };
    makeTensorInfo(shape: number[], dtype: "float32", values: Floats): tf.TensorInfo;
  };
  return {
    read: (t) => b.data.get(t.dataId).values,
    make: (shape) => {
      const data = new Float32Array(shape.reduce((a, v) => a * v, 1));
      return { info: b.makeTensorInfo(shape, "float32", data), data };
    },
  };
}

function forwardKernel(store: (backend: unknown) => Store): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, gamma, beta } = inputs as Record<string, tf.TensorInfo>;
    const { groups, eps } = attrs as unknown as GroupNormAttrs;
    const s = store(backend);
    const d = dimsOf(x.shape, groups);
    const y = s.make(x.shape);
    // Inputs are read after the allocation: it may move the wasm heap.
    forwardLoop(s.read(x), s.read(gamma), s.read(beta), y.data, d, eps);
    return y.info;
  };
}

function backwardKernel(store: (backend: unknown) => Store): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { dy, x, gamma } = inputs as Record<string, tf.TensorInfo>;
    const { groups, eps } = attrs as unknown as GroupNormAttrs;
    const s = store(backend);
    const d = dimsOf(x.shape, groups);
    const dx = s.make(x.shape);
    const dgamma = s.make([d.c]);
    const dbeta = s.make([d.c]);
    backwardLoop(
      s.read(dy),
      s.read(x),
      s.read(gamma),
      s.read(dx.info),
      s.read(dgamma.info),
      s.read(dbeta.info),
      d,
      eps,
    );
    return [dx.info, dgamma.info, dbeta.info];
  };
}

let registered = false;

/**
 * Registers the `FcosGroupNorm` / `FcosGroupNormGrad` kernels for wasm and cpu and the gradient of
 * `FcosGroupNorm`. Idempotent; `initBackend` calls it, and `groupNorm` does too.
 */
export function registerGroupNormKernels(): void {
  if (registered) return;
  registered = true;
  for (const [backendName, store] of [["wasm", wasmStore], ["cpu", cpuStore]] as const) {
    if (tf.getKernel(FORWARD, backendName) === undefined) {
      tf.registerKernel({ kernelName: FORWARD, backendName, kernelFunc: forwardKernel(store) });
    }
    if (tf.getKernel(BACKWARD, backendName) === undefined) {
      tf.registerKernel({ kernelName: BACKWARD, backendName, kernelFunc: backwardKernel(store) });
    }
  }
  if (tf.getGradient(FORWARD) === undefined) {
    tf.registerGradient({
      kernelName: FORWARD,
      inputsToSave: ["x", "gamma", "beta"],
      gradFunc: (dy, saved, attrs) => {
        const [x, gamma] = saved;
        const [dx, dgamma, dbeta] = tf.engine().runKernel(
          BACKWARD,
          { dy: dy as tf.Tensor, x, gamma },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
        return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
      },
    });
  }
}

/** GroupNorm from tfjs ops with the same closed-form gradient (backends without the kernels). */
function composedGroupNorm(
  x: tf.Tensor4D,
  groups: number,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
): tf.Tensor4D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, gs, bs] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const [n, h, w, c] = xs.shape;
    const grouped = tf.reshape(xs, [n, h * w, groups, c / groups]); // [N, HW, G, C/G]
    const { mean, variance } = tf.moments(grouped, [1, 3], true); // [N, 1, G, 1]
    const inv = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(grouped, mean), inv); // [N, HW, G, C/G]
    save([xhat, inv, gs]);
    const value = tf.add(tf.mul(tf.reshape(xhat, xs.shape), gs), bs);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
      tf.tidy(() => {
        const [xh, iv, g] = saved;
        const xh4 = tf.reshape(xh, dy.shape);
        const dgamma = tf.sum(tf.mul(dy, xh4), [0, 1, 2]);
        const dbeta = tf.sum(dy, [0, 1, 2]);
        const gh = tf.reshape(tf.mul(dy, g), xh.shape);
        const a = tf.mean(gh, [1, 3], true);
        const b = tf.mean(tf.mul(gh, xh), [1, 3], true);
        const dx = tf.mul(iv, tf.sub(tf.sub(gh, a), tf.mul(xh, b)));
        return [tf.reshape(dx, dy.shape), dgamma, dbeta];
      });
    return { value, gradFunc };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

/**
 * GroupNorm over NHWC with torch.nn.GroupNorm's semantics (per image and group of C/G channels:
 * biased variance, `eps` inside the square root), then the per-channel affine `gamma`, `beta`.
 * One kernel with a closed-form gradient on wasm and cpu (several times faster than composed ops
 * there); composed ops with the same gradient elsewhere.
 *
 * x [N, H, W, C], gamma [C], beta [C] → [N, H, W, C]
 *
 * @example
 * ```ts
 * import { groupNorm } from "./group_norm.ts";
 * // tfjs straight from its package, not via ../tf.ts (the same module instance): src/tf.ts imports
// this module to register its kernels, and importing ../tf.ts back would make a cycle in which a
// program that imports this module first reaches the registration before this module has run.
import * as tf from "@tensorflow/tfjs-core";
 * await tf.setBackend("cpu");
 * const y = groupNorm(tf.randomNormal([1, 4, 4, 8]) as tf.Tensor4D, 2, tf.ones([8]), tf.zeros([8]));
 * console.log(y.shape); // [1, 4, 4, 8]
 * ```
 */
export function groupNorm(
  x: tf.Tensor4D,
  groups: number,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps = 1e-5,
): tf.Tensor4D {
  const c = x.shape[3];
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0) {
    throw new Error(`groupNorm: ${c} channels do not split into ${groups} groups`);
  }
  if (gamma.size !== c || beta.size !== c) {
    throw new Error(`groupNorm: gamma/beta need ${c} values, got ${gamma.size}/${beta.size}`);
  }
  registerGroupNormKernels();
  const backend = tf.getBackend();
  if (
    x.dtype === "float32" && (backend === "wasm" || backend === "cpu") &&
    tf.getKernel(FORWARD, backend) !== undefined
  ) {
    return tf.engine().runKernel(FORWARD, { x, gamma, beta }, { groups, eps }) as tf.Tensor4D;
  }
  return composedGroupNorm(x, groups, gamma, beta, eps);
}
