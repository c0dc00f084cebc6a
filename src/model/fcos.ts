/**
 * The FCOS detector: ResNet body → FPN (P3–P7) → shared FCOS head, with torchvision's transform,
 * anchor grid and post-processing. Semantics follow torchvision's `models/detection/fcos.py`, so a
 * torchvision state dict loads (see `src/io/weights.ts`) and gives the same outputs.
 *
 * @module
 */
import { tf } from "../tf.ts";
import { checkWebGpuDevice } from "../backend/webgpu.ts";
import { FcosError } from "../errors.ts";
import { makeAnchorGrid } from "../loss/anchors.ts";
import {
  decodeCandidates,
  decodeDetections,
  type DecodeOptions,
  resolveDecodeOptions,
} from "../decode/decode.ts";
import { selectCandidates } from "../decode/candidates.ts";
import { type FcosConfig, makeConfig } from "./config.ts";
import { ConvRunner } from "./layers.ts";
import { ParamStore } from "./params.ts";
import { ResNetBody } from "./resnet.ts";
import { Fpn } from "./fpn.ts";
import { FcosHead } from "./head.ts";
import { preprocessImages, type RgbImage, scaleBoxes } from "./transform.ts";
import type { AnchorGrid, Detections, HeadOutputs } from "./types.ts";
import type { Tensor4D, Variable } from "../tensor.ts";

/** Outputs of {@linkcode FcosModel.forward}. */
export interface ForwardOutputs {
  /** [P3, P4, P5, P6, P7], each [N, H_l, W_l, fpnChannels]. */
  features: Tensor4D[];
  /** Head outputs over all locations. */
  head: HeadOutputs;
}

/** Options of {@linkcode FcosModel.detect}: decoding thresholds, resize bounds, read-back. */
export interface DetectOptions extends DecodeOptions {
  /** Short-side target (default: the model's config). */
  minSize?: number;
  /** Long-side limit (default: the model's config). */
  maxSize?: number;
  /**
   * What is read back from the backend; the detections are identical either way.
   * `"candidates"`: the score threshold and each level's top-k run on the device and only the
   * candidate pairs are read back (≈32 bytes each; see src/decode/candidates.ts). `"full"`: the
   * whole head outputs are read back and decoded on the CPU. `"auto"` (default): `"candidates"`
   * on WebGPU, where the outputs sit in GPU memory; `"full"` on wasm and cpu, whose tensors are
   * already in host memory: there the copy and the CPU's decode (which skips most pairs with one
   * comparison) cost about what scoring every pair and sorting on the backend cost (less at
   * 256×320, more at 512×512 with 91 classes; see bench/RESULTS.md).
   */
  readback?: "auto" | "candidates" | "full";
}

/** Backends whose tensors live in host memory: reading them back is a copy. */
const HOST_MEMORY_BACKENDS = new Set(["wasm", "cpu"]);

/** Head outputs read back into host memory (clsLogits N×L×C, bboxRegression N×L×4, bboxCtrness N×L). */
export interface HostHeadOutputs {
  /** [N, L, C] class logits. */
  clsLogits: Float32Array;
  /** [N, L, 4] box regression (l, t, r, b before decoding). */
  bboxRegression: Float32Array;
  /** [N, L] centerness logits. */
  bboxCtrness: Float32Array;
}

/** Reads a batch's head outputs back, the three in one await (the tensors stay the caller's). */
export async function readHeadOutputs(head: HeadOutputs): Promise<HostHeadOutputs> {
  const [clsLogits, bboxRegression, bboxCtrness] = await Promise.all([
    head.clsLogits.data(),
    head.bboxRegression.data(),
    head.bboxCtrness.data(),
  ]);
  return {
    clsLogits: clsLogits as Float32Array,
    bboxRegression: bboxRegression as Float32Array,
    bboxCtrness: bboxCtrness as Float32Array,
  };
}

/** Image i's full head outputs (clsLogits L×C, bboxRegression L×4, bboxCtrness L), read back. */
async function readImage(head: HeadOutputs, i: number): Promise<HostHeadOutputs> {
  const [, l, c] = head.clsLogits.shape;
  const image = tf.tidy(() => ({
    clsLogits: tf.slice(head.clsLogits, [i, 0, 0], [1, l, c]),
    bboxRegression: tf.slice(head.bboxRegression, [i, 0, 0], [1, l, 4]),
    bboxCtrness: tf.slice(head.bboxCtrness, [i, 0], [1, l]),
  })) as HeadOutputs;
  try {
    return await readHeadOutputs(image);
  } finally {
    tf.dispose([image.clsLogits, image.bboxRegression, image.bboxCtrness]);
  }
}

/**
 * An FCOS model with its weights.
 *
 * @example
 * ```ts
 * import { FcosModel } from "./fcos.ts";
 * const model = FcosModel.create({ backbone: "resnet18", numClasses: 3, minSize: 64, maxSize: 64 });
 * const image = { data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64 };
 * const [detections] = await model.detect([image]);
 * console.log(detections.scores.length <= 100); // true
 * model.dispose();
 * ```
 */
