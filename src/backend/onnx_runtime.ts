/**
 * Inference through onnxruntime-node (native CPU kernels, 3–5× faster than tfjs-wasm here): the
 * network runs from the exported ONNX graph (src/export/onnx.ts), and this library's decoding
 * (`postprocessDetections`: thresholds, top-k, box decode, batched NMS) runs on its outputs, so the
 * detections are the tfjs backends' detections.
 *
 * Preprocessing is the model's (`preprocessImages`, on the active tfjs backend: resize, then pad)
 * on unnormalised 0–1 images — the graph normalises — with the padding filled with the mean
 * colour, which the graph's normalisation turns into torchvision's zero padding.
 *
 * onnxruntime-node is a native addon: it loads only with `--allow-ffi`, and is imported on first
 * use, so nothing else in the library needs that permission.
 *
 * @module
 */
import type * as Ort from "onnxruntime-node";
import { FcosError } from "../errors.ts";
import { type FcosConfig, makeConfig } from "../model/config.ts";
import { type DetectOptions, FcosModel, postprocessDetections } from "../model/fcos.ts";
import { preprocessImages, type RgbImage } from "../model/transform.ts";
import type { AnchorGrid, Detections } from "../model/types.ts";
import { makeAnchorGrid } from "../loss/anchors.ts";
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUTS } from "../export/onnx.ts";
import { onnxModelType } from "../export/onnx_schema.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { parseStateDict } from "../io/pytorch.ts";
import { firstLine, loadOnnxRuntime, type OrtModule } from "./ort_module.ts";
import { inferConfig, loadWeights } from "../io/weights.ts";

export { loadOnnxRuntime };

/**
 * Feature-map sizes [H_l, W_l] of P3…P7 for a padded input of [hp, wp]: every stride-2 step of the
 * network (stem conv, max pool, layer2–4, P6, P7) maps a side s to ⌈s/2⌉.
 *
 * @example
 * ```ts
 * import { levelShapesFor } from "./onnx_runtime.ts";
 * console.log(levelShapesFor(256, 320)); // [[32, 40], [16, 20], [8, 10], [4, 5], [2, 3]]
 * ```
 */
export function levelShapesFor(hp: number, wp: number): [number, number][] {
  const shapes: [number, number][] = [];
  let h = hp, w = wp;
  for (let step = 1; step <= 7; step++) {
    h = Math.ceil(h / 2);
    w = Math.ceil(w / 2);
    if (step >= 3) shapes.push([h, w]);
  }
  return shapes;
}

/** Options of {@linkcode OnnxDetector.open}. */
export interface OnnxDetectorOptions {
  /** onnxruntime's intra-op threads (default: onnxruntime's, the physical cores). */
  threads?: number;
  /**
   * The model config, for an ONNX file without this library's `fcos_config` metadata (such as
   * torchvision's own export of the same network); overrides the metadata's fields.
   */
  config?: Partial<FcosConfig>;
}

/** Head outputs of a batch as onnxruntime returns them. */
export interface OnnxHeads {
  /** [N, L, C]. */
  clsLogits: Float32Array;
  /** [N, L, 4]. */
  bboxRegression: Float32Array;
  /** [N, L]. */
  bboxCtrness: Float32Array;
}

interface DecodedModel {
  graph?: {
    input?: { name: string; type?: { tensor_type?: { shape?: { dim?: unknown[] } } } }[];
    output?: { name: string }[];
    initializer?: { name: string }[];
  };
  metadata_props?: { key: string; value: string }[];
}

/** Checks that `bytes` are an ONNX model with this library's inputs and outputs; its metadata. */
function inspectModel(bytes: Uint8Array, file: string): Record<string, string> {
  let model: DecodedModel;
  try {
    // The decoded message itself (its fields are plain properties; toObject would convert every
    // weight tensor's bytes).
    model = onnxModelType().decode(bytes) as unknown as DecodedModel;
  } catch (e) {
    throw new FcosError(`${file}: not an ONNX model (${firstLine(e)})`, { cause: e });
  }
  if (!model.graph) throw new FcosError(`${file}: not an ONNX model (no graph)`);
  const initializers = new Set((model.graph.initializer ?? []).map((t) => t.name));
  const inputs = (model.graph.input ?? []).filter((v) => !initializers.has(v.name));
  const outputs = (model.graph.output ?? []).map((v) => v.name);
  const inputNames = inputs.map((v) => v.name);
  const rank = inputs[0]?.type?.tensor_type?.shape?.dim?.length;
  const sameOutputs = outputs.length === ONNX_OUTPUTS.length &&
    ONNX_OUTPUTS.every((n, i) => outputs[i] === n);
  if (inputNames.length !== 1 || inputNames[0] !== ONNX_INPUT || rank !== 4 || !sameOutputs) {
    throw new FcosError(
      `${file}: the model takes [${inputNames.join(", ")}] and gives [${
        outputs.join(", ")
      }]; an FCOS export has input ${ONNX_INPUT} [N, 3, H, W] and outputs ${
        ONNX_OUTPUTS.join(", ")
      }`,
    );
  }
  return Object.fromEntries((model.metadata_props ?? []).map((p) => [p.key, p.value]));
}

