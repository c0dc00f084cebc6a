import { tf } from "../src/tf.ts";
import { assert, assertEquals, assertRejects, path } from "../src/std.ts";
import { FcosError } from "../src/errors.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { Sgd } from "../src/train/optimizer.ts";
import { trainableParams } from "../src/train/trainer.ts";
import {
  type CheckpointState,
  findCheckpoint,
  loadCheckpointTensors,
  readCheckpointState,
  saveCheckpoint,
} from "../src/train/checkpoint.ts";
import { TINY_NET } from "./_models.ts";

await tf.setBackend("cpu");
(tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;

const TINY = {
  ...TINY_NET,
  numClasses: 3,
  minSize: 64,
  maxSize: 64,
};

function state(model: FcosModel, step: number): CheckpointState {
  return {
    version: 1,
    epoch: 1,
    step,
    stepsPerEpoch: 4,
    rng: [1, 2, 3, 4],
    config: model.config,
    classNames: ["a", "b", "c"],
    schedule: { lr: 0.01, warmupIters: 2, warmupFactor: 0.001, totalSteps: 8 },
    settings: {
      data: "synthetic:16",
      valData: null,
      trainImages: null,
      valImages: null,
      epochs: 2,
      batchSize: 4,
      seed: 0,
      momentum: 0.9,
      weightDecay: 1e-4,
      clipGrad: null,
      flipProbability: 0.5,
      trainSizes: [64],
      backboneWeights: null,
      strict: false,
    },
    reason: "epoch",
    time: new Date().toISOString(),
  };
}

Deno.test("checkpoint: weights, momentum and state round-trip; the swap keeps one complete copy", async () => {
  const dir = await Deno.makeTempDir();
  const a = FcosModel.create(TINY, { seed: 1 });
  const sgdA = new Sgd(trainableParams(a));
  // give the buffers non-zero content
  const grads = new Map(trainableParams(a).map((p) => [p.name, tf.onesLike(p.variable)]));
  sgdA.step(grads, 0.01);
  tf.dispose([...grads.values()]);
  await saveCheckpoint(dir, a, sgdA, state(a, 4));
  await saveCheckpoint(dir, a, sgdA, state(a, 5)); // second save swaps folders
  const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assertEquals(names, ["checkpoint"]);
  const found = await findCheckpoint(dir);
  assertEquals(found, path.join(dir, "checkpoint"));
  const st = await readCheckpointState(found);
  assertEquals(st.step, 5);
  assertEquals(st.rng, [1, 2, 3, 4]);

  const b = FcosModel.create(TINY, { seed: 2 });
  const sgdB = new Sgd(trainableParams(b));
  await loadCheckpointTensors(found, b, sgdB);
  for (const s of a.params.specs) {
    assertEquals(
      (await b.params.readTorch(s.name)).data,
      (await a.params.readTorch(s.name)).data,
      s.name,
    );
  }
  const bufA = await sgdA.getState(), bufB = await sgdB.getState();
  assertEquals(bufB.steps, 1);
  for (const [name, v] of bufA.buffers) assertEquals(bufB.buffers.get(name)!.data, v.data, name);

  // A swap cut off after checkpoint → checkpoint-old: the old copy is still found.
  await Deno.rename(path.join(dir, "checkpoint"), path.join(dir, "checkpoint-old"));
  assertEquals(await findCheckpoint(dir), path.join(dir, "checkpoint-old"));
  // An incomplete checkpoint-new (no state.json) is never used.
  await Deno.mkdir(path.join(dir, "checkpoint"));
  await Deno.writeTextFile(path.join(dir, "checkpoint", "model.safetensors"), "partial");
  assertEquals(await findCheckpoint(dir), path.join(dir, "checkpoint-old"));

  sgdA.dispose();
  sgdB.dispose();
  a.dispose();
  b.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("checkpoint: missing or broken checkpoints are FcosErrors naming the file", async () => {
  const dir = await Deno.makeTempDir();
  await assertRejects(() => findCheckpoint(path.join(dir, "nope")), /no such run folder/);
  await assertRejects(() => findCheckpoint(dir), /no complete checkpoint/);
  const ck = path.join(dir, "checkpoint");
  await Deno.mkdir(ck);
  await Deno.writeTextFile(path.join(ck, "state.json"), "{ not json");
  const err = await assertRejectsWith(() => readCheckpointState(ck));
  assert(err.message.includes(path.join(ck, "state.json")), err.message);
  await Deno.writeTextFile(path.join(ck, "state.json"), JSON.stringify({ version: 1, step: -1 }));
  await assertRejects(() => readCheckpointState(ck), /'step' must be an integer/);
  await Deno.remove(dir, { recursive: true });
});

async function assertRejectsWith(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    assert(e instanceof FcosError, `expected FcosError, got ${e}`);
    return e;
  }
  throw new Error("expected a rejection");
}
