/**
 * Export of an FCOS model's network — input normalisation, ResNet body (frozen BatchNorm folded
 * into the convs, as the model runs it), FPN P3–P7 and the shared heads — as a standard ONNX model
 * (opset 17) that onnxruntime runs from Python, C++, C#, mobile or a browser. Decoding and NMS stay
 * in this library (`FcosModel.postprocess`); the README says how to decode elsewhere.
 *
 * The graph (NCHW, as ONNX expects):
 * - input `images` float32 [N, 3, H, W]: RGB scaled to 0–1, resized as torchvision does, H and W
 *   multiples of 32; padding should hold the mean colour (`imageMean`), which the graph's
 *   normalisation turns into torchvision's zero padding;
 * - output `cls_logits` float32 [N, L, C]: class logits (sigmoid → probability);
 * - output `bbox_regression` float32 [N, L, 4]: (l, t, r, b) ≥ 0 in units of the location's anchor
 *   size (8, 16, 32, 64, 128 for P3…P7);
 * - output `bbox_ctrness` float32 [N, L]: centerness logits;
 * with the L = Σ H_l·W_l locations ordered level by level (P3…P7), row-major inside a level, where
 * H_3 = H/8, H_4 = H/16, H_5 = H/32, H_6 = ⌈H/64⌉, H_7 = ⌈H/128⌉ (W likewise). GroupNorm is written
 * as Reshape → InstanceNormalization → Reshape → Mul → Add (what torch.onnx exports, and what every
 * onnxruntime version runs; opset 18's GroupNormalization had per-group affine semantics that
 * opset 21 changed). The model's config (JSON) is in the metadata property `fcos_config`.
 *
 * Protobuf encoding is protobufjs (maintained, pure JS, works in Deno and browsers) over the ONNX
 * schema in `./onnx_schema.ts`.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import type { FcosConfig } from "../model/config.ts";
import type { FcosModel } from "../model/fcos.ts";
import { FROZEN_BN_EPS } from "../model/layers.ts";
import type { TensorEntry } from "../io/safetensors.ts";
import { toFloat32 } from "../io/safetensors.ts";
import { stateDict } from "../io/weights.ts";
import { ONNX_FLOAT, ONNX_INT64, onnxModelType } from "./onnx_schema.ts";

/**
 * The opset the exported graph imports (onnxruntime ≥ 1.12, onnxruntime-web, mobile).
 *
 * @example
 * ```ts
 * import { ONNX_OPSET } from "./onnx.ts";
 * console.log(ONNX_OPSET); // 17
 * ```
 */
export const ONNX_OPSET = 17;
/** ONNX IR version matching {@linkcode ONNX_OPSET}. */
const IR_VERSION = 8;

/**
 * Name of the exported graph's input: float32 [N, 3, H, W], RGB in 0–1.
 *
 * @example
 * ```ts
 * import { ONNX_INPUT } from "./onnx.ts";
 * console.log(ONNX_INPUT); // "images"
 * ```
 */
export const ONNX_INPUT = "images";
/**
 * Names of the exported graph's outputs, in order: [N, L, C] class logits, [N, L, 4] box
 * regression, [N, L] centerness logits.
 *
 * @example
 * ```ts
 * import { ONNX_OUTPUTS } from "./onnx.ts";
 * console.log(ONNX_OUTPUTS.join(", ")); // "cls_logits, bbox_regression, bbox_ctrness"
 * ```
 */
export const ONNX_OUTPUTS = ["cls_logits", "bbox_regression", "bbox_ctrness"] as const;

/** GroupNorm epsilon (torch.nn.GroupNorm's default, as the model uses). */
const GN_EPS = 1e-5;

/** Options of {@linkcode exportOnnx}. */
export interface OnnxExportOptions {
  /** Class names stored in the metadata property `class_names` (a JSON array). */
  classNames?: string[];
  /** More metadata properties (string → string). */
  metadata?: Record<string, string>;
}

/** Weights by torchvision name in PyTorch layout (OIHW filters), as `stateDict` returns. */
export type StateDict = Map<string, TensorEntry>;

