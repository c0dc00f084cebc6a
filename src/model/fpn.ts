/**
 * torchvision's FeaturePyramidNetwork with LastLevelP6P7: lateral 1×1 convs, top-down nearest
 * upsampling, 3×3 output convs, then P6 = conv3×3/2(P5) and P7 = conv3×3/2(ReLU(P6)). P6 is taken
 * from P5 when the FPN's input and output widths passed to LastLevelP6P7 match, which is how
 * torchvision's FCOS builds it (`LastLevelP6P7(256, 256)`), so always here.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type ConvRunner, convSpecs } from "./layers.ts";
import type { ParamSpec } from "./params.ts";

const PREFIX = "backbone.fpn";

/** The FPN's parameter specs and forward pass. */
export class Fpn {
  /** @param inChannels widths of C3, C4, C5 @param channels FPN width (256) */
  constructor(readonly inChannels: number[], readonly channels: number) {}

  /** Parameter specs with torchvision names (all trainable). */
  specs(): ParamSpec[] {
    const opts = { bias: true, trainable: true, init: { kind: "kaimingUniformA1" } } as const;
    const specs: ParamSpec[] = [];
    this.inChannels.forEach((cin, i) => {
      specs.push(...convSpecs(`${PREFIX}.inner_blocks.${i}.0`, cin, this.channels, 1, opts));
    });
    this.inChannels.forEach((_, i) => {
      specs.push(
        ...convSpecs(`${PREFIX}.layer_blocks.${i}.0`, this.channels, this.channels, 3, opts),
      );
    });
    specs.push(...convSpecs(`${PREFIX}.extra_blocks.p6`, this.channels, this.channels, 3, opts));
    specs.push(...convSpecs(`${PREFIX}.extra_blocks.p7`, this.channels, this.channels, 3, opts));
    return specs;
  }

  /** [C3, C4, C5] → [P3, P4, P5, P6, P7], each [N, H_l, W_l, channels]. */
  forward(convs: ConvRunner, c: tf.Tensor4D[], training: boolean): tf.Tensor4D[] {
    const conv = (x: tf.Tensor4D, name: string, stride: number, pad: number) =>
      convs.conv(x, `${PREFIX}.${name}`, { stride, pad, bias: true }, training);
    const last = c.length - 1;
    let inner = conv(c[last], `inner_blocks.${last}.0`, 1, 0);
    const results: tf.Tensor4D[] = [conv(inner, `layer_blocks.${last}.0`, 1, 1)];
    for (let i = last - 1; i >= 0; i--) {
      const lateral = conv(c[i], `inner_blocks.${i}.0`, 1, 0); // [N, H_i, W_i, channels]
      const [, h, w] = lateral.shape;
      // torch F.interpolate(mode="nearest", size=…): src = ⌊dst · in/out⌋, as tfjs without
      // align-corners and half-pixel centres.
      const topDown = tf.image.resizeNearestNeighbor(inner, [h, w], false, false);
      inner = tf.add(lateral, topDown);
      results.unshift(conv(inner, `layer_blocks.${i}.0`, 1, 1));
    }
    const p6 = conv(results[last], "extra_blocks.p6", 2, 1);
    const p7 = conv(tf.relu(p6), "extra_blocks.p7", 2, 1);
    results.push(p6, p7);
    return results;
  }
}
