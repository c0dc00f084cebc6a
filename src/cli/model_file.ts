/**
 * Opening a model from a weights file for the CLI: the architecture is read off the file (this
 * project's checkpoints carry their config; torchvision state dicts are recognised by their
 * tensor names and shapes), command-line overrides apply, then the weights load.
 *
 * @module
 */
import { FcosModel } from "../model/fcos.ts";
import type { FcosConfig } from "../model/config.ts";
import { inferConfig, loadWeights } from "../io/weights.ts";
import { readStateDict } from "../io/pytorch.ts";

/** A model loaded from a file, with the class names the file names (if any). */
export interface ModelFile {
  model: FcosModel;
  classNames?: string[];
}

/**
 * Reads `file` and builds the model it describes (overrides win). The tfjs backend must be
 * initialised first.
 */
export async function openModelFile(
  file: string,
  overrides: Partial<FcosConfig> = {},
): Promise<ModelFile> {
  const weights = await readStateDict(file);
  const inferred = inferConfig(weights, file);
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, v]) => v !== undefined),
  ) as Partial<FcosConfig>;
  const model = FcosModel.create({ ...inferred.config, ...defined });
  try {
    await loadWeights(model, weights);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, classNames: inferred.classNames };
}
