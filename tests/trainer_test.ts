import { pathExists } from "../src/io/atomic.ts";
import { tf } from "../src/tf.ts";
import { assert, assertEquals, assertRejects, path } from "../src/std.ts";
import { FcosError } from "../src/errors.ts";
import { initBackend } from "../src/backend/select.ts";
import { readSafetensors } from "../src/io/safetensors.ts";
import { type EvalRecord, readMetrics, type StepRecord } from "../src/train/metrics.ts";
import { train, type TrainOptions } from "../src/train/trainer.ts";
import { formatDuration, ProgressLine } from "../src/train/progress.ts";
import { main } from "../src/cli/main.ts";
import { SyntheticDataset } from "../src/data/synthetic.ts";
import { writeVoc } from "../src/data/write.ts";
import type { DetectionDataset } from "../src/data/types.ts";
import { TINY as RUN_TINY } from "./_run.ts";

await initBackend({ backend: "wasm", threads: 1, log: () => {} });

const TINY = { ...RUN_TINY, trainableBackboneLayers: 5 };

/** 16 synthetic images, batches of 4: 4 steps per epoch; 4 validation images; the default seed. */
function tinyRun(outDir: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    data: "synthetic:16",
    valImages: 4,
    outDir,
    config: TINY,
    epochs: 2,
    batchSize: 4,
    lr: 0.01,
    warmupIters: 2,
    trainSizes: [64, 96],
    clipGrad: 5,
    drawImages: 1,
    progress: false,
    log: () => {},
    ...extra,
  };
}

async function stepLosses(runDir: string): Promise<StepRecord[]> {
  return (await readMetrics(path.join(runDir, "metrics.jsonl"))).filter((r): r is StepRecord =>
    r.type === "step"
  );
}

Deno.test("train: with the default seed, a second run and a run interrupted twice and resumed write the same bytes", async () => {
  const root = await Deno.makeTempDir();
  const straight = path.join(root, "straight"), resumed = path.join(root, "resumed");
  const again = path.join(root, "again");
  const tensorCounts: number[] = [];
  const before = tf.memory().numTensors;
  const a = await train(tinyRun(straight, { onStep: (_, n) => tensorCounts.push(n) }));
  assertEquals(a.interrupted, false);
  assertEquals(a.steps, 8);
  // Memory: the same number of live tensors after every step of an epoch (the evaluation after
  // epoch 1 adds the model's bounded cache of folded inference filters, once), and nothing left
  // after the run.
  assertEquals(tensorCounts.length, 8);
  for (const epoch of [tensorCounts.slice(0, 4), tensorCounts.slice(4)]) {
    assert(epoch.every((n) => n === epoch[0]), `tensor counts ${tensorCounts}`);
  }
  assertEquals(tf.memory().numTensors, before);

  // Interrupt mid-epoch 1 (after step 2), then right after epoch 1's end (step 4), then finish.
  const stopAt = (step: number): Partial<TrainOptions> => {
    const c = new AbortController();
    return { signal: c.signal, onStep: (r) => r.step === step && c.abort() };
  };
  const b1 = await train(tinyRun(resumed, stopAt(2)));
  assertEquals([b1.interrupted, b1.steps, b1.epochs], [true, 3, 0]);
  const b2 = await train({
    outDir: resumed,
    resume: true,
    progress: false,
    log: () => {},
    ...stopAt(4),
  });
  assertEquals([b2.interrupted, b2.steps, b2.epochs], [true, 5, 1]);
  const b3 = await train({ outDir: resumed, resume: true, progress: false, log: () => {} });
  assertEquals([b3.interrupted, b3.steps, b3.epochs], [false, 8, 2]);

  // A second uninterrupted run (the default seed used to give conv1.weight a new init each run).
  const c = await train(tinyRun(again));
  assertEquals(c.steps, 8);

  const la = await stepLosses(straight), lb = await stepLosses(resumed);
  const lc = await stepLosses(again);
  assertEquals(lb.map((r) => r.step), [0, 1, 2, 3, 4, 5, 6, 7]);
  const keys = ["loss", "classification", "bbox_regression", "bbox_ctrness", "lr", "size"] as const;
  for (let i = 0; i < 8; i++) {
    for (const k of keys) {
      assertEquals([lb[i][k], lc[i][k]], [la[i][k], la[i][k]], `step ${i} ${k}`);
    }
  }
  assert(new Set(la.map((r) => r.size)).size === 2, "multi-scale picks both sizes");
  // The weights (final, best, checkpoint) and the optimizer state are byte-identical.
  for (
    const f of [
      "model.safetensors",
      "best.safetensors",
      "checkpoint/model.safetensors",
      "checkpoint/optimizer.safetensors",
    ]
  ) {
    const bytes = await Deno.readFile(path.join(straight, f));
    assertEquals(await Deno.readFile(path.join(resumed, f)), bytes, `resumed ${f}`);
    assertEquals(await Deno.readFile(path.join(again, f)), bytes, `again ${f}`);
  }
  // best.safetensors holds the epoch with the highest validation mAP@0.5 (the first of equals),
  // also when the run was resumed after that epoch.
  const evalsA = (await readMetrics(path.join(straight, "metrics.jsonl"))).filter((
    r,
  ): r is EvalRecord => r.type === "eval");
  const top = evalsA.reduce((b, r) => r.voc_map50 > b.voc_map50 ? r : b);
  assertEquals(a.best?.epoch, top.epoch);
  assertEquals(b3.best?.epoch, top.epoch);
  const best = await readSafetensors(path.join(resumed, "best.safetensors"));
  assertEquals(best.metadata.epoch, String(top.epoch));
  // What a person sees: evaluation per epoch, plots, drawings.
  const evals = (await readMetrics(path.join(straight, "metrics.jsonl"))).filter((r) =>
    r.type === "eval"
  );
  assertEquals(evals.length, 2);
  assertEquals(evals[1].type === "eval" && evals[1].coco.length, 12);
  for (const f of ["loss.png", "loss_components.png", "lr.png", "map.png"]) {
    const png = await Deno.readFile(path.join(straight, f));
    assertEquals([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], f); // "PNG"
  }
  assertEquals([...Deno.readDirSync(path.join(straight, "detections"))].length, 1);
  assertEquals(a.lastEval?.epoch, 2);
  await Deno.remove(root, { recursive: true });
});

