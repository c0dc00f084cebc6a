/**
 * Stochastic gradient descent with momentum and weight decay, exactly as `torch.optim.SGD`
 * (dampening 0, no Nesterov), plus `torch.nn.utils.clip_grad_norm_`. The momentum buffers are tfjs
 * Variables keyed by the parameter's torchvision name, so they can be checkpointed and restored.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { FcosError } from "../errors.ts";
import type { Tensor, Variable } from "../tensor.ts";

/** Options of {@linkcode Sgd}. */
export interface SgdOptions {
  /** Momentum μ (default 0.9). */
  momentum?: number;
  /** L2 weight decay added to the gradient (default 1e-4). */
  weightDecay?: number;
}

/** One parameter the optimizer updates: its torchvision name and its variable. */
export interface NamedVariable {
  /** State-dict name, e.g. `head.classification_head.cls_logits.weight`. */
  name: string;
  /** The variable (any shape). */
  variable: Variable;
}

/** One momentum buffer read back to the CPU (same layout as its variable). */
export interface MomentumBuffer {
  /** The values. */
  data: Float32Array;
  /** The variable's shape. */
  shape: number[];
}

/** The optimizer's state as plain arrays (for checkpoints). */
export interface SgdState {
  /** Updates applied so far. */
  steps: number;
  /** Momentum buffer of each parameter by name (same layout as the variable). */
  buffers: Map<string, MomentumBuffer>;
}

/**
 * `torch.optim.SGD(params, lr, momentum, weight_decay)`: for each parameter p with gradient g,
 * d = g + wd·p; buf = μ·buf + d (buf = d on the first step); p ← p − lr·buf. The learning rate is
 * given per step (see `lrAt`), as a scheduler would set it.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { Sgd } from "./optimizer.ts";
 * await tf.setBackend("cpu");
 * const w = tf.variable(tf.tensor1d([1, 2]));
 * const sgd = new Sgd([{ name: "w", variable: w }], { momentum: 0.9, weightDecay: 0 });
 * const { grads } = tf.variableGrads(() => w.square().sum() as tf.Scalar, [w]);
 * sgd.step(new Map([["w", grads[w.name]]]), 0.1);
 * console.log(await w.data()); // Float32Array [0.8, 1.6]
 * tf.dispose(grads);
 * sgd.dispose();
 * ```
 */
export class Sgd {
  /** Momentum μ. */
  readonly momentum: number;
  /** Weight decay. */
  readonly weightDecay: number;
  /** The parameters, in order. */
  readonly params: readonly NamedVariable[];
  readonly #buffers = new Map<string, tf.Variable>();
  #steps = 0;

  /** Creates zero momentum buffers for `params` (zeros make μ·buf + d = d on the first step). */
  constructor(params: NamedVariable[], options: SgdOptions = {}) {
    this.momentum = options.momentum ?? 0.9;
    this.weightDecay = options.weightDecay ?? 1e-4;
    if (!(this.momentum >= 0) || !(this.weightDecay >= 0)) {
      throw new FcosError(
        `SGD: momentum and weight decay must be ≥ 0, got ${this.momentum}, ${this.weightDecay}`,
      );
    }
    this.params = params;
    for (const { name, variable } of params) {
      if (this.#buffers.has(name)) throw new FcosError(`SGD: parameter '${name}' given twice`);
      const zeros = tf.zerosLike(variable);
      this.#buffers.set(name, tf.variable(zeros, false, `sgd/${name}#${uid++}`));
      zeros.dispose(); // the variable holds its own reference to the data
    }
  }

  /** Updates applied so far. */
  get steps(): number {
    return this.#steps;
  }

  /**
   * Applies one update with learning rate `lr`. `grads` maps parameter names to gradients of the
   * variable's shape; a parameter without a gradient is left unchanged (as torch skips
   * `p.grad is None`). The gradients are not disposed.
   */
  step(grads: Map<string, Tensor>, lr: number): void {
    if (!Number.isFinite(lr)) throw new FcosError(`SGD: learning rate must be finite, got ${lr}`);
    const mu = this.momentum, wd = this.weightDecay;
    tf.tidy(() => {
      const lrT = tf.scalar(lr), muT = tf.scalar(mu), wdT = tf.scalar(wd);
      for (const { name, variable } of this.params) {
        const g = grads.get(name);
        if (g === undefined) continue;
        const buf = this.#buffers.get(name)!;
        const d = wd === 0 ? g : tf.add(g, tf.mul(variable, wdT)); // d_p = g + wd·p
        const next = this.#steps === 0 ? d : tf.add(tf.mul(buf, muT), d); // buf = μ·buf + d_p
        buf.assign(next);
        variable.assign(tf.sub(variable, tf.mul(next, lrT))); // p -= lr·buf
      }
    });
    this.#steps++;
  }

  /** The momentum buffers and step count, read back to the CPU (asynchronously). */
  async getState(): Promise<SgdState> {
    const steps = this.#steps;
    const entries = await Promise.all(
      [...this.#buffers].map(async ([name, v]): Promise<[string, MomentumBuffer]> => [
        name,
        { data: (await v.data()) as Float32Array, shape: [...v.shape] },
      ]),
    );
    return { steps, buffers: new Map(entries) };
  }

