import { tf } from "../src/tf.ts";
import { assert, assertEquals, path } from "../src/std.ts";
import { saveWeights } from "../src/io/weights.ts";
import { saveCheckpoint } from "../src/train/checkpoint.ts";
import type { EvalRecord } from "../src/train/metrics.ts";
import { bestEpoch, createRun, RunState, startRun } from "../src/train/run_state.ts";
import { fcosError } from "./_errors.ts";
import { setUp, tinyOptions } from "./_run.ts";

await tf.setBackend("cpu");
(tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;

function evalRecord(epoch: number, vocMap50: number): EvalRecord {
  return {
    type: "eval",
    epoch,
    step: epoch * 4,
    coco: new Array(12).fill(0),
    voc_map50: vocMap50,
    voc_ap50_per_class: [],
    images: 4,
    seconds: 1,
  };
}

Deno.test("bestEpoch: the highest VOC mAP@0.5, the first of equals; none without evaluations", () => {
  const evals = [evalRecord(1, 0.2), evalRecord(2, 0.5), evalRecord(3, 0.5), evalRecord(4, 0.1)];
  assertEquals(bestEpoch(evals, "b.safetensors"), {
    epoch: 2,
    vocMap50: 0.5,
    path: "b.safetensors",
  });
  assertEquals(bestEpoch([], "b.safetensors"), undefined);
});

Deno.test("createRun and startRun: a fresh run's folder, seeded model, log, opening line and checkpoint state", async () => {
  const root = await Deno.makeTempDir();
  const outDir = path.join(root, "run");
  // A previous run's files go when asked to clear; the user's stay.
  await Deno.mkdir(path.join(outDir, "detections"), { recursive: true });
  await Deno.writeTextFile(path.join(outDir, "metrics.jsonl"), "");
  await Deno.writeTextFile(path.join(outDir, "notes.txt"), "mine");
  const lines: string[] = [];
  const options = tinyOptions(outDir, { seed: 3, trainSizes: [64, 96], overwrite: true });
  const { resolved, setup } = await setUp(options, lines);
  const run = await createRun(setup, { clear: true });
  try {
    assertEquals(
      [...Deno.readDirSync(outDir)].map((e) => e.name).sort(),
      ["notes.txt"],
    );
    await startRun(run, resolved, false);
    assertEquals([run.step, run.epochsDone, run.lastGood, run.best, run.lastEval], [
      0,
      0,
      null,
      undefined,
      undefined,
    ]);
    assertEquals(run.progress, undefined);
    assertEquals(run.metrics.records, []);
    assertEquals(lines, [
      `training resnet18 FCOS (${
        (run.model.params.count().trainable / 1e6).toFixed(2)
      }M trainable parameters) on synthetic:8:train: 8 images, 2 epochs × 2 steps of 4, lr 0.005, ` +
      `sizes 64/96, backend cpu; validation synthetic:8:val (first 2)`,
    ]);
    assertEquals(run.keptCheckpoint(), "no checkpoint was written yet");
    run.lastGood = { epoch: 1, step: 2 };
    assertEquals(
      run.keptCheckpoint(),
      `the last good checkpoint (epoch 1, step 2) is kept in ${path.join(outDir, "checkpoint")}`,
    );
    const state = run.checkpointState("interrupt");
    assertEquals(
      [state.epoch, state.step, state.stepsPerEpoch, state.reason, state.settings.seed],
      [0, 0, 2, "interrupt", 3],
    );
    assertEquals(state.rng, run.scaleRng.state);
    // The same seed gives the same initial weights.
    const again = new RunState(setup);
    const name = run.model.params.specs[0].name;
    assertEquals(
      await again.model.params.get(name).data(),
      await run.model.params.get(name).data(),
    );
    again.close();
  } finally {
    run.close();
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("startRun: fine-tuning loads the file's weights and lets the file go; a resumed run whose data changed is refused", async () => {
  const root = await Deno.makeTempDir();
  const lines: string[] = [];
  const base = { valData: null, epochs: 1 };
  const first = await setUp(tinyOptions(path.join(root, "a"), { ...base, seed: 1 }), lines);
  const source = await createRun(first.setup, { clear: false });
  const file = path.join(root, "a.safetensors");
  await saveWeights(source.model, file);
  // Fine-tune from it (another seed: the loaded weights replace the seeded ones).
  const ft = await setUp(
    tinyOptions(path.join(root, "b"), { ...base, seed: 2, weights: file }),
    lines,
  );
  assert(ft.resolved.fineTune !== undefined);
  const run = await createRun(ft.setup, { clear: false });
  try {
    await startRun(run, ft.resolved, false);
    assertEquals(ft.resolved.fineTune, undefined);
    assert(/^weights: \d+ tensors from .*a\.safetensors$/.test(lines[0]), lines[0]);
    for (const spec of run.model.params.specs.slice(0, 3)) {
      assertEquals(
        await run.model.params.get(spec.name).data(),
        await source.model.params.get(spec.name).data(),
        spec.name,
      );
    }
    // A checkpoint of 2 steps per epoch, resumed on data that gives 1.
    source.step = 2;
    source.epochsDone = 1;
    await saveCheckpoint(
      source.setup.runDir,
      source.model,
      source.sgd,
      source.checkpointState("epoch"),
    );
  } finally {
    run.close();
  }
  const stateFile = path.join(root, "a", "checkpoint", "state.json");
  const state = JSON.parse(await Deno.readTextFile(stateFile));
  await Deno.writeTextFile(stateFile, JSON.stringify({ ...state, stepsPerEpoch: 5 }));
  const resumed = await setUp({ outDir: path.join(root, "a"), resume: true }, lines);
  const back = await createRun(resumed.setup, { clear: false });
  try {
    await fcosError(
      () => startRun(back, resumed.resolved, false),
      "the data now gives 2 steps per epoch, the run had 5",
    );
    // What was restored before the check: the checkpoint's step, epoch and size stream.
    assertEquals([back.step, back.epochsDone, back.scaleRng.state], [2, 1, state.rng]);
  } finally {
    back.close();
    source.close();
  }
  await Deno.remove(root, { recursive: true });
});
