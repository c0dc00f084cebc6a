/**
 * VOC AP (src/eval/voc.ts) on hand-worked cases, and the in-memory API the trainer uses
 * (src/eval/detections.ts): difficult boxes, the COCO/VOC matching difference, agreement with the
 * JSON path on the shared pycocotools fixture, and bad input.
 */
import { assertAlmostEquals, assertEquals, assertThrows } from "../src/std.ts";
import { FcosError } from "../src/errors.ts";
import type { Detections } from "../src/model/types.ts";
import type { EvalImage } from "../src/eval/inputs.ts";
import { evaluateVoc, formatVocSummary, vocAveragePrecision } from "../src/eval/voc.ts";
import { evaluateDetections } from "../src/eval/detections.ts";
import { evaluateCoco, parseCocoGroundTruth, parseCocoResults } from "../src/eval/coco.ts";

const ONE = 1 / (1 + 2.220446049250313e-16);

function img(boxes: number[][], labels: number[], difficult?: number[]): EvalImage {
  return {
    boxes: new Float32Array(boxes.flat()),
    labels: new Int32Array(labels),
    ...(difficult ? { difficult: new Uint8Array(difficult) } : {}),
  };
}
function dets(boxes: number[][], scores: number[], labels: number[]): Detections {
  return {
    boxes: new Float32Array(boxes.flat()),
    scores: new Float32Array(scores),
    labels: new Int32Array(labels),
  };
}

Deno.test("voc: 11-point and area AP with a false positive and a difficult box", () => {
  // GT: g1, g2 and a difficult gd. Detections by score: d1→g1 TP, d2 nowhere FP, d3→gd (neither),
  // d4→g2 TP. npos = 2: rec [.5, .5, .5, 1], prec [1, 1/2, 1/2, 2/3].
  // 11-point: t = 0…0.5 (6 points) → 1; t = 0.6…1 (5 points) → 2/3 → (6 + 10/3)/11 = 28/33.
  // area: envelope [1, 2/3] over recall [0, .5], (.5, 1] → .5·1 + .5·2/3 = 5/6.
  const gt = [
    img([[0, 0, 100, 100], [200, 0, 300, 100], [400, 0, 500, 100]], [0, 0, 0], [0, 0, 1]),
  ];
  const dt = [dets(
    [[0, 0, 100, 100], [600, 600, 700, 700], [400, 0, 500, 100], [200, 0, 300, 100]],
    [0.9, 0.8, 0.7, 0.6],
    [0, 0, 0, 0],
  )];
  const r = evaluateVoc(gt, dt, 1);
  assertAlmostEquals(r.ap07[0], 28 / 33, 1e-12);
  assertAlmostEquals(r.apArea[0], 5 / 6, 1e-12);
  assertEquals(r.numPositives, [2]);
  assertAlmostEquals(r.map07, 28 / 33, 1e-12);
});

Deno.test("voc: IoU exactly 0.5 is a match; classes without GT are −1 and left out of the mean", () => {
  // Class 0: 100×100 GT, detection covering its top half: IoU 5000/10000 = 0.5 → TP → AP 1.
  // Class 1: one detection, no GT → −1; mAP = AP of class 0.
  const gt = [img([[0, 0, 100, 100]], [0])];
  const dt = [dets([[0, 0, 100, 50], [0, 0, 10, 10]], [0.9, 0.8], [0, 1])];
  const r = evaluateVoc(gt, dt, 2);
  assertAlmostEquals(r.ap07[0], 1, 1e-12);
  assertEquals(r.apArea[0], 1);
  assertEquals(r.ap07[1], -1);
  assertEquals(r.apArea[1], -1);
  assertAlmostEquals(r.map07, 1, 1e-12);
  assertEquals(r.mapArea, 1);
  // Just below 0.5 (4900/10000) it is a miss: AP 0.
  const miss = evaluateVoc(gt, [dets([[0, 0, 100, 49]], [0.9], [0])], 2);
  assertEquals(miss.apArea[0], 0);
});

Deno.test("voc: a detection goes to its best-IoU box even if that one is taken (unlike COCO)", () => {
  // g1 = [0,0,100,100], g2 = [10,0,110,100] (IoU with g1: 9000/11000 ≈ 0.818). Two detections
  // equal to g1. VOC: both pick g1 (IoU 1); the second is a duplicate FP → rec [.5,.5],
  // prec [1, .5] → 11-point 6/11, area .5.
  // COCO: the second takes g2 at IoU thresholds ≤ .80 (7 of 10: AP 1) and is a FP at .85/.90/.95
  // (AP = 51·ONE/101: precision ONE up to recall .5) → AP = (7 + 3·51·ONE/101)/10, AP50 = 1.
  const gt = [img([[0, 0, 100, 100], [10, 0, 110, 100]], [0, 0])];
  const dt = [dets([[0, 0, 100, 100], [0, 0, 100, 100]], [0.9, 0.8], [0, 0])];
  const r = evaluateVoc(gt, dt, 1);
  assertAlmostEquals(r.ap07[0], 6 / 11, 1e-12);
  assertAlmostEquals(r.apArea[0], 0.5, 1e-12);
  const m = evaluateDetections(gt, dt, 1);
  assertAlmostEquals(m.coco.stats[0], (7 + (3 * 51 * ONE) / 101) / 10, 1e-12);
  assertEquals(m.coco.stats[1], 1);
  assertAlmostEquals(m.vocMap50, 6 / 11, 1e-12);
  assertAlmostEquals(m.vocMap50Area, 0.5, 1e-12);
});

