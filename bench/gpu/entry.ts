/**
 * The device bench: FCOS on WebGPU at the shapes of issue 13, as one `deno bundle`-able entry point
 * (model, loss, optimizer and backend only: no image codecs, which do not bundle), run on a machine
 * with a GPU that has no Deno, Node or network (see bench/gpu/README.md and bench/gpu/run.sh).
 *
 * Cases (ids for FCOS_GPU_CASES):
 * - `r18_forward_512`: FCOS-R18 (torchvision layout, 91 classes) forward 1×512×512, waited for by
 *   reading back one number;
 * - `r18_detect_512`, `r18_detect_512_full`: `detect` of one 512×512 image (transform, forward,
 *   decode, NMS; boxes in the image's pixels) with the device-side candidate selection (the WebGPU
 *   default) and with the full read-back; `r18_detect_512_b8`: a batch of 8 such images;
 * - `r50_forward_800`, `r50_detect_800`: FCOS-R50 forward 1×800×1344 (the padded 800×1333) and
 *   `detect` of one 800×1333 image;
 * - `r18_train_4x512`: one training step of FCOS-R18 (5 classes, trainable layers 3) on 4 synthetic
 *   512×512 images: forward, FCOS loss, backward, global gradient norm, SGD (momentum 0.9, weight
 *   decay 1e-4); the losses and the norm are the only numbers read back. It mirrors `trainStep`
 *   of src/train/trainer.ts, which cannot be bundled (that module imports the image codecs).
 *
 * Environment: FCOS_GPU_SMOKE=1 shrinks every case (tiny models, 64–96 px, 2 runs) to check the
 * bundle on a software adapter; FCOS_BACKEND (default webgpu); FCOS_GPU_CASES (comma-separated ids,
 * default all); FCOS_GPU_RUNS (timed runs per case, default 10; 5 for training); FCOS_GPU_CASE_S
 * (stop a case's timed runs after this many seconds, default 30).
 *
 * Output: JSON lines on stdout — one `{"kind":"env",…}` (Deno, backend, adapter info and limits),
 * then per case `{"kind":"case","id",…,"ms":[…],"median_ms","min_ms","images_per_s"}` or
 * `{"kind":"error","id","message"}` (the other cases still run), and `{"kind":"done"}`.
 */
import { tf } from "../../src/tf.ts";
import { type BackendName, initBackend } from "../../src/backend/select.ts";
import { FcosModel } from "../../src/model/fcos.ts";
import type { FcosConfig } from "../../src/model/config.ts";
import { preprocessImages, type RgbImage, scaleBoxes } from "../../src/model/transform.ts";
import { fcosLoss } from "../../src/loss/fcos_loss.ts";
import { globalNorm, Sgd } from "../../src/train/optimizer.ts";
import { generateSynthetic } from "../../src/data/synthetic.ts";

const env = (name: string) => Deno.env.get(name);
const smoke = env("FCOS_GPU_SMOKE") === "1";
const only = env("FCOS_GPU_CASES")?.split(",").map((s) => s.trim()).filter(Boolean);
const runsWanted = Number(env("FCOS_GPU_RUNS") ?? (smoke ? 2 : 10));
const caseSeconds = Number(env("FCOS_GPU_CASE_S") ?? 30);

function emit(record: Record<string, unknown>): void {
  console.log(JSON.stringify(record));
}

// The adapter as Deno sees it (tfjs asks for the same default adapter).
const gpu = (navigator as { gpu?: GPU }).gpu;
const adapter = await gpu?.requestAdapter({ powerPreference: "high-performance" }).catch(() =>
  null
);
const limits = adapter?.limits;
const backend = await initBackend({
  backend: (env("FCOS_BACKEND") ?? "webgpu") as BackendName,
  log: () => {},
});
// The device tfjs made (it asks for the adapter's largest buffer limits), and word if it is lost.
const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
device?.lost.then((info) =>
  emit({ kind: "device_lost", reason: info.reason, message: info.message })
);
emit({
  kind: "env",
  time: new Date().toISOString(),
  deno: Deno.version.deno,
  tfjs: tf.version_core,
  backend: backend.name,
  smoke,
  adapter: adapter
    ? {
      vendor: adapter.info.vendor,
      architecture: adapter.info.architecture,
      device: adapter.info.device,
      description: adapter.info.description,
    }
    : null,
  limits: limits
    ? {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
    }
    : null,
  deviceLimits: device
    ? {
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.limits.maxBufferSize,
    }
    : null,
});

