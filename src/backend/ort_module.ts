/**
 * Loading onnxruntime-node, a native addon (N-API), shared by the `onnx` inference backend
 * (`onnx_runtime.ts`) and the wasm backend's convolution kernels (`ort_kernels.ts`). It is imported
 * on first use only, so nothing else in the library needs `--allow-ffi`.
 *
 * @module
 */
import type * as Ort from "onnxruntime-node";
import { FcosError } from "../errors.ts";

/** The `onnxruntime-node` module. */
export type OrtModule = typeof Ort;
let ortModule: Promise<OrtModule> | undefined;

/**
 * Imports onnxruntime-node once. Without `--allow-ffi` this is one FcosError saying that `purpose`
 * (e.g. "the onnx backend") needs the flag.
 *
 * @example
 * ```ts ignore
 * import { loadOnnxRuntime } from "./ort_module.ts";
 * const ort = await loadOnnxRuntime(); // needs --allow-ffi
 * console.log(ort.env.versions.node); // "1.30.0"
 * ```
 */
export function loadOnnxRuntime(purpose = "the onnx backend"): Promise<OrtModule> {
  ortModule ??= import("onnxruntime-node").catch((e) => {
    ortModule = undefined;
    throw ortLoadError(e, purpose);
  });
  return ortModule;
}

/** The FcosError for a failed import of onnxruntime-node (or a file of it) by `purpose`. */
export function ortLoadError(e: unknown, purpose: string): FcosError {
  if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
    return new FcosError(
      `${purpose} needs onnxruntime-node, a native addon: run again with --allow-ffi (or -A)`,
      { cause: e },
    );
  }
  return new FcosError(`cannot load onnxruntime-node: ${firstLine(e)}`, { cause: e });
}

/** The first line of an error's message. */
export function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}
