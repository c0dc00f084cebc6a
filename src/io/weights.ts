/**
 * Loading and saving model weights as safetensors with torchvision's state-dict names:
 * whole FCOS state dicts (`backbone.body.…`, `backbone.fpn.…`, `head.…`), torchvision ResNet
 * (ImageNet) state dicts into the backbone alone, and this project's own checkpoints (the same
 * names, so they load in PyTorch with `model.load_state_dict`).
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import type { FcosModel } from "../model/fcos.ts";
import type { BackboneName, FcosConfig } from "../model/config.ts";
import { torchShape } from "../model/params.ts";
import { type Safetensors, type TensorEntry, toFloat32, writeSafetensors } from "./safetensors.ts";
import { readStateDict } from "./pytorch.ts";

/** Buffers that PyTorch state dicts carry but FCOS does not use. */
const IGNORED = /(^|\.)num_batches_tracked$/;

/**
 * Maps names of other torchvision versions onto the names used here: heads built with
 * `Conv2dNormActivation` name their blocks `conv.{k}.0` / `conv.{k}.1` where torchvision 0.14
 * uses `conv.{3k}` / `conv.{3k+1}`.
 */
function canonicalName(name: string): string {
  return name.replace(
    /^(head\.(?:classification|regression)_head\.conv)\.(\d+)\.([01])\./,
    (_, p, k, sub) => `${p}.${3 * Number(k) + Number(sub)}.`,
  );
}

/** What {@linkcode loadWeights} did. */
export interface LoadReport {
  /** Tensors assigned. */
  loaded: number;
  /** Names in the file that were ignored (num_batches_tracked, the classifier `fc.*`, …). */
  ignored: string[];
}

async function open(source: string | Safetensors): Promise<{ st: Safetensors; file: string }> {
  if (typeof source === "string") return { st: await readStateDict(source), file: source };
  return { st: source, file: "<safetensors>" };
}

/**
 * Assigns every tensor of `st` that `nameOf` maps to a model name (null: ignore it); a name the
 * model lacks is an FcosError, `unexpected` says for what. Returns the names set and ignored.
 */
function assignAll(
  model: FcosModel,
  st: Safetensors,
  file: string,
  nameOf: (raw: string) => string | null,
  unexpected: string,
): { seen: Set<string>; ignored: string[] } {
  const ignored: string[] = [];
  const seen = new Set<string>();
  for (const [rawName, entry] of st.tensors) {
    const name = nameOf(rawName);
    if (name === null) {
      ignored.push(rawName);
      continue;
    }
    if (!model.params.has(name)) {
      throw new FcosError(`${file}: unexpected tensor '${rawName}' ${unexpected}`);
    }
    model.params.assignFromTorch(name, toFloat32(entry, rawName), entry.shape, file);
    seen.add(name);
  }
  return { seen, ignored };
}

/**
 * Loads a torchvision FCOS state dict (safetensors) into `model`. Every model tensor must be
 * present with its exact shape; a missing, unexpected or mis-shaped tensor is an FcosError naming
 * the key (and both shapes).
 *
 * @example
 * ```ts ignore
 * import { FcosModel, loadWeights } from "jsr:@fcos/fcos";
 * const model = FcosModel.create({ backbone: "resnet50", numClasses: 91 });
 * await loadWeights(model, "fcos_resnet50_fpn_coco.safetensors");
 * ```
 */
export async function loadWeights(
  model: FcosModel,
  source: string | Safetensors,
): Promise<LoadReport> {
  const { st, file } = await open(source);
  const { seen, ignored } = assignAll(
    model,
    st,
    file,
    (raw) => (IGNORED.test(raw) ? null : canonicalName(raw)),
    `(not part of an FCOS ${model.config.backbone} model with ${model.config.numClasses} classes)`,
  );
  const missing = model.params.specs.filter((s) => !seen.has(s.name)).map((s) => s.name);
  if (missing.length > 0) {
    throw new FcosError(
      `${file}: missing ${missing.length} tensor(s), first '${missing[0]}' with shape [${
        torchShape(model.params.spec(missing[0])!).join(", ")
      }]`,
    );
  }
  return { loaded: seen.size, ignored };
}

