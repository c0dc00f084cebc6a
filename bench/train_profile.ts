/**
 * Where an FCOS-R18 training step goes, by tfjs kernel (tf.profile), on the backend at hand:
 * `deno run -A bench/train_profile.ts [BATCH SIZE [THREADS]]` (default 1 512, threads: all cores).
 * Prints the wall time of `prepareBatch` and of `trainStep`, the kernel time per kernel name
 * (custom kernels included: their inner wasm calls are counted in them), the phases inside
 * our custom wasm kernels (`wasmKernelPhases`), and the wall time not spent in kernels (JS glue:
 * the tape, tensor bookkeeping, the loss's small ops' dispatch).
 */
import { tf } from "../src/tf.ts";
import { initBackend } from "../src/backend/select.ts";
import { cpuKernelsFromEnv } from "./_run.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { generateSynthetic } from "../src/data/synthetic.ts";
import { Sgd } from "../src/train/optimizer.ts";
import { prepareBatch, trainableParams, trainStep } from "../src/train/trainer.ts";
import { wasmKernelPhases } from "../src/backend/wasm_gradients.ts";

const batch = Number(Deno.args[0] ?? 1);
const size = Number(Deno.args[1] ?? 512);
const threads = Deno.args[2] === undefined ? undefined : Number(Deno.args[2]);
const info = await initBackend({ threads, cpuKernels: cpuKernelsFromEnv(), log: () => {} });
const model = FcosModel.create({
  backbone: "resnet18",
  numClasses: 5,
  minSize: size,
  maxSize: size,
});
const sgd = new Sgd(trainableParams(model));
const samples = Array.from({ length: batch }, (_, i) => generateSynthetic(i, { size }));

/** CPU ms of each thread of this process (utime + stime from /proc; Linux only). */
function threadCpu(): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of Deno.readDirSync("/proc/self/task")) {
    try {
      const t = Deno.readTextFileSync(`/proc/self/task/${e.name}/stat`);
      const f = t.slice(t.lastIndexOf(")") + 2).split(" ");
      m.set(e.name, (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // the thread ended
    }
  }
  return m;
}

async function step(): Promise<{ prep: number; train: number }> {
  const t0 = performance.now();
  const prepared = prepareBatch(model, samples, size, size);
  await prepared.images.data();
  const t1 = performance.now();
  try {
    await trainStep(model, sgd, prepared, 0.001);
  } finally {
    prepared.images.dispose();
  }
  return { prep: t1 - t0, train: performance.now() - t1 };
}

await step(); // warm-up: XNNPACK operators and rearranged filters are created
const walls: number[] = [];
const cpu0 = threadCpu();
const tw0 = performance.now();
for (let i = 0; i < 2; i++) walls.push((await step()).train);
const wallAll = performance.now() - tw0;
const cpu1 = threadCpu();
const perThread = [...cpu1].map(([k, v]) => v - (cpu0.get(k) ?? 0)).filter((v) => v > 50)
  .sort((a, b) => b - a);
const cpuAll = perThread.reduce((a, v) => a + v, 0);
const phases = wasmKernelPhases(true);
let times = { prep: 0, train: 0 };
const profile = await tf.profile(async () => {
  times = await step();
});
const collected = wasmKernelPhases(false);
/** Multiply-adds ×2 of a conv kernel call, from its shapes (0 for other kernels). */
function flops(name: string, inShapes: number[][], outShapes: number[][]): number {
  const size = (s: number[]) => s.reduce((a, v) => a * v, 1);
  if (name === "Conv2D" || name === "FusedConv2D") {
    const [kh, kw, ci] = inShapes[1];
    return 2 * size(outShapes[0]) * kh * kw * ci;
  }
  if (name === "Conv2DBackpropFilter") {
    const [kh, kw, ci] = outShapes[0];
    return 2 * size(inShapes[1]) * kh * kw * ci; // dy · patches
  }
  if (name === "Conv2DBackpropInput") {
    const [kh, kw, ci] = inShapes[1];
    return 2 * size(inShapes[0]) * kh * kw * ci; // dy · filterᵀ
  }
  return 0;
}
const byKernel = new Map<string, { ms: number; calls: number; flops: number }>();
let total = 0;
for (const k of profile.kernels) {
  if (k.name.endsWith("__op")) continue;
  const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0, flops: 0 };
  e.ms += ms;
  e.calls++;
  e.flops += flops(k.name, k.inputShapes as number[][], k.outputShapes as number[][]);
  byKernel.set(k.name, e);
  total += ms;
}
const load = Deno.loadavg().map((v) => v.toFixed(2)).join(" ");
console.log(
  `FCOS-R18 train step ${batch}×${size}×${size} on ${info.name} (${info.threads ?? 1} threads, ` +
    `${info.cpuKernels ?? "-"} conv kernels), ` +
    `${new Date().toISOString()}, load ${load}`,
);
console.log(
  `unprofiled steps: ${walls.map((w) => w.toFixed(0)).join(", ")} ms; profiled: prepareBatch ` +
    `${times.prep.toFixed(0)} ms, trainStep ${times.train.toFixed(0)} ms, kernel time ` +
    `${total.toFixed(0)} ms, outside kernels ${(times.train - total).toFixed(0)} ms`,
);
console.log(
  `CPU time over the 2 unprofiled steps: ${cpuAll} ms in ${wallAll.toFixed(0)} ms wall ` +
    `(${(cpuAll / wallAll).toFixed(2)} cores busy on average); busy threads (ms): ${
      perThread.join(", ")
    }`,
);
console.log(`| kernel | ms | % of kernel time | calls | GFLOP | GFLOP/s |`);
console.log(`| --- | --- | --- | --- | --- | --- |`);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
  console.log(
    `| ${name} | ${e.ms.toFixed(0)} | ${(100 * e.ms / total).toFixed(1)} | ${e.calls} | ` +
      (e.flops > 0
        ? `${(e.flops / 1e9).toFixed(1)} | ${(e.flops / 1e6 / e.ms).toFixed(1)} |`
        : `| |`),
  );
}
void phases;
console.log(`\nphases inside the custom wasm kernels:`);
console.log(`| phase | ms | calls |`);
console.log(`| --- | --- | --- |`);
for (const [name, e] of [...collected].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`| ${name} | ${e.ms.toFixed(0)} | ${e.calls} |`);
}
Deno.exit(0);