Deno.test("train: a diverging run stops naming the step and loss, keeping the last good checkpoint", async () => {
  const root = await Deno.makeTempDir();
  const out = path.join(root, "run");
  // One step per epoch, so epoch 1's checkpoint exists before the absurd lr blows up the weights.
  const err = await assertRejectsFcos(() =>
    train(
      tinyRun(out, {
        data: "synthetic:4",
        valData: null,
        epochs: 4,
        lr: 1e12,
        warmupIters: 0,
        clipGrad: null,
        trainSizes: [64],
      }),
    )
  );
  assert(
    /at step \d+: the (classification|bbox_regression|bbox_ctrness) loss is (NaN|-?Infinity)|gradient norm is/
      .test(err.message),
    err.message,
  );
  assert(err.message.includes("last good checkpoint"), err.message);
  const state = JSON.parse(await Deno.readTextFile(path.join(out, "checkpoint", "state.json")));
  const failedStep = Number(/step (\d+)/.exec(err.message)![1]);
  assertEquals(state.step, failedStep);
  const st = await readSafetensors(path.join(out, "checkpoint", "model.safetensors"));
  for (const [name, e] of st.tensors) {
    assert((e.data as Float32Array).every(Number.isFinite), `${name} has non-finite values`);
  }
  assertEquals(await pathExists(path.join(out, "model.safetensors")), false);
  await Deno.remove(root, { recursive: true });
});

/** Round (ellipse, ring) vs angular (rectangle, triangle, cross): 2 classes from the 5 shapes. */
function roundOrAngular(ds: DetectionDataset): DetectionDataset {
  const merge = [1, 0, 1, 1, 0];
  return {
    name: `round/angular ${ds.name}`,
    classNames: ["round", "angular"],
    length: ds.length,
    skipped: [],
    get: async (i: number) => {
      const s = await ds.get(i);
      return { ...s, labels: Int32Array.from(s.labels, (l) => merge[l]) };
    },
  };
}

