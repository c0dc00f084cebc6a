/**
 * `deno bench`: one FCOS training step (preprocess, forward, FCOS loss, backward, SGD update with
 * momentum and weight decay) on the backend at hand (FCOS_BACKEND=webgpu|wasm|cpu to force one):
 * FCOS-R18 (torchvision layout: FPN 256, 4-conv heads, trainable layers 3) at 1×512×512 and
 * 4×256×256, and the demo's compact model at 8×128×128. 4×512×512 (the seed's shape) is added
 * with FCOS_BENCH_FULL=1: on wasm it needs more than wasm32's 4 GB. Images are synthetic scenes
 * with their boxes. bench/train_vs_torch.ts runs the R18 shapes in PyTorch beside it. On a
 * software WebGPU adapter (llvmpipe: one R18 step takes minutes, figures meaningless) only the
 * compact model at 2×128×128 runs, unless FCOS_BENCH_FULL=1.
 */
import { initBackend } from "../src/backend/select.ts";
import { cpuKernelsFromEnv } from "./_run.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { COMPACT_CONFIG, type FcosConfig } from "../src/model/config.ts";
import { generateSynthetic } from "../src/data/synthetic.ts";
import { Sgd } from "../src/train/optimizer.ts";
import { prepareBatch, trainableParams, trainStep } from "../src/train/trainer.ts";

const backend = Deno.env.get("FCOS_BACKEND") as "webgpu" | "wasm" | "cpu" | undefined;
const info = await initBackend({ backend, cpuKernels: cpuKernelsFromEnv(), log: () => {} });

function stepBench(config: Partial<FcosConfig>, batch: number, size: number) {
  const model = FcosModel.create({ ...config, numClasses: 5, minSize: size, maxSize: size });
  const sgd = new Sgd(trainableParams(model));
  const samples = Array.from({ length: batch }, (_, i) => generateSynthetic(i, { size }));
  return async () => {
    const prepared = prepareBatch(model, samples, size, size);
    try {
      await trainStep(model, sgd, prepared, 0.001);
    } finally {
      prepared.images.dispose();
    }
  };
}

const R18: Partial<FcosConfig> = { backbone: "resnet18" };
const cases: [string, Partial<FcosConfig>, number, number, number][] = [
  ["FCOS-R18 train step 1×512×512", R18, 1, 512, 2],
  ["FCOS-R18 train step 4×256×256", R18, 4, 256, 2],
  ["compact train step 8×128×128", COMPACT_CONFIG, 8, 128, 5],
];
if (Deno.env.get("FCOS_BENCH_FULL") === "1") {
  cases.unshift(["FCOS-R18 train step 4×512×512", R18, 4, 512, 1]);
} else if (info.isSoftwareAdapter === true) {
  cases.splice(0, cases.length, ["compact train step 2×128×128", COMPACT_CONFIG, 2, 128, 2]);
}
for (const [name, config, batch, size, n] of cases) {
  Deno.bench({
    name: `${name} (${info.name}${info.adapter ? ` on ${info.adapter.split(" (")[0]}` : ""}${
      info.cpuKernels ? `, ${info.cpuKernels} conv kernels` : ""
    })`,
    group: "train",
    n,
    warmup: 1,
    fn: stepBench(config, batch, size),
  });
}
