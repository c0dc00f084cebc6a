import { UsageError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects } from "../src/std.ts";
import {
  generateSynthetic,
  SYNTHETIC_CLASSES,
  SYNTHETIC_IMAGE_SIZE,
  SyntheticDataset,
} from "../src/data/synthetic.ts";
import { openDataset } from "../src/data/dataset.ts";
import { synthCommand } from "../src/cli/synth.ts";

Deno.test("synthetic: deterministic per (seed, split, index); splits and seeds differ", () => {
  const a = generateSynthetic(3, { seed: 1 });
  const b = generateSynthetic(3, { seed: 1 });
  assertEquals(a, b);
  // A cheap fingerprint: FNV-1a over the pixels.
  const fp = (img: Uint8Array) => img.reduce((h, v) => Math.imul(h ^ v, 16777619), 2166136261);
  const trainImgs = new Set(Array.from({ length: 20 }, (_, i) => fp(generateSynthetic(i).image)));
  assertEquals(trainImgs.size, 20);
  for (let i = 0; i < 20; i++) {
    assert(!trainImgs.has(fp(generateSynthetic(i, { split: "val" }).image)), `val ${i}`);
  }
  assert(fp(generateSynthetic(3, { seed: 2 }).image) !== fp(a.image));
  assertEquals(a.id, "train_000003");
});

Deno.test("synthetic: 1–4 objects of 12–70 px, all classes, boxes are exact pixel extents", () => {
  const counts = new Array(SYNTHETIC_CLASSES.length).fill(0);
  const perImage = new Set<number>();
  for (let i = 0; i < 100; i++) {
    const s = generateSynthetic(i, { split: "val" });
    assertEquals([s.width, s.height], [SYNTHETIC_IMAGE_SIZE, SYNTHETIC_IMAGE_SIZE]);
    const k = s.labels.length;
    assert(k >= 1 && k <= 4, `image ${i}: ${k} objects`);
    perImage.add(k);
    for (let j = 0; j < k; j++) {
      counts[s.labels[j]]++;
      const [x1, y1, x2, y2] = s.boxes.subarray(4 * j, 4 * j + 4);
      assert(x1 >= 0 && y1 >= 0 && x2 <= s.width && y2 <= s.height);
      assert(Number.isInteger(x1) && Number.isInteger(x2), "integer pixel extents");
      const side = Math.sqrt((x2 - x1) * (y2 - y1));
      assert(side >= 5 && side <= 80, `side ${side}`);
    }
  }
  assert(counts.every((c) => c > 25), String(counts));
  assertEquals(perImage.size, 4);
});

Deno.test("synthetic: a lone rectangle's box edges are where its colour starts", () => {
  // Find an image with a single rectangle; inside its box the pixels are saturated, and the
  // row just outside differs strongly from the row just inside.
  for (let i = 0; i < 200; i++) {
    const s = generateSynthetic(i, { objectCount: [1, 1] });
    if (s.labels[0] !== 0) continue;
    const [x1, y1, x2, y2] = Array.from(s.boxes);
    const px = (x: number, y: number) =>
      Array.from(s.image.subarray((y * 128 + x) * 3, (y * 128 + x) * 3 + 3));
    const sat = ([r, g, b]: number[]) => Math.max(r, g, b) - Math.min(r, g, b);
    const cx = Math.floor((x1 + x2) / 2), cy = Math.floor((y1 + y2) / 2);
    assert(sat(px(x1, cy)) > 60 && sat(px(x2 - 1, cy)) > 60, "inside edge is the object");
    assert(sat(px(cx, y1)) > 60 && sat(px(cx, y2 - 1)) > 60);
    return;
  }
  throw new Error("no lone rectangle in 200 images");
});

Deno.test("synthetic: generation is fast (< 25 ms per 128×128 image)", () => {
  generateSynthetic(0);
  const t = performance.now();
  for (let i = 0; i < 50; i++) generateSynthetic(i);
  const ms = (performance.now() - t) / 50;
  assert(ms < 25, `${ms.toFixed(1)} ms per image`);
});

Deno.test("openDataset synthetic: lengths, splits, classes", async () => {
  const train = await openDataset("synthetic", {});
  assertEquals(train.length, 5000);
  assertEquals(train.classNames, [...SYNTHETIC_CLASSES]);
  const val = await openDataset("synthetic:40", { split: "val" });
  assertEquals(val.length, 40);
  assertEquals((await val.get(5)).id, "val_000005");
  assertEquals((await val.get(5)).boxes, generateSynthetic(5, { split: "val" }).boxes);
  await assertRejects(() => val.get(40), RangeError);
  await assertRejects(() => openDataset("synthetic:0", {}), UsageError);
  await assertRejects(() => openDataset("synthetic", { split: "dev" }), /unknown split 'dev'/);
  assertEquals(new SyntheticDataset({ split: "test" }).length, 300);
});

Deno.test("synth CLI writes a VOC folder that reads back as the same images", async () => {
  const out = await Deno.makeTempDir({ prefix: "fcos_synth_" });
  const log = console.log;
  console.log = () => {};
  try {
    assertEquals(
      await synthCommand(["--out", out, "--count", "6", "--val", "2", "--format", "png"]),
      0,
    );
  } finally {
    console.log = log;
  }
  for (
    const f of [
      "classes.txt",
      "ImageSets/Main/train.txt",
      "ImageSets/Main/val.txt",
      "JPEGImages/train_000005.png",
      "Annotations/val_000001.xml",
    ]
  ) {
    await Deno.stat(`${out}/${f}`);
  }
  const val = await openDataset(`voc:${out}:val`, {});
  assertEquals(val.length, 2);
  assertEquals(val.classNames, [...SYNTHETIC_CLASSES]);
  for (let i = 0; i < 2; i++) {
    const s = await val.get(i);
    const g = generateSynthetic(i, { split: "val" });
    assertEquals([s.id, s.boxes, s.labels], [g.id, g.boxes, g.labels]);
    assertEquals(s.image, g.image); // PNG is lossless
  }
  assertEquals((await openDataset(`voc:${out}:train`, {})).length, 6);
  assertEquals((await openDataset(`voc:${out}`, {})).length, 8); // trainval
  await Deno.remove(out, { recursive: true });
});

Deno.test("synth CLI: --help 0, usage errors 2, unwritable output 1", async () => {
  const saved = [console.log, console.error];
  const lines: string[] = [];
  console.log = console.error = (l: string) => lines.push(l);
  try {
    assertEquals(await synthCommand(["--help"]), 0);
    assert(lines[0].includes("Usage: fcos synth"));
    assertEquals(await synthCommand([]), 2);
    assertEquals(await synthCommand(["--out", "x", "--count", "abc"]), 2);
    assertEquals(await synthCommand(["--out", "x", "--format", "gif"]), 2);
    assertEquals(await synthCommand(["--out", "x", "--bogus"]), 2);
    const file = await Deno.makeTempFile();
    assertEquals(await synthCommand(["--out", `${file}/sub`, "--count", "1"]), 1);
    assert(lines.at(-1)!.includes("cannot create the output folder"), lines.at(-1));
    await Deno.remove(file);
  } finally {
    [console.log, console.error] = saved;
  }
});
