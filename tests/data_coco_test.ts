import { FcosError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects } from "../src/std.ts";
import {
  COCO_CATEGORY_IDS,
  COCO_CLASSES,
  CocoCategories,
  openCoco,
  TORCHVISION_COCO_CATEGORIES,
} from "../src/data/coco.ts";
import { openDataset } from "../src/data/dataset.ts";
import { collector, imageBytes } from "./_data.ts";

Deno.test("COCO class tables: 80 names, their ids, torchvision's 91-entry list", () => {
  assertEquals(COCO_CLASSES.length, 80);
  assertEquals(COCO_CATEGORY_IDS.length, 80);
  assertEquals(COCO_CLASSES[0], "person");
  assertEquals(COCO_CLASSES[79], "toothbrush");
  assertEquals(COCO_CATEGORY_IDS[79], 90);
  assertEquals(TORCHVISION_COCO_CATEGORIES.length, 91);
  assertEquals(TORCHVISION_COCO_CATEGORIES[0], "__background__");
  assertEquals(TORCHVISION_COCO_CATEGORIES[12], "N/A");
  assertEquals(TORCHVISION_COCO_CATEGORIES[13], "stop sign");
  const std = CocoCategories.standard();
  assertEquals(std.toLabel(90), 79);
  assertEquals(std.toCategoryId(11), 13);
  assertEquals(std.toLabel(12), undefined);
});

/** Writes a COCO json + image folder; returns [json path, images dir, temp root]. */
async function writeCoco(json: unknown, images: Record<string, Uint8Array>) {
  const root = await Deno.makeTempDir({ prefix: "fcos_coco_" });
  await Deno.mkdir(`${root}/images`);
  for (const [name, bytes] of Object.entries(images)) {
    await Deno.writeFile(`${root}/images/${name}`, bytes);
  }
  await Deno.writeTextFile(`${root}/instances.json`, JSON.stringify(json));
  return [`${root}/instances.json`, `${root}/images`, root] as const;
}

const categories = [{ id: 18, name: "dog" }, { id: 1, name: "person" }, { id: 3, name: "car" }];

Deno.test("openCoco: sparse category ids → contiguous labels and back; xywh → xyxy; crowd", async () => {
  const img = await imageBytes(40, 30);
  const [json, images, root] = await writeCoco({
    images: [
      { id: 7, file_name: "a.jpg", width: 40, height: 30 },
      { id: 9, file_name: "b.png", width: 40, height: 30 },
    ],
    annotations: [
      { id: 1, image_id: 7, category_id: 18, bbox: [2.5, 3, 10, 20], iscrowd: 0 },
      { id: 2, image_id: 7, category_id: 1, bbox: [30, 20, 20, 20], iscrowd: 1 },
      { id: 3, image_id: 9, category_id: 3, bbox: [0, 0, 40, 30], iscrowd: 0 },
    ],
    categories,
  }, { "a.jpg": img, "b.png": await imageBytes(40, 30, "png") });
  const ds = await openCoco(json, images);
  assertEquals(ds.classNames, ["person", "car", "dog"]);
  assertEquals(ds.categories.ids, [1, 3, 18]);
  assertEquals(ds.categories.toLabel(18), 2);
  assertEquals(ds.categories.toCategoryId(2), 18);
  assertEquals(ds.length, 2);
  const s = await ds.get(0);
  assertEquals([s.id, s.width, s.height], ["7", 40, 30]);
  assertEquals(Array.from(s.boxes), [2.5, 3, 12.5, 23, 30, 20, 40, 30]); // second one clipped
  assertEquals(Array.from(s.labels), [2, 0]);
  assertEquals(Array.from(s.difficult), [0, 1]);
  const p = await ds.get(1);
  assertEquals(Array.from(p.labels), [1]);
  assertEquals(p.image.length, 40 * 30 * 3);
  // Through openDataset with a root for relative paths.
  const viaSpec = await openDataset("coco:instances.json:images", { root });
  assertEquals(viaSpec.length, 2);
  await Deno.remove(root, { recursive: true });
});

