/**
 * `train` and `eval` on a small VOC-layout folder and a small COCO-layout folder made here from
 * the synthetic scenes: each trains one short epoch, writes its weights, and `eval --weights
 * --data` reports the 12 COCO stats and VOC mAP@0.5 of that model on that layout.
 */
import { assert, assertEquals, path } from "../src/std.ts";
import { openDataset } from "../src/data/dataset.ts";
import { writeVoc } from "../src/data/write.ts";
import { encodeImage } from "../src/data/image.ts";
import { trainCommand } from "../src/cli/train.ts";
import { evalCommand } from "../src/cli/eval.ts";
import { captured } from "./_capture.ts";

const quiet = <T>(fn: () => Promise<T>) =>
  captured("error", () => captured("log", fn)).then((r) => r.result.result);

async function trainAndEval(data: string, val: string, tmp: string) {
  const out = path.join(tmp, "run");
  const code = await quiet(() =>
    trainCommand([
      "--data",
      data,
      "--val-data",
      val,
      "--compact",
      "--epochs",
      "1",
      "--train-images",
      "8",
      "--batch-size",
      "4",
      "--backend",
      "wasm",
      "--out",
      out,
    ])
  );
  assertEquals(code, 0, `train on ${data}`);
  const metrics = (await Deno.readTextFile(path.join(out, "metrics.jsonl"))).trim().split("\n")
    .map((l) => JSON.parse(l));
  assertEquals(metrics.filter((m) => m.type === "step").length, 2, "two steps of 4 images");
  assert(metrics.some((m) => m.type === "eval"), "evaluated after the epoch");
  const evalCode = await quiet(() =>
    evalCommand([
      "--weights",
      path.join(out, "model.safetensors"),
      "--data",
      val,
      "--backend",
      "wasm",
      "--json",
      path.join(tmp, "stats.json"),
    ])
  );
  assertEquals(evalCode, 0, `eval on ${val}`);
  const stats = JSON.parse(await Deno.readTextFile(path.join(tmp, "stats.json")));
  assertEquals(stats.stats.length, 12);
  assertEquals(stats.images, 4);
  assert(stats.vocMap50 >= 0 && stats.vocMap50 <= 1);
}

Deno.test("train and eval on a VOC-layout folder", async () => {
  const tmp = await Deno.makeTempDir();
  const dir = path.join(tmp, "VOC2007");
  await writeVoc(dir, {
    train: await openDataset("synthetic:8", { split: "train" }),
    val: await openDataset("synthetic:4", { split: "val" }),
  });
  await trainAndEval(`voc:${dir}:train`, `voc:${dir}:val`, tmp);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("train and eval on a COCO-layout folder (non-contiguous category ids)", async () => {
  const tmp = await Deno.makeTempDir();
  const images = path.join(tmp, "images");
  await Deno.mkdir(images);
  const write = async (split: string, n: number) => {
    const ds = await openDataset(`synthetic:${n}`, { split });
    const json = {
      images: [] as unknown[],
      annotations: [] as unknown[],
      categories: ds.classNames.map((name, i) => ({ id: 10 + 3 * i, name })),
    };
    for (let i = 0; i < n; i++) {
      const s = await ds.get(i);
      const file = `${split}_${i}.png`;
      await Deno.writeFile(
        path.join(images, file),
        await encodeImage({ data: s.image, width: s.width, height: s.height }, "png"),
      );
      json.images.push({ id: i + 1, file_name: file, width: s.width, height: s.height });
      for (let k = 0; k < s.labels.length; k++) {
        const [x1, y1, x2, y2] = s.boxes.subarray(4 * k, 4 * k + 4);
        json.annotations.push({
          id: json.annotations.length + 1,
          image_id: i + 1,
          category_id: 10 + 3 * s.labels[k],
          bbox: [x1, y1, x2 - x1, y2 - y1],
          area: (x2 - x1) * (y2 - y1),
          iscrowd: 0,
        });
      }
    }
    const ann = path.join(tmp, `${split}.json`);
    await Deno.writeTextFile(ann, JSON.stringify(json));
    return `coco:${ann}:${images}`;
  };
  await trainAndEval(await write("train", 8), await write("val", 4), tmp);
  await Deno.remove(tmp, { recursive: true });
});