/**
 * Loads a torchvision ResNet state dict (e.g. ImageNet `resnet18`, names `conv1.weight`,
 * `layer1.0.bn1.running_mean`, …) into the backbone body; the classifier (`fc.*`) and
 * `num_batches_tracked` are ignored. The usual start for training.
 *
 * @example
 * ```ts ignore
 * import { FcosModel, loadBackboneWeights } from "jsr:@fcos/fcos";
 * const model = FcosModel.create({ backbone: "resnet18", numClasses: 20 });
 * await loadBackboneWeights(model, "resnet18_imagenet.safetensors");
 * ```
 */
export async function loadBackboneWeights(
  model: FcosModel,
  source: string | Safetensors,
): Promise<LoadReport> {
  const { st, file } = await open(source);
  const { seen, ignored } = assignAll(model, st, file, (raw) => {
    const bare = raw.replace(/^(backbone\.body\.|module\.)/, "");
    return IGNORED.test(bare) || bare.startsWith("fc.") ? null : `backbone.body.${bare}`;
  }, `for a ${model.config.backbone} backbone`);
  const missing = model.params.specs.filter((s) =>
    s.name.startsWith("backbone.body.") && !seen.has(s.name)
  );
  if (missing.length > 0) {
    throw new FcosError(
      `${file}: missing ${missing.length} backbone tensor(s), first '${
        missing[0].name.slice("backbone.body.".length)
      }'`,
    );
  }
  return { loaded: seen.size, ignored };
}

/**
 * The model's state dict in PyTorch layout (OIHW conv filters), as safetensors entries.
 *
 * @example
 * ```ts
 * import { FcosModel } from "../model/fcos.ts";
 * import { stateDict } from "./weights.ts";
 * const model = FcosModel.create({ backbone: "resnet18", numClasses: 2, fpnChannels: 32, groupNormGroups: 8 });
 * console.log((await stateDict(model)).has("head.classification_head.cls_logits.bias")); // true
 * model.dispose();
 * ```
 */
export async function stateDict(model: FcosModel): Promise<Map<string, TensorEntry>> {
  // One download per tensor, all in flight at once: the backend batches the copies.
  const entries = await Promise.all(
    model.params.specs.map(async (spec) => {
      const { data, shape } = await model.params.readTorch(spec.name);
      return [spec.name, { dtype: "F32", shape, data } as TensorEntry] as const;
    }),
  );
  return new Map(entries);
}

/**
 * Saves the model's weights as safetensors with torchvision names (atomically: a crash mid-write
 * leaves any previous file intact). `metadata` is stored in the header.
 *
 * @example
 * ```ts ignore
 * import { saveWeights } from "jsr:@fcos/fcos";
 * await saveWeights(model, "runs/demo/model.safetensors", { epoch: "3" });
 * ```
 */
export async function saveWeights(
  model: FcosModel,
  path: string,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeSafetensors(path, await stateDict(model), {
    format: "pt",
    backbone: model.config.backbone,
    num_classes: String(model.config.numClasses),
    fcos_config: JSON.stringify(model.config),
    ...metadata,
  });
}

/**
 * The model architecture a state dict describes: this project's checkpoints carry their config
 * (`fcos_config` metadata); for plain torchvision state dicts it is read off the tensor names and
 * shapes (ResNet depth, widths, classes, head depth). Class names come from the `class_names`
 * metadata (a JSON array) when present.
 *
 * @example
 * ```ts ignore
 * import { inferConfig, readStateDict } from "jsr:@fcos/fcos";
 * const { config } = inferConfig(await readStateDict("fcos_r50.safetensors"), "fcos_r50.safetensors");
 * console.log(config.backbone, config.numClasses); // "resnet50" 91
 * ```
 */
