/**
 * `cli.ts train`: trains FCOS on synthetic, VOC or COCO data, with checkpoints every epoch and on
 * Ctrl-C, `--resume`, evaluation after each epoch, curves and drawn detections in the run folder.
 * `--compact` is the built-in demo: a small model that trains on a 2-core CPU in minutes.
 *
 * Runs on its own too: `deno run -A src/cli/train.ts --data synthetic --compact --out runs/demo`.
 *
 * @module
 */
import { parseArgs } from "../std.ts";
import { UsageError } from "../errors.ts";
import { BACKEND_NAMES, type BackendName } from "../backend/select.ts";
import { COMPACT_CONFIG, type FcosConfig } from "../model/config.ts";
import { ARCHITECTURE_KEYS } from "../io/weights.ts";
import { DATA_SPEC_HELP } from "../data/dataset.ts";
import { COMPACT_TRAINING, train, type TrainOptions } from "../train/trainer.ts";

const HELP = `usage: cli.ts train --data SPEC --out RUN_DIR [options]
       cli.ts train --resume RUN_DIR
       cli.ts train --data synthetic --compact --out runs/demo      (the demo)
       cli.ts train --weights fcos.safetensors --data SPEC --out RUN_DIR (fine-tune)

Trains FCOS with SGD (momentum 0.9, weight decay 1e-4), linear warm-up and cosine decay, random
horizontal flips. Writes into RUN_DIR: checkpoint/ (every epoch and on Ctrl-C), metrics.jsonl,
loss.png, loss_components.png, lr.png, map.png, model.safetensors (final weights, torchvision
names), best.safetensors (the epoch with the highest validation VOC mAP@0.5) and detections/
(validation images with detections drawn).

data (--data, --val-data):
${DATA_SPEC_HELP.split("\n").map((l) => `  ${l}`).join("\n")}

options:
  --data SPEC             training data [required unless --resume]
  --val-data SPEC|none    validation data (default: synthetic → its val split, voc:DIR:train →
                          voc:DIR:val, voc:DIR → voc:DIR:test; COCO: none)
  --out RUN_DIR           run folder [required unless --resume]
  --resume RUN_DIR        continue an interrupted run with its own settings
  --force                 start over in an --out that holds a run (replaces its checkpoint,
                          log, plots, weights and drawings)
  --compact               the demo model and schedule (ResNet-18 at 1/4 width, small images,
                          ${COMPACT_TRAINING.trainImages} synthetic training images, ${COMPACT_TRAINING.epochs} epochs)
  --backbone NAME         resnet18 | resnet34 | resnet50 (default resnet50; compact: resnet18)
  --backbone-weights F    torchvision ImageNet ResNet weights (.pth or safetensors) to start from
  --weights F             fine-tune a whole FCOS (torchvision's state dict, or a model or
                          checkpoint of this project): the architecture is the file's, the classes
                          the data's (a classifier for another class count is re-initialised)
  --epochs N              epochs (default 10)
  --lr X                  peak learning rate (default 0.005)
  --batch-size N          images per step (default 4)
  --size S[,S2...]        short side in pixels; several = multi-scale training, the last one is used
                          for evaluation (default 800; long side ≤ size·1333/800)
  --clip-grad N           clip the global gradient norm to N
  --warmup-iters N        warm-up steps (default min(1000, one epoch))
  --train-images N        use only the first N training images
  --val-images N          evaluate only the first N validation images
  --seed N                seed of initialisation, order, flips and scales (default 0)
  --backend NAME          ${
  BACKEND_NAMES.join(" | ")
} (default: WebGPU on a hardware GPU, else wasm)
  --strict                fail on the first broken image instead of skipping it
  -h, --help              this help

exit: 0 done, 1 failed run or bad input, 2 usage error, 130 interrupted (checkpoint written).`;

function num(name: string, v: string | undefined, int: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n <= 0 || (int && !Number.isInteger(n))) {
    throw new UsageError(
      `train: --${name} must be a positive ${int ? "integer" : "number"}, got '${v}'`,
    );
  }
  return n;
}

/**
 * Runs `train` with command-line `args`; returns the exit code (0 done, 130 interrupted).
 *
 * @example
 * ```ts ignore
 * import { trainCommand } from "./train.ts";
 * Deno.exit(await trainCommand(["--data", "synthetic", "--compact", "--out", "runs/demo"]));
 * ```
 */
