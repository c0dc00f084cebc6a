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
import { FcosError } from "../errors.ts";
import { BACKEND_NAMES, type BackendName, initBackend } from "../backend/select.ts";
import { loadOnnxRuntime, openOnnxDetectorForFile } from "../backend/onnx_runtime.ts";
import type { DetectOptions } from "../model/fcos.ts";
import type { Detections } from "../model/types.ts";
import type { RgbImage } from "../data/image.ts";

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

/** What `detect` and `eval --weights` run: a tfjs model or the network in onnxruntime. */
export interface Detector {
  /** The model's configuration. */
  config: FcosConfig;
  /** Detections of 8-bit RGB images, in original pixels. */
  detect(images: RgbImage[], options?: DetectOptions): Promise<Detections[]>;
  /** Frees the model. */
  dispose(): Promise<void>;
}

/**
 * Opens `weights` on `backend`: a tfjs model (webgpu, wasm, cpu, or the default), or with `onnx`
 * the network in onnxruntime-node (a `.onnx` file, or safetensors exported on the fly and cached
 * beside them), with tfjs's cpu backend only resizing images.
 */
export async function openDetector(
  weights: string,
  backend: string | undefined,
  overrides: Partial<FcosConfig>,
): Promise<{ detector: Detector; classNames?: string[] }> {
  const log = (line: string) => console.error(line);
  if (backend === "onnx") {
    await loadOnnxRuntime(); // without --allow-ffi, fail before the slow work
    await initBackend({ backend: "cpu", log: () => {} });
    const onnx = await openOnnxDetectorForFile(weights, overrides, { log });
    const detector: Detector = {
      config: onnx.config,
      detect: (images, options) => onnx.detect(images, options),
      dispose: () => onnx.release(),
    };
    return { detector, classNames: onnx.classNames };
  }
  if (backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new FcosError(
      `unknown backend '${backend}': expected one of ${[...BACKEND_NAMES, "onnx"].join(", ")}`,
    );
  }
  await initBackend({ backend: backend as BackendName | undefined, log });
  const { model, classNames } = await openModelFile(weights, overrides);
  const detector: Detector = {
    config: model.config,
    detect: (images, options) => model.detect(images, options),
    dispose: () => Promise.resolve(model.dispose()),
  };
  return { detector, classNames };
}
