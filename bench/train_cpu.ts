/**
 * CPU time (all threads, from /proc; Linux only) and wall time of our training step, per case of
 * bench/train_bench.ts: `deno run -A bench/train_cpu.ts [full]`. Prints one JSON line per case,
 * {"case", "cpu_ms", "wall_ms", "runs"} (medians). CPU time measures work: on a shared machine it
 * barely changes with load, unlike the wall time. bench/train_vs_torch.ts runs it beside PyTorch.
 */
import { initBackend } from "../src/backend/select.ts";
import { cpuKernelsFromEnv } from "./_run.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { generateSynthetic } from "../src/data/synthetic.ts";
import { Sgd } from "../src/train/optimizer.ts";
import { prepareBatch, trainableParams, trainStep } from "../src/train/trainer.ts";

const threadsEnv = Deno.env.get("FCOS_THREADS");
const info = await initBackend({
  threads: threadsEnv ? Number(threadsEnv) : undefined,
  cpuKernels: cpuKernelsFromEnv(),
  log: () => {},
});

/** CPU ms of this process, all threads (utime + stime of /proc/self/stat). */
function processCpuMs(): number {
  const t = Deno.readTextFileSync("/proc/self/stat");
  const f = t.slice(t.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const cases: [string, number, number, number][] = [
  ["FCOS-R18 train step 1×512×512", 1, 512, 3],
  ["FCOS-R18 train step 4×256×256", 4, 256, 3],
];
if (Deno.args[0] === "full") cases.unshift(["FCOS-R18 train step 4×512×512", 4, 512, 1]);
const only = Deno.env.get("FCOS_CASES")?.replace("x", "×");
for (const [name, batch, size, runs] of cases) {
  if (only !== undefined && !name.includes(only)) continue;
  const model = FcosModel.create({
    backbone: "resnet18",
    numClasses: 5,
    minSize: size,
    maxSize: size,
  });
  const sgd = new Sgd(trainableParams(model));
  const samples = Array.from({ length: batch }, (_, i) => generateSynthetic(i, { size }));
  const step = async () => {
    const prepared = prepareBatch(model, samples, size, size);
    try {
      await trainStep(model, sgd, prepared, 0.001);
    } finally {
      prepared.images.dispose();
    }
  };
  await step(); // warm-up
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = processCpuMs();
    const t = performance.now();
    await step();
    wall.push(performance.now() - t);
    cpu.push(processCpuMs() - c);
  }
  console.log(JSON.stringify({
    case: name,
    threads: info.threads ?? 1,
    cpu_ms: median(cpu),
    wall_ms: median(wall),
    runs,
    load: Number(Deno.loadavg()[0].toFixed(2)),
  }));
  sgd.dispose();
  model.dispose();
}
Deno.exit(0);