export async function trainCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      data: { type: "string" },
      "val-data": { type: "string" },
      out: { type: "string" },
      resume: { type: "string" },
      compact: { type: "boolean" },
      backbone: { type: "string" },
      "backbone-weights": { type: "string" },
      weights: { type: "string" },
      epochs: { type: "string" },
      lr: { type: "string" },
      "batch-size": { type: "string" },
      size: { type: "string" },
      "clip-grad": { type: "string" },
      "warmup-iters": { type: "string" },
      "train-images": { type: "string" },
      "val-images": { type: "string" },
      seed: { type: "string" },
      backend: { type: "string" },
      strict: { type: "boolean" },
      force: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`train: unexpected argument '${positionals[0]}'`);
  }
  if (
    values.backend !== undefined && !(BACKEND_NAMES as readonly string[]).includes(values.backend)
  ) {
    throw new UsageError(
      `train: --backend must be one of ${BACKEND_NAMES.join(", ")}, got '${values.backend}'`,
    );
  }
  const backend = values.backend as BackendName | undefined;
  let options: TrainOptions;
  if (values.resume !== undefined) {
    const extra = Object.keys(values).filter((k) => !["resume", "backend", "strict"].includes(k));
    if (extra.length > 0) {
      throw new UsageError(
        `train: --resume continues with the run's own settings; drop --${extra.join(", --")}`,
      );
    }
    options = { outDir: values.resume, resume: true, backend };
  } else {
    if (values.data === undefined) throw new UsageError("train: --data is required");
    if (values.out === undefined) throw new UsageError("train: --out RUN_DIR is required");
    const compact = values.compact ?? false;
    const config: Partial<FcosConfig> = compact ? { ...COMPACT_CONFIG } : {};
    if (values.weights !== undefined) {
      for (const flag of ["backbone", "backbone-weights"] as const) {
        if (values[flag] !== undefined) {
          throw new UsageError(`train: --weights gives the whole model; drop --${flag}`);
        }
      }
      // --compact keeps its schedule and image sizes; the architecture is the file's.
      for (const key of ARCHITECTURE_KEYS) delete config[key];
    }
    if (values.backbone !== undefined) {
      if (!["resnet18", "resnet34", "resnet50"].includes(values.backbone)) {
        throw new UsageError(
          `train: --backbone must be resnet18, resnet34 or resnet50, got '${values.backbone}'`,
        );
      }
      config.backbone = values.backbone as FcosConfig["backbone"];
    }
    let trainSizes: number[] | undefined;
    if (values.size !== undefined) {
      trainSizes = values.size.split(",").map((s) => num("size", s, true)!);
      const base = { minSize: 800, maxSize: 1333, ...config };
      const last = trainSizes[trainSizes.length - 1];
      config.maxSize = Math.round(last * base.maxSize / base.minSize);
      config.minSize = last;
    }
    const valData = values["val-data"] === "none" ? null : values["val-data"];
    const isSynthetic = values.data.split(":")[0] === "synthetic";
    options = {
      data: values.data,
      outDir: values.out,
      valData,
      config,
      epochs: num("epochs", values.epochs, true) ?? (compact ? COMPACT_TRAINING.epochs : undefined),
      lr: num("lr", values.lr, false) ?? (compact ? COMPACT_TRAINING.lr : undefined),
      batchSize: num("batch-size", values["batch-size"], true) ??
        (compact ? COMPACT_TRAINING.batchSize : undefined),
      clipGrad: num("clip-grad", values["clip-grad"], false) ??
        (compact ? COMPACT_TRAINING.clipGrad : undefined),
      warmupIters: values["warmup-iters"] === "0"
        ? 0
        : num("warmup-iters", values["warmup-iters"], true) ??
          (compact ? COMPACT_TRAINING.warmupIters : undefined),
      trainImages: num("train-images", values["train-images"], true) ??
        (compact && isSynthetic && !values.data.includes(":")
          ? COMPACT_TRAINING.trainImages
          : undefined),
      valImages: num("val-images", values["val-images"], true) ??
        (compact ? COMPACT_TRAINING.valImages : undefined),
      trainSizes,
      seed: values.seed === undefined ? undefined : seedOf(values.seed),
      backboneWeights: values["backbone-weights"],
      weights: values.weights,
      strict: values.strict,
      overwrite: values.force,
      backend,
    };
  }

  // Ctrl-C: finish the current step, write a checkpoint, exit 130. A second Ctrl-C quits at once.
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) {
      console.error("\ninterrupted again: quitting without a checkpoint of this step");
      Deno.exit(130);
    }
    console.error(
      "\nCtrl-C: stopping after this step and writing a checkpoint (Ctrl-C again to quit now)",
    );
    controller.abort();
  };
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onSigint);
    listening = true;
  } catch {
    // no signals on this platform: Ctrl-C ends the process; the last epoch's checkpoint remains
  }
  try {
    const result = await train({ ...options, signal: controller.signal });
    if (result.interrupted) return 130;
    if (result.lastEval) {
      console.log(
        `VOC mAP@0.5 ${result.lastEval.voc_map50.toFixed(4)}  COCO AP ${
          result.lastEval.coco[0].toFixed(4)
        }  AP50 ${result.lastEval.coco[1].toFixed(4)}  (${result.epochs} epochs, ${
          result.seconds.toFixed(0)
        } s)` +
          (result.best
            ? `; best epoch ${result.best.epoch} (VOC mAP@0.5 ${
              result.best.vocMap50.toFixed(4)
            }) in ${result.best.path}`
            : ""),
      );
    }
    return 0;
  } finally {
    if (listening) Deno.removeSignalListener("SIGINT", onSigint);
  }
}

function seedOf(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) {
    throw new UsageError(`train: --seed must be a non-negative integer, got '${v}'`);
  }
  return n;
}

if (import.meta.main) {
  const { main } = await import("./main.ts");
  const { shutdownBackend } = await import("../backend/select.ts");
  const code = await main(["train", ...Deno.args]);
  shutdownBackend();
  Deno.exit(code);
}
