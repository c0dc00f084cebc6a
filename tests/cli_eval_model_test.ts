/**
 * `cli.ts eval --weights W --data SPEC`: a model's COCO stats and VOC mAP on a data set, the same
 * numbers as predicting and evaluating through the library, written as JSON.
 */
import { assert, assertEquals } from "../src/std.ts";
import { initBackend } from "../src/backend/select.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { saveWeights } from "../src/io/weights.ts";
import { openDataset } from "../src/data/dataset.ts";
import { predictDataset } from "../src/train/trainer.ts";
import { evaluateDetections } from "../src/eval/detections.ts";
import { evalCommand } from "../src/cli/eval.ts";
import { captured } from "./_capture.ts";
import { TINY_NET } from "./_models.ts";

Deno.test("eval CLI: a model on a data set gives the library's numbers", async () => {
  await initBackend({ backend: "wasm", log: () => {} });
  const tmp = await Deno.makeTempDir();
  // An untrained tiny model with a low threshold: many detections, small but real APs.
  const model = FcosModel.create({
    ...TINY_NET,
    numClasses: 5,
    minSize: 96,
    maxSize: 96,
    scoreThresh: 0.01,
  }, { seed: 3 });
  await saveWeights(model, `${tmp}/m.safetensors`);
  const dataset = await openDataset("synthetic:6", { split: "val" });
  const { samples, detections } = await predictDataset(model, dataset, { batchSize: 3 });
  const want = evaluateDetections(samples, detections, 5, dataset.classNames);
  model.dispose();

  const { result: code, lines: out } = await captured("log", () =>
    evalCommand([
      "--weights",
      `${tmp}/m.safetensors`,
      "--data",
      "synthetic:6",
      "--backend",
      "wasm",
      "--batch-size",
      "3",
      "--json",
      `${tmp}/stats.json`,
    ]));
  assertEquals(code, 0);
  const got = JSON.parse(await Deno.readTextFile(`${tmp}/stats.json`));
  assertEquals(got.stats, want.coco.stats);
  assertEquals(got.vocMap50, want.vocMap50);
  assertEquals(got.images, 6);
  assert(want.coco.stats.every((v) => v === -1 || (v >= 0 && v <= 1)));
  assert(out.some((l) => l.includes("Average Precision")), out.join("\n"));
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("eval CLI: --weights without --data is a usage error (exit 2)", async () => {
  const { result } = await captured("error", () => evalCommand(["--weights", "w.safetensors"]));
  assertEquals(result, 2);
});
