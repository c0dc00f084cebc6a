/**
 * The single import point of TensorFlow.js and its backends (cpu via `@tensorflow/tfjs`, wasm,
 * webgpu). Everything else imports `tf` from here so that exactly one tfjs-core instance exists.
 *
 * Importing it also registers what tfjs 4.22 lacks for training (see `src/backend/`): the wasm
 * gradient kernels (`Conv2DBackpropFilter`, `UnsortedSegmentSum`, faster/corrected
 * `Conv2DBackpropInput`, `MaxPoolGrad`, `Slice`, `StridedSlice`), the `StridedSlice` and comparison
 * gradients, the GroupNorm kernels and WebGPU's chunked AddN, so they are there even when a backend is picked with
 * `tf.setBackend` rather than `initBackend`. Registration only touches tfjs's registries.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { registerWasmGradients } from "./backend/wasm_gradients.ts";
import { registerMissingGradients } from "./backend/gradients.ts";
import { registerGroupNormKernels } from "./backend/group_norm.ts";
import { registerWebGpuKernels } from "./backend/webgpu.ts";

registerWasmGradients();
registerMissingGradients();
registerGroupNormKernels();
registerWebGpuKernels();

export { tf };
