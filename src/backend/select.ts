/**
 * Choosing and starting the tfjs backend: WebGPU on a hardware adapter, otherwise wasm (SIMD, with
 * worker threads), with cpu (pure JS) as the last resort. A software WebGPU adapter (llvmpipe,
 * lavapipe, SwiftShader) is ≈50× slower than wasm on these machines and is never picked unless asked
 * for.
 *
 * @module
 */
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { FcosError } from "../errors.ts";
import { tf } from "../tf.ts";
import { registerMissingGradients } from "./gradients.ts";
import { registerGroupNormKernels } from "./group_norm.ts";
import { registerWasmGradients } from "./wasm_gradients.ts";
import {
  type CpuKernels,
  disposeOrtKernels,
  enableOrtKernels,
  setCpuKernels,
} from "./ort_kernels.ts";
import { registerWebGpuKernels, watchWebGpuDevice } from "./webgpu.ts";
import {
  configureWasmThreads,
  stopWasmThreads,
  unrefWasmThreads,
  withPthreadWorkers,
} from "./wasm_threads.ts";

export type { CpuKernels };

/** The backends `initBackend` can start. */
export type BackendName = "webgpu" | "wasm" | "cpu";

/**
 * The backend names accepted by `initBackend` (and the CLI's `--backend`).
 *
 * @example
 * ```ts
 * import { BACKEND_NAMES } from "./select.ts";
 * console.log(BACKEND_NAMES.join("|")); // "webgpu|wasm|cpu"
 * ```
 */
export const BACKEND_NAMES: readonly BackendName[] = ["webgpu", "wasm", "cpu"];

/** What runs, as returned by {@linkcode initBackend}. */
export interface BackendInfo {
  /** The tfjs backend now active. */
  name: BackendName;
  /** The WebGPU adapter (its description, else vendor/architecture), when WebGPU runs. */
  adapter?: string;
  /** Whether that adapter renders in software (llvmpipe, lavapipe, SwiftShader, …). */
  isSoftwareAdapter?: boolean;
  /** XNNPACK threads, when wasm runs. */
  threads?: number;
  /** What runs wasm's convolutions (forward and gradients), when wasm runs. */
  cpuKernels?: CpuKernels;
}

/** Options of {@linkcode initBackend}. */
export interface InitBackendOptions {
  /** Force a backend; by default WebGPU on a hardware adapter, else wasm, else cpu. */
  backend?: BackendName;
  /** wasm threads (default: the CPU count, at most 8); 1 runs the single-threaded SIMD build. */
  threads?: number;
  /**
   * What runs the wasm backend's convolutions (forward and gradients): `"onnxruntime"`
   * (onnxruntime-node's native CPU kernels, ≈ 3× faster here; needs `--allow-ffi`) or
   * `"xnnpack"` (tfjs-wasm's own). Default: onnxruntime where it loads, else xnnpack (the log line
   * says why). Asking for onnxruntime where it cannot load is an FcosError.
   */
  cpuKernels?: CpuKernels;
  /** Receives the one line saying which backend runs (default: `console.error`). */
  log?: (line: string) => void;
}

/** The fields of `GPUAdapterInfo` used to recognise a software renderer. */
export interface AdapterInfoLike {
  /** `GPUAdapterInfo.vendor` (a name or a PCI vendor id). */
  vendor?: string;
  /** `GPUAdapterInfo.architecture`. */
  architecture?: string;
  /** `GPUAdapterInfo.device`. */
  device?: string;
  /** `GPUAdapterInfo.description`, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  description?: string;
  /** `GPUAdapterInfo.isFallbackAdapter` (or the older `GPUAdapter.isFallbackAdapter`). */
  isFallbackAdapter?: boolean;
}

const SOFTWARE_ADAPTER =
  /llvmpipe|lavapipe|softpipe|swiftshader|swrast|software|basic render driver|warp/i;

/**
 * Whether a WebGPU adapter renders in software (a CPU rasteriser such as Mesa's llvmpipe/lavapipe or
 * SwiftShader), judged from `adapter.info`.
 *
 * @example
 * ```ts
 * import { isSoftwareAdapter } from "./select.ts";
 * isSoftwareAdapter({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" }); // true
 * isSoftwareAdapter({ vendor: "nvidia", description: "NVIDIA H100" }); // false
 * ```
 */
export function isSoftwareAdapter(info: AdapterInfoLike): boolean {
  if (info.isFallbackAdapter === true) return true;
  const text = [info.description, info.vendor, info.architecture, info.device].filter(Boolean)
    .join(" ");
  return SOFTWARE_ADAPTER.test(text);
}

/** A short name of an adapter for the log line. */
function describeAdapter(info: AdapterInfoLike): string {
  const text = info.description || [info.vendor, info.architecture].filter(Boolean).join(" ");
  return text || "unknown adapter";
}

/**
 * Mesa prints "XDG_RUNTIME_DIR is invalid or not set" for every adapter it opens when that variable
 * is missing (as in containers); give it a private directory instead.
 */