Deno.test("voc: equal scores keep image order, then the order inside an image", () => {
  // Image 0: one GT, a far FP; image 1: one GT and its exact detection; all scores 0.5.
  // Order: FP (image 0) then TP (image 1): rec [0, .5], prec [0, .5] → area .5·.5 = .25;
  // 11-point: t = 0…0.5 → .5 (6 points) → 3/11.
  const gt = [img([[0, 0, 10, 10]], [0]), img([[0, 0, 10, 10]], [0])];
  const dt = [dets([[50, 50, 60, 60]], [0.5], [0]), dets([[0, 0, 10, 10]], [0.5], [0])];
  const r = evaluateVoc(gt, dt, 1);
  assertAlmostEquals(r.apArea[0], 0.25, 1e-12);
  assertAlmostEquals(r.ap07[0], 3 / 11, 1e-12);
});

Deno.test("voc: vocAveragePrecision on a given curve", () => {
  // rec [.2, .4, .4, .8], prec [1, 1, .5, .6]: envelope 1 up to .4, .6 up to .8, 0 after.
  // area: .4·1 + .4·.6 = .64. 11-point: t=0….4 (5) → 1; t=.5….8 (4, incl. 0.7000000000000001
  // ≤ .8) → .6; t=.9, 1 → 0 → (5 + 2.4)/11.
  const rec = new Float64Array([0.2, 0.4, 0.4, 0.8]);
  const prec = new Float64Array([1, 1, 0.5, 0.6]);
  assertAlmostEquals(vocAveragePrecision(rec, prec, false), 0.64, 1e-12);
  assertAlmostEquals(vocAveragePrecision(rec, prec, true), 7.4 / 11, 1e-12);
});

Deno.test("evaluateDetections: difficult boxes are ignored by COCO (crowd) and VOC", () => {
  // g1 regular and detected; g2 difficult, not detected. Not ignored, it would halve recall.
  const gt = [img([[0, 0, 100, 100], [200, 0, 300, 100]], [1, 1], [0, 1])];
  const dt = [dets([[0, 0, 100, 100]], [0.9], [1])];
  const m = evaluateDetections(gt, dt, 2, ["cat", "dog"]);
  assertEquals(m.coco.stats[8], 1); // AR@100
  assertAlmostEquals(m.coco.stats[0], ONE, 1e-12);
  assertEquals(m.coco.perCategory.cat.AP, -1);
  assertAlmostEquals(m.coco.perCategory.dog.AP, ONE, 1e-12);
  assertEquals(m.vocAp50PerClass[0], -1);
  assertAlmostEquals(m.vocAp50PerClass[1], 1, 1e-12);
  // As crowd, g2 also absorbs a detection inside it (intersection / detection area = 1).
  const dt2 = [dets([[220, 20, 260, 60], [0, 0, 100, 100]], [0.95, 0.9], [1, 1])];
  const m2 = evaluateDetections(gt, dt2, 2);
  assertAlmostEquals(m2.coco.stats[0], ONE, 1e-12);
  // VOC: IoU with the difficult box is 1600/10000 < .5 → a FP ranked first → area AP .5.
  assertAlmostEquals(m2.vocAp50AreaPerClass[1], 0.5, 1e-12);
});

