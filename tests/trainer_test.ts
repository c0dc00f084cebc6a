import { tf } from "../src/tf.ts";
import { assert, assertAlmostEquals, assertEquals, assertRejects, path } from "../src/std.ts";
import { FcosError } from "../src/errors.ts";
import { initBackend } from "../src/backend/select.ts";
import { readSafetensors } from "../src/io/safetensors.ts";
import { readMetrics, type StepRecord } from "../src/train/metrics.ts";
import { train, type TrainOptions } from "../src/train/trainer.ts";
import { formatDuration, ProgressLine } from "../src/train/progress.ts";
import { main } from "../src/cli/main.ts";

await initBackend({ backend: "wasm", threads: 1, log: () => {} });

const TINY = {
  backbone: "resnet18" as const,
  backboneWidth: 0.125,
  fpnChannels: 16,
  groupNormGroups: 4,
  headConvs: 1,
  minSize: 64,
  maxSize: 64,
  trainableBackboneLayers: 5,
};

/** 16 synthetic images, batches of 4: 4 steps per epoch; 4 validation images. */
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
    seed: 7,
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

Deno.test("train: interrupted twice and resumed, the losses equal an uninterrupted run", async () => {
  const root = await Deno.makeTempDir();
  const straight = path.join(root, "straight"), resumed = path.join(root, "resumed");
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

  const la = await stepLosses(straight), lb = await stepLosses(resumed);
  assertEquals(lb.map((r) => r.step), [0, 1, 2, 3, 4, 5, 6, 7]);
  for (let i = 0; i < 8; i++) {
    for (const k of ["loss", "classification", "bbox_regression", "bbox_ctrness", "lr"] as const) {
      assertAlmostEquals(lb[i][k], la[i][k], 1e-6, `step ${i} ${k}: ${lb[i][k]} vs ${la[i][k]}`);
    }
    assertEquals(lb[i].size, la[i].size);
  }
  assert(new Set(la.map((r) => r.size)).size === 2, "multi-scale picks both sizes");
  // Final weights equal too.
  const wa = await readSafetensors(path.join(straight, "model.safetensors"));
  const wb = await readSafetensors(path.join(resumed, "model.safetensors"));
  for (const [name, e] of wa.tensors) {
    const x = e.data as Float32Array, y = wb.tensors.get(name)!.data as Float32Array;
    for (let i = 0; i < x.length; i++) assertAlmostEquals(y[i], x[i], 1e-5, name);
  }
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
  assertEquals(await exists(path.join(out, "model.safetensors")), false);
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
  assertEquals(await exists(out), false);
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
  assertEquals(await exists(path.join(out, "checkpoint", "stale")), false);
  assertEquals(await Deno.readTextFile(path.join(out, "notes.txt")), "mine");
  await assertRejects(
    () => train({ outDir: path.join(root, "none"), resume: true, log: () => {} }),
    /no such run folder/,
  );
  await assertRejects(() => train(tinyRun(path.join(root, "x"), { epochs: 0 })), FcosError);
  await Deno.remove(root, { recursive: true });
});

Deno.test("train CLI: usage errors exit 2, bad input 1, help 0", async () => {
  const quiet = async (args: string[]) => {
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
  };
  assertEquals((await quiet(["train", "--help"])).code, 0);
  assertEquals((await quiet(["train", "--data", "synthetic"])).code, 2); // no --out
  assertEquals(
    (await quiet(["train", "--data", "synthetic", "--out", "x", "--epochs", "two"])).code,
    2,
  );
  assertEquals((await quiet(["train", "--data", "bogus:1", "--out", "x"])).code, 2);
  assertEquals((await quiet(["train", "--resume", "x", "--lr", "0.1"])).code, 2);
  assertEquals(
    (await quiet(["train", "--data", "synthetic", "--out", "x", "--backend", "tpu"])).code,
    2,
  );
  const r = await quiet(["train", "--resume", "/nonexistent/run"]);
  assertEquals(r.code, 1);
  assert(r.text.includes("/nonexistent/run"), r.text);
});

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}

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
