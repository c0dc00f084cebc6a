/**
 * ResNet-18/34/50 bodies (torchvision's v1.5: stride on the 3×3 conv of bottlenecks) with frozen
 * BatchNorm, returning C3, C4, C5 (the outputs of layer2, layer3, layer4).
 *
 * @module
 */
import { tf } from "../tf.ts";
import type { BackboneName } from "./config.ts";
import { type ConvRunner, convSpecs, frozenBnSpecs } from "./layers.ts";
import type { ParamSpec } from "./params.ts";

const PREFIX = "backbone.body";

interface Layout {
  bottleneck: boolean;
  blocks: [number, number, number, number];
}

const LAYOUTS: Record<BackboneName, Layout> = {
  resnet18: { bottleneck: false, blocks: [2, 2, 2, 2] },
  resnet34: { bottleneck: false, blocks: [3, 4, 6, 3] },
  resnet50: { bottleneck: true, blocks: [3, 4, 6, 3] },
};

/** The architecture of a ResNet body: its parameter specs and its forward pass. */
export class ResNetBody {
  readonly name: BackboneName;
  /** Channels of C3, C4, C5. */
  readonly outChannels: [number, number, number];
  readonly #layout: Layout;
  readonly #widths: number[]; // stem, then planes of layer1..4

  /**
   * @param width channel multiplier (1 = torchvision)
   * @param trainableLayers torchvision's trainable_backbone_layers (0–5)
   */
  constructor(name: BackboneName, width: number, readonly trainableLayers: number) {
    this.name = name;
    this.#layout = LAYOUTS[name];
    this.#widths = [64, 64, 128, 256, 512].map((c) => Math.max(8, Math.round(c * width)));
    const exp = this.#layout.bottleneck ? 4 : 1;
    this.outChannels = [this.#widths[2] * exp, this.#widths[3] * exp, this.#widths[4] * exp];
  }

  /** Whether a name under backbone.body is trained (torchvision's layers_to_train rule). */
  #isTrainable(local: string): boolean {
    const train = ["layer4", "layer3", "layer2", "layer1", "conv1"].slice(0, this.trainableLayers);
    return train.some((l) => local.startsWith(l));
  }

  /** Parameter specs with torchvision names. */
  specs(): ParamSpec[] {
    const specs: ParamSpec[] = [];
    const init = { kind: "kaimingNormalFanOut" } as const;
    const conv = (local: string, cin: number, cout: number, k: number) =>
      specs.push(
        ...convSpecs(`${PREFIX}.${local}`, cin, cout, k, {
          bias: false,
          trainable: this.#isTrainable(local),
          init,
        }),
      );
    const bn = (local: string, c: number) => specs.push(...frozenBnSpecs(`${PREFIX}.${local}`, c));
    const [stem, ...planes] = this.#widths;
    conv("conv1", 3, stem, 7);
    bn("bn1", stem);
    let inplanes = stem;
    const exp = this.#layout.bottleneck ? 4 : 1;
    for (let stage = 0; stage < 4; stage++) {
      const p = planes[stage];
      for (let b = 0; b < this.#layout.blocks[stage]; b++) {
        const blk = `layer${stage + 1}.${b}`;
        const stride = b === 0 && stage > 0 ? 2 : 1;
        if (this.#layout.bottleneck) {
          conv(`${blk}.conv1`, inplanes, p, 1);
          bn(`${blk}.bn1`, p);
          conv(`${blk}.conv2`, p, p, 3);
          bn(`${blk}.bn2`, p);
          conv(`${blk}.conv3`, p, p * exp, 1);
          bn(`${blk}.bn3`, p * exp);
        } else {
          conv(`${blk}.conv1`, inplanes, p, 3);
          bn(`${blk}.bn1`, p);
          conv(`${blk}.conv2`, p, p, 3);
          bn(`${blk}.bn2`, p);
        }
        if (b === 0 && (stride !== 1 || inplanes !== p * exp)) {
          conv(`${blk}.downsample.0`, inplanes, p * exp, 1);
          bn(`${blk}.downsample.1`, p * exp);
        }
        inplanes = p * exp;
      }
    }
    return specs;
  }

  /**
   * x: [N, H, W, 3] normalised image batch → [C3, C4, C5] with strides 8, 16, 32:
   * C3 [N, ⌈H/8⌉, ⌈W/8⌉, c3], C4 [N, ⌈H/16⌉, …, c4], C5 [N, ⌈H/32⌉, …, c5].
   */
  forward(convs: ConvRunner, x: tf.Tensor4D, training: boolean): tf.Tensor4D[] {
    const c = (
      inp: tf.Tensor4D,
      local: string,
      bnLocal: string,
      stride: number,
      pad: number,
      relu: boolean,
    ) =>
      convs.conv(
        inp,
        `${PREFIX}.${local}`,
        { stride, pad, bn: `${PREFIX}.${bnLocal}`, relu },
        training,
      );
    let h = c(x, "conv1", "bn1", 2, 3, true); // [N, H/2, W/2, stem]
    h = tf.maxPool(h, 3, 2, 1); // [N, H/4, W/4, stem] (inputs ≥ 0, so zero padding = −∞ padding)
    const outs: tf.Tensor4D[] = [];
    for (let stage = 0; stage < 4; stage++) {
      for (let b = 0; b < this.#layout.blocks[stage]; b++) {
        const blk = `layer${stage + 1}.${b}`;
        const stride = b === 0 && stage > 0 ? 2 : 1;
        let y: tf.Tensor4D;
        if (this.#layout.bottleneck) {
          y = c(h, `${blk}.conv1`, `${blk}.bn1`, 1, 0, true);
          y = c(y, `${blk}.conv2`, `${blk}.bn2`, stride, 1, true);
          y = c(y, `${blk}.conv3`, `${blk}.bn3`, 1, 0, false);
        } else {
          y = c(h, `${blk}.conv1`, `${blk}.bn1`, stride, 1, true);
          y = c(y, `${blk}.conv2`, `${blk}.bn2`, 1, 1, false);
        }
        const identity = convs.has(`${PREFIX}.${blk}.downsample.0`)
          ? c(h, `${blk}.downsample.0`, `${blk}.downsample.1`, stride, 0, false)
          : h;
        h = tf.relu(tf.add(y, identity));
      }
      if (stage > 0) outs.push(h);
    }
    return outs;
  }
}
