/**
 * src/decode/candidates.ts and `FcosModel.detect` on the WebGPU backend (the software adapter,
 * llvmpipe, here: slow, so a tiny model and tiny images): the candidates selected on the device
 * decode to exactly what the full read-back decodes to (see tests/_candidates.ts). WebGPU's top-k
 * (a bitonic sort) orders equal scores arbitrarily, so the tie-heavy cases check that selections
 * cut inside a run of equal scores are refused. Without an adapter the tests are skipped with a
 * message, except under CI (CI=true), where that is a failure.
 */
import { initBackend } from "../src/backend/select.ts";
import {
  checkDetectEqualsFullReadback,
  checkSelectionOnMadeUpHeads,
  tinyModel,
} from "./_candidates.ts";

const adapter = await navigator.gpu?.requestAdapter().catch(() => null) ?? null;
const inCI = Deno.env.get("CI") === "true";
if (adapter === null && !inCI) console.warn("skipping WebGPU candidate tests: no WebGPU adapter");
const opts = { ignore: adapter === null && !inCI, sanitizeResources: false, sanitizeOps: false };

async function webgpu(): Promise<void> {
  if (adapter === null) throw new Error("CI needs a WebGPU adapter (navigator.gpu has none)");
  await initBackend({ backend: "webgpu", log: () => {} });
}

Deno.test({
  name: "candidates on webgpu: made-up heads (ties, thresholds, top-k, NaN) decode exactly",
  ...opts,
  async fn() {
    await webgpu();
    await checkSelectionOnMadeUpHeads();
  },
});

Deno.test({
  name: "candidates on webgpu: detect equals the full read-back on a tiny model",
  ...opts,
  async fn() {
    await webgpu();
    const model = tinyModel();
    try {
      await checkDetectEqualsFullReadback(model, [
        {},
        { scoreThresh: 0, topkCandidates: 3, dropEmpty: false },
      ]);
    } finally {
      model.dispose();
    }
  },
});