/**
 * FCOS detection with the network in onnxruntime-node and this library's decoding.
 *
 * @example
 * ```ts ignore
 * import { initBackend, OnnxDetector, readImage } from "jsr:@fcos/fcos";
 * await initBackend({ backend: "cpu" }); // tfjs only resizes the images
 * const detector = await OnnxDetector.open("fcos.onnx"); // from `cli.ts export` or exportOnnx
 * const [detections] = await detector.detect([await readImage("photo.jpg")]);
 * await detector.release();
 * ```
 */
export class OnnxDetector {
  /** The model's configuration (pre- and post-processing settings). */
  readonly config: FcosConfig;
  /** Class names stored in the model, if any. */
  readonly classNames?: string[];
  readonly #ort: OrtModule;
  readonly #session: Ort.InferenceSession;
  readonly #grids = new Map<string, AnchorGrid>();

  private constructor(
    ort: OrtModule,
    session: Ort.InferenceSession,
    config: FcosConfig,
    classNames?: string[],
  ) {
    this.#ort = ort;
    this.#session = session;
    this.config = config;
    this.classNames = classNames;
  }

  /**
   * Opens an exported FCOS model (a `.onnx` file or its bytes). Not ONNX, or other inputs and
   * outputs than an FCOS export's, is an FcosError naming the file.
   */
  static async open(
    source: string | Uint8Array,
    options: OnnxDetectorOptions = {},
  ): Promise<OnnxDetector> {
    const file = typeof source === "string" ? source : "<onnx bytes>";
    let bytes: Uint8Array;
    if (typeof source === "string") {
      try {
        bytes = await Deno.readFile(source);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) throw new FcosError(`${file}: not found`);
        if (e instanceof Deno.errors.IsADirectory) throw new FcosError(`${file}: is a directory`);
        throw e;
      }
    } else {
      bytes = source;
    }
    const meta = inspectModel(bytes, file);
    let stored: Partial<FcosConfig> = {};
    if (meta.fcos_config !== undefined) {
      try {
        stored = JSON.parse(meta.fcos_config);
      } catch {
        throw new FcosError(`${file}: metadata fcos_config is not valid JSON`);
      }
    } else if (!options.config) {
      throw new FcosError(
        `${file}: no fcos_config metadata (not exported by this library); give the config`,
      );
    }
    let classNames: string[] | undefined;
    if (meta.class_names !== undefined) {
      try {
        classNames = JSON.parse(meta.class_names);
      } catch {
        throw new FcosError(`${file}: metadata class_names is not a JSON array`);
      }
    }
    const config = makeConfig({ ...stored, ...options.config });
    const ort = await loadOnnxRuntime();
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        graphOptimizationLevel: "all",
        ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
      });
    } catch (e) {
      throw new FcosError(`${file}: onnxruntime cannot load it: ${firstLine(e)}`, { cause: e });
    }
    return new OnnxDetector(ort, session, config, classNames);
  }

  /**
   * Exports `model` (see `exportOnnx`) and opens the result.
   *
   * @example
   * ```ts ignore
   * import { FcosModel, OnnxDetector } from "jsr:@fcos/fcos";
   * const detector = await OnnxDetector.fromModel(FcosModel.create({ numClasses: 3 }));
   * ```
   */
  static async fromModel(
    model: FcosModel,
    options: OnnxDetectorOptions = {},
  ): Promise<OnnxDetector> {
    return await OnnxDetector.open(await exportOnnx(model), options);
  }

  /**
   * Runs the network on a batch: `images` is [N, 3, H, W] (`dims`), RGB in 0–1, H and W
   * multiples of 32, padding filled with the mean colour.
   */
  async run(images: Float32Array, dims: [number, number, number, number]): Promise<OnnxHeads> {
    const input = new this.#ort.Tensor("float32", images, dims);
    const out = await this.#session.run({ [ONNX_INPUT]: input });
    const [cls, reg, ctr] = ONNX_OUTPUTS.map((n) => out[n].data as Float32Array);
    for (const n of ONNX_OUTPUTS) out[n].dispose();
    return { clsLogits: cls, bboxRegression: reg, bboxCtrness: ctr };
  }

  /**
   * Preprocesses 8-bit RGB images as `FcosModel.detect` does, runs the network in onnxruntime and
   * decodes; boxes are in each image's original pixels. The same detections as `FcosModel.detect`
   * with the same weights (within float rounding).
   */
  async detect(images: RgbImage[], options: DetectOptions = {}): Promise<Detections[]> {
    const mean = this.config.imageMean;
    const prep = preprocessImages(images, {
      minSize: options.minSize ?? this.config.minSize,
      maxSize: options.maxSize ?? this.config.maxSize,
      imageMean: [0, 0, 0],
      imageStd: [1, 1, 1],
    });
    const [n, hp, wp] = prep.batch.shape;
    let nhwc: Float32Array;
    try {
      nhwc = (await prep.batch.data()) as Float32Array;
    } finally {
      prep.batch.dispose();
    }
    // NHWC → NCHW; the padding gets the mean colour (zero once the graph normalises).
    const plane = hp * wp;
    const nchw = new Float32Array(n * 3 * plane);
    for (let b = 0; b < n; b++) {
      const [h, w] = prep.imageSizes[b];
      for (let c = 0; c < 3; c++) {
        const dst = (b * 3 + c) * plane;
        nchw.fill(mean[c], dst, dst + plane);
        for (let y = 0; y < h; y++) {
          let src = ((b * hp + y) * wp) * 3 + c;
          const row = dst + y * wp;
          for (let x = 0; x < w; x++, src += 3) nchw[row + x] = nhwc[src];
        }
      }
    }
    const heads = await this.run(nchw, [n, 3, hp, wp]);
    return postprocessDetections(
      this.config,
      heads,
      this.anchorGrid(hp, wp),
      prep.imageSizes,
      prep.originalSizes,
      options,
    );
  }

  /** The anchor grid of a padded input size (cached). */
  anchorGrid(hp: number, wp: number): AnchorGrid {
    const key = `${hp}x${wp}`;
    let grid = this.#grids.get(key);
    if (!grid) {
      grid = makeAnchorGrid([hp, wp], levelShapesFor(hp, wp), this.config.anchorSizes);
      if (this.#grids.size > 64) this.#grids.clear();
      this.#grids.set(key, grid);
    }
    return grid;
  }

  /** Frees the onnxruntime session. */
  async release(): Promise<void> {
    await this.#session.release();
  }
}