const DOC = `FCOS network exported by fcos (Deno/TypeScript).
Input images: float32 [N, 3, H, W], RGB in 0-1, H and W multiples of 32 (resize so the short side is
minSize unless the long side passes maxSize; pad bottom/right with the mean colour imageMean).
Outputs over L locations (P3..P7, row-major per level; level l has ceil(H/2^l) x ceil(W/2^l)):
cls_logits [N, L, C] class logits; bbox_regression [N, L, 4] (l, t, r, b) in units of the anchor size
(8, 16, 32, 64, 128 per level); bbox_ctrness [N, L] centerness logits. score = sqrt(sigmoid(cls) *
sigmoid(ctrness)); box = anchor centre -/+ (l, t, r, b) * anchor size, anchor centre (x*s, y*s) with
s = H/H_l. Config (minSize, maxSize, imageMean, imageStd, thresholds): metadata fcos_config.`;

interface Attr {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
}

interface NodeMsg {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: Attr[];
}

interface TensorMsg {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

type AttrValue = number | number[] | string | { float: number };

function attr(name: string, v: AttrValue): Attr {
  if (typeof v === "string") return { name, type: 3, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: 7, ints: v };
  if (typeof v === "object") return { name, type: 1, f: v.float };
  return { name, type: 2, i: v };
}

function bytesOf(a: Float32Array | BigInt64Array): Uint8Array {
  // ONNX raw_data is little-endian; so is every platform Deno runs on.
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** Nodes and initializers of the graph under construction, with unique value names. */
class GraphBuilder {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  readonly #names = new Set<string>();
  #count = 0;

  #unique(hint: string): string {
    let name = hint;
    while (this.#names.has(name)) name = `${hint}_${++this.#count}`;
    this.#names.add(name);
    return name;
  }

  /** A float32 initializer (returns its name, made unique). */
  floats(name: string, dims: number[], data: Float32Array): string {
    const n = this.#unique(name);
    this.initializers.push({ name: n, dims, data_type: ONNX_FLOAT, raw_data: bytesOf(data) });
    return n;
  }

  /** An int64 initializer. */
  ints(name: string, values: number[]): string {
    const n = this.#unique(name);
    const data = BigInt64Array.from(values.map(BigInt));
    this.initializers.push({
      name: n,
      dims: [values.length],
      data_type: ONNX_INT64,
      raw_data: bytesOf(data),
    });
    return n;
  }

  /** A node with one output (named after `hint`); returns the output's name. */
  node(op: string, inputs: string[], hint: string, attrs: Record<string, AttrValue> = {}): string {
    return this.nodeTo(op, inputs, this.#unique(hint), attrs);
  }

  /** A node writing to the given (graph output) name. */
  nodeTo(op: string, inputs: string[], output: string, attrs: Record<string, AttrValue> = {}) {
    this.#names.add(output);
    this.nodes.push({
      input: inputs,
      output: [output],
      name: `${op}:${output}`,
      op_type: op,
      attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
    });
    return output;
  }
}

/** The network's graph over a state dict, mirroring src/model/{resnet,fpn,head}.ts. */
class FcosGraph {
  readonly g = new GraphBuilder();
  readonly #w: StateDict;
  readonly #config: FcosConfig;
  readonly #gnConsts = new Map<number, { shape: string; scale: string; bias: string }>();

  constructor(config: FcosConfig, weights: StateDict) {
    this.#config = config;
    this.#w = weights;
  }

  #get(name: string): { data: Float32Array; shape: number[] } {
    const e = this.#w.get(name);
    if (!e) throw new FcosError(`export: the weights have no tensor '${name}'`);
    return { data: toFloat32(e, name), shape: e.shape };
  }

  /**
   * Conv (OIHW filter) with torchvision padding, a frozen BN folded in the same float32 arithmetic
   * as `ConvRunner` (`W·s`, `b − m·s` with `s = γ·1/√(σ² + eps)`), or the conv's own bias.
   */
  conv(
    x: string,
    name: string,
    o: { stride?: number; pad?: number; bn?: string; bias?: boolean; relu?: boolean },
  ): string {
    const w = this.#get(`${name}.weight`);
    const [cout, , kh, kw] = w.shape;
    let filter = w.data;
    let bias: Float32Array | undefined;
    if (o.bn) {
      const [gm, bt, mean, v] = ["weight", "bias", "running_mean", "running_var"].map((n) =>
        this.#get(`${o.bn}.${n}`).data
      );
      const f = Math.fround;
      const scale = Float32Array.from(
        gm,
        (g, c) => f(g * f(1 / Math.sqrt(f(v[c] + FROZEN_BN_EPS)))),
      );
      filter = new Float32Array(w.data.length);
      const per = w.data.length / cout;
      for (let c = 0; c < cout; c++) {
        for (let k = c * per; k < (c + 1) * per; k++) filter[k] = w.data[k] * scale[c];
      }
      bias = Float32Array.from(bt, (b, c) => f(b - f(mean[c] * scale[c])));
    } else if (o.bias) {
      bias = this.#get(`${name}.bias`).data;
    }
    const inputs = [x, this.g.floats(`${name}.weight`, w.shape, filter)];
    if (bias) inputs.push(this.g.floats(`${name}.bias`, [cout], bias));
    const pad = o.pad ?? 0, stride = o.stride ?? 1;
    const y = this.g.node("Conv", inputs, name, {
      kernel_shape: [kh, kw],
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
    });
    return o.relu ? this.g.node("Relu", [y], `${name}.relu`) : y;
  }

  /** torch.nn.GroupNorm(groups, C) as Reshape → InstanceNormalization → Reshape → Mul → Add. */
  groupNorm(x: string, prefix: string): string {
    const groups = this.#config.groupNormGroups;
    let k = this.#gnConsts.get(groups);
    if (!k) {
      k = {
        shape: this.g.ints(`gn${groups}.shape`, [0, groups, -1]),
        scale: this.g.floats(`gn${groups}.ones`, [groups], new Float32Array(groups).fill(1)),
        bias: this.g.floats(`gn${groups}.zeros`, [groups], new Float32Array(groups)),
      };
      this.#gnConsts.set(groups, k);
    }
    const gamma = this.#get(`${prefix}.weight`), beta = this.#get(`${prefix}.bias`);
    const c = gamma.shape[0];
    const shape = this.g.node("Shape", [x], `${prefix}.in_shape`);
    const grouped = this.g.node("Reshape", [x, k.shape], `${prefix}.grouped`);
    const normed = this.g.node(
      "InstanceNormalization",
      [grouped, k.scale, k.bias],
      `${prefix}.normed`,
      { epsilon: { float: GN_EPS } },
    );
    const back = this.g.node("Reshape", [normed, shape], `${prefix}.ungrouped`);
    const scaled = this.g.node(
      "Mul",
      [back, this.g.floats(`${prefix}.weight`, [1, c, 1, 1], gamma.data)],
      `${prefix}.scaled`,
    );
    return this.g.node(
      "Add",
      [scaled, this.g.floats(`${prefix}.bias`, [1, c, 1, 1], beta.data)],
      prefix,
    );
  }

  /** [N, 3, H, W] 0–1 images → normalised (torchvision's `GeneralizedRCNNTransform.normalize`). */
  normalize(x: string): string {
    const mean = this.g.floats(
      "image_mean",
      [1, 3, 1, 1],
      Float32Array.from(this.#config.imageMean),
    );
    const std = this.g.floats("image_std", [1, 3, 1, 1], Float32Array.from(this.#config.imageStd));
    return this.g.node("Div", [this.g.node("Sub", [x, mean], "centred"), std], "normalized");
  }

  /** ResNet body → [C3, C4, C5] (src/model/resnet.ts). */
  body(x: string): string[] {
    const P = "backbone.body";
    const bottleneck = this.#w.has(`${P}.layer1.0.conv3.weight`);
    const c = (
      inp: string,
      local: string,
      bn: string,
      stride: number,
      pad: number,
      relu: boolean,
    ) => this.conv(inp, `${P}.${local}`, { stride, pad, bn: `${P}.${bn}`, relu });
    let h = c(x, "conv1", "bn1", 2, 3, true);
    h = this.g.node("MaxPool", [h], `${P}.maxpool`, {
      kernel_shape: [3, 3],
      strides: [2, 2],
      pads: [1, 1, 1, 1],
    });
    const outs: string[] = [];
    for (let stage = 0; stage < 4; stage++) {
      for (let b = 0; this.#w.has(`${P}.layer${stage + 1}.${b}.conv1.weight`); b++) {
        const blk = `layer${stage + 1}.${b}`;
        const stride = b === 0 && stage > 0 ? 2 : 1;
        let y: string;
        if (bottleneck) {
          y = c(h, `${blk}.conv1`, `${blk}.bn1`, 1, 0, true);
          y = c(y, `${blk}.conv2`, `${blk}.bn2`, stride, 1, true);
          y = c(y, `${blk}.conv3`, `${blk}.bn3`, 1, 0, false);
        } else {
          y = c(h, `${blk}.conv1`, `${blk}.bn1`, stride, 1, true);
          y = c(y, `${blk}.conv2`, `${blk}.bn2`, 1, 1, false);
        }
        const identity = this.#w.has(`${P}.${blk}.downsample.0.weight`)
          ? c(h, `${blk}.downsample.0`, `${blk}.downsample.1`, stride, 0, false)
          : h;
        h = this.g.node(
          "Relu",
          [this.g.node("Add", [y, identity], `${P}.${blk}.sum`)],
          `${P}.${blk}`,
        );
      }
      if (stage > 0) outs.push(h);
    }
    return outs;
  }

  /** [C3, C4, C5] → [P3 … P7] (src/model/fpn.ts). */
  fpn(c: string[]): string[] {
    const P = "backbone.fpn";
    const conv = (x: string, name: string, stride: number, pad: number) =>
      this.conv(x, `${P}.${name}`, { stride, pad, bias: true });
    const last = c.length - 1;
    let inner = conv(c[last], `inner_blocks.${last}.0`, 1, 0);
    const results = [conv(inner, `layer_blocks.${last}.0`, 1, 1)];
    for (let i = last - 1; i >= 0; i--) {
      const lateral = conv(c[i], `inner_blocks.${i}.0`, 1, 0);
      // torch's F.interpolate(mode="nearest", size=lateral's): source = ⌊dst · in/out⌋.
      const size = this.g.node("Shape", [lateral], `${P}.size_${i}`);
      const topDown = this.g.node("Resize", [inner, "", "", size], `${P}.top_down_${i}`, {
        mode: "nearest",
        coordinate_transformation_mode: "asymmetric",
        nearest_mode: "floor",
      });
      inner = this.g.node("Add", [lateral, topDown], `${P}.inner_${i}`);
      results.unshift(conv(inner, `layer_blocks.${i}.0`, 1, 1));
    }
    const p6 = conv(results[last], "extra_blocks.p6", 2, 1);
    const p7 = conv(this.g.node("Relu", [p6], `${P}.p6_relu`), "extra_blocks.p7", 2, 1);
    return [...results, p6, p7];
  }

  /** The shared heads over every level, flattened and concatenated (src/model/head.ts). */
  head(features: string[]): void {
    const CLS = "head.classification_head", REG = "head.regression_head";
    const numClasses = this.#config.numClasses;
    const tower = (branch: string, x: string) => {
      let h = x;
      for (let k = 0; k < this.#config.headConvs; k++) {
        h = this.conv(h, `${branch}.conv.${3 * k}`, { pad: 1, bias: true });
        h = this.g.node(
          "Relu",
          [this.groupNorm(h, `${branch}.conv.${3 * k + 1}`)],
          `${branch}.relu${k}`,
        );
      }
      return h;
    };
    const flat = (x: string, perLocation: number, hint: string) => {
      const nhwc = this.g.node("Transpose", [x], `${hint}.nhwc`, { perm: [0, 2, 3, 1] });
      return this.g.node(
        "Reshape",
        [nhwc, this.g.ints(`${hint}.flat`, [0, -1, perLocation])],
        hint,
      );
    };
    const cls: string[] = [], reg: string[] = [], ctr: string[] = [];
    features.forEach((f, l) => {
      const ct = tower(CLS, f);
      cls.push(
        flat(
          this.conv(ct, `${CLS}.cls_logits`, { pad: 1, bias: true }),
          numClasses,
          `cls_logits_p${l + 3}`,
        ),
      );
      const rt = tower(REG, f);
      const box = this.conv(rt, `${REG}.bbox_reg`, { pad: 1, bias: true, relu: true });
      reg.push(flat(box, 4, `bbox_regression_p${l + 3}`));
      const cn = this.conv(rt, `${REG}.bbox_ctrness`, { pad: 1, bias: true });
      ctr.push(
        this.g.node(
          "Reshape",
          [cn, this.g.ints(`bbox_ctrness_p${l + 3}.flat`, [0, -1])],
          `bbox_ctrness_p${l + 3}`,
        ),
      );
    });
    this.g.nodeTo("Concat", cls, ONNX_OUTPUTS[0], { axis: 1 });
    this.g.nodeTo("Concat", reg, ONNX_OUTPUTS[1], { axis: 1 });
    this.g.nodeTo("Concat", ctr, ONNX_OUTPUTS[2], { axis: 1 });
  }
}

function valueInfo(name: string, dims: (number | string)[]) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: ONNX_FLOAT,
        shape: {
          dim: dims.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })),
        },
      },
    },
  };
}

