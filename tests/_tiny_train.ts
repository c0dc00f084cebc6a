/** A tiny seeded FCOS training run, for the reproducibility tests of the conv kernels. */
import { FcosModel } from "../src/model/fcos.ts";
import { generateSynthetic } from "../src/data/synthetic.ts";
import { Sgd } from "../src/train/optimizer.ts";
import { prepareBatch, trainableParams, trainStep } from "../src/train/trainer.ts";
import { floatsDigest } from "./_conv.ts";

/** The model: FCOS-R18 at a quarter width, 96×96 images. */
export const TINY = {
  backbone: "resnet18" as const,
  backboneWidth: 0.25,
  fpnChannels: 16,
  groupNormGroups: 4,
  headConvs: 2,
  numClasses: 5,
  minSize: 96,
  maxSize: 96,
  trainableBackboneLayers: 3,
};

/**
 * Two SGD steps on two synthetic images from the seeded init, on the active backend and kernels;
 * every weight afterwards.
 */
export async function trainedWeights(): Promise<Map<string, Float32Array>> {
  const model = FcosModel.create(TINY, { seed: 7 });
  const sgd = new Sgd(trainableParams(model));
  const batch = prepareBatch(model, [0, 1].map((i) => generateSynthetic(i, { size: 96 })), 96, 96);
  try {
    for (let step = 0; step < 2; step++) await trainStep(model, sgd, batch, 0.01);
    const out = new Map<string, Float32Array>();
    for (const spec of model.params.specs) {
      out.set(spec.name, (await model.params.get(spec.name).data()) as Float32Array);
    }
    return out;
  } finally {
    batch.images.dispose();
    sgd.dispose();
    model.dispose();
  }
}

/** SHA-256 (hex) of the weights' bytes, in the model's parameter order. */
export function weightsDigest(weights: Map<string, Float32Array>): Promise<string> {
  return floatsDigest([...weights.values()]);
}
