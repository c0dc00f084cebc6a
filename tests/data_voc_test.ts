import { FcosError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../src/std.ts";
import { parseVocXml, VOC_CLASSES } from "../src/data/voc.ts";
import { openDataset } from "../src/data/dataset.ts";
import { BatchLoader } from "../src/data/loader.ts";
import { collector, imageBytes, vocAnnotation, writeVocFolder } from "./_data.ts";

Deno.test("VOC_CLASSES has the 20 classes in the usual order", () => {
  assertEquals(VOC_CLASSES.length, 20);
  assertEquals(VOC_CLASSES[0], "aeroplane");
  assertEquals(VOC_CLASSES[14], "person");
  assertEquals(VOC_CLASSES[19], "tvmonitor");
});

Deno.test("parseVocXml: 1-based inclusive pixels become continuous boxes, difficult kept", () => {
  const xml = vocAnnotation([100, 50], [
    { name: "dog", box: [11, 1, 40, 50] },
    { name: "person", box: [1, 1, 100, 50], difficult: true },
  ]);
  const a = parseVocXml(xml, "a.xml", VOC_CLASSES)!;
  assertEquals([a.width, a.height], [100, 50]);
  assertEquals(Array.from(a.boxes), [10, 0, 40, 50, 0, 0, 100, 50]);
  assertEquals(Array.from(a.labels), [11, 14]);
  assertEquals(Array.from(a.difficult), [0, 1]);
});

Deno.test("parseVocXml: box partly outside is clipped; outside or zero-area dropped with a warning", () => {
  const { lines, log } = collector();
  const xml = vocAnnotation([100, 50], [
    { name: "dog", box: [-20, 10, 150, 80] }, // clipped to the image
    { name: "cat", box: [200, 10, 250, 20] }, // entirely outside
    { name: "cow", box: [30, 10, 20, 20] }, // xmax < xmin
  ]);
  const a = parseVocXml(xml, "b.xml", VOC_CLASSES, { log })!;
  assertEquals(Array.from(a.boxes), [0, 9, 100, 50]);
  assertEquals(Array.from(a.labels), [11]);
  assertEquals(lines.length, 2);
  assert(lines[0].includes("b.xml#object 2") && lines[0].includes("outside"), lines[0]);
  assert(lines[1].includes("b.xml#object 3") && lines[1].includes("zero area"), lines[1]);
  assertThrows(
    () => parseVocXml(xml, "b.xml", VOC_CLASSES, { strict: true }),
    /b\.xml#object 2: box .* outside/,
  );
});

Deno.test("parseVocXml: unknown class dropped with a warning (strict: FcosError)", () => {
  const { lines, log } = collector();
  const xml = vocAnnotation([10, 10], [{ name: "dragon", box: [1, 1, 5, 5] }]);
  const a = parseVocXml(xml, "c.xml", VOC_CLASSES, { log })!;
  assertEquals(a.labels.length, 0);
  assertEquals(lines, ["skipping c.xml#object 1: unknown class name 'dragon'"]);
  assertThrows(() => parseVocXml(xml, "c.xml", VOC_CLASSES, { strict: true }), FcosError);
});

Deno.test("parseVocXml: no <size>, empty file, malformed XML → null + warning / FcosError", () => {
  const cases: [string, RegExp][] = [
    [vocAnnotation(null, [{ name: "dog", box: [1, 1, 5, 5] }]), /<size> is missing/],
    ["", /empty annotation file/],
    ["  \n", /empty annotation file/],
    ["<annotation><size><width>3</width></annotation>", /malformed XML/],
    ["<notes>hi</notes>", /no <annotation>/],
    [vocAnnotation([0, 10], []), /positive integer/],
  ];
  for (const [xml, re] of cases) {
    const { lines, log } = collector();
    assertEquals(parseVocXml(xml, "d.xml", VOC_CLASSES, { log }), null);
    assertEquals(lines.length, 1);
    assert(re.test(lines[0]) && lines[0].includes("d.xml"), lines[0]);
    assertThrows(() => parseVocXml(xml, "d.xml", VOC_CLASSES, { strict: true }), re);
  }
});

Deno.test("openDataset voc: split files, lazy decode, sizes and boxes", async () => {
  const img = await imageBytes(40, 30);
  const root = await writeVocFolder([
    {
      id: "000001",
      xml: vocAnnotation([40, 30], [{ name: "car", box: [5, 5, 20, 25] }]),
      image: img,
    },
    {
      id: "000002",
      xml: vocAnnotation([40, 30], [{ name: "bus", box: [1, 1, 40, 30] }]),
      image: img,
    },
    {
      id: "000003",
      xml: vocAnnotation([40, 30], [{ name: "cat", box: [1, 1, 4, 4] }]),
      image: img,
    },
  ], { train: ["000001", "000002"], val: ["000003"], trainval: ["000001", "000002", "000003"] });
  // DIR may be the VOCdevkit-like parent (VOC2007 found inside) or VOC2007 itself.
  const train = await openDataset(`voc:${root}:train`, {});
  assertEquals(train.length, 2);
  assertEquals(train.classNames, [...VOC_CLASSES]);
  const s = await train.get(1);
  assertEquals([s.id, s.width, s.height, s.image.length], ["000002", 40, 30, 40 * 30 * 3]);
  assert(s.file!.endsWith("JPEGImages/000002.jpg"));
  assertEquals(Array.from(s.boxes), [0, 0, 40, 30]);
  assertEquals(Array.from(s.labels), [5]);
  const val = await openDataset(`voc:VOC2007`, { root, split: "val" });
  assertEquals(val.length, 1);
  const all = await openDataset(`voc:${root}/VOC2007`, {}); // default: trainval
  assertEquals(all.length, 3);
  assertEquals(all.skipped, []);
  await Deno.remove(root, { recursive: true });
});

Deno.test("openDataset voc: missing folder, missing split file → FcosError naming it", async () => {
  await assertRejects(
    () => openDataset("voc:/nonexistent/VOCdevkit", {}),
    /\/nonexistent\/VOCdevkit: VOC folder not found/,
  );
  const root = await writeVocFolder([
    { id: "a", xml: vocAnnotation([8, 8], []), image: await imageBytes(8, 8) },
  ]);
  await assertRejects(
    () => openDataset(`voc:${root}:test`, {}),
    /ImageSets\/Main\/test\.txt: image set 'test' not found/,
  );
  const notVoc = await Deno.makeTempDir();
  await assertRejects(() => openDataset(`voc:${notVoc}`, {}), /not a VOC folder/);
  await Deno.remove(root, { recursive: true });
  await Deno.remove(notVoc, { recursive: true });
});

Deno.test("openDataset voc: broken entries skipped with one warning each; strict fails", async () => {
  const good = await imageBytes(20, 20);
  const truncated = good.subarray(0, good.length >> 1);
  const box = [{ name: "dog", box: [2, 2, 10, 10] as [number, number, number, number] }];
  const entries = [
    { id: "good", xml: vocAnnotation([20, 20], box), image: good },
    { id: "nosize", xml: vocAnnotation(null, box), image: good },
    { id: "empty", xml: "", image: good },
    { id: "noimage", xml: vocAnnotation([20, 20], box), image: null },
    { id: "trunc", xml: vocAnnotation([20, 20], box), image: truncated },
    {
      id: "text",
      xml: vocAnnotation([20, 20], box),
      image: new TextEncoder().encode("not a jpeg"),
    },
  ];
  const root = await writeVocFolder(entries);
  const { lines, log } = collector();
  const ds = await openDataset(`voc:${root}`, { log });
  // Annotation problems are found at open time.
  assertEquals(ds.length, 3);
  // Ids come sorted from Annotations/ (no split file): empty, good, noimage, nosize, text, trunc.
  assertEquals(ds.skipped.map((s) => s.file.split("/").pop()), [
    "empty.xml",
    "noimage.jpg",
    "nosize.xml",
  ]);
  assert(lines.some((l) => l.includes("3 broken entries skipped")));
  // Image problems surface in get(): FcosError naming the file, recorded once.
  for (const i of [1, 2]) {
    const err = await ds.get(i).catch((e) => e);
    assert(err instanceof FcosError, String(err));
    assert(/(trunc|text)\.jpg: cannot decode image/.test(err.message), err.message);
  }
  await ds.get(1).catch(() => {});
  assertEquals(ds.skipped.length, 5);
  // The loader skips them and goes on.
  const loader = new BatchLoader(ds, { batchSize: 3, shuffle: false });
  const batches = [];
  for await (const b of loader.epoch(0)) batches.push(b);
  assertEquals(batches.length, 1);
  assertEquals(batches[0].samples.map((s) => s.id), ["good"]);
  assertEquals(batches[0].indices, [0]);
  // strict: the first broken annotation is an FcosError.
  await assertRejects(
    () => openDataset(`voc:${root}`, { strict: true, log }),
    /empty\.xml: empty annotation file/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("openDataset voc: strict loader rethrows a broken image", async () => {
  const root = await writeVocFolder([
    {
      id: "t",
      xml: vocAnnotation([8, 8], []),
      image: new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3, 4, 5, 6]),
    },
  ]);
  const ds = await openDataset(`voc:${root}`, { strict: true });
  await assertRejects(() => ds.get(0), /t\.jpg: cannot decode image/);
  assertEquals(ds.skipped, []);
  await Deno.remove(root, { recursive: true });
});

Deno.test("openDataset voc: nothing usable → FcosError before any work", async () => {
  const root = await writeVocFolder([
    { id: "x", xml: "", image: await imageBytes(8, 8) },
    { id: "y", xml: vocAnnotation(null, []), image: await imageBytes(8, 8) },
  ]);
  const { log } = collector();
  await assertRejects(
    () => openDataset(`voc:${root}`, { log }),
    /the data set is empty \(no usable images; 2 broken entries skipped\)/,
  );
  const emptySplit = await writeVocFolder([], { train: [] });
  await assertRejects(() => openDataset(`voc:${emptySplit}:train`, {}), /empty/);
  await Deno.remove(root, { recursive: true });
  await Deno.remove(emptySplit, { recursive: true });
});

Deno.test("openDataset voc: classes.txt overrides the class list; size mismatch trusts pixels", async () => {
  const root = await writeVocFolder([
    {
      id: "a",
      xml: vocAnnotation([30, 30], [{ name: "blob", box: [1, 1, 30, 30] }]),
      image: await imageBytes(20, 10),
    },
  ]);
  await Deno.writeTextFile(`${root}/VOC2007/classes.txt`, "thing\nblob\n");
  const { lines, log } = collector();
  const ds = await openDataset(`voc:${root}`, { log });
  assertEquals(ds.classNames, ["thing", "blob"]);
  const s = await ds.get(0);
  assertEquals([s.width, s.height], [20, 10]);
  assertEquals(Array.from(s.boxes), [0, 0, 20, 10]);
  assertEquals(Array.from(s.labels), [1]);
  assert(lines.some((l) => l.includes("annotated size 30×30")));
  await Deno.remove(root, { recursive: true });
});