/** An image of (seeded) noise, as bench/forward_bench.ts uses. */
function noiseImage(h: number, w: number, seed = 0): RgbImage {
  return {
    data: Uint8Array.from({ length: h * w * 3 }, (_, i) => ((i + seed) * 2654435761) >>> 24),
    width: w,
    height: h,
  };
}

const R18: Partial<FcosConfig> = smoke
  ? { backbone: "resnet18", backboneWidth: 0.25, fpnChannels: 16, headConvs: 1, groupNormGroups: 8 }
  : { backbone: "resnet18" };
const R50: Partial<FcosConfig> = smoke
  ? {
    backbone: "resnet50",
    backboneWidth: 0.125,
    fpnChannels: 16,
    headConvs: 1,
    groupNormGroups: 8,
  }
  : { backbone: "resnet50" };
const S512 = smoke ? 64 : 512;
const [S800, S1333] = smoke ? [64, 96] : [800, 1333];
const pad32 = (v: number) => Math.ceil(v / 32) * 32;

interface Case {
  id: string;
  what: string;
  shape: number[];
  images: number;
  /** Builds the case; returns one run (awaited until its results are back) and a disposer. */
  setup(): { run(): Promise<unknown>; dispose(): void };
}

function forwardCase(id: string, config: Partial<FcosConfig>, h: number, w: number): Case {
  return {
    id,
    what: `FCOS-${config.backbone === "resnet50" ? "R50" : "R18"} forward`,
    shape: [1, h, w, 3],
    images: 1,
    setup() {
      const model = FcosModel.create({ ...config, numClasses: 91 });
      const x = tf.randomNormal([1, h, w, 3]) as tf.Tensor4D;
      return {
        async run() {
          const { features, head } = model.forward(x);
          const done = tf.tidy(() =>
            tf.addN([tf.sum(head.clsLogits), tf.sum(head.bboxRegression), tf.sum(head.bboxCtrness)])
          );
          await done.data();
          tf.dispose([done, ...features, head.clsLogits, head.bboxRegression, head.bboxCtrness]);
        },
        dispose() {
          x.dispose();
          model.dispose();
        },
      };
    },
  };
}

function detectCase(
  id: string,
  config: Partial<FcosConfig>,
  h: number,
  w: number,
  batch: number,
  readback: "candidates" | "full",
): Case {
  return {
    id,
    what: `FCOS-${config.backbone === "resnet50" ? "R50" : "R18"} detect (${readback} read-back)`,
    shape: [batch, h, w, 3],
    images: batch,
    setup() {
      const model = FcosModel.create({
        ...config,
        numClasses: 91,
        minSize: Math.min(h, w),
        maxSize: Math.max(h, w),
      });
      const images = Array.from({ length: batch }, (_, i) => noiseImage(h, w, i));
      return {
        run: () => model.detect(images, { readback }),
        dispose: () => model.dispose(),
      };
    },
  };
}

