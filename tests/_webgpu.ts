/**
 * Whether the WebGPU tests can run: a WebGPU adapter exists (Mesa's llvmpipe on CPU-only machines).
 * Without one a test file skips its WebGPU tests with a message — except under CI, where every
 * machine is expected to have at least the software adapter, so a missing one fails the run.
 */
import { FcosError } from "../src/errors.ts";

let probed: Promise<boolean> | undefined;

/** True when `navigator.gpu` offers an adapter; under CI=true its absence throws. */
export function hasWebGpuAdapter(): Promise<boolean> {
  probed ??= (async () => {
    const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
    const adapter = await gpu?.requestAdapter().catch(() => null);
    if (adapter) return true;
    if (Deno.env.get("CI") === "true") {
      throw new FcosError(
        "no WebGPU adapter (navigator.gpu): the WebGPU tests cannot run; install Mesa's " +
          "llvmpipe (libgl1-mesa-dri) or lavapipe (mesa-vulkan-drivers)",
      );
    }
    console.warn("skipping WebGPU tests: no WebGPU adapter");
    return false;
  })();
  return probed;
}