export class FcosModel {
  /** The full configuration. */
  readonly config: FcosConfig;
  /**
   * All weights and buffers by torchvision name: the library's own plumbing (users read them with
   * `stateDict`, write them with `loadWeights`).
   *
   * @ignore
   */
  readonly params: ParamStore;
  readonly #body: ResNetBody;
  readonly #fpn: Fpn;
  readonly #head: FcosHead;
  readonly #convs: ConvRunner;
  readonly #grids = new Map<string, AnchorGrid>();

  private constructor(config: FcosConfig, seed: number) {
    this.config = config;
    this.#body = new ResNetBody(
      config.backbone,
      config.backboneWidth,
      config.trainableBackboneLayers,
    );
    this.#fpn = new Fpn(this.#body.outChannels, config.fpnChannels);
    this.#head = new FcosHead(
      config.fpnChannels,
      config.numClasses,
      config.headConvs,
      config.groupNormGroups,
    );
    this.params = new ParamStore(
      [...this.#body.specs(), ...this.#fpn.specs(), ...this.#head.specs()],
      seed,
    );
    this.#convs = new ConvRunner(this.params);
  }

  /**
   * Builds a model with torchvision's initialisation (repeatable for a given `seed`).
   * The active tfjs backend must be set first (see `initBackend`).
   */
  static create(config: Partial<FcosConfig> = {}, options: { seed?: number } = {}): FcosModel {
    return new FcosModel(makeConfig(config), options.seed ?? 0);
  }

  /**
   * Runs backbone, FPN and head on a preprocessed batch.
   * `training` keeps trainable weights on the gradient tape (use it inside `tf.variableGrads`).
   * images: [N, Hp, Wp, 3] → features and head outputs (the caller disposes them).
   */
  forward(images: Tensor4D, training = false): ForwardOutputs {
    // Intermediates are freed here; only the returned tensors stay (the caller disposes them).
    const [features, head] = tf.tidy(() => {
      const c = this.#body.forward(this.#convs, images, training);
      const p = this.#fpn.forward(this.#convs, c, training);
      const h = this.#head.forward(this.#convs, this.params, p, training);
      return [p, { ...h }] as [Tensor4D[], tf.NamedTensorMap];
    });
    return { features, head: head as unknown as HeadOutputs };
  }

  /** The anchor grid of a padded batch size with these level shapes (cached). */
  anchorGrid(paddedSize: [number, number], levelShapes: [number, number][]): AnchorGrid {
    const key = `${paddedSize}|${levelShapes.join(";")}`;
    let grid = this.#grids.get(key);
    if (!grid) {
      grid = makeAnchorGrid(paddedSize, levelShapes, this.config.anchorSizes);
      if (this.#grids.size > 64) this.#grids.clear();
      this.#grids.set(key, grid);
    }
    return grid;
  }

  /** Level shapes [H_l, W_l] of a forward pass's features. */
  static levelShapes(features: Tensor4D[]): [number, number][] {
    return features.map((f) => [f.shape[1], f.shape[2]]);
  }

  /**
   * Detects objects in 8-bit RGB images; boxes are in each image's original pixels.
   *
   * On WebGPU (`readback: "auto"` or `"candidates"`) only what decoding needs crosses the bus: the
   * score threshold and the per-level top-k run on the device, and about 32 bytes per candidate
   * pair are read back (≈170 kB for a 512×512 image, against 0.5–2 MB of head outputs; see
   * src/decode/candidates.ts), which the CPU decodes exactly as {@linkcode FcosModel.postprocess}
   * decodes the full outputs. An image whose selection cannot be proved exact (long runs of equal
   * scores across the top-k cut, non-finite logits) is read back whole and decoded by that path.
   * On wasm and cpu the full outputs are read back (a copy in host memory) and decoded.
   */
  async detect(images: RgbImage[], options: DetectOptions = {}): Promise<Detections[]> {
    const decodeOptions = resolveDecodeOptions(decodeOptionsFor(this.config, options));
    const readback = options.readback ?? "auto";
    if (readback !== "auto" && readback !== "candidates" && readback !== "full") {
      throw new FcosError(`detect: readback must be auto, candidates or full, got '${readback}'`);
    }
    const onDevice = readback === "candidates" ||
      (readback === "auto" && !HOST_MEMORY_BACKENDS.has(tf.getBackend()));
    const prep = preprocessImages(images, {
      minSize: options.minSize ?? this.config.minSize,
      maxSize: options.maxSize ?? this.config.maxSize,
      imageMean: this.config.imageMean,
      imageStd: this.config.imageStd,
    });
    const [, hp, wp] = prep.batch.shape;
    const { features, head } = this.forward(prep.batch, false);
    const levelShapes = FcosModel.levelShapes(features);
    tf.dispose([prep.batch, ...features]);
    try {
      const grid = this.anchorGrid([hp, wp], levelShapes);
      if (!onDevice) {
        const host = await readHeadOutputs(head);
        checkWebGpuDevice();
        return this.postprocess(
          host,
          grid,
          prep.imageSizes,
          prep.originalSizes,
          decodeOptions,
        );
      }
      const selection = await selectCandidates(head, grid, prep.imageSizes, decodeOptions);
      checkWebGpuDevice(); // a dropped command buffer would have left stale memory to decode
      // Images whose candidates could not be proved exact: their full outputs, read together.
      const full = await Promise.all(
        selection.images.map((c, i) => c === null ? readImage(head, i) : null),
      );
      if (full.some((f) => f !== null)) checkWebGpuDevice();
      return prep.imageSizes.map(([h, w], i) => {
        const candidates = selection.images[i];
        const det = candidates !== null
          ? decodeCandidates(candidates, decodeOptions)
          : decodeDetections({
            ...full[i]!,
            anchors: grid.anchors,
            numAnchorsPerLevel: grid.numAnchorsPerLevel,
            numClasses: this.config.numClasses,
            imageHeight: h,
            imageWidth: w,
          }, decodeOptions);
        return { ...det, boxes: scaleBoxes(det.boxes, [h, w], prep.originalSizes[i]) };
      });
    } finally {
      tf.dispose([head.clsLogits, head.bboxRegression, head.bboxCtrness]);
    }
  }

  /**
   * Decodes read-back head outputs of a batch (clsLogits N×L×C, bboxRegression N×L×4,
   * bboxCtrness N×L) into detections in original-image pixels.
   */
  postprocess(
    head: HostHeadOutputs,
    grid: AnchorGrid,
    imageSizes: [number, number][],
    originalSizes: [number, number][],
    options: DecodeOptions = {},
  ): Detections[] {
    return postprocessDetections(this.config, head, grid, imageSizes, originalSizes, options);
  }

  /** Variables the optimizer trains (torchvision's trainable-layers rule). */
  trainableVariables(): Variable[] {
    return this.params.trainableVariables();
  }

  /** Frees all weights and caches. */
  dispose(): void {
    this.#convs.dispose();
    this.params.dispose();
  }
}