Deno.test("train --weights: fine-tuning a 5-class model on 2 other classes beats training from scratch, and resumes exactly", async () => {
  const root = await Deno.makeTempDir();
  // The new task, as a VOC folder: other images (seed 5), 64 px, 2 classes.
  const voc = path.join(root, "voc");
  await writeVoc(voc, {
    train: roundOrAngular(new SyntheticDataset({ split: "train", length: 64, seed: 5, size: 64 })),
    val: roundOrAngular(new SyntheticDataset({ split: "val", length: 24, seed: 5, size: 64 })),
  });
  const schedule: Partial<TrainOptions> = {
    valImages: 24,
    batchSize: 4,
    lr: 0.01,
    clipGrad: 5,
    warmupIters: 5,
    drawImages: 0,
    progress: false,
    trainSizes: undefined,
  };
  const sizes = { minSize: 64, maxSize: 64, trainableBackboneLayers: 5 };
  // Pre-training on the 5 shapes (64 steps × 4 epochs).
  const pre = await train(
    tinyRun(path.join(root, "pre"), { ...schedule, data: "synthetic:256", epochs: 4 }),
  );
  const weights = path.join(root, "pre.safetensors");
  await Deno.rename(pre.modelPath!, weights);

  // The same short schedule (16 steps × 3 epochs) from scratch and from the pre-trained model.
  const task = { ...schedule, data: `voc:${voc}:train`, epochs: 3 };
  const scratch = await train(tinyRun(path.join(root, "scratch"), task));
  const lines: string[] = [];
  const ftDir = path.join(root, "ft");
  const ft = await train(
    tinyRun(ftDir, { ...task, weights, config: sizes, log: (l) => lines.push(l) }),
  );
  const ftMap = ft.lastEval!.voc_map50, scratchMap = scratch.lastEval!.voc_map50;
  assert(ftMap > scratchMap + 0.1, `fine-tuned mAP@0.5 ${ftMap}, from scratch ${scratchMap}`);
  // One line lists the re-initialised classifier; the architecture is the file's.
  const re = lines.filter((l) => l.startsWith("re-initialised"));
  assertEquals(re, [
    "re-initialised for 2 classes (the file has 5): head.classification_head.cls_logits.weight, " +
    "head.classification_head.cls_logits.bias",
  ]);
  const out = await readSafetensors(path.join(ftDir, "model.safetensors"));
  assertEquals(JSON.parse(out.metadata.fcos_config).backboneWidth, TINY.backboneWidth);
  assertEquals(out.tensors.get("head.classification_head.cls_logits.bias")!.shape, [2]);
  // The final line names the best epoch, whose weights are best.safetensors.
  const evals = (await readMetrics(path.join(ftDir, "metrics.jsonl"))).filter((
    r,
  ): r is EvalRecord => r.type === "eval");
  const top = evals.reduce((b, r) => r.voc_map50 > b.voc_map50 ? r : b);
  assertEquals(ft.best?.epoch, top.epoch);
  assert(
    lines.at(-1)!.includes(`best epoch ${top.epoch} (VOC mAP@0.5 ${top.voc_map50.toFixed(3)})`),
    lines.at(-1),
  );
  const best = await readSafetensors(path.join(ftDir, "best.safetensors"));
  assertEquals(best.metadata.epoch, String(top.epoch));

  // Interrupted mid-epoch and resumed (the weights file is no longer needed): the same bytes.
  const again = path.join(root, "again");
  const c = new AbortController();
  const cut = await train(
    tinyRun(again, {
      ...task,
      weights,
      config: sizes,
      signal: c.signal,
      onStep: (r) => r.step === 21 && c.abort(),
    }),
  );
  assertEquals([cut.interrupted, cut.steps], [true, 22]);
  await Deno.rename(weights, `${weights}.moved`);
  const done = await train({ outDir: again, resume: true, progress: false, log: () => {} });
  assertEquals(done.steps, 48);
  for (const f of ["model.safetensors", "best.safetensors"]) {
    assertEquals(
      await Deno.readFile(path.join(again, f)),
      await Deno.readFile(path.join(ftDir, f)),
      f,
    );
  }
  // The CLI: --weights with --compact keeps the file's architecture; the last line names the best.
  const cli = await quiet([
    "train",
    "--weights",
    `${weights}.moved`,
    "--data",
    `voc:${voc}:train`,
    "--compact",
    "--size",
    "64",
    "--epochs",
    "1",
    "--train-images",
    "8",
    "--val-images",
    "4",
    "--out",
    path.join(root, "cli"),
  ]);
  assertEquals(cli.code, 0, cli.text);
  assert(/best epoch 1 \(VOC mAP@0\.5 [\d.]+\) in .*best\.safetensors$/.test(cli.text), cli.text);
  await Deno.remove(root, { recursive: true });
});

Deno.test("train: bad input fails before any work", async () => {
  const root = await Deno.makeTempDir();
  // An empty VOC split.
  const voc = path.join(root, "voc");
  await Deno.mkdir(path.join(voc, "ImageSets", "Main"), { recursive: true });
  await Deno.mkdir(path.join(voc, "Annotations"));
  await Deno.mkdir(path.join(voc, "JPEGImages"));
  await Deno.writeTextFile(path.join(voc, "ImageSets", "Main", "train.txt"), "");
  const out = path.join(root, "run");
  const err = await assertRejectsFcos(() =>
    train(tinyRun(out, { data: `voc:${voc}:train`, valData: null }))
  );
  assert(/empty|no image/i.test(err.message), err.message);
  assertEquals(await pathExists(out), false);
  // A run folder that holds a run is not overwritten.
  await Deno.mkdir(path.join(out, "checkpoint"), { recursive: true });
  await assertRejects(() => train(tinyRun(out)), /already holds a training run/);
  // … unless asked to start over: the old checkpoint is replaced, other files are kept.
  await Deno.writeTextFile(path.join(out, "checkpoint", "stale"), "x");
  await Deno.writeTextFile(path.join(out, "notes.txt"), "mine");
  const over = await train(
    tinyRun(out, { data: "synthetic:4", valData: null, epochs: 1, overwrite: true }),
  );
  assertEquals(over.steps, 1);
  assertEquals(await pathExists(path.join(out, "checkpoint", "stale")), false);
  assertEquals(await Deno.readTextFile(path.join(out, "notes.txt")), "mine");
  await assertRejects(
    () => train({ outDir: path.join(root, "none"), resume: true, log: () => {} }),
    /no such run folder/,
  );
  await assertRejects(() => train(tinyRun(path.join(root, "x"), { epochs: 0 })), FcosError);
  await Deno.remove(root, { recursive: true });
});