Deno.test("openCoco: negative size, unknown category, unknown image, missing file → skipped", async () => {
  const img = await imageBytes(20, 20);
  const doc = {
    images: [
      { id: 1, file_name: "a.jpg", width: 20, height: 20 },
      { id: 2, file_name: "missing.jpg", width: 20, height: 20 },
      { id: 3, file_name: "c.jpg", width: 20, height: 20 },
    ],
    annotations: [
      { id: 10, image_id: 1, category_id: 1, bbox: [1, 1, 5, 5], iscrowd: 0 },
      { id: 11, image_id: 1, category_id: 1, bbox: [5, 5, -3, 4], iscrowd: 0 },
      { id: 12, image_id: 1, category_id: 99, bbox: [1, 1, 5, 5], iscrowd: 0 },
      { id: 13, image_id: 42, category_id: 1, bbox: [1, 1, 5, 5], iscrowd: 0 },
      { id: 14, image_id: 2, category_id: 1, bbox: [1, 1, 5, 5], iscrowd: 0 }, // its image skipped
      { id: 15, image_id: 3, category_id: 3, bbox: [4, 4, 0, 3], iscrowd: 0 }, // zero width
    ],
    categories,
  };
  const [json, images, root] = await writeCoco(doc, { "a.jpg": img, "c.jpg": img });
  const { lines, log } = collector();
  const ds = await openCoco(json, images, { log });
  assertEquals(ds.length, 2);
  const reasons = ds.skipped.map((s) => `${s.file.split("/").pop()}: ${s.reason}`);
  assertEquals(reasons, [
    "missing.jpg: image file not found (image id 2 in " + json + ")",
    "instances.json#annotations[1] (id 11): bbox [5,5,-3,4] has negative size",
    "instances.json#annotations[2] (id 12): unknown category_id 99",
    "instances.json#annotations[3] (id 13): unknown image_id 42",
    "instances.json#annotations[5] (id 15): box (4, 4, 4, 7) has zero area",
  ]);
  assertEquals(lines.length, 6); // five warnings and the count
  assertEquals(Array.from((await ds.get(0)).labels), [0]);
  assertEquals((await ds.get(1)).labels.length, 0); // kept without objects
  const noEmpty = await openCoco(json, images, { log, skipEmpty: true });
  assertEquals(noEmpty.length, 1);
  await assertRejects(
    () => openCoco(json, images, { strict: true }),
    /missing\.jpg: image file not found/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("openCoco: strict fails on a negative-size box, naming the entry", async () => {
  const [json, images, root] = await writeCoco({
    images: [{ id: 1, file_name: "a.jpg", width: 20, height: 20 }],
    annotations: [{ id: 5, image_id: 1, category_id: 3, bbox: [1, 1, 4, -1] }],
    categories,
  }, { "a.jpg": await imageBytes(20, 20) });
  await assertRejects(
    () => openCoco(json, images, { strict: true }),
    /instances\.json#annotations\[0\] \(id 5\): bbox \[1,1,4,-1\] has negative size/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("openCoco: missing/invalid JSON or image folder and empty sets are FcosErrors", async () => {
  await assertRejects(
    () => openCoco("/nonexistent/instances.json", "/tmp"),
    /\/nonexistent\/instances\.json: cannot read COCO annotation file \(file not found\)/,
  );
  const [json, images, root] = await writeCoco({ images: [], annotations: [], categories }, {});
  await assertRejects(() => openCoco(json, images), /the data set is empty/);
  await assertRejects(() => openCoco(json, `${root}/nope`), /nope: COCO image folder not found/);
  await Deno.writeTextFile(json, "{ not json");
  await assertRejects(() => openCoco(json, images), /instances\.json: not valid JSON/);
  await Deno.writeTextFile(json, JSON.stringify({ images: [], categories }));
  await assertRejects(() => openCoco(json, images), /"annotations" must be an array/);
  await Deno.writeTextFile(
    json,
    JSON.stringify({ images: [], annotations: [], categories: [{ id: "x" }] }),
  );
  const err = await openCoco(json, images).catch((e) => e);
  assert(err instanceof FcosError && /categories\[0\]/.test(err.message), String(err));
  await Deno.remove(root, { recursive: true });
});
