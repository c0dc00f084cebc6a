/**
 * The single import point of TensorFlow.js: `tf` is `@tensorflow/tfjs-core`, with the cpu, wasm
 * and webgpu backends of the same release registered. Everything else imports `tf` from here so
 * that exactly one tfjs-core instance exists.
 *
 * Importing it installs tfjs's gradients and chained tensor methods (from
 * `src/vendor/tfjs_registrations.js`, see the comment at its import) and registers what tfjs 4.22 lacks for
 * training (see `src/backend/`): the wasm gradient kernels (`Conv2DBackpropFilter`,
 * `UnsortedSegmentSum`, faster/corrected `Conv2DBackpropInput`, `MaxPoolGrad`, `Slice`,
 * `StridedSlice`), the `StridedSlice` and comparison gradients, the GroupNorm kernels and WebGPU's
 * chunked AddN, so they are there even when a backend is picked with `tf.setBackend` rather than
 * `initBackend`. Registration only touches tfjs's registries.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's npm bundles register neither its gradients nor the chained tensor methods
// (`x.mul(y)`), and its per-file ES modules that do cannot be loaded by Deno (extensionless
// imports): both come from a bundle of those files made by scripts/vendor_tfjs_registrations.ts.
import "./vendor/tfjs_registrations.js";
import "@tensorflow/tfjs-backend-cpu";
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