function trainCase(id: string, config: Partial<FcosConfig>, batch: number, size: number): Case {
  return {
    id,
    what: "FCOS-R18 training step (forward, loss, backward, grad norm, SGD)",
    shape: [batch, size, size, 3],
    images: batch,
    setup() {
      const model = FcosModel.create({ ...config, numClasses: 5, minSize: size, maxSize: size });
      const params = model.params.specs.filter((s) => s.trainable).map((s) => ({
        name: s.name,
        variable: model.params.get(s.name),
      }));
      const sgd = new Sgd(params);
      const samples = Array.from({ length: batch }, (_, i) => generateSynthetic(i, { size }));
      return {
        async run() {
          // prepareBatch (src/train/trainer.ts): resize, normalise, pad; boxes to resized pixels.
          const prep = preprocessImages(
            samples.map((s) => ({ data: s.image, width: s.width, height: s.height })),
            { ...model.config, minSize: size, maxSize: size },
          );
          const targets = samples.map((s, i) => ({
            boxes: scaleBoxes(s.boxes, prep.originalSizes[i], prep.imageSizes[i]),
            labels: s.labels,
          }));
          let parts: tf.Tensor | undefined;
          const { value, grads } = tf.variableGrads(() => {
            const out = model.forward(prep.batch, true);
            const [, hp, wp] = prep.batch.shape;
            const grid = model.anchorGrid([hp, wp], FcosModel.levelShapes(out.features));
            const l = fcosLoss(out.head, grid, targets, {
              centerSamplingRadius: model.config.centerSamplingRadius,
            });
            parts = tf.keep(tf.stack([l.classification, l.bboxRegression, l.bboxCtrness]));
            return tf.addN([l.classification, l.bboxRegression, l.bboxCtrness]) as tf.Scalar;
          }, params.map((p) => p.variable));
          const gradMap = new Map<string, tf.Tensor>();
          for (const p of params) {
            const g = grads[p.variable.name];
            if (g !== undefined) gradMap.set(p.name, g);
          }
          const norm = globalNorm(gradMap.values());
          const [losses, total, gradNorm] = await Promise.all([
            parts!.data(),
            value.data(),
            norm.data(),
          ]);
          if (![...losses, total[0], gradNorm[0]].every(Number.isFinite)) {
            throw new Error(`non-finite loss or gradient norm: ${[...losses]}, ${gradNorm[0]}`);
          }
          sgd.step(gradMap, 0.001);
          tf.dispose([prep.batch, parts!, value, norm, ...Object.values(grads)]);
          return losses;
        },
        dispose: () => model.dispose(),
      };
    },
  };
}

const cases: Case[] = [
  forwardCase("r18_forward_512", R18, S512, S512),
  detectCase("r18_detect_512", R18, S512, S512, 1, "candidates"),
  detectCase("r18_detect_512_full", R18, S512, S512, 1, "full"),
  detectCase("r18_detect_512_b8", R18, S512, S512, smoke ? 2 : 8, "candidates"),
  forwardCase("r50_forward_800", R50, pad32(S800), pad32(S1333)),
  detectCase("r50_detect_800", R50, S800, S1333, 1, "candidates"),
  trainCase("r18_train_4x512", { ...R18, trainableBackboneLayers: 3 }, smoke ? 2 : 4, S512),
];

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

for (const c of cases) {
  if (only && !only.includes(c.id)) continue;
  const runs = c.id.includes("train") && env("FCOS_GPU_RUNS") === undefined
    ? (smoke ? 2 : 5)
    : runsWanted;
  let instance: ReturnType<Case["setup"]> | undefined;
  try {
    const t0 = performance.now();
    instance = c.setup();
    // Two warm-up runs: the first compiles the shaders (WebGPU pipelines are made on first use).
    const warm: number[] = [];
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      await instance.run();
      warm.push(performance.now() - t);
    }
    const ms: number[] = [];
    const start = performance.now();
    for (let i = 0; i < runs && performance.now() - start < caseSeconds * 1000; i++) {
      const t = performance.now();
      await instance.run();
      ms.push(performance.now() - t);
    }
    const med = median(ms);
    emit({
      kind: "case",
      id: c.id,
      what: c.what,
      backend: backend.name,
      shape: c.shape,
      images: c.images,
      warmup_ms: warm.map((v) => +v.toFixed(1)),
      ms: ms.map((v) => +v.toFixed(2)),
      median_ms: +med.toFixed(2),
      min_ms: +Math.min(...ms).toFixed(2),
      images_per_s: +(1000 * c.images / med).toFixed(2),
      total_s: +((performance.now() - t0) / 1000).toFixed(1),
      tensors: tf.memory().numTensors,
    });
  } catch (e) {
    emit({ kind: "error", id: c.id, message: String((e as Error)?.stack ?? e).slice(0, 2000) });
  } finally {
    try {
      instance?.dispose();
    } catch {
      // a lost device: nothing left to free
    }
  }
}
emit({ kind: "done", time: new Date().toISOString() });
// wasm worker threads (if FCOS_BACKEND=wasm) would keep the process alive.
Deno.exit(0);