export function inferConfig(
  st: Safetensors,
  file = "<safetensors>",
): { config: Partial<FcosConfig>; classNames?: string[] } {
  let classNames: string[] | undefined;
  if (st.metadata.class_names) {
    try {
      classNames = JSON.parse(st.metadata.class_names);
    } catch {
      throw new FcosError(`${file}: metadata class_names is not a JSON array`);
    }
  }
  if (st.metadata.fcos_config) {
    try {
      return { config: JSON.parse(st.metadata.fcos_config), classNames };
    } catch {
      throw new FcosError(`${file}: metadata fcos_config is not valid JSON`);
    }
  }
  const t = st.tensors;
  if (![...t.keys()].some((k) => k.startsWith("backbone.body."))) {
    const names = [...t.keys()].slice(0, 3).map((k) => `'${k}'`).join(", ");
    const resnet = t.has("conv1.weight") && t.has("layer1.0.conv1.weight");
    throw new FcosError(
      `${file}: not an FCOS state dict: no 'backbone.body.*' tensors (it has ${
        names || "no tensors"
      }${t.size > 3 ? ", …" : ""})${
        resnet ? "; it looks like a ResNet classifier, which loads as backbone weights" : ""
      }`,
    );
  }
  const shape = (name: string) => {
    const e = t.get(name);
    if (!e) {
      throw new FcosError(`${file}: not an FCOS state dict (no tensor '${name}')`);
    }
    return e.shape;
  };
  const blocks = (stage: number) => {
    let n = 0;
    while (t.has(`backbone.body.layer${stage}.${n}.conv1.weight`)) n++;
    return n;
  };
  const bottleneck = t.has("backbone.body.layer1.0.conv3.weight");
  const depth = [1, 2, 3, 4].map(blocks).join(",");
  let backbone: BackboneName;
  if (bottleneck && depth === "3,4,6,3") backbone = "resnet50";
  else if (!bottleneck && depth === "3,4,6,3") backbone = "resnet34";
  else if (!bottleneck && depth === "2,2,2,2") backbone = "resnet18";
  else {
    throw new FcosError(`${file}: unsupported ResNet layout (blocks per stage ${depth})`);
  }
  let headConvs = 0;
  while (
    t.has(`head.classification_head.conv.${3 * headConvs}.weight`) ||
    t.has(`head.classification_head.conv.${headConvs}.0.weight`)
  ) headConvs++;
  return {
    config: {
      backbone,
      numClasses: shape("head.classification_head.cls_logits.bias")[0],
      fpnChannels: shape("backbone.fpn.inner_blocks.0.0.bias")[0],
      backboneWidth: shape("backbone.body.conv1.weight")[0] / 64,
      headConvs,
    },
    classNames,
  };
}

// ---- Fine-tuning: a whole FCOS state dict as the start of a run on other classes ----

/**
 * Config keys a fine-tuning run takes from its weights file: what shapes the tensors (backbone,
 * width, FPN and head size) and what the weights were trained with (GroupNorm groups, input
 * normalisation, anchor sizes). The rest (image sizes, trainable stages, thresholds) is the run's.
 */
export const ARCHITECTURE_KEYS: readonly (keyof FcosConfig)[] = Object.freeze([
  "backbone",
  "backboneWidth",
  "fpnChannels",
  "headConvs",
  "groupNormGroups",
  "imageMean",
  "imageStd",
  "anchorSizes",
]);

/** The classifier tensors whose first dimension is the class count. */
const CLASS_TENSORS: readonly string[] = [
  "head.classification_head.cls_logits.weight",
  "head.classification_head.cls_logits.bias",
];

/**
 * The architecture of the FCOS in a state dict, for a model that starts from it (see
 * {@linkcode ARCHITECTURE_KEYS}), with the file's class count and names. `requested` holds the
 * caller's config: a requested architecture value that differs from the file's is an FcosError
 * naming the file and both values. A backbone-only (ImageNet ResNet) state dict is an FcosError
 * that says so.
 *
 * @example
 * ```ts ignore
 * import { fineTuneArchitecture, readStateDict } from "jsr:@fcos/fcos";
 * const st = await readStateDict("fcos_r50_coco.safetensors");
 * const { architecture, numClasses } = fineTuneArchitecture(st, "fcos_r50_coco.safetensors");
 * console.log(architecture.backbone, numClasses); // "resnet50" 91
 * ```
 */
export function fineTuneArchitecture(
  st: Safetensors,
  file = "<safetensors>",
  requested: Partial<FcosConfig> = {},
): { architecture: Partial<FcosConfig>; numClasses: number; classNames?: string[] } {
  const names = [...st.tensors.keys()].map((n) => n.replace(/^module\./, ""));
  if (!names.some((n) => n.startsWith("backbone.body.")) && names.includes("conv1.weight")) {
    throw new FcosError(
      `${file}: a ResNet (backbone) state dict, not a whole FCOS; start from it with ` +
        `--backbone-weights (backboneWeights) instead`,
    );
  }
  const inferred = inferConfig(st, file);
  const architecture: Partial<FcosConfig> = {};
  for (const key of ARCHITECTURE_KEYS) {
    const value = inferred.config[key];
    if (value === undefined) continue;
    const asked = requested[key];
    if (asked !== undefined && JSON.stringify(asked) !== JSON.stringify(value)) {
      throw new FcosError(
        `${file}: its model has ${key} ${JSON.stringify(value)}, the run asks for ${
          JSON.stringify(asked)
        }; the architecture of a fine-tuned model is the file's (leave ${key} unset)`,
      );
    }
    (architecture as Record<string, unknown>)[key] = value;
  }
  const numClasses = inferred.config.numClasses ??
    st.tensors.get(CLASS_TENSORS[1])?.shape[0] ?? 0;
  return { architecture, numClasses, classNames: inferred.classNames };
}

