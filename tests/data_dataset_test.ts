import { FcosError, UsageError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertThrows } from "../src/std.ts";
import { openDataset, parseDataSpec } from "../src/data/dataset.ts";
import { MAX_WARNINGS, Problems } from "../src/data/report.ts";

Deno.test("parseDataSpec: the four forms", () => {
  assertEquals(parseDataSpec("synthetic"), { kind: "synthetic" });
  assertEquals(parseDataSpec("synthetic:300"), { kind: "synthetic", length: 300 });
  assertEquals(parseDataSpec("voc:data/VOC2007"), { kind: "voc", dir: "data/VOC2007" });
  assertEquals(parseDataSpec("voc:data/VOC2007:test"), {
    kind: "voc",
    dir: "data/VOC2007",
    split: "test",
  });
  assertEquals(parseDataSpec("voc:C:\\VOC"), { kind: "voc", dir: "C:\\VOC" });
  assertEquals(parseDataSpec("coco:ann/instances_val2017.json:val2017"), {
    kind: "coco",
    annotations: "ann/instances_val2017.json",
    images: "val2017",
  });
});

Deno.test("parseDataSpec: malformed specs are usage errors", () => {
  for (
    const bad of ["imagenet", "synthetic:x", "synthetic:-1", "voc:", "coco:a.json", "coco:x:y"]
  ) {
    assertThrows(() => parseDataSpec(bad), UsageError);
  }
});

Deno.test("openDataset: missing folder / annotation file is an FcosError naming it", async () => {
  await assertRejects(() => openDataset("voc:no/such/dir", { root: "/tmp" }), FcosError);
  await assertRejects(
    () => openDataset("voc:no/such/dir", { root: "/tmp" }),
    /\/tmp\/no\/such\/dir: VOC folder not found/,
  );
  await assertRejects(
    () => openDataset("coco:missing.json:imgs", { root: "/tmp" }),
    /\/tmp\/missing\.json: cannot read COCO annotation file/,
  );
});

Deno.test("broken entries: the first 50 are listed, the rest only counted", () => {
  const lines: string[] = [];
  const p = new Problems(false, (l) => lines.push(l));
  for (let i = 0; i < 120; i++) p.skip(`img${i}.jpg`, "file not found");
  p.skip("img0.jpg", "file not found"); // same entry again: not repeated
  p.summary("voc:x");
  assertEquals(p.skipped.length, 120);
  assertEquals(lines.length, MAX_WARNINGS + 2);
  assertEquals(lines[0], "skipping img0.jpg: file not found");
  assertEquals(lines.at(-1), "voc:x: 120 broken entries skipped");
  assertThrows(() => new Problems(true, () => {}).skip("a.xml", "bad"), /a\.xml: bad/);
});
