/**
 * What tfjs-backend-webgpu 4.22 needs to train FCOS correctly, and to fail loudly:
 *
 * - **AddN with many inputs.** Its AddN shader binds one storage buffer per input, and WebGPU's
 *   default limit is 8 storage buffers per shader stage (tfjs requests no more). With more inputs
 *   (the global gradient norm sums ~50 tensors) the pipeline is invalid, and WebGPU drops the whole
 *   command buffer it was recorded in without an exception: every kernel queued since the last
 *   read silently does nothing, and reads return stale memory (the loss components read as 0). The
 *   kernel registered here sums in chunks that fit the limit, as tfjs's own Concat does.
 * - **Silent device errors.** Validation and out-of-memory errors of a WebGPU device surface only
 *   as `uncapturederror` events, and a lost device only through `device.lost`. {@linkcode watchWebGpuDevice}
 *   records the first of them, so that {@linkcode checkWebGpuDevice} can turn it into an `FcosError`
 *   at the next step boundary instead of training on garbage.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { FcosError } from "../errors.ts";

/** The part of tfjs-backend-webgpu's backend object used here. */
interface WebGpuBackendLike {
  device: GPUDevice;
  disposeData(dataId: unknown, force?: boolean): boolean;
}

let registered = false;

/**
 * Registers the chunked AddN for the `webgpu` backend (idempotent; a no-op until that backend is
 * used). Inputs are summed in groups of at most `maxStorageBuffersPerShaderStage − 1` (one buffer is
 * the output); partial sums are summed the same way, so the result equals one AddN's up to float
 * rounding order (the same order wasm and cpu use: left to right within a group).
 *
 * @example
 * ```ts
 * import { registerWebGpuKernels } from "./webgpu.ts";
 * registerWebGpuKernels(); // then tf.addN of 50 tensors works on WebGPU
 * ```
 */
export function registerWebGpuKernels(): void {
  if (registered) return;
  const original = tf.getKernel("AddN", "webgpu");
  if (original === undefined) return; // tfjs-backend-webgpu not loaded
  registered = true;
  tf.unregisterKernel("AddN", "webgpu");
  tf.registerKernel({
    kernelName: "AddN",
    backendName: "webgpu",
    kernelFunc: (args) => {
      const backend = args.backend as unknown as WebGpuBackendLike;
      const maxInputs = Math.max(2, backend.device.limits.maxStorageBuffersPerShaderStage - 1);
      let inputs = args.inputs as unknown as tf.TensorInfo[];
      const temporaries: tf.TensorInfo[] = [];
      while (inputs.length > maxInputs) {
        const sums: tf.TensorInfo[] = [];
        for (let i = 0; i < inputs.length; i += maxInputs) {
          const group = inputs.slice(i, i + maxInputs);
          if (group.length === 1) {
            sums.push(group[0]);
            continue;
          }
          const sum = original.kernelFunc({
            ...args,
            inputs: group as unknown as tf.NamedTensorInfoMap,
          });
          sums.push(sum as tf.TensorInfo);
          temporaries.push(sum as tf.TensorInfo);
        }
        inputs = sums;
      }
      const out = original.kernelFunc({
        ...args,
        inputs: inputs as unknown as tf.NamedTensorInfoMap,
      });
      for (const t of temporaries) backend.disposeData(t.dataId);
      return out;
    },
  });
}

/** The first device error seen, as a message, or null. */
let deviceError: string | null = null;
let watched: GPUDevice | null = null;

/**
 * Starts recording the errors of tfjs's WebGPU device (the backend must be `webgpu`):
 * uncaptured validation and out-of-memory errors, and the loss of the device. Idempotent.
 *
 * @example
 * ```ts ignore
 * await initBackend({ backend: "webgpu" }); // calls it
 * ```
 */
export function watchWebGpuDevice(): void {
  const backend = tf.backend() as unknown as Partial<WebGpuBackendLike>;
  const device = backend.device;
  if (device === undefined || device === watched) return;
  watched = device;
  device.addEventListener("uncapturederror", (event) => {
    const error = (event as GPUUncapturedErrorEvent).error;
    const kind = error instanceof GPUOutOfMemoryError
      ? "out of GPU memory"
      : error instanceof GPUValidationError
      ? "a WebGPU validation error"
      : "a WebGPU error";
    deviceError ??= `${kind}: ${error.message.split("\n")[0]}`;
  });
  device.lost.then((info) => {
    deviceError ??= `the WebGPU device was lost (${info.reason ?? "unknown"}: ${info.message})`;
  });
}

/**
 * The first error the WebGPU device reported since {@linkcode watchWebGpuDevice}, as one line, or
 * null (always null on other backends).
 *
 * @example
 * ```ts
 * import { webGpuDeviceProblem } from "./webgpu.ts";
 * console.log(webGpuDeviceProblem()); // null
 * ```
 */
export function webGpuDeviceProblem(): string | null {
  return deviceError;
}

/** An error the WebGPU device reported (validation, out of memory, device lost). */
export class WebGpuDeviceError extends FcosError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "WebGpuDeviceError";
  }
}

/**
 * Throws a {@linkcode WebGpuDeviceError} naming the first error the WebGPU device reported since
 * {@linkcode watchWebGpuDevice} (nothing on other backends), with `hint` appended. Call it after
 * reading a step's results: WebGPU reports errors asynchronously, and a command buffer with an error
 * was not executed.
 *
 * @example
 * ```ts ignore
 * checkWebGpuDevice("try a smaller --batch-size or --size");
 * ```
 */
export function checkWebGpuDevice(hint = ""): void {
  if (deviceError === null) return;
  throw new WebGpuDeviceError(`${deviceError}${hint ? `; ${hint}` : ""}`);
}