/** Hex SHA-256 of some bytes. */
async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Opens a detector for a weights file: a `.onnx` file directly; weights (safetensors or `.pth`, with
 * `overrides` of their inferred config) are exported on the fly and the export is cached beside
 * them as `FILE.onnx`, e.g. `model.safetensors.onnx`, reused while the weights and overrides are
 * the same (where it cannot be written, the export is kept in memory and `log` says so). Needs a tfjs backend (any:
 * it only holds the weights while they are exported, and resizes images).
 */
export async function openOnnxDetectorForFile(
  file: string,
  overrides: Partial<FcosConfig> = {},
  options: OnnxDetectorOptions & { log?: (line: string) => void } = {},
): Promise<OnnxDetector> {
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, v]) => v !== undefined),
  ) as Partial<FcosConfig>;
  if (file.toLowerCase().endsWith(".onnx")) {
    // The architecture is in the graph; only the resize bounds can change.
    const { minSize, maxSize } = defined;
    const resize = Object.fromEntries(
      Object.entries({ minSize, maxSize }).filter(([, v]) => v !== undefined),
    );
    return await OnnxDetector.open(file, { ...options, config: { ...options.config, ...resize } });
  }
  let raw: Uint8Array;
  try {
    raw = await Deno.readFile(file);
  } catch (e) {
    throw new FcosError(`${file}: cannot read (${firstLine(e)})`, { cause: e });
  }
  const weights = parseStateDict(raw, file); // safetensors or a PyTorch checkpoint
  // The cache is valid for these exact weights and config overrides.
  const key = await sha256(
    new TextEncoder().encode(`${await sha256(raw)} ${JSON.stringify(defined)}`),
  );
  const cache = `${file}.onnx`;
  try {
    const cached = await Deno.readFile(cache);
    const meta = inspectModel(cached, cache);
    if (meta.fcos_source_sha256 === key) return await OnnxDetector.open(cached, options);
  } catch {
    // No usable cache (absent, unreadable, not an export): export anew.
  }
  const inferred = inferConfig(weights, file);
  const model = FcosModel.create({ ...inferred.config, ...defined });
  let bytes: Uint8Array;
  try {
    await loadWeights(model, weights);
    bytes = await exportOnnx(model, {
      classNames: inferred.classNames,
      metadata: { fcos_source_sha256: key, fcos_source: file },
    });
  } finally {
    model.dispose();
  }
  try {
    await writeFileAtomic(cache, bytes);
  } catch (e) {
    const why = e instanceof FcosError ? e.message : firstLine(e);
    (options.log ?? console.error)(`onnx: exported in memory, not cached (${why})`);
  }
  return await OnnxDetector.open(bytes, options);
}
