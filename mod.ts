/**
 * fcos: the FCOS anchor-free object detector for Deno, on tfjs (WebGPU, wasm, cpu), with
 * torchvision's semantics — train it, evaluate it (pycocotools-identical COCO metrics, VOC mAP),
 * run it, and load torchvision weights as PyTorch checkpoints (`.pth`) or safetensors.
 *
 * @example
 * ```ts ignore
 * import { FcosModel, initBackend, loadWeights, readImage } from "jsr:@fcos/fcos";
 * await initBackend(); // WebGPU on a hardware GPU, else wasm
 * const model = FcosModel.create({ backbone: "resnet50", numClasses: 91 });
 * await loadWeights(model, "fcos_resnet50_fpn.safetensors"); // a torchvision state dict
 * const [detections] = await model.detect([await readImage("photo.jpg")]);
 * console.log(detections.boxes, detections.scores, detections.labels);
 * ```
 *
 * @module
 */

// Backends
export {
  type BackendInfo,
  type BackendName,
  type CpuKernels,
  initBackend,
  type InitBackendOptions,
  shutdownBackend,
} from "./src/backend/select.ts";

// Model
export {
  type DetectOptions,
  FcosModel,
  type ForwardOutputs,
  postprocessDetections,
} from "./src/model/fcos.ts";
export {
  type BackboneName,
  COMPACT_CONFIG,
  DEFAULT_CONFIG,
  type FcosConfig,
  makeConfig,
} from "./src/model/config.ts";
export {
  type PreprocessedBatch,
  preprocessImages,
  resizedSize,
  scaleBoxes,
} from "./src/model/transform.ts";
export { type InitKind, type ParamSpec, ParamStore } from "./src/model/params.ts";
export type { AnchorGrid, Detections, HeadOutputs, ImageTargets } from "./src/model/types.ts";
export type {
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Tensor4D,
  Variable,
} from "./src/tensor.ts";

// ONNX export and the onnxruntime backend
export {
  buildOnnxModel,
  exportOnnx,
  ONNX_INPUT,
  ONNX_OPSET,
  ONNX_OUTPUTS,
  type OnnxExportOptions,
  type StateDict,
} from "./src/export/onnx.ts";
export {
  levelShapesFor,
  OnnxDetector,
  type OnnxDetectorOptions,
  type OnnxHeads,
} from "./src/backend/onnx_runtime.ts";

// Decoding and NMS
export {
  decodeDetections,
  type DecodeInput,
  type DecodeOptions,
  DEFAULT_DECODE_OPTIONS,
} from "./src/decode/decode.ts";
export { batchedNms, nms, type NmsOptions } from "./src/decode/nms.ts";
export {
  batchedNmsTensors,
  type GpuNmsInput,
  type GpuNmsOptions,
  WebGpuNms,
} from "./src/decode/nms_webgpu.ts";

// Losses
export { makeAnchorGrid } from "./src/loss/anchors.ts";
export { assignTargets } from "./src/loss/targets.ts";
export { fcosLoss, type FcosLosses, type FcosLossOptions } from "./src/loss/fcos_loss.ts";

// Evaluation
export {
  type CocoCategoryStats,
  type CocoDetections,
  type CocoEvaluation,
  type CocoGroundTruth,
  type CocoId,
  type CocoStats,
  evaluateCoco,
  formatCocoSummary,
  readCocoGroundTruth,
  readCocoResults,
} from "./src/eval/coco.ts";
export { type DetectionMetrics, evaluateDetections } from "./src/eval/detections.ts";
export type { EvalImage } from "./src/eval/inputs.ts";
export {
  evaluateVoc,
  formatVocSummary,
  vocAveragePrecision,
  type VocResult,
} from "./src/eval/voc.ts";

// Data
export {
  type Batch,
  BatchLoader,
  COCO_CLASSES,
  type DatasetOptions,
  type DetectionDataset,
  type LoaderOptions,
  openDataset,
  readImage,
  type RgbImage,
  Rng,
  type Sample,
  type SkippedEntry,
  SYNTHETIC_CLASSES,
  SyntheticDataset,
  TORCHVISION_COCO_CATEGORIES,
  VOC_CLASSES,
} from "./src/data/mod.ts";

// Training
export {
  COMPACT_TRAINING,
  NonFiniteLossError,
  predictDataset,
  train,
  type TrainOptions,
  type TrainResult,
} from "./src/train/trainer.ts";
export {
  clipByGlobalNorm,
  type MomentumBuffer,
  type NamedVariable,
  Sgd,
  type SgdOptions,
  type SgdState,
} from "./src/train/optimizer.ts";
export type { EvalRecord, StepRecord } from "./src/train/metrics.ts";
export { lrAt, type LrSchedule, makeSchedule } from "./src/train/schedule.ts";

// Weights, files and pictures
export {
  fineTuneArchitecture,
  type FineTuneReport,
  inferConfig,
  loadBackboneWeights,
  loadFineTuneWeights,
  type LoadReport,
  loadWeights,
  saveWeights,
  stateDict,
} from "./src/io/weights.ts";
export { parseStateDict, parseTorchCheckpoint, readStateDict } from "./src/io/pytorch.ts";
export {
  parseSafetensors,
  readSafetensors,
  type Safetensors,
  type SafetensorsDtype,
  serializeSafetensors,
  type TensorData,
  type TensorEntry,
  toFloat32,
  writeSafetensors,
} from "./src/io/safetensors.ts";
export {
  type DrawDetections,
  drawDetections,
  type DrawImage,
  type DrawOptions,
} from "./src/io/draw.ts";
export { plotLines, type PlotOptions, type PlotSeries } from "./src/train/plot.ts";

// Errors
export { FcosError, UsageError } from "./src/errors.ts";
