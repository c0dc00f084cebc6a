/**
 * torchvision's FCOSHead: a classification branch and a regression branch (box + centerness), each
 * `headConvs` × (conv3×3 → GroupNorm → ReLU), shared across pyramid levels.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { type ConvRunner, convSpecs, groupNorm, groupNormSpecs } from "./layers.ts";
import type { ParamSpec, ParamStore } from "./params.ts";
import type { HeadOutputs } from "./types.ts";

const CLS = "head.classification_head";
const REG = "head.regression_head";
/** Prior probability of the classification bias (focal-loss init). */
const PRIOR_PROBABILITY = 0.01;

/** The FCOS head's parameter specs and forward pass. */
export class FcosHead {
  constructor(
    readonly channels: number,
    readonly numClasses: number,
    readonly numConvs: number,
    readonly groups: number,
  ) {}

  /** Parameter specs with torchvision names (conv.{3k} = conv, conv.{3k+1} = GroupNorm). */
  specs(): ParamSpec[] {
    const c = this.channels;
    const normal = { kind: "normal", std: 0.01 } as const;
    const specs: ParamSpec[] = [];
    for (const branch of [CLS, REG]) {
      for (let k = 0; k < this.numConvs; k++) {
        specs.push(
          ...convSpecs(`${branch}.conv.${3 * k}`, c, c, 3, {
            bias: true,
            trainable: true,
            init: normal,
          }),
        );
        specs.push(...groupNormSpecs(`${branch}.conv.${3 * k + 1}`, c, true));
      }
    }
    const prior = -Math.log((1 - PRIOR_PROBABILITY) / PRIOR_PROBABILITY);
    specs.push(
      ...convSpecs(`${CLS}.cls_logits`, c, this.numClasses, 3, {
        bias: true,
        trainable: true,
        init: normal,
        biasValue: prior,
      }),
      ...convSpecs(`${REG}.bbox_reg`, c, 4, 3, { bias: true, trainable: true, init: normal }),
      ...convSpecs(`${REG}.bbox_ctrness`, c, 1, 3, { bias: true, trainable: true, init: normal }),
    );
    return specs;
  }

  #tower(
    convs: ConvRunner,
    params: ParamStore,
    branch: string,
    x: tf.Tensor4D,
    training: boolean,
  ): tf.Tensor4D {
    let h = x;
    for (let k = 0; k < this.numConvs; k++) {
      h = convs.conv(h, `${branch}.conv.${3 * k}`, { pad: 1, bias: true }, training);
      const gn = `${branch}.conv.${3 * k + 1}`;
      h = tf.relu(
        groupNorm(
          h,
          this.groups,
          params.get(`${gn}.weight`) as tf.Tensor1D,
          params.get(`${gn}.bias`) as tf.Tensor1D,
        ),
      );
    }
    return h;
  }

  /**
   * Features [P3…P7] (each [N, H_l, W_l, channels]) → head outputs over all L = Σ H_l·W_l
   * locations: clsLogits [N, L, C], bboxRegression [N, L, 4] (ReLU), bboxCtrness [N, L].
   */
  forward(
    convs: ConvRunner,
    params: ParamStore,
    features: tf.Tensor4D[],
    training: boolean,
  ): HeadOutputs {
    const cls: tf.Tensor3D[] = [], reg: tf.Tensor3D[] = [], ctr: tf.Tensor2D[] = [];
    for (const f of features) {
      const [n, h, w] = f.shape;
      const ct = this.#tower(convs, params, CLS, f, training);
      const logits = convs.conv(ct, `${CLS}.cls_logits`, { pad: 1, bias: true }, training);
      cls.push(tf.reshape(logits, [n, h * w, this.numClasses]));
      const rt = this.#tower(convs, params, REG, f, training);
      const box = convs.conv(rt, `${REG}.bbox_reg`, { pad: 1, bias: true, relu: true }, training);
      reg.push(tf.reshape(box, [n, h * w, 4]));
      const cn = convs.conv(rt, `${REG}.bbox_ctrness`, { pad: 1, bias: true }, training);
      ctr.push(tf.reshape(cn, [n, h * w]));
    }
    return {
      clsLogits: tf.concat(cls, 1),
      bboxRegression: tf.concat(reg, 1),
      bboxCtrness: tf.concat(ctr, 1),
    };
  }
}
