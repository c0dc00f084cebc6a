/**
 * The parameter store: every weight and frozen-BatchNorm buffer of the model as a tfjs Variable,
 * under torchvision's state-dict name, plus the specs (shape, init, trainability) they come from.
 *
 * Layouts: conv filters are held as HWIO (`[kh, kw, in, out]`, tfjs) and exchanged with PyTorch as
 * OIHW (`[out, in, kh, kw]`); everything else is a vector `[C]` in both.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { FcosError } from "../errors.ts";
import type { Variable } from "../tensor.ts";

/** How a parameter is initialised (torchvision's init for each layer kind). */
export type InitKind =
  | { kind: "kaimingNormalFanOut" } // ResNet convs: N(0, sqrt(2 / (out·kh·kw)))
  | { kind: "kaimingUniformA1" } // FPN convs: U(±sqrt(3 / (in·kh·kw)))
  | { kind: "normal"; std: number } // head convs
  | { kind: "constant"; value: number };

/** One named tensor of the model. */
export interface ParamSpec {
  /** torchvision state-dict name, e.g. `backbone.body.layer1.0.conv1.weight`. */
  name: string;
  /** Shape in this project's layout (HWIO for conv filters). */
  shape: number[];
  /** True for conv filters (HWIO here, OIHW in PyTorch). */
  isConvFilter: boolean;
  /** Trained by the optimizer (false for frozen-BN buffers and frozen backbone stages). */
  trainable: boolean;
  /** Initialisation. */
  init: InitKind;
}

/** The PyTorch (OIHW) shape of a spec. */
export function torchShape(spec: ParamSpec): number[] {
  if (!spec.isConvFilter) return spec.shape;
  const [kh, kw, i, o] = spec.shape;
  return [o, i, kh, kw];
}

/**
 * Holds the model's variables by torchvision name.
 */
export class ParamStore {
  /** Specs in model order. */
  readonly specs: ParamSpec[];
  readonly #vars = new Map<string, Variable>();
  readonly #specByName = new Map<string, ParamSpec>();

  /** Creates and initialises every parameter; `seed` makes the init repeatable. */
  constructor(specs: ParamSpec[], seed = 0) {
    this.specs = specs;
    specs.forEach((spec, index) => {
      if (this.#specByName.has(spec.name)) throw new Error(`duplicate parameter ${spec.name}`);
      this.#specByName.set(spec.name, spec);
      // tfjs treats a seed of 0 as "no seed" (Math.random): the first parameter of seed 0 would
      // differ between runs, so that one seed is moved out of the way.
      const s = seed * 100003 + index;
      const value = tf.tidy(() => initTensor(spec, s === 0 ? 0x5eed : s));
      this.#vars.set(spec.name, tf.variable(value, spec.trainable, `${spec.name}#${nextId++}`));
      value.dispose();
    });
  }

  /** The variable named `name` (throws for unknown names: a bug, not user input). */
  get(name: string): Variable {
    const v = this.#vars.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }

  /** True when a parameter of that name exists. */
  has(name: string): boolean {
    return this.#vars.has(name);
  }

  /** The spec of `name`. */
  spec(name: string): ParamSpec | undefined {
    return this.#specByName.get(name);
  }

  /** Trainable variables in model order (what the optimizer updates). */
  trainableVariables(): Variable[] {
    return this.specs.filter((s) => s.trainable).map((s) => this.get(s.name));
  }

  /** Total number of scalars, and of trainable scalars. */
  count(): { total: number; trainable: number } {
    let total = 0, trainable = 0;
    for (const s of this.specs) {
      const n = s.shape.reduce((a, b) => a * b, 1);
      total += n;
      if (s.trainable) trainable += n;
    }
    return { total, trainable };
  }

  /**
   * Sets `name` from PyTorch-layout data (OIHW for conv filters). `source` names the file for
   * errors; a wrong element count is an FcosError naming the key and both shapes.
   */
  assignFromTorch(name: string, data: Float32Array, shape: number[], source: string): void {
    const spec = this.#specByName.get(name);
    if (!spec) throw new FcosError(`${source}: unexpected tensor '${name}'`);
    const expected = torchShape(spec);
    const same = expected.length === shape.length && expected.every((d, i) => d === shape[i]);
    if (!same) {
      throw new FcosError(
        `${source}: tensor '${name}' has shape [${shape.join(", ")}], the model expects [${
          expected.join(", ")
        }]`,
      );
    }
    tf.tidy(() => {
      let t: tf.Tensor = tf.tensor(data, expected, "float32");
      if (spec.isConvFilter) t = tf.transpose(t, [2, 3, 1, 0]); // OIHW → HWIO
      this.get(name).assign(t);
    });
  }

  /**
   * Reads `name` in PyTorch layout (OIHW for conv filters). Asynchronous: on WebGPU a synchronous
   * read stalls the device queue (and in Deno has no canvas to go through).
   */
  async readTorch(name: string): Promise<{ data: Float32Array; shape: number[] }> {
    const spec = this.#specByName.get(name);
    if (!spec) throw new Error(`no parameter named ${name}`);
    const t = tf.tidy(() => {
      const v = this.get(name);
      return spec.isConvFilter ? tf.transpose(v, [3, 2, 0, 1]) : v.clone();
    });
    try {
      return { data: (await t.data()) as Float32Array, shape: torchShape(spec) };
    } finally {
      t.dispose();
    }
  }

  /** Disposes every variable. */
  dispose(): void {
    for (const v of this.#vars.values()) v.dispose();
    this.#vars.clear();
  }
}

let nextId = 0;

function initTensor(spec: ParamSpec, seed: number): tf.Tensor {
  const init = spec.init;
  switch (init.kind) {
    case "constant":
      return tf.fill(spec.shape, init.value);
    case "normal":
      return tf.randomNormal(spec.shape, 0, init.std, "float32", seed);
    case "kaimingNormalFanOut": {
      const [kh, kw, , o] = spec.shape;
      return tf.randomNormal(spec.shape, 0, Math.sqrt(2 / (o * kh * kw)), "float32", seed);
    }
    case "kaimingUniformA1": {
      const [kh, kw, i] = spec.shape;
      const bound = Math.sqrt(3 / (i * kh * kw));
      return tf.randomUniform(spec.shape, -bound, bound, "float32", seed);
    }
  }
}
