/**
 * The single import point of TensorFlow.js and its backends (cpu via `@tensorflow/tfjs`, wasm,
 * webgpu). Everything else imports `tf` from here so that exactly one tfjs-core instance exists.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";

export { tf };