  /**
   * Restores a state from {@linkcode Sgd.getState} (or a checkpoint). Every parameter must have a
   * buffer of its shape; `source` names the file in errors.
   */
  setState(state: SgdState, source = "optimizer state"): void {
    for (const { name, variable } of this.params) {
      const b = state.buffers.get(name);
      if (b === undefined) {
        throw new FcosError(`${source}: no momentum buffer for '${name}'`);
      }
      if (b.data.length !== variable.size) {
        throw new FcosError(
          `${source}: momentum buffer '${name}' has ${b.data.length} values, the parameter ${variable.size}`,
        );
      }
    }
    for (const { name, variable } of this.params) {
      const b = state.buffers.get(name)!;
      tf.tidy(() => this.#buffers.get(name)!.assign(tf.tensor(b.data, variable.shape, "float32")));
    }
    this.#steps = state.steps;
  }

  /** Frees the momentum buffers. */
  dispose(): void {
    for (const v of this.#buffers.values()) v.dispose();
    this.#buffers.clear();
  }
}

let uid = 0;

/**
 * The global L2 norm of all gradients (`torch.nn.utils.clip_grad_norm_`'s `total_norm`), as a
 * scalar tensor the caller disposes.
 */
export function globalNorm(grads: Iterable<Tensor>): tf.Scalar {
  return tf.tidy(() => {
    const squares = [...grads].map((g) => tf.sum(tf.square(g)));
    if (squares.length === 0) return tf.scalar(0);
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}

/**
 * `torch.nn.utils.clip_grad_norm_(params, maxNorm)`: when the global norm exceeds `maxNorm`, every
 * gradient is scaled by maxNorm / (norm + 1e-6). Returns the new gradients (the input tensors are
 * disposed when replaced) and the norm before clipping.
 *
 * @example
 * ```ts
 * import { tf } from "../tf.ts";
 * import { clipByGlobalNorm } from "./optimizer.ts";
 * await tf.setBackend("cpu");
 * const grads = new Map([["a", tf.tensor1d([3, 4])]]);
 * const { norm } = await clipByGlobalNorm(grads, 1);
 * console.log(norm, await grads.get("a")!.data()); // 5 [≈0.6, ≈0.8]
 * ```
 */
export async function clipByGlobalNorm(
  grads: Map<string, Tensor>,
  maxNorm: number,
): Promise<{ norm: number; clipped: boolean }> {
  if (!(maxNorm > 0)) throw new FcosError(`gradient clipping norm must be > 0, got ${maxNorm}`);
  const normT = globalNorm(grads.values());
  const norm = (await normT.data())[0];
  normT.dispose();
  const coef = maxNorm / (norm + 1e-6);
  if (!(coef < 1)) return { norm, clipped: false };
  for (const [name, g] of grads) {
    grads.set(name, tf.tidy(() => tf.mul(g, tf.scalar(coef))));
    g.dispose();
  }
  return { norm, clipped: true };
}
