/** Small models for tests. */
import { tf } from "../src/tf.ts";
import type { FcosModel } from "../src/model/fcos.ts";

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
