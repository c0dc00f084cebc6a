import { initBackend } from "../src/backend/select.ts";
import { assert, assertEquals, path } from "../src/std.ts";
import { FcosError } from "../src/errors.ts";
import { Rng } from "../src/data/rng.ts";
import { readCheckpointState } from "../src/train/checkpoint.ts";
import { readMetrics } from "../src/train/metrics.ts";
import { isOutOfMemory, pickSize, runEpochs, stepFailure } from "../src/train/epoch.ts";
import { createRun, type RunState, startRun } from "../src/train/run_state.ts";
import { NonFiniteLossError } from "../src/train/step.ts";
import { setUp, tinyOptions } from "./_run.ts";

await initBackend({ backend: "wasm", threads: 1, log: () => {} });

Deno.test("pickSize: one size draws nothing; several are picked by the run's random stream", () => {
  const rng = new Rng(7);
  const start = [...rng.state];
  assertEquals(pickSize([512], rng), 512);
  assertEquals(rng.state, start);
  const twin = new Rng(7);
  const picks = Array.from({ length: 20 }, () => pickSize([64, 96, 128], rng));
  assertEquals(picks, Array.from({ length: 20 }, () => [64, 96, 128][twin.int(3)]));
  assertEquals(new Set(picks).size, 3);
});

Deno.test("isOutOfMemory and stepFailure: what a failed step tells the user", () => {
  assert(isOutOfMemory(new Error("Cannot allocate Wasm memory for new instance")));
  assert(isOutOfMemory(new RangeError("WebAssembly: memory access out of bounds")));
  assert(isOutOfMemory("GPU OOM"));
  assert(!isOutOfMemory(new FcosError("a.jpg: out of memory while decoding")));
  assert(!isOutOfMemory(new Error("shapes do not match")));
  const run = {
    step: 12,
    setup: { backend: "wasm" },
    keptCheckpoint: () => "KEPT",
  } as unknown as RunState;
  const diverged = stepFailure(new NonFiniteLossError("step 12: the x loss is NaN"), run, "B");
  assert(diverged instanceof FcosError);
  assertEquals(
    diverged.message,
    "training diverged at step 12: the x loss is NaN; stopped without saving these weights, KEPT. " +
      "Try a lower --lr or --clip-grad",
  );
  const oom = stepFailure(new Error("out of memory"), run, "batch of 4 at size 512");
  assert(oom instanceof FcosError);
  assertEquals(
    oom.message,
    "out of memory at step 12 (batch of 4 at size 512 on wasm); KEPT. Try a smaller --batch-size or --size",
  );
  const other = new TypeError("a bug");
  assertEquals(stepFailure(other, run, "B"), other);
});

Deno.test("runEpochs: steps, epoch ends (evaluation, best weights, checkpoint, plots), a stop after the current step, and the rest", async () => {
  const root = await Deno.makeTempDir();
  const outDir = path.join(root, "run");
  const lines: string[] = [];
  const { resolved, setup } = await setUp(
    tinyOptions(outDir, { trainSizes: [64, 96], clipGrad: 5 }),
    lines,
  );
  const run = await createRun(setup, { clear: false });
  try {
    await startRun(run, resolved, false);
    const stop = new AbortController();
    const steps: number[] = [];
    const interrupted = await runEpochs(run, {
      signal: stop.signal,
      onStep: (r) => {
        steps.push(r.step);
        if (r.step === 2) stop.abort();
      },
    });
    // Stopped after step 2 (the first of epoch 2), with epoch 1 ended and checkpointed.
    assertEquals([interrupted, run.step, run.epochsDone, steps], [true, 3, 1, [0, 1, 2]]);
    assertEquals(run.lastGood, { epoch: 1, step: 2 });
    const atEpoch1 = await readCheckpointState(path.join(outDir, "checkpoint"));
    assertEquals([atEpoch1.epoch, atEpoch1.step, atEpoch1.reason], [1, 2, "epoch"]);
    assertEquals(run.best?.epoch, 1);
    assertEquals(run.lastEval?.epoch, 1);
    assert(lines.some((l) => l.startsWith("epoch 1/2: VOC mAP@0.5 ")), lines.join("\n"));
    for (const f of ["best.safetensors", "loss.png", "map.png"]) {
      await Deno.stat(path.join(outDir, f));
    }
    // The rest of the run.
    assertEquals(await runEpochs(run, { onStep: (r) => steps.push(r.step) }), false);
    assertEquals([run.step, run.epochsDone, steps], [4, 2, [0, 1, 2, 3]]);
    assertEquals(run.finalEval?.record.epoch, 2);
    const records = await readMetrics(path.join(outDir, "metrics.jsonl"));
    assertEquals(
      records.map((r) => `${r.type} ${r.type === "step" ? r.step : r.epoch}`),
      ["step 0", "step 1", "eval 1", "step 2", "step 3", "eval 2"],
    );
    assertEquals(
      (await readCheckpointState(path.join(outDir, "checkpoint"))).step,
      4,
    );
  } finally {
    run.close();
  }
  await Deno.remove(root, { recursive: true });
});