function quietMesa(): void {
  try {
    if (Deno.env.get("XDG_RUNTIME_DIR") !== undefined) return;
    const dir = Deno.makeTempDirSync({ prefix: "fcos-xdg-" });
    Deno.chmodSync(dir, 0o700);
    Deno.env.set("XDG_RUNTIME_DIR", dir);
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch {
        // already gone
      }
    });
  } catch {
    // no permission to read/set the environment: Mesa's warning is harmless
  }
}

interface AdapterProbe {
  description: string;
  software: boolean;
}

/** The default WebGPU adapter, or null when there is none (no `navigator.gpu`, no adapter). */
async function probeWebGpu(): Promise<AdapterProbe | null> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (gpu === undefined) return null;
  quietMesa();
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (adapter === null) return null;
    const info = adapter.info as AdapterInfoLike;
    const fallback = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
    return {
      description: describeAdapter(info),
      software: isSoftwareAdapter({
        ...info,
        isFallbackAdapter: info.isFallbackAdapter ?? fallback,
      }),
    };
  } catch {
    return null;
  }
}

/**
 * Picks the backend `initBackend` starts by default: WebGPU when the adapter is real hardware,
 * otherwise wasm. Exported for tests.
 *
 * @example
 * ```ts
 * import { chooseDefaultBackend } from "./select.ts";
 * chooseDefaultBackend({ description: "llvmpipe (LLVM 15.0.6, 256 bits)", software: true }); // "wasm"
 * chooseDefaultBackend(null); // "wasm"
 * ```
 */
export function chooseDefaultBackend(
  adapter: { description: string; software: boolean } | null,
): BackendName {
  return adapter !== null && !adapter.software ? "webgpu" : "wasm";
}

/**
 * Checks a backend name from user input (e.g. `--backend`); throws FcosError when unknown.
 *
 * @example
 * ```ts
 * import { parseBackendName } from "./select.ts";
 * parseBackendName("wasm"); // "wasm"
 * // parseBackendName("webgl") throws FcosError: unknown backend 'webgl': expected one of webgpu, wasm, cpu
 * ```
 */
export function parseBackendName(name: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new FcosError(`unknown backend '${name}': expected one of ${BACKEND_NAMES.join(", ")}`);
}

/** Threads to use on wasm: the option, else the CPU count; at most 8 (Emscripten's pool). */
function wasmThreads(requested: number | undefined): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) {
      throw new FcosError(`threads must be a positive integer, got ${requested}`);
    }
    return Math.min(requested, 8);
  }
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(cores, 8));
}

/** How long a backend may take to start before we give up (a wasm worker that never loads). */
const START_TIMEOUT_MS = 120_000;

async function setBackendChecked(name: BackendName, start: () => Promise<boolean>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not start within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
  });
  let ok: boolean;
  try {
    ok = await Promise.race([start(), timeout]);
  } catch (e) {
    throw new FcosError(`backend '${name}' failed to start: ${(e as Error)?.message ?? e}`, {
      cause: e,
    });
  } finally {
    clearTimeout(timer);
  }
  // tf.setBackend returns false (and tfjs quietly keeps or picks another backend) on failure.
  if (!ok || tf.getBackend() !== name) {
    throw new FcosError(
      `backend '${name}' failed to start (tfjs is on '${tf.getBackend() ?? "none"}')`,
    );
  }
}

let current: BackendInfo | null = null;

/** A requested kernel set that cannot start (never a reason to fall back to another backend). */
class CpuKernelsError extends FcosError {}

/**
 * Starts the kernel set for wasm's convolutions: onnxruntime unless `requested` is xnnpack; by
 * default XNNPACK where onnxruntime cannot load (`note` says why), on request an FcosError.
 */
async function startCpuKernels(
  requested: CpuKernels | undefined,
  threads: number,
): Promise<{ name: CpuKernels; note: string }> {
  if (requested !== undefined && requested !== "onnxruntime" && requested !== "xnnpack") {
    throw new CpuKernelsError(
      `unknown cpuKernels '${requested}': expected onnxruntime or xnnpack`,
    );
  }
  if (requested === "xnnpack") {
    setCpuKernels("xnnpack");
    return { name: "xnnpack", note: "" };
  }
  try {
    await enableOrtKernels(threads);
    return { name: "onnxruntime", note: "" };
  } catch (e) {
    const why = (e as Error).message;
    if (requested === "onnxruntime") throw new CpuKernelsError(why, { cause: e });
    const noFfi = (e as Error).cause instanceof Deno.errors.NotCapable;
    return {
      name: "xnnpack",
      note: noFfi
        ? "; onnxruntime's kernels need --allow-ffi"
        : `; onnxruntime kernels off: ${why}`,
    };
  }
}

