/**
 * The single import point of TensorFlow.js: `@tensorflow/tfjs-core` and the three backends of the
 * same release (cpu, wasm, webgpu), not the `@tensorflow/tfjs` umbrella, whose layers, converter,
 * data and webgl packages this library does not use. Everything else imports `tf` from here so
 * that exactly one tfjs-core instance exists.
 *
 * Importing it installs tfjs's chained tensor methods (`x.mul(y)`, which tfjs-core declares but
 * only the umbrella package installs: `backend/chained_ops.ts`) and registers what tfjs 4.22 lacks
 * for training (see `src/backend/`): the wasm
 * gradient kernels (`Conv2DBackpropFilter`, `UnsortedSegmentSum`, faster/corrected
 * `Conv2DBackpropInput`, `MaxPoolGrad`, `Slice`, `StridedSlice`), the `StridedSlice` and comparison
 * gradients, the GroupNorm kernels and WebGPU's chunked AddN, so they are there even when a backend is picked with
 * `tf.setBackend` rather than `initBackend`. Registration only touches tfjs's registries.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { registerChainedOps } from "./backend/chained_ops.ts";
import { registerWasmGradients } from "./backend/wasm_gradients.ts";
import { registerMissingGradients } from "./backend/gradients.ts";
import { registerGroupNormKernels } from "./backend/group_norm.ts";
import { registerWebGpuKernels } from "./backend/webgpu.ts";

registerChainedOps();
registerWasmGradients();
registerMissingGradients();
registerGroupNormKernels();
registerWebGpuKernels();

export { tf };
