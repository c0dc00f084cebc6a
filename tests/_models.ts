/** Small models for tests. */
import { tf } from "../src/tf.ts";
import type { FcosModel } from "../src/model/fcos.ts";

/** The architecture of the tiny FCOS the tests build (ResNet-18 at 1/8 width, FPN 16, one head conv). */
export const TINY_NET = {
  backbone: "resnet18" as const,
  backboneWidth: 0.125,
  fpnChannels: 16,
  groupNormGroups: 4,
  headConvs: 1,
};

/**
 * Adds N(0, 0.1) noise (seeded) to every head tensor: their 0.01 init makes nearly constant
 * outputs, and tests want every layer to matter and many detections.
 */
export function spreadHeadWeights(model: FcosModel, seed: number): void {
  for (const spec of model.params.specs) {
    if (!spec.name.startsWith("head.")) continue;
    const v = model.params.get(spec.name);
    tf.tidy(() => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.1, "float32", seed))));
  }
}
