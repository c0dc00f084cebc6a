/**
 * Building blocks shared by the backbone, FPN and heads: convolutions with torchvision's padding
 * (optionally followed by a frozen BatchNorm folded into the filter) and GroupNorm.
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { ParamSpec, ParamStore } from "./params.ts";

// GroupNorm is one kernel with a closed-form gradient (float64 sums) on wasm and cpu.
export { groupNorm } from "../backend/group_norm.ts";

/** torchvision's FrozenBatchNorm2d epsilon. */
export const FROZEN_BN_EPS = 1e-5;

/** Specs of a conv filter `[k, k, cin, cout]` (+ bias when `bias`). */
export function convSpecs(
  prefix: string,
  cin: number,
  cout: number,
  k: number,
  opts: { bias: boolean; trainable: boolean; init: ParamSpec["init"]; biasValue?: number },
): ParamSpec[] {
  const specs: ParamSpec[] = [{
    name: `${prefix}.weight`,
    shape: [k, k, cin, cout],
    isConvFilter: true,
    trainable: opts.trainable,
    init: opts.init,
  }];
  if (opts.bias) {
    specs.push({
      name: `${prefix}.bias`,
      shape: [cout],
      isConvFilter: false,
      trainable: opts.trainable,
      init: { kind: "constant", value: opts.biasValue ?? 0 },
    });
  }
  return specs;
}

/** Buffers of a FrozenBatchNorm2d over `c` channels (never trained). */
export function frozenBnSpecs(prefix: string, c: number): ParamSpec[] {
  const buf = (n: string, value: number): ParamSpec => ({
    name: `${prefix}.${n}`,
    shape: [c],
    isConvFilter: false,
    trainable: false,
    init: { kind: "constant", value },
  });
  return [buf("weight", 1), buf("bias", 0), buf("running_mean", 0), buf("running_var", 1)];
}

/** Affine parameters of a GroupNorm over `c` channels. */
export function groupNormSpecs(prefix: string, c: number, trainable: boolean): ParamSpec[] {
  return [
    { name: `${prefix}.weight`, shape: [c], isConvFilter: false, trainable, init: c1(1) },
    { name: `${prefix}.bias`, shape: [c], isConvFilter: false, trainable, init: c1(0) },
  ];
}

function c1(value: number): ParamSpec["init"] {
  return { kind: "constant", value };
}

interface FoldedEntry {
  keys: unknown[];
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/**
 * Runs convolutions, folding a following frozen BatchNorm into the filter and bias:
 * `bn(conv(x, W)) = conv(x, W·s) + (b − m·s)` with `s = γ / sqrt(σ² + eps)`.
 *
 * Folded filters of weights that are not being trained are cached (keyed by the identity of the
 * variables' data, so loading or updating weights invalidates them); filters that are trained are
 * folded inside the gradient tape on every call so gradients reach the raw weights.
 */
export class ConvRunner {
  readonly #params: ParamStore;
  readonly #cache = new Map<string, FoldedEntry>();

  /** Runs convs over `params`. */
  constructor(params: ParamStore) {
    this.#params = params;
  }

  /** True when a conv named `name` (its `.weight`) exists. */
  has(name: string): boolean {
    return this.#params.has(`${name}.weight`);
  }

  /**
   * conv2d with torchvision padding `pad` on each side, then optional frozen BN (`bn` prefix) or
   * conv bias (`bias: true`), then optional ReLU.
   * x: [N, H, W, Cin] → [N, ⌊(H + 2p − k)/s⌋ + 1, …, Cout]
   */
  conv(
    x: tf.Tensor4D,
    name: string,
    opts: { stride?: number; pad?: number; bn?: string; bias?: boolean; relu?: boolean },
    training: boolean,
  ): tf.Tensor4D {
    const stride = opts.stride ?? 1;
    const pad = opts.pad ?? 0;
    const { filter, bias } = this.#weights(name, opts.bn, opts.bias ?? false, training);
    return tf.fused.conv2d({
      x,
      filter,
      strides: stride,
      pad: pad === 0 ? "valid" : pad,
      bias,
      activation: opts.relu ? "relu" : "linear",
    });
  }

  #weights(
    name: string,
    bn: string | undefined,
    hasBias: boolean,
    training: boolean,
  ): { filter: tf.Tensor4D; bias?: tf.Tensor1D } {
    const p = this.#params;
    const w = p.get(`${name}.weight`) as tf.Variable<tf.Rank.R4>;
    if (!bn) return { filter: w, bias: hasBias ? p.get(`${name}.bias`) as tf.Tensor1D : undefined };
    const bnVars = ["weight", "bias", "running_mean", "running_var"].map((n) =>
      p.get(`${bn}.${n}`)
    );
    const fold = () =>
      tf.tidy(() => {
        const [g, b, m, v] = bnVars;
        const scale = tf.mul(g, tf.rsqrt(tf.add(v, FROZEN_BN_EPS))); // [Cout]
        return {
          filter: tf.mul(w, scale) as tf.Tensor4D, // [k, k, Cin, Cout]·[Cout]
          bias: tf.sub(b, tf.mul(m, scale)) as tf.Tensor1D,
        };
      });
    if (training && w.trainable) return fold();
    const keys = [w.dataId, ...bnVars.map((t) => t.dataId)];
    const hit = this.#cache.get(name);
    if (hit && hit.keys.every((k, i) => k === keys[i])) return hit;
    if (hit) {
      hit.filter.dispose();
      hit.bias.dispose();
    }
    const folded = tf.tidy(() => {
      const f = fold();
      return [f.filter, f.bias] as const;
    });
    tf.keep(folded[0]);
    tf.keep(folded[1]);
    const entry = { keys, filter: folded[0], bias: folded[1] };
    this.#cache.set(name, entry);
    return entry;
  }

  /** Frees cached folded filters. */
  dispose(): void {
    for (const e of this.#cache.values()) {
      e.filter.dispose();
      e.bias.dispose();
    }
    this.#cache.clear();
  }
}
