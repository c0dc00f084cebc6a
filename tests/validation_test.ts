import { assertEquals } from "../src/std.ts";
import { initBackend } from "../src/backend/select.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { SYNTHETIC_CLASSES, SyntheticDataset } from "../src/data/synthetic.ts";
import { evaluateDetections } from "../src/eval/detections.ts";
import { evaluateModel, predictDataset } from "../src/train/validation.ts";
import { TINY } from "./_run.ts";

await initBackend({ backend: "wasm", threads: 1, log: () => {} });

Deno.test("evaluateModel: the record of the model's detections on the validation set, scored as evaluateDetections scores them", async () => {
  const classNames = [...SYNTHETIC_CLASSES];
  const model = FcosModel.create({ ...TINY, numClasses: classNames.length }, { seed: 1 });
  const valSet = new SyntheticDataset({ length: 5, split: "val", size: 64 });
  try {
    const ev = await evaluateModel(model, valSet, classNames, {
      epoch: 2,
      step: 40,
      batchSize: 2,
      strict: false,
    });
    const ids = await Promise.all([0, 1, 2, 3, 4].map(async (i) => (await valSet.get(i)).id));
    assertEquals(ev.samples.map((s) => s.id), ids);
    const { detections } = await predictDataset(model, valSet);
    assertEquals(ev.detections, detections); // in batches of max(2, 8) or 8: the same
    const m = evaluateDetections(ev.samples, detections, classNames.length, classNames);
    const { seconds, ...record } = ev.record;
    assertEquals(record, {
      type: "eval",
      epoch: 2,
      step: 40,
      coco: [...m.coco.stats],
      voc_map50: m.vocMap50,
      voc_ap50_per_class: m.vocAp50PerClass,
      images: 5,
    });
    assertEquals(seconds > 0, true);
  } finally {
    model.dispose();
  }
});
