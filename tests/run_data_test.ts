import { assertEquals, path } from "../src/std.ts";
import { SYNTHETIC_CLASSES } from "../src/data/synthetic.ts";
import type { CheckpointState } from "../src/train/checkpoint.ts";
import { limitDataset, openRunData, planRun } from "../src/train/run_data.ts";
import { freshSettings } from "../src/train/settings.ts";
import { fcosError } from "./_errors.ts";

const quiet = () => {};

Deno.test("openRunData: the first N training and validation images, the data's classes", async () => {
  const settings = freshSettings({
    data: "synthetic:16",
    outDir: "a",
    trainImages: 6,
    valImages: 3,
  });
  const data = await openRunData(settings, undefined, "a", quiet);
  assertEquals([data.trainSet.name, data.trainSet.length], ["synthetic:16:train (first 6)", 6]);
  assertEquals([data.valSet?.name, data.valSet?.length], ["synthetic:16:val (first 3)", 3]);
  assertEquals(data.classNames, [...SYNTHETIC_CLASSES]);
  // The first images are the data set's own.
  const full = await openRunData(
    freshSettings({ data: "synthetic:16", outDir: "a" }),
    undefined,
    "a",
    quiet,
  );
  assertEquals((await data.trainSet.get(5)).id, (await full.trainSet.get(5)).id);
  assertEquals(full.trainSet.length, 16);
  const noVal = await openRunData(
    freshSettings({ data: "synthetic:16", outDir: "a", valData: null }),
    undefined,
    "a",
    quiet,
  );
  assertEquals(noVal.valSet, null);
});

Deno.test("openRunData: an empty training split, and data whose classes are not the checkpoint's, are refused", async () => {
  const root = await Deno.makeTempDir();
  const voc = path.join(root, "voc");
  for (const d of ["ImageSets/Main", "Annotations", "JPEGImages"]) {
    await Deno.mkdir(path.join(voc, d), { recursive: true });
  }
  await Deno.writeTextFile(path.join(voc, "ImageSets", "Main", "train.txt"), "");
  const empty = freshSettings({ data: `voc:${voc}:train`, outDir: "a", valData: null });
  await fcosError(() => openRunData(empty, undefined, "a", quiet), "is empty");
  const resumed = { classNames: ["cat", "dog"] } as CheckpointState;
  const settings = freshSettings({ data: "synthetic:8", outDir: "a" });
  await fcosError(
    () => openRunData(settings, resumed, "runs/a", quiet),
    "synthetic:8: its classes differ from those of the checkpoint in runs/a",
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("planRun: configuration, sizes, steps and schedule of a fresh and of a resumed run", async () => {
  const settings = freshSettings({ data: "synthetic:10", outDir: "a", batchSize: 4, epochs: 3 });
  const data = await openRunData(settings, undefined, "a", quiet);
  const plan = planRun(settings, data, {
    outDir: "a",
    lr: 0.02,
    warmupIters: 2,
    config: { backbone: "resnet18", minSize: 96, maxSize: 160 },
  });
  assertEquals(plan.config.numClasses, SYNTHETIC_CLASSES.length); // the data's
  assertEquals([plan.config.backbone, plan.trainSizes, plan.maxRatio], [
    "resnet18",
    [96],
    160 / 96,
  ]);
  assertEquals(settings.trainSizes, [96]); // written back, for the checkpoint
  assertEquals([plan.stepsPerEpoch, plan.totalSteps], [2, 6]); // 10 images, batches of 4, last dropped
  assertEquals(plan.loader.batchesPerEpoch, 2);
  assertEquals([plan.schedule.lr, plan.schedule.totalSteps, plan.schedule.warmupIters], [
    0.02,
    6,
    2,
  ]);
  // Resumed: the checkpoint's configuration and schedule, whatever the options say.
  const resume = {
    config: plan.config,
    schedule: { ...plan.schedule, lr: 0.5 },
    classNames: data.classNames,
  } as CheckpointState;
  const again = planRun(
    settings,
    data,
    { outDir: "a", lr: 0.001, config: { minSize: 32 } },
    resume,
  );
  assertEquals([again.config, again.schedule.lr, again.trainSizes], [plan.config, 0.5, [96]]);
});

Deno.test("limitDataset: the data set itself when it has no more than N images", async () => {
  const settings = freshSettings({ data: "synthetic:5", outDir: "a" });
  const { trainSet } = await openRunData(settings, undefined, "a", quiet);
  assertEquals(limitDataset(trainSet, null), trainSet);
  assertEquals(limitDataset(trainSet, 5), trainSet);
  const two = limitDataset(trainSet, 2);
  assertEquals([two.length, two.classNames, two.skipped], [
    2,
    trainSet.classNames,
    trainSet.skipped,
  ]);
});