/** Decoding options: those given, else the model's config; empty boxes dropped by default. */
function decodeOptionsFor(config: FcosConfig, options: DecodeOptions): DecodeOptions {
  return {
    scoreThresh: options.scoreThresh ?? config.scoreThresh,
    topkCandidates: options.topkCandidates ?? config.topkCandidates,
    nmsThresh: options.nmsThresh ?? config.nmsThresh,
    detectionsPerImg: options.detectionsPerImg ?? config.detectionsPerImg,
    dropEmpty: options.dropEmpty ?? true,
    ...(options.coordinateTrick === undefined ? {} : { coordinateTrick: options.coordinateTrick }),
  };
}

/**
 * Decodes read-back head outputs of a batch (clsLogits N×L×C, bboxRegression N×L×4,
 * bboxCtrness N×L, however they were computed) with `config`'s thresholds unless `options` says
 * otherwise, into detections in original-image pixels. `FcosModel.postprocess` and the
 * onnxruntime backend both decode through here.
 *
 * @example
 * ```ts
 * import { makeConfig } from "./config.ts";
 * import { makeAnchorGrid } from "../loss/anchors.ts";
 * import { postprocessDetections } from "./fcos.ts";
 * const config = makeConfig({ numClasses: 2 });
 * const grid = makeAnchorGrid([64, 64], [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]]);
 * const l = grid.anchors.length / 4; // 85 locations
 * const clsLogits = new Float32Array(l * 2).fill(-9);
 * clsLogits[2 * 10 + 1] = 3; // class 1 at location 10
 * const head = { clsLogits, bboxRegression: new Float32Array(l * 4).fill(1), bboxCtrness: new Float32Array(l) };
 * const [det] = postprocessDetections(config, head, grid, [[64, 64]], [[128, 128]]);
 * console.log(det.labels); // Int32Array [1]
 * ```
 */
export function postprocessDetections(
  config: FcosConfig,
  head: HostHeadOutputs,
  grid: AnchorGrid,
  imageSizes: [number, number][],
  originalSizes: [number, number][],
  options: DecodeOptions = {},
): Detections[] {
  const c = config.numClasses;
  const l = grid.anchors.length / 4;
  const decodeOptions = decodeOptionsFor(config, options);
  return imageSizes.map(([h, w], i) => {
    const det = decodeDetections({
      clsLogits: head.clsLogits.subarray(i * l * c, (i + 1) * l * c),
      bboxRegression: head.bboxRegression.subarray(i * l * 4, (i + 1) * l * 4),
      bboxCtrness: head.bboxCtrness.subarray(i * l, (i + 1) * l),
      anchors: grid.anchors,
      numAnchorsPerLevel: grid.numAnchorsPerLevel,
      numClasses: c,
      imageHeight: h,
      imageWidth: w,
    }, decodeOptions);
    return { ...det, boxes: scaleBoxes(det.boxes, [h, w], originalSizes[i]) };
  });
}