/**
 * Starts a tfjs backend and logs one line saying which one runs (and on which adapter). By default:
 * WebGPU when `navigator.gpu` offers a hardware adapter; otherwise wasm with SIMD and
 * `threads` worker threads (default: the CPU count); cpu if wasm cannot start. A forced backend that
 * cannot start throws `FcosError` (tfjs itself would silently fall back). Also registers the
 * gradients tfjs lacks (see `registerMissingGradients`, and `registerWasmGradients` on wasm).
 * Call it before creating any tensor. A second call returns the running backend unless it forces
 * another one, which is then started (tfjs moves tensors between backends on use).
 *
 * wasm's worker threads are released from the event loop once started, so a program ends by
 * itself; {@linkcode shutdownBackend} also stops them and removes their temporary files.
 *
 * @example
 * ```ts
 * import { initBackend, shutdownBackend } from "./select.ts";
 * const info = await initBackend({ backend: "wasm", threads: 2 });
 * console.log(info.name, info.threads); // wasm 2
 * shutdownBackend();
 * ```
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const log = options.log ?? ((line: string) => console.error(line));
  const forced = options.backend === undefined ? undefined : parseBackendName(options.backend);
  if (current !== null && (forced === undefined || forced === current.name)) {
    if (current.name === "wasm" && options.cpuKernels !== undefined) {
      const kernels = await startCpuKernels(options.cpuKernels, wasmThreads(options.threads));
      current = { ...current, cpuKernels: kernels.name };
    }
    return current;
  }
  registerMissingGradients();
  registerGroupNormKernels();
  const probe = forced === undefined || forced === "webgpu" ? await probeWebGpu() : null;
  let name = forced ?? chooseDefaultBackend(probe);
  let note = "";
  if (forced === undefined && probe?.software) {
    note = `; WebGPU adapter '${probe.description}' renders in software, not used`;
  }
  if (name === "webgpu") {
    if (probe === null && forced !== undefined) {
      throw new FcosError("backend 'webgpu' failed to start: no WebGPU adapter (navigator.gpu)");
    }
    try {
      registerWebGpuKernels();
      await setBackendChecked("webgpu", () => tf.setBackend("webgpu"));
      watchWebGpuDevice();
      current = { name, adapter: probe!.description, isSoftwareAdapter: probe!.software };
      const kind = probe!.software ? "software" : "hardware";
      log(`backend: webgpu on '${probe!.description}' (${kind} adapter)`);
      return current;
    } catch (e) {
      if (forced !== undefined) throw e;
      note = `; webgpu on '${probe!.description}' failed: ${(e as Error).message}`;
      name = "wasm";
    }
  }
  if (name === "wasm") {
    const wanted = wasmThreads(options.threads);
    let threads = wanted;
    registerWasmGradients();
    try {
      configureWasmThreads(threads);
    } catch (e) {
      // The worker files go to the temp folder: without --allow-write/--allow-read, run on one thread.
      note += `; wasm threads off (${(e as Error).message})`;
      threads = 1;
      configureWasmThreads(1);
    }
    try {
      await setBackendChecked(
        "wasm",
        () => threads > 1 ? withPthreadWorkers(() => tf.setBackend("wasm")) : tf.setBackend("wasm"),
      );
      unrefWasmThreads();
      const actual = getThreadsCount();
      // onnxruntime's threads need no worker files: the wanted count even where wasm has one.
      const kernels = await startCpuKernels(options.cpuKernels, wanted);
      current = { name, threads: actual, cpuKernels: kernels.name };
      const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT") ? "SIMD" : "no SIMD";
      log(
        `backend: wasm (${simd}, ${actual} thread${actual === 1 ? "" : "s"}, ` +
          `${kernels.name} conv kernels${
            kernels.name === "onnxruntime" && wanted !== actual ? ` on ${wanted} threads` : ""
          })${note}${kernels.note}`,
      );
      return current;
    } catch (e) {
      if (forced !== undefined || e instanceof CpuKernelsError) throw e;
      note += `; wasm failed: ${(e as Error).message}`;
      name = "cpu";
    }
  }
  await setBackendChecked("cpu", () => tf.setBackend("cpu"));
  // tfjs-backend-cpu greets Node users once with a banner on stderr; we know.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  current = { name: "cpu" };
  log(`backend: cpu (pure JavaScript, slow)${note}`);
  return current;
}

/**
 * The backend started by {@linkcode initBackend}, or null before it ran.
 *
 * @example
 * ```ts
 * import { currentBackend } from "./select.ts";
 * console.log(currentBackend()?.name ?? "not started");
 * ```
 */
export function currentBackend(): BackendInfo | null {
  return current;
}

/**
 * Ends the wasm worker threads (if any) and removes their temporary files (in the system temp
 * folder); the wasm backend is unusable afterwards. Optional: the process also ends without it (the
 * idle workers do not hold it), but then the few-kB files stay behind. Idempotent.
 *
 * @example
 * ```ts
 * import { initBackend, shutdownBackend } from "./select.ts";
 * await initBackend();
 * // ... work ...
 * shutdownBackend();
 * ```
 */
export function shutdownBackend(): void {
  disposeOrtKernels();
  stopWasmThreads();
}