Deno.test("evaluateDetections agrees with the JSON path on the shared mixed120 case", async () => {
  const base = new URL("../../shared/fixtures/cocoeval/mixed120/", import.meta.url).pathname;
  const gtJson = JSON.parse(await Deno.readTextFile(`${base}gt.json`));
  const dtJson = JSON.parse(await Deno.readTextFile(`${base}dt.json`)) as {
    image_id: number;
    category_id: number;
    bbox: number[];
    score: number;
  }[];
  const ref = JSON.parse(await Deno.readTextFile(`${base}stats.json`)).stats as number[];
  const ids: number[] = gtJson.images.map((i: { id: number }) => i.id).sort((
    a: number,
    b: number,
  ) => a - b);
  const index = new Map(ids.map((id, i) => [id, i]));
  const perImage = ids.map(() => ({
    gb: [] as number[],
    gl: [] as number[],
    gc: [] as number[],
    db: [] as number[],
    ds: [] as number[],
    dl: [] as number[],
  }));
  for (const a of gtJson.annotations) {
    const p = perImage[index.get(a.image_id)!];
    const [x, y, w, h] = a.bbox;
    p.gb.push(x, y, x + w, y + h);
    p.gl.push(a.category_id - 1);
    p.gc.push(a.iscrowd);
  }
  for (const d of dtJson) {
    const p = perImage[index.get(d.image_id)!];
    const [x, y, w, h] = d.bbox;
    p.db.push(x, y, x + w, y + h);
    p.ds.push(d.score);
    p.dl.push(d.category_id - 1);
  }
  const gt: EvalImage[] = perImage.map((p) => ({
    boxes: new Float32Array(p.gb),
    labels: new Int32Array(p.gl),
    iscrowd: new Uint8Array(p.gc),
  }));
  const dt: Detections[] = perImage.map((p) => ({
    boxes: new Float32Array(p.db),
    scores: new Float32Array(p.ds),
    labels: new Int32Array(p.dl),
  }));
  const names = gtJson.categories.map((c: { name: string }) => c.name);
  const m = evaluateDetections(gt, dt, 20, names);

  // The same float32 data written as COCO JSON (area = w·h) must give identical numbers.
  const annotations = [];
  const results = [];
  for (let i = 0; i < ids.length; i++) {
    for (let j = 0; j < gt[i].labels.length; j++) {
      const [x1, y1, x2, y2] = gt[i].boxes.subarray(j * 4, j * 4 + 4);
      annotations.push({
        id: annotations.length + 1,
        image_id: i,
        category_id: gt[i].labels[j],
        bbox: [x1, y1, x2 - x1, y2 - y1],
        area: (x2 - x1) * (y2 - y1),
        iscrowd: gt[i].iscrowd![j],
      });
    }
    for (let j = 0; j < dt[i].labels.length; j++) {
      const [x1, y1, x2, y2] = dt[i].boxes.subarray(j * 4, j * 4 + 4);
      results.push({
        image_id: i,
        category_id: dt[i].labels[j],
        bbox: [x1, y1, x2 - x1, y2 - y1],
        score: dt[i].scores[j],
      });
    }
  }
  const cgt = parseCocoGroundTruth({
    images: ids.map((_, i) => ({ id: i })),
    categories: names.map((name: string, k: number) => ({ id: k, name })),
    annotations,
  });
  const ev = evaluateCoco(cgt, parseCocoResults(results, cgt));
  assertEquals(m.coco.stats, ev.stats);
  assertEquals(Object.keys(m.coco.perCategory), names);
  // float32 coordinates move the numbers only slightly from pycocotools' (float64) ones.
  m.coco.stats.forEach((v, i) => assertAlmostEquals(v, ref[i], 5e-3));
  assertEquals(m.vocAp50PerClass.length, 20);
  for (const ap of m.vocAp50PerClass) assertEquals(ap >= 0 && ap <= 1 + 1e-12, true);
});

Deno.test("evaluateDetections: bad input names the image and box", () => {
  const ok = img([[0, 0, 10, 10]], [0]);
  const okD = dets([[0, 0, 10, 10]], [0.5], [0]);
  assertThrows(
    () => evaluateDetections([ok], [], 1),
    /1 ground-truth images but 0 detection lists/,
  );
  assertThrows(
    () => evaluateDetections([ok], [dets([[5, 0, 4, 10]], [0.5], [0])], 1),
    /^FcosError: detections of image 0: box 0 has negative width/,
  );
  assertThrows(
    () => evaluateDetections([img([[0, 5, 10, 4]], [0])], [okD], 1),
    /^FcosError: ground truth of image 0: box 0 has negative height/,
  );
  assertThrows(
    () => evaluateDetections([ok], [dets([[0, 0, 1, 1]], [0.5], [3])], 2),
    /label 3 of box 0 is outside \[0, 2\)/,
  );
  assertThrows(
    () => evaluateDetections([ok], [dets([[0, 0, 1, 1]], [NaN], [0])], 1),
    /score of box 0 is not finite/,
  );
  assertThrows(() => evaluateDetections([ok], [okD], 0), FcosError);
});

Deno.test("voc: formatVocSummary lists classes and means", () => {
  const text = formatVocSummary({
    iouThreshold: 0.5,
    ap07: [28 / 33, -1],
    apArea: [5 / 6, -1],
    map07: 28 / 33,
    mapArea: 5 / 6,
    numPositives: [2, 0],
  }, ["person"]);
  assertEquals(text.split("\n"), [
    "class    AP@0.50 07 AP@0.50 area    positives",
    "person       0.8485       0.8333            2",
    "1                 -            -            0",
    "mAP          0.8485       0.8333",
  ]);
});
