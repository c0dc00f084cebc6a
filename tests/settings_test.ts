import { assertEquals, path } from "../src/std.ts";
import { fcosError } from "./_errors.ts";
import {
  checkSettings,
  defaultValData,
  freshSettings,
  resolveSettings,
} from "../src/train/settings.ts";

Deno.test("freshSettings: the defaults of TrainOptions, and the validation data each training spec implies", async () => {
  const s = freshSettings({ data: "synthetic:16", outDir: "runs/a" });
  assertEquals(s, {
    data: "synthetic:16",
    valData: "synthetic:16",
    trainImages: null,
    valImages: null,
    epochs: 10,
    batchSize: 4,
    seed: 0,
    momentum: 0.9,
    weightDecay: 1e-4,
    clipGrad: null,
    flipProbability: 0.5,
    trainSizes: [],
    backboneWeights: null,
    weights: null,
    strict: false,
  });
  assertEquals(freshSettings({ data: "synthetic", outDir: "a", valData: null }).valData, null);
  assertEquals(freshSettings({ data: "synthetic", outDir: "a", trainSizes: [] }).trainSizes, []);
  assertEquals(defaultValData("voc:/d/VOC2007:train"), "voc:/d/VOC2007:val");
  assertEquals(defaultValData("voc:/d/VOC2007"), "voc:/d/VOC2007:test");
  assertEquals(defaultValData("voc:/d/VOC2007:trainval"), "voc:/d/VOC2007:test");
  assertEquals(defaultValData("coco:/d/ann.json:/d/images"), null);
  await fcosError(() => freshSettings({ outDir: "a" }), "no training data");
});

Deno.test("checkSettings: names the first bad value", async () => {
  const bad: [Parameters<typeof freshSettings>[0], string][] = [
    [{ epochs: 0 }, "epochs must be a positive integer, got 0"],
    [{ batchSize: 2.5 }, "batch size must be a positive integer, got 2.5"],
    [{ trainImages: -1 }, "training images must be a positive integer, got -1"],
    [{ valImages: 0 }, "validation images must be a positive integer, got 0"],
    [{ trainSizes: [64, 0] }, "training size must be a positive integer, got 0"],
    [{ clipGrad: 0 }, "gradient clipping norm must be > 0, got 0"],
    [{ flipProbability: 1.5 }, "flip probability must be in [0, 1], got 1.5"],
    [{ weights: "a.pth", backboneWeights: "b.pth" }, "give either whole-model weights (a.pth)"],
  ].map(([o, m]) => [{ data: "synthetic", outDir: "a", ...o as object }, m as string]);
  for (const [options, message] of bad) {
    await fcosError(() => checkSettings(freshSettings(options)), message);
  }
  checkSettings(freshSettings({ data: "synthetic", outDir: "a", clipGrad: 5, trainSizes: [64] }));
});

Deno.test("resolveSettings: a folder that holds a run is refused unless overwritten; resume takes the checkpoint's settings", async () => {
  const root = await Deno.makeTempDir();
  const fresh = await resolveSettings({ data: "synthetic:8", outDir: path.join(root, "new") });
  assertEquals([fresh.settings.data, fresh.resume, fresh.fineTune], [
    "synthetic:8",
    undefined,
    undefined,
  ]);
  for (const held of ["checkpoint", "checkpoint-old"]) {
    const dir = path.join(root, held);
    await Deno.mkdir(path.join(dir, held), { recursive: true });
    await fcosError(
      () => resolveSettings({ data: "synthetic", outDir: dir }),
      `${dir} already holds a training run`,
    );
    // --force: the folder is taken, and the settings are checked as usual.
    const over = await resolveSettings({ data: "synthetic", outDir: dir, overwrite: true });
    assertEquals(over.settings.epochs, 10);
    await fcosError(
      () => resolveSettings({ data: "synthetic", outDir: dir, overwrite: true, epochs: 0 }),
      "epochs",
    );
  }
  // A fine-tuning file is read (and refused when missing) before any other work.
  await fcosError(
    () =>
      resolveSettings({
        data: "synthetic",
        outDir: path.join(root, "ft"),
        weights: path.join(root, "missing.safetensors"),
      }),
    "missing.safetensors",
  );
  // Resumed: the checkpoint's settings, whatever the options say.
  const run = path.join(root, "checkpoint");
  const stored = { ...freshSettings({ data: "synthetic:4", outDir: run }), epochs: 3 };
  await Deno.writeTextFile(
    path.join(run, "checkpoint", "state.json"),
    JSON.stringify({
      version: 1,
      epoch: 1,
      step: 2,
      stepsPerEpoch: 2,
      rng: [1, 2, 3, 4],
      config: {},
      classNames: ["a"],
      schedule: { lr: 0.01 },
      settings: stored,
    }),
  );
  for (const f of ["model.safetensors", "optimizer.safetensors"]) {
    await Deno.writeFile(path.join(run, "checkpoint", f), new Uint8Array(0));
  }
  const resumed = await resolveSettings({ outDir: run, resume: true, data: "other", epochs: 9 });
  assertEquals(resumed.settings, stored);
  assertEquals([resumed.resume?.dir, resumed.resume?.state.step], [
    path.join(run, "checkpoint"),
    2,
  ]);
  await fcosError(
    () => resolveSettings({ outDir: path.join(root, "none"), resume: true }),
    "no such run folder",
  );
  await Deno.remove(root, { recursive: true });
});