/** Runs the CLI with console output captured. */
async function quiet(args: string[]): Promise<{ code: number; text: string }> {
  const err = console.error, log = console.log;
  const lines: string[] = [];
  console.error = (...a: unknown[]) => lines.push(a.join(" "));
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    return { code: await main(args), text: lines.join("\n") };
  } finally {
    console.error = err;
    console.log = log;
  }
}

Deno.test("train CLI: usage errors exit 2, bad input 1, help 0", async () => {
  assertEquals((await quiet(["train", "--help"])).code, 0);
  assertEquals((await quiet(["train", "--data", "synthetic"])).code, 2); // no --out
  assertEquals(
    (await quiet(["train", "--data", "synthetic", "--out", "x", "--epochs", "two"])).code,
    2,
  );
  assertEquals((await quiet(["train", "--data", "bogus:1", "--out", "x"])).code, 2);
  assertEquals((await quiet(["train", "--resume", "x", "--lr", "0.1"])).code, 2);
  for (const extra of [["--backbone", "resnet18"], ["--backbone-weights", "r18.safetensors"]]) {
    const r = await quiet([
      "train",
      "--data",
      "synthetic",
      "--out",
      "x",
      "--weights",
      "m",
      ...extra,
    ]);
    assertEquals(r.code, 2, r.text);
    assert(r.text.includes(`drop ${extra[0]}`), r.text);
  }
  const missing = await quiet([
    "train",
    "--data",
    "synthetic",
    "--out",
    "/nonexistent/run",
    "--weights",
    "/nonexistent/fcos.safetensors",
  ]);
  assertEquals(missing.code, 1);
  assert(missing.text.includes("/nonexistent/fcos.safetensors"), missing.text);
  assertEquals(
    (await quiet(["train", "--data", "synthetic", "--out", "x", "--backend", "tpu"])).code,
    2,
  );
  const r = await quiet(["train", "--resume", "/nonexistent/run"]);
  assertEquals(r.code, 1);
  assert(r.text.includes("/nonexistent/run"), r.text);
});

async function assertRejectsFcos(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    assert(e instanceof FcosError, `expected FcosError, got ${e}`);
    return e;
  }
  throw new Error("expected a rejection");
}

Deno.test("ProgressLine: \\r-rewritten line on a terminal, plain lines every few seconds otherwise", () => {
  let clock = 0;
  const tty: string[] = [];
  const bar = new ProgressLine({
    totalSteps: 20,
    stepsPerEpoch: 10,
    epochs: 2,
    isTerminal: true,
    write: (t) => tty.push(t),
    now: () => clock,
  });
  for (let s = 0; s < 3; s++) {
    clock += 2000; // 2 s per step of 4 images
    bar.update({ step: s, epoch: 0, loss: 1.5, lr: 0.01, images: 4 });
  }
  bar.log("epoch 1: mAP 0.5");
  bar.done();
  assert(tty[0].startsWith("\r\x1b[2Kepoch 1/2 [##"), JSON.stringify(tty[0]));
  assert(tty[2].includes("3/10 loss 1.5000 lr 0.0100 2.0 img/s ETA 34s"), tty[2]);
  assert(tty[3].includes("epoch 1: mAP 0.5\n") && tty[3].endsWith(tty[2].slice(5)), tty[3]);
  assertEquals(tty.at(-1), "\n");

  clock = 0;
  const plain: string[] = [];
  const bar2 = new ProgressLine({
    totalSteps: 20,
    stepsPerEpoch: 10,
    epochs: 2,
    isTerminal: false,
    write: (t) => plain.push(t),
    now: () => clock,
    plainEverySeconds: 10,
  });
  for (let s = 0; s < 10; s++) {
    clock += 3000;
    bar2.update({ step: s, epoch: 0, loss: 1, lr: 0.01, images: 4 });
  }
  // steps 0, 4 (12 s later), 8 (12 s later) and the epoch's last step
  assertEquals(plain.length, 4);
  assert(plain.every((l) => l.endsWith("\n") && !l.includes("\r")));
  assertEquals(formatDuration(3725), "1h02m");
  assertEquals(formatDuration(185), "3m05s");
});