/**
 * Builds the ONNX model (serialized protobuf bytes) of the network described by `config` with
 * `weights` (torchvision names, PyTorch layout: a `stateDict` or a torchvision state dict read
 * from safetensors). A missing tensor is an FcosError naming it.
 *
 * @example
 * ```ts ignore
 * import { buildOnnxModel, inferConfig, makeConfig, readStateDict } from "jsr:@fcos/fcos";
 * const st = await readStateDict("fcos_resnet50_fpn.safetensors"); // a torchvision state dict
 * const config = makeConfig(inferConfig(st).config);
 * await Deno.writeFile("fcos.onnx", buildOnnxModel(config, st.tensors));
 * ```
 */
export function buildOnnxModel(
  config: FcosConfig,
  weights: StateDict,
  options: OnnxExportOptions = {},
): Uint8Array {
  const net = new FcosGraph(config, weights);
  net.head(net.fpn(net.body(net.normalize(ONNX_INPUT))));
  const metadata: Record<string, string> = {
    fcos_config: JSON.stringify(config),
    ...(options.classNames ? { class_names: JSON.stringify(options.classNames) } : {}),
    ...options.metadata,
  };
  const c = config.numClasses;
  const model = {
    ir_version: IR_VERSION,
    opset_import: [{ domain: "", version: ONNX_OPSET }],
    producer_name: "fcos",
    producer_version: "0.1.0",
    doc_string: DOC,
    graph: {
      name: `fcos_${config.backbone}`,
      node: net.g.nodes,
      initializer: net.g.initializers,
      input: [valueInfo(ONNX_INPUT, ["N", 3, "H", "W"])],
      output: [
        valueInfo(ONNX_OUTPUTS[0], ["N", "L", c]),
        valueInfo(ONNX_OUTPUTS[1], ["N", "L", 4]),
        valueInfo(ONNX_OUTPUTS[2], ["N", "L"]),
      ],
    },
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  };
  const type = onnxModelType();
  return type.encode(type.fromObject(model)).finish();
}

/**
 * Exports `model`'s network as ONNX bytes (opset 17; input `images` [N, 3, H, W] RGB in 0–1,
 * outputs `cls_logits` [N, L, C], `bbox_regression` [N, L, 4], `bbox_ctrness` [N, L]; see the
 * module doc). Write them with `Deno.writeFile`, or run them with `OnnxDetector`.
 *
 * @example
 * ```ts ignore
 * import { exportOnnx, FcosModel, loadWeights } from "jsr:@fcos/fcos";
 * const model = FcosModel.create({ backbone: "resnet50", numClasses: 91 });
 * await loadWeights(model, "fcos_resnet50_fpn.safetensors");
 * await Deno.writeFile("fcos.onnx", await exportOnnx(model));
 * ```
 */
export async function exportOnnx(
  model: FcosModel,
  options: OnnxExportOptions = {},
): Promise<Uint8Array> {
  return buildOnnxModel(model.config, await stateDict(model), options);
}
