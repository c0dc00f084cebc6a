import { tf } from "../src/tf.ts";
import { assert, assertAlmostEquals, assertEquals } from "../src/std.ts";
import { initBackend } from "../src/backend/select.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { generateSynthetic } from "../src/data/synthetic.ts";
import { Sgd } from "../src/train/optimizer.ts";
import { prepareBatch, trainableParams, trainStep } from "../src/train/trainer.ts";
import { lossAndGrads, planMicroBatch } from "../src/train/micro_batch.ts";
import { TINY_NET } from "./_models.ts";

await initBackend({ backend: "wasm", threads: 1, log: () => {} });

const TINY = {
  ...TINY_NET,
  numClasses: 5,
  minSize: 64,
  maxSize: 64,
  trainableBackboneLayers: 5,
};

/** Three synthetic images; the second has its boxes removed (no positives: only background). */
function samples() {
  const s = [0, 1, 2].map((i) => generateSynthetic(i, { size: 64 }));
  s[1] = { ...s[1], boxes: new Float32Array(0), labels: new Int32Array(0) };
  return s;
}

Deno.test("lossAndGrads: micro-batches of 1 and 2 give the whole batch's losses and gradients", async () => {
  const model = FcosModel.create(TINY);
  const vars = trainableParams(model).map((p) => p.variable);
  const batch = prepareBatch(model, samples(), 64, 64);
  try {
    const full = lossAndGrads(model, vars, batch.images, batch.targets);
    const fullParts = await full.parts.data();
    assert(full.numPositives > 0);
    for (const micro of [1, 2]) {
      const m = lossAndGrads(model, vars, batch.images, batch.targets, micro);
      assertEquals(m.numPositives, full.numPositives);
      assertAlmostEquals((await m.value.data())[0], (await full.value.data())[0], 1e-5);
      const parts = await m.parts.data();
      for (let i = 0; i < 3; i++) assertAlmostEquals(parts[i], fullParts[i], 1e-5);
      assertEquals(Object.keys(m.grads).sort(), Object.keys(full.grads).sort());
      let maxAbs = 0;
      let maxDiff = 0;
      for (const [name, g] of Object.entries(full.grads)) {
        const a = await g.data();
        const b = await m.grads[name].data();
        for (let i = 0; i < a.length; i++) {
          maxAbs = Math.max(maxAbs, Math.abs(a[i]));
          maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
        }
      }
      assert(maxAbs > 1e-3, `gradients are not trivially zero (max |g| ${maxAbs})`);
      assert(maxDiff <= 1e-5 * Math.max(1, maxAbs), `micro ${micro}: max diff ${maxDiff}`);
      tf.dispose([m.value, m.parts, ...Object.values(m.grads)]);
    }
    tf.dispose([full.value, full.parts, ...Object.values(full.grads)]);
  } finally {
    batch.images.dispose();
    model.dispose();
  }
});

Deno.test("lossAndGrads: per-micro-batch normalisation would differ (the global one is used)", async () => {
  // Guards the test above: dividing each micro-batch by its own positives changes the loss.
  const model = FcosModel.create(TINY);
  const vars = trainableParams(model).map((p) => p.variable);
  const batch = prepareBatch(model, samples(), 64, 64);
  try {
    const full = lossAndGrads(model, vars, batch.images, batch.targets);
    let ownSum = 0;
    for (let i = 0; i < 3; i++) {
      const one = lossAndGrads(
        model,
        vars,
        tf.slice(batch.images, [i, 0, 0, 0], [1, 64, 64, 3]),
        batch.targets.slice(i, i + 1),
      );
      ownSum += (await one.value.data())[0];
      tf.dispose([one.value, one.parts, ...Object.values(one.grads)]);
    }
    const total = (await full.value.data())[0];
    assert(Math.abs(ownSum - total) > 1e-3 * total, `${ownSum} vs ${total}`);
    tf.dispose([full.value, full.parts, ...Object.values(full.grads)]);
  } finally {
    batch.images.dispose();
    model.dispose();
  }
});

Deno.test("trainStep: microBatch 1 updates the weights as the whole batch does", async () => {
  const results: Float32Array[] = [];
  const losses: number[] = [];
  for (const microBatch of [undefined, 1]) {
    const model = FcosModel.create(TINY);
    const sgd = new Sgd(trainableParams(model), { momentum: 0.9, weightDecay: 1e-4 });
    const batch = prepareBatch(model, samples(), 64, 64);
    const l = await trainStep(model, sgd, batch, 0.01, { clipGrad: 10, microBatch });
    losses.push(l.total);
    const w = sgd.params.find((p) => p.name.endsWith("cls_logits.weight"))!.variable;
    results.push((await w.data()) as Float32Array);
    batch.images.dispose();
    sgd.dispose();
    model.dispose();
  }
  assertAlmostEquals(losses[1], losses[0], 1e-5);
  let maxDiff = 0;
  for (let i = 0; i < results[0].length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(results[0][i] - results[1][i]));
  }
  assert(maxDiff < 1e-6, `max weight difference ${maxDiff}`);
});

Deno.test("planMicroBatch: splits only on wasm, only when the estimate exceeds the heap budget", () => {
  const r18 = { backbone: "resnet18" };
  const r50 = { backbone: "resnet50" };
  // Measured: 4×512² R18 fits (3066 MiB of tensors), 4×640² did not finish.
  assertEquals(planMicroBatch(4, 512, 512, "wasm", r18), 4);
  assertEquals(planMicroBatch(4, 640, 640, "wasm", r18), 2);
  assertEquals(planMicroBatch(4, 640, 640, "webgpu", r18), 4);
  assertEquals(planMicroBatch(4, 640, 640, "cpu", r18), 4);
  // R50 needs about 2.6× R18's memory per pixel: 1×512² took 2252 MiB over the model.
  assertEquals(planMicroBatch(4, 512, 512, "wasm", r50), 1);
  assertEquals(planMicroBatch(8, 256, 256, "wasm", r50), 6);
  // Tensors already held count against the budget.
  assertEquals(planMicroBatch(4, 512, 512, "wasm", r18, 1024 * 2 ** 20), 2);
  // The compact model (1/4 width, FPN 64) at 128 px never splits; huge images go one at a time.
  const compact = { backbone: "resnet18", backboneWidth: 0.25, fpnChannels: 64 };
  assertEquals(planMicroBatch(64, 128, 128, "wasm", compact), 64);
  assertEquals(planMicroBatch(3, 4096, 4096, "wasm", r18), 1);
  assertEquals(planMicroBatch(1, 4096, 4096, "wasm", r18), 1);
});
