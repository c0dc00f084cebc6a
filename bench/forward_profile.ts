/**
 * Which tfjs kernels dominate the FCOS-R18 forward pass on the backend at hand (tf.profile):
 * `deno run -A bench/forward_profile.ts [H W]`. Prints total kernel time per kernel name.
 */
import { tf } from "../src/tf.ts";
import { initBackend } from "../src/backend/select.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { wasmKernelPhases } from "../src/backend/wasm_gradients.ts";
import { cpuKernelsFromEnv } from "./_run.ts";

const [h, w] = [Number(Deno.args[0] ?? 512), Number(Deno.args[1] ?? 512)];
const info = await initBackend({ cpuKernels: cpuKernelsFromEnv(), log: () => {} });
const model = FcosModel.create({ backbone: "resnet18", numClasses: 91 });
const x = tf.randomNormal([1, h, w, 3]) as tf.Tensor4D;
const run = async () => {
  const { features, head } = model.forward(x);
  await head.clsLogits.data();
  tf.dispose([...features, head.clsLogits, head.bboxRegression, head.bboxCtrness]);
};
await run(); // warm-up (folded filters cached)
wasmKernelPhases(true);
const profile = await tf.profile(run);
const phases = wasmKernelPhases(false);
const byKernel = new Map<string, { ms: number; calls: number }>();
let total = 0;
for (const k of profile.kernels) {
  if (k.name.endsWith("__op")) continue; // op wrappers: their kernels are counted
  const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += ms;
  e.calls++;
  byKernel.set(k.name, e);
  total += ms;
}
console.log(
  `FCOS-R18 forward 1×${h}×${w} on ${info.name} (${info.cpuKernels ?? "-"} conv kernels): ` +
    `kernel time ${total.toFixed(0)} ms; load ${Deno.loadavg()[0].toFixed(2)}`,
);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8)) {
  console.log(
    `${name.padEnd(24)} ${e.ms.toFixed(0).padStart(6)} ms  ${
      (100 * e.ms / total).toFixed(1)
    }%  ${e.calls} calls`,
  );
}
for (const [name, e] of [...phases].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`  ${name.padEnd(40)} ${e.ms.toFixed(0).padStart(6)} ms  ${e.calls} calls`);
}
Deno.exit(0);
