/**
 * FCOS model configuration: torchvision's defaults, and the compact variant the built-in demo
 * trains on a 2-core CPU in minutes.
 *
 * @module
 */
import { FcosError } from "../errors.ts";

/** Backbone bodies this project builds (torchvision's ResNet v1.5). */
export type BackboneName = "resnet18" | "resnet34" | "resnet50";

/** Everything that defines an FCOS model and its pre/post-processing. */
export interface FcosConfig {
  /** ResNet body. */
  backbone: BackboneName;
  /** Number of class logits (torchvision's `num_classes`, background not counted by FCOS). */
  numClasses: number;
  /** FPN and head width (torchvision: 256). */
  fpnChannels: number;
  /**
   * Width multiplier of the ResNet body's channels (1 = torchvision). Values below 1 make the
   * compact demo model; such a body cannot load torchvision weights.
   */
  backboneWidth: number;
  /** conv3×3 + GroupNorm + ReLU blocks per head branch (torchvision: 4). */
  headConvs: number;
  /** GroupNorm groups in the head (torchvision: 32). */
  groupNormGroups: number;
  /** Resize so the short side is `minSize` … */
  minSize: number;
  /** … unless the long side would exceed `maxSize`. */
  maxSize: number;
  /** ImageNet mean (RGB, 0–1 scale). */
  imageMean: [number, number, number];
  /** ImageNet std (RGB, 0–1 scale). */
  imageStd: [number, number, number];
  /** Anchor side per level P3…P7 (torchvision: 8, 16, 32, 64, 128). */
  anchorSizes: number[];
  /** Centre-sampling radius in anchor sizes (1.5). */
  centerSamplingRadius: number;
  /** Score threshold for detections (0.05). */
  scoreThresh: number;
  /** Candidates kept per level before NMS (1000). */
  topkCandidates: number;
  /** Batched NMS IoU threshold (0.6). */
  nmsThresh: number;
  /** Detections kept per image (100). */
  detectionsPerImg: number;
  /** Trainable ResNet stages counted from the top, torchvision's `trainable_backbone_layers` (0–5). */
  trainableBackboneLayers: number;
}

/** torchvision's FCOS defaults, with the seed's 0.05 score threshold. */
export const DEFAULT_CONFIG: Readonly<FcosConfig> = Object.freeze({
  backbone: "resnet50",
  numClasses: 91,
  fpnChannels: 256,
  backboneWidth: 1,
  headConvs: 4,
  groupNormGroups: 32,
  minSize: 800,
  maxSize: 1333,
  imageMean: [0.485, 0.456, 0.406] as [number, number, number],
  imageStd: [0.229, 0.224, 0.225] as [number, number, number],
  anchorSizes: [8, 16, 32, 64, 128],
  centerSamplingRadius: 1.5,
  scoreThresh: 0.05,
  topkCandidates: 1000,
  nmsThresh: 0.6,
  detectionsPerImg: 100,
  trainableBackboneLayers: 3,
});

/**
 * The compact configuration of the built-in demo: ResNet-18 layout at a quarter of the width,
 * 64-channel FPN and heads with two convs, small images. Trains on 2 CPU cores in minutes.
 */
export const COMPACT_CONFIG: Readonly<Partial<FcosConfig>> = Object.freeze({
  backbone: "resnet18",
  backboneWidth: 0.25,
  fpnChannels: 64,
  headConvs: 2,
  groupNormGroups: 16,
  minSize: 128,
  maxSize: 160,
  trainableBackboneLayers: 4,
});

/**
 * Fills in torchvision's defaults and checks the result.
 *
 * @example
 * ```ts
 * import { makeConfig } from "./config.ts";
 * const config = makeConfig({ backbone: "resnet18", numClasses: 20 });
 * console.log(config.fpnChannels); // 256
 * ```
 */
export function makeConfig(partial: Partial<FcosConfig> = {}): FcosConfig {
  const config: FcosConfig = { ...DEFAULT_CONFIG, ...stripUndefined(partial) };
  if (!["resnet18", "resnet34", "resnet50"].includes(config.backbone)) {
    throw new FcosError(
      `unknown backbone '${config.backbone}' (use resnet18, resnet34 or resnet50)`,
    );
  }
  const positiveInt = (name: keyof FcosConfig) => {
    const v = config[name] as number;
    if (!Number.isInteger(v) || v <= 0) {
      throw new FcosError(`config.${name} must be a positive integer, got ${v}`);
    }
  };
  positiveInt("numClasses");
  positiveInt("fpnChannels");
  positiveInt("headConvs");
  positiveInt("groupNormGroups");
  positiveInt("minSize");
  positiveInt("maxSize");
  if (config.fpnChannels % config.groupNormGroups !== 0) {
    throw new FcosError(
      `config.fpnChannels (${config.fpnChannels}) must be divisible by groupNormGroups (${config.groupNormGroups})`,
    );
  }
  if (config.anchorSizes.length !== 5) {
    throw new FcosError(`config.anchorSizes must have 5 entries (P3–P7)`);
  }
  if (
    !Number.isInteger(config.trainableBackboneLayers) || config.trainableBackboneLayers < 0 ||
    config.trainableBackboneLayers > 5
  ) {
    throw new FcosError(`config.trainableBackboneLayers must be 0–5`);
  }
  if (!(config.backboneWidth > 0 && config.backboneWidth <= 1)) {
    throw new FcosError(`config.backboneWidth must be in (0, 1]`);
  }
  return config;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