/** What {@linkcode loadFineTuneWeights} did. */
export interface FineTuneReport extends LoadReport {
  /**
   * Model tensors left at their fresh torchvision initialisation (normal std 0.01, prior bias for
   * 0.01) because the file's class count differs: the classifier's weight and bias, or nothing.
   */
  reinitialised: string[];
}

/**
 * Loads a whole FCOS state dict (torchvision's, or a model or checkpoint of this project) into a
 * model built for another class count: every tensor must be present with the model's shape,
 * except the classifier's weight and bias when only their class dimension differs — those keep
 * the model's fresh initialisation (torchvision's: normal std 0.01, bias −log((1 − 0.01) / 0.01))
 * and are listed in `reinitialised`. Any other missing, unexpected or mis-shaped tensor is an
 * FcosError naming the key and both shapes; the model is unchanged when that happens. `file`
 * names the source in errors when `source` is already read.
 *
 * @example
 * ```ts ignore
 * import { FcosModel, loadFineTuneWeights } from "jsr:@fcos/fcos";
 * const model = FcosModel.create({ backbone: "resnet50", numClasses: 3 });
 * const r = await loadFineTuneWeights(model, "fcos_r50_coco.safetensors"); // 91 classes
 * console.log(r.reinitialised); // the two cls_logits tensors
 * ```
 */
export async function loadFineTuneWeights(
  model: FcosModel,
  source: string | Safetensors,
  file?: string,
): Promise<FineTuneReport> {
  const opened = await open(source);
  const st = opened.st;
  const where = file ?? opened.file;
  const shapeText = (s: number[]) => `[${s.join(", ")}]`;
  const ignored: string[] = [];
  const reinitialised: string[] = [];
  const fileClasses: number[] = [];
  const load: [string, string, TensorEntry][] = [];
  const seen = new Set<string>();
  // Everything is checked before the first tensor is assigned.
  for (const [raw, entry] of st.tensors) {
    if (IGNORED.test(raw)) {
      ignored.push(raw);
      continue;
    }
    const name = canonicalName(raw);
    const spec = model.params.spec(name);
    if (!spec) {
      throw new FcosError(
        `${where}: unexpected tensor '${raw}' with shape ${shapeText(entry.shape)} (not part of ` +
          `an FCOS ${model.config.backbone} model with ${model.config.headConvs} head convs)`,
      );
    }
    seen.add(name);
    const expected = torchShape(spec);
    const same = expected.length === entry.shape.length &&
      expected.every((d, i) => d === entry.shape[i]);
    if (same) {
      load.push([name, raw, entry]);
      continue;
    }
    const onlyClasses = CLASS_TENSORS.includes(name) &&
      expected.length === entry.shape.length &&
      expected.every((d, i) => i === 0 || d === entry.shape[i]);
    if (!onlyClasses) {
      throw new FcosError(
        `${where}: tensor '${raw}' has shape ${shapeText(entry.shape)}, the model expects ${
          shapeText(expected)
        }`,
      );
    }
    reinitialised.push(name);
    fileClasses.push(entry.shape[0]);
  }
  const missing = model.params.specs.filter((s) => !seen.has(s.name));
  if (missing.length > 0) {
    throw new FcosError(
      `${where}: missing ${missing.length} tensor(s), first '${missing[0].name}' with shape ${
        shapeText(torchShape(missing[0]))
      }`,
    );
  }
  if (reinitialised.length === 1) {
    // A classifier whose weight and bias disagree on the class count is not a model.
    const other = CLASS_TENSORS.find((n) => n !== reinitialised[0])!;
    throw new FcosError(
      `${where}: '${reinitialised[0]}' has ${
        fileClasses[0]
      } classes but '${other}' has ${model.config.numClasses}`,
    );
  }
  for (const [name, raw, entry] of load) {
    model.params.assignFromTorch(name, toFloat32(entry, raw), entry.shape, where);
  }
  reinitialised.sort((a, b) => CLASS_TENSORS.indexOf(a) - CLASS_TENSORS.indexOf(b)); // weight, bias
  return { loaded: load.length, ignored, reinitialised };
}
