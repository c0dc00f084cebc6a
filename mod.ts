/**
 * fcos: the FCOS anchor-free object detector for Deno, on tfjs (WebGPU, wasm, cpu), with
 * torchvision's semantics — train it, evaluate it (pycocotools-identical COCO metrics, VOC mAP),
 * run it, and load torchvision weights as PyTorch checkpoints (`.pth`) or safetensors.
 *
 * This root module is the detector (model, backends, `detect`, `train`, weights into a model, ONNX
 * export and `OnnxDetector`) and loads tfjs. Parts that need no model have their own entry points:
 * `@fcos/fcos/eval` (COCO and VOC metrics) and `@fcos/fcos/nms` (NMS and decoding on typed arrays),
 * which load no npm package at all; `@fcos/fcos/weights` (safetensors and `.pth` files),
 * `@fcos/fcos/data` (data sets and loaders); and `@fcos/fcos/train` (training and its pieces).
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
  type HostHeadOutputs,
  postprocessDetections,
} from "./src/model/fcos.ts";
export type { DecodeOptions } from "./src/decode/decode.ts";
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
export type { AnchorGrid, HeadOutputs, ImageTargets } from "./src/model/types.ts";
export type { Detections } from "./src/model/detections.ts";
export type {
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Tensor4D,
  Variable,
} from "./src/tensor.ts";
export { readImage, type RgbImage } from "./src/data/image.ts";

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
  OnnxDetector,
  type OnnxDetectorOptions,
  type OnnxHeads,
} from "./src/backend/onnx_runtime.ts";

// NMS on tensors (on typed arrays: ./nms.ts)
export {
  batchedNmsTensors,
  type GpuNmsInput,
  type GpuNmsOptions,
  WebGpuNms,
} from "./src/decode/nms_webgpu.ts";

// Training (the building blocks of a custom loop: ./train.ts)
export { train, type TrainOptions, type TrainResult } from "./src/train/trainer.ts";
export type { EvalRecord, StepRecord } from "./src/train/metrics.ts";

// Weights (reading and writing files without a model: ./weights.ts)
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
export { readStateDict } from "./src/io/pytorch.ts";
export type { Safetensors, TensorEntry } from "./src/io/safetensors.ts";

// Pictures
export {
  type DrawDetections,
  drawDetections,
  type DrawImage,
  type DrawOptions,
} from "./src/io/draw.ts";

// Errors
export { FcosError, UsageError } from "./src/errors.ts";
