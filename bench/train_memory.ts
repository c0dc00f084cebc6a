/**
 * Peak memory of one FCOS-R18 training step on the backend at hand:
 * `deno run -A bench/train_memory.ts BATCH SIZE [MICRO_BATCH [BACKBONE]]` (MICRO_BATCH 0: planned). Prints the peak bytes held in
 * tensors during the step (`tf.profile`'s peakBytes), the wasm heap size afterwards (the heap only
 * grows, so this is its high-water mark; wasm32 caps it at 4 GiB) and the process's peak resident
 * memory (VmHWM).
 */
import { tf } from "../src/tf.ts";
import { initBackend } from "../src/backend/select.ts";
import { cpuKernelsFromEnv } from "./_run.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { generateSynthetic } from "../src/data/synthetic.ts";
import { Sgd } from "../src/train/optimizer.ts";
import { prepareBatch, trainableParams, trainStep } from "../src/train/trainer.ts";

const batch = Number(Deno.args[0] ?? 4);
const size = Number(Deno.args[1] ?? 512);
const microBatch = Deno.args[2] === undefined || Deno.args[2] === "0"
  ? undefined
  : Number(Deno.args[2]);
const backbone = (Deno.args[3] ?? "resnet18") as "resnet18" | "resnet34" | "resnet50";
const info = await initBackend({ cpuKernels: cpuKernelsFromEnv(), log: () => {} });
const model = FcosModel.create({
  backbone,
  numClasses: 5,
  minSize: size,
  maxSize: size,
});
const sgd = new Sgd(trainableParams(model));
const samples = Array.from({ length: batch }, (_, i) => generateSynthetic(i, { size }));
const heap = () => {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  return b.wasm?.HEAPU8.buffer.byteLength ?? 0;
};
const hwm = () => {
  const m = Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+) kB/);
  return m ? Number(m[1]) * 1024 : 0;
};
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const before = { heap: heap(), tensors: tf.memory().numBytes };
const t0 = performance.now();
let ok = true;
let message = "";
const profile = await tf.profile(async () => {
  const prepared = prepareBatch(model, samples, size, size);
  try {
    await trainStep(model, sgd, prepared, 0.001, { microBatch });
  } catch (e) {
    ok = false;
    message = (e as Error).message.split("\n")[0];
  } finally {
    prepared.images.dispose();
  }
});
console.log(
  `FCOS-${backbone.replace("resnet", "R")} train step ${batch}×${size}×${size}${
    microBatch ? ` (micro-batch ${microBatch})` : ""
  } on ${info.name}: ${ok ? "ok" : `FAILED (${message})`} in ${
    ((performance.now() - t0) / 1000).toFixed(1)
  } s; peak tensor bytes ${mib(profile.peakBytes)} (model + optimizer before: ${
    mib(before.tensors)
  }); wasm heap ${mib(before.heap)} → ${mib(heap())}; peak RSS ${mib(hwm())}; load ${
    Deno.loadavg()[0].toFixed(2)
  }; ${new Date().toISOString()}`,
);
Deno.exit(0);
