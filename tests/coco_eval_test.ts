/**
 * COCO bbox evaluation (src/eval/coco.ts): pycocotools' own numbers on the shared fixtures, and
 * small cases whose expected values are worked out by hand in the comments (crowds, empty images,
 * categories without ground truth or detections, score ties, >100 detections, area boundaries,
 * the `area` field, IoU exactly at a threshold), plus bad input; then each of pycocotools' steps
 * alone (prepare, computeIoU, evaluateImg, accumulate, summarize) on hand-checked cases.
 */
import {
  assert,
  assertAlmostEquals,
  assertEquals,
  assertRejects,
  assertThrows,
} from "../src/std.ts";
import { FcosError } from "../src/errors.ts";
import {
  COCO_IOU_THRESHOLDS,
  COCO_RECALL_THRESHOLDS,
  type CocoEvaluation,
  evaluateCoco,
  formatCocoSummary,
  parseCocoGroundTruth,
  parseCocoResults,
  readCocoGroundTruth,
  readCocoResults,
} from "../src/eval/coco.ts";
import {
  computeIoU,
  type EvaluatedImages,
  evaluateImg,
  groupImages,
  ImageGroup,
  loadDetections,
  prepare,
  STATE_FP,
  STATE_IGNORE,
  STATE_TP,
} from "../src/eval/coco_match.ts";
import { accumulate, type Accumulated, summarize } from "../src/eval/coco_accumulate.ts";

const FIXTURES = new URL("../../shared/fixtures/cocoeval/", import.meta.url).pathname;

/** 1/(1+eps): pycocotools' precision of one true positive out of one (tp / (tp + fp + eps)). */
const ONE = 1 / (1 + 2.220446049250313e-16);

type Box = [number, number, number, number];
interface G {
  img: number;
  cat?: number;
  bbox: Box;
  area?: number;
  crowd?: number;
  id?: number;
}
interface D {
  img: number;
  cat?: number;
  bbox: Box;
  score: number;
}

/** Builds and evaluates a case; images listed in `images` order, categories 1..numCats. */
function run(images: number[], gts: G[], dts: D[], numCats = 1): CocoEvaluation {
  const gt = parseCocoGroundTruth({
    images: images.map((id) => ({ id })),
    categories: Array.from({ length: numCats }, (_, i) => ({ id: i + 1, name: `c${i + 1}` })),
    annotations: gts.map((g, i) => ({
      id: g.id ?? i + 1,
      image_id: g.img,
      category_id: g.cat ?? 1,
      bbox: g.bbox,
      area: g.area ?? g.bbox[2] * g.bbox[3],
      iscrowd: g.crowd ?? 0,
    })),
  }, "case gt");
  const dt = parseCocoResults(
    dts.map((d) => ({ image_id: d.img, category_id: d.cat ?? 1, bbox: d.bbox, score: d.score })),
    gt,
    "case dt",
  );
  return evaluateCoco(gt, dt);
}

function assertStats(actual: number[], expected: number[]) {
  assertEquals(actual.length, 12);
  expected.forEach((e, i) =>
    assertAlmostEquals(actual[i], e, 1e-12, `stat ${i}: ${actual[i]} vs ${e}`)
  );
}

/** Precision at IoU index t, recall index r, category k, area a, maxDets index m. */
function prec(ev: CocoEvaluation, t: number, r: number, k: number, a: number, m: number) {
  const [, R, K, A, M] = ev.counts;
  return ev.precision[(((t * R + r) * K + k) * A + a) * M + m];
}

for (const name of ["mixed120", "ties30"]) {
  Deno.test(`coco: pycocotools' stats on shared fixture ${name}`, async () => {
    const gt = await readCocoGroundTruth(`${FIXTURES}${name}/gt.json`);
    const dt = await readCocoResults(`${FIXTURES}${name}/dt.json`, gt);
    const ref = JSON.parse(await Deno.readTextFile(`${FIXTURES}${name}/stats.json`));
    const ev = evaluateCoco(gt, dt);
    assertEquals(dt.count, ref.num_dt);
    ev.stats.forEach((v, i) => assertAlmostEquals(v, ref.stats[i], 1e-6, `${name} stat ${i}`));
    // The means use numpy's blocked pairwise sum, so the numbers agree to the last bit.
    assertEquals(ev.stats, ref.stats);
  });
}

Deno.test("coco: thresholds are numpy's linspace values", () => {
  assertEquals(COCO_IOU_THRESHOLDS.length, 10);
  assertEquals(COCO_RECALL_THRESHOLDS.length, 101);
  assertEquals(COCO_IOU_THRESHOLDS[5], 0.75); // summarize() finds .75 with ==
  assertEquals(COCO_IOU_THRESHOLDS[8], 0.8999999999999999); // 8·(0.45/9) + 0.5 in numpy
  assertEquals(COCO_RECALL_THRESHOLDS[50], 0.5);
});

Deno.test("coco: a false positive ranked first, precision envelope, maxDets=1", () => {
  // Two large GT boxes; detections FP (0.9), TP (0.8), TP (0.7), identical at every IoU.
  // tp=[0,1,2], fp=[1,1,1] → rc=[0,.5,1], pr=[0,1/2,2/3] → envelope 2/3 at every recall point.
  // maxDets=1 keeps only the FP → AR@1 = 0. Nothing is small or medium → −1 there.
  const ev = run([1], [
    { img: 1, bbox: [0, 0, 100, 100] },
    { img: 1, bbox: [200, 0, 100, 100] },
  ], [
    { img: 1, bbox: [400, 400, 100, 100], score: 0.9 },
    { img: 1, bbox: [0, 0, 100, 100], score: 0.8 },
    { img: 1, bbox: [200, 0, 100, 100], score: 0.7 },
  ]);
  assertStats(ev.stats, [2 / 3, 2 / 3, 2 / 3, -1, -1, 2 / 3, 0, 1, 1, -1, -1, 1]);
  assertEquals(prec(ev, 0, 0, 0, 0, 2), 2 / 3);
  assertEquals(prec(ev, 9, 100, 0, 0, 2), 2 / 3);
  assertEquals(prec(ev, 0, 0, 0, 0, 0), 0); // maxDets=1: rc=[0] → precision 0 at recall 0
});

Deno.test("coco: IoU equal to a threshold matches; above it does not", () => {
  // IoU = 8000/10000 = 0.8 = the 7th threshold exactly → TP at .50….80 (7 of 10), FP above.
  const ev = run([1], [{ img: 1, bbox: [0, 0, 100, 100] }], [
    { img: 1, bbox: [0, 0, 100, 80], score: 0.5 },
  ]);
  assertStats(ev.stats, [0.7 * ONE, ONE, ONE, -1, -1, 0.7 * ONE, 0.7, 0.7, 0.7, -1, -1, 0.7]);
  assertEquals(prec(ev, 6, 100, 0, 0, 2), ONE);
  assertEquals(prec(ev, 7, 0, 0, 0, 2), 0);
});

Deno.test("coco: crowd boxes use intersection over detection area and absorb many detections", () => {
  // A regular box and a 200×200 crowd box. Two detections inside the crowd (IoU with it as
  // intersection/detection area = 1) rank above the true positive; both match the crowd (a crowd
  // box can be matched again) and are ignored, so AP = 1. Were they false positives, the TP would
  // sit at precision 1/3. The crowd box is not a positive: recall is 1 from one TP.
  const ev = run([1], [
    { img: 1, bbox: [0, 0, 100, 100] },
    { img: 1, bbox: [200, 0, 200, 200], crowd: 1 },
  ], [
    { img: 1, bbox: [210, 10, 50, 50], score: 0.95 },
    { img: 1, bbox: [250, 50, 50, 50], score: 0.92 },
    { img: 1, bbox: [0, 0, 100, 100], score: 0.9 },
  ]);
  assertStats(ev.stats, [ONE, ONE, ONE, -1, -1, ONE, 0, 1, 1, -1, -1, 1]);
  // AR@1 = 0: the single kept detection is an ignored crowd match.
});

Deno.test("coco: a crowd box only partly covering a detection matches at low thresholds only", () => {
  // Crowd spans x 200..400; detection x 350..450 → intersection/detection area = 5000/10000 = 0.5:
  // matched (ignored) at t = .50, a false positive at .55…95. It ranks above the TP, so AP is 1
  // at .50 and 1/2 elsewhere: (1 + 9·0.5)/10.
  const ev = run([1], [
    { img: 1, bbox: [0, 0, 100, 100] },
    { img: 1, bbox: [200, 0, 200, 200], crowd: 1 },
  ], [
    { img: 1, bbox: [350, 0, 100, 100], score: 0.95 },
    { img: 1, bbox: [0, 0, 100, 100], score: 0.9 },
  ]);
  assertAlmostEquals(ev.stats[0], (ONE + 9 * 0.5) / 10, 1e-12);
  assertAlmostEquals(ev.stats[1], ONE, 1e-12);
  assertAlmostEquals(ev.stats[2], 0.5, 1e-12);
});

Deno.test("coco: GT area comes from the `area` field, detection area from w·h", () => {
  // g1 is 20×20 but says area 5000 (medium); g2 is 20×20, area 400 (small). Detections are exact.
  // small:  g1 ignored; d1 (w·h = 400, in range) matches ignored g1 → ignored, not FP; d2 TP → 1.
  // medium: g1 regular → d1 TP; d2 matches ignored g2 → ignored → 1.
  // large:  both ignored → −1.   AR@1 = 1/2 (only d1 kept, one of two positives).
  const ev = run([1], [
    { img: 1, bbox: [0, 0, 20, 20], area: 5000 },
    { img: 1, bbox: [100, 100, 20, 20], area: 400 },
  ], [
    { img: 1, bbox: [0, 0, 20, 20], score: 0.9 },
    { img: 1, bbox: [100, 100, 20, 20], score: 0.8 },
  ]);
  assertStats(ev.stats, [ONE, ONE, ONE, ONE, ONE, -1, 0.5, 1, 1, 1, 1, -1]);
});

Deno.test("coco: area range bounds are inclusive on both sides", () => {
  // gA area 1024 (= 32²: small AND medium), no detection; gB area 9216 (= 96²: medium AND large)
  // detected exactly by dB (0.8); dC (0.95) is an unmatched 32×32 box, w·h = 1024.
  // small:  gA regular, gB ignored; dC in range → FP; dB matches ignored gB → ignored.
  //         npig 1, tp 0 → AP 0, AR 0.
  // medium: gA, gB regular; [dC FP, dB TP] → rc [0, 1/2], pr [0, 1/2] → envelope 1/2 for the 51
  //         recall points 0…0.50, 0 above → AP = 51·0.5/101; AR = 1/2.
  // large:  gA ignored; dC unmatched and 1024 < 9216 → ignored; dB TP → AP 1, AR 1.
  // all:    [FP, TP], two positives → AP = 51·0.5/101 at every IoU, AR@100 = 1/2, AR@1 = 0.
  const ev = run([1], [
    { img: 1, bbox: [0, 0, 32, 32] },
    { img: 1, bbox: [100, 100, 96, 96] },
  ], [
    { img: 1, bbox: [300, 300, 32, 32], score: 0.95 },
    { img: 1, bbox: [100, 100, 96, 96], score: 0.8 },
  ]);
  const half = (51 * 0.5) / 101;
  assertStats(ev.stats, [half, half, half, 0, half, ONE, 0, 0.5, 0.5, 0, 0.5, 1]);
});

Deno.test("coco: equal scores keep image-id order across images and file order within one", () => {
  // Across images: image 7 (listed first) has the TP, image 3 the FP, both score 0.5. pycocotools
  // sorts image ids (3 before 7), so the FP ranks first → AP = 51·0.5/101 (not ≈ 51/101).
  const across = run([7, 3], [
    { img: 7, bbox: [0, 0, 50, 50] },
    { img: 3, bbox: [0, 0, 50, 50] },
  ], [
    { img: 7, bbox: [0, 0, 50, 50], score: 0.5 },
    { img: 3, bbox: [200, 200, 50, 50], score: 0.5 },
  ]);
  assertAlmostEquals(across.stats[0], (51 * 0.5) / 101, 1e-12);

  // Within an image: d2 (IoU 0.62, listed first) and d1 (exact, second) tie at 0.5. In file order
  // d2 takes the GT at .50/.55/.60 (then d1 is a duplicate FP: AP 1); above .62 d2 is FP and d1
  // TP (AP 1/2). AP = (3·1 + 7·0.5)/10.
  const within = run([1], [{ img: 1, bbox: [0, 0, 50, 50] }], [
    { img: 1, bbox: [0, 0, 50, 31], score: 0.5 },
    { img: 1, bbox: [0, 0, 50, 50], score: 0.5 },
  ]);
  assertAlmostEquals(within.stats[0], (3 * ONE + 7 * 0.5) / 10, 1e-12);
});

Deno.test("coco: at most 100 detections per image and category, ties in file order", () => {
  // 100 far-away detections at 0.9, then the exact one also at 0.9 but last in the file: it is
  // detection 101 and dropped → recall 0, AP 0. Put first in the file, it is kept and ranked first
  // → AP 1 (one positive, found before any FP).
  const fps: D[] = Array.from({ length: 100 }, (_, i) => ({
    img: 1,
    bbox: [200 + (i % 10) * 20, 200 + Math.floor(i / 10) * 20, 10, 10] as Box,
    score: 0.9,
  }));
  const tp: D = { img: 1, bbox: [0, 0, 50, 50], score: 0.9 };
  const gts: G[] = [{ img: 1, bbox: [0, 0, 50, 50] }];
  const last = run([1], gts, [...fps, tp]);
  assertStats(last.stats, [0, 0, 0, -1, 0, -1, 0, 0, 0, -1, 0, -1]);
  const first = run([1], gts, [tp, ...fps]);
  assertStats(first.stats, [ONE, ONE, ONE, -1, ONE, -1, 1, 1, 1, -1, 1, -1]);
});

Deno.test("coco: categories without GT are −1 and left out; without detections count as 0", () => {
  // c1: exact detection (AP 1). c2: a detection but no GT (−1, excluded). c3: GT, no detection
  // (AP 0, included). Means: AP = (1 + 0)/2; AR = (1 + 0)/2. Image 2 has nothing at all, image 3
  // only a c2 detection: neither changes anything.
  const ev = run([1, 2, 3], [
    { img: 1, cat: 1, bbox: [0, 0, 200, 200] },
    { img: 1, cat: 3, bbox: [300, 0, 200, 200] },
  ], [
    { img: 1, cat: 1, bbox: [0, 0, 200, 200], score: 0.6 },
    { img: 1, cat: 2, bbox: [0, 0, 200, 200], score: 0.7 },
    { img: 3, cat: 2, bbox: [0, 0, 20, 20], score: 0.9 },
  ], 3);
  const h = ONE / 2;
  assertStats(ev.stats, [h, h, h, -1, -1, h, 0.5, 0.5, 0.5, -1, -1, 0.5]);
  assertEquals(ev.perCategory.c2.AP, -1);
  assertEquals(ev.perCategory.c3.AP, 0);
  assertAlmostEquals(ev.perCategory.c1.AP, ONE, 1e-12);
  assertEquals(ev.perCategory.c1.id, 1);
  assertEquals(prec(ev, 0, 0, 1, 0, 2), -1);
});

Deno.test("coco: images with detections but no GT contribute false positives", () => {
  // Image 2 has no GT; its detection (0.9) outranks image 1's TP (0.8) → [FP, TP] with one
  // positive → rc [0, 1], pr [0, 1/2] → AP 1/2 at every IoU.
  const ev = run([1, 2], [{ img: 1, bbox: [0, 0, 200, 200] }], [
    { img: 1, bbox: [0, 0, 200, 200], score: 0.8 },
    { img: 2, bbox: [0, 0, 200, 200], score: 0.9 },
  ]);
  // maxDets is per image: with 1 per image, image 1 still keeps its TP → AR@1 = 1.
  assertStats(ev.stats, [0.5, 0.5, 0.5, -1, -1, 0.5, 1, 1, 1, -1, -1, 1]);
});

Deno.test("coco: a GT with id 0 cannot produce a true positive (pycocotools' dtm == 0 quirk)", () => {
  const ev = run([1], [{ img: 1, bbox: [0, 0, 200, 200], id: 0 }], [
    { img: 1, bbox: [0, 0, 200, 200], score: 0.8 },
  ]);
  assertStats(ev.stats, [0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1, 0]);
});

Deno.test("coco: no detections at all gives zeros, not an error", () => {
  const ev = run([1], [{ img: 1, bbox: [0, 0, 10, 10] }], []);
  assertStats(ev.stats, [0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1]);
});

Deno.test("coco: formatCocoSummary prints pycocotools' 12 lines", () => {
  const text = formatCocoSummary([
    0.4320680737660155,
    0.7034929121644937,
    0.5625, // an exact binary tie: Python's format rounds half to even → 0.562
    0.0625, // → 0.062
    -1,
    0.1235, // stored just below .1235 → 0.123
    0.0005, // stored just above → 0.001
    0.5808142675501129,
    1,
    0.9999999999999998,
    0,
    0.6140550144300145,
  ]);
  assertEquals(text.split("\n"), [
    " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.432",
    " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.703",
    " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 0.562",
    " Average Precision  (AP) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 0.062",
    " Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = -1.000",
    " Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.123",
    " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.001",
    " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets= 10 ] = 0.581",
    " Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000",
    " Average Recall     (AR) @[ IoU=0.50:0.95 | area= small | maxDets=100 ] = 1.000",
    " Average Recall     (AR) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = 0.000",
    " Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.614",
  ]);
  assertThrows(() => formatCocoSummary([1, 2]), FcosError);
});

// ------------------------------------------------------------------------------------------------
// Bad input
// ------------------------------------------------------------------------------------------------

const GT = {
  images: [{ id: 1 }, { id: 2 }],
  categories: [{ id: 1, name: "a" }],
  annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], area: 25 }],
};

function resultsError(json: unknown, re: RegExp) {
  const gt = parseCocoGroundTruth(GT, "gt.json");
  assertThrows(() => parseCocoResults(json, gt, "dt.json"), re);
  try {
    parseCocoResults(json, gt, "dt.json");
  } catch (e) {
    assert(e instanceof FcosError, `expected FcosError, got ${e}`);
  }
}

Deno.test("coco: results that are not a list", () => {
  resultsError(
    { image_id: 1 },
    /^FcosError: dt\.json: COCO results must be a list .* got an object$/,
  );
});

Deno.test("coco: results naming an unknown image or category", () => {
  const ok = { image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 0.5 };
  resultsError(
    [ok, { ...ok, image_id: 99 }],
    /^FcosError: dt\.json: results\[1\]: image_id 99 is not an image of the ground truth \(gt\.json\)$/,
  );
  resultsError(
    [{ ...ok, category_id: 7 }],
    /^FcosError: dt\.json: results\[0\]: category_id 7 is not a category of the ground truth \(gt\.json\)$/,
  );
});

Deno.test("coco: boxes with negative width or height, bad bbox, missing score", () => {
  const ok = { image_id: 1, category_id: 1, bbox: [0, 0, 1, 1], score: 0.5 };
  resultsError(
    [ok, ok, { ...ok, bbox: [0, 0, -1, 3] }],
    /results\[2\]: bbox has negative width -1/,
  );
  resultsError([{ ...ok, bbox: [0, 0, 3, -2] }], /results\[0\]: bbox has negative height -2/);
  resultsError(
    [{ ...ok, bbox: [0, 0, 3] }],
    /results\[0\]: "bbox" must be \[x, y, width, height\]/,
  );
  resultsError(
    [{ ...ok, bbox: [0, "a", 3, 3] }],
    /results\[0\]: bbox\[1\] must be a finite number/,
  );
  resultsError(
    [{ ...ok, score: undefined }],
    /results\[0\]: "score" must be a finite number, got missing/,
  );
  resultsError([ok, 5], /results\[1\]: must be an object, got 5/);
});

Deno.test("coco: bad ground truth names the entry", () => {
  assertThrows(
    () => parseCocoGroundTruth([], "gt.json"),
    /^FcosError: gt\.json: COCO ground truth must be a JSON object/,
  );
  assertThrows(
    () => parseCocoGroundTruth({ images: [{ id: 1 }], categories: "x" }, "gt.json"),
    /^FcosError: gt\.json: "categories" must be a list/,
  );
  assertThrows(
    () =>
      parseCocoGroundTruth({
        images: [{ id: 1 }],
        categories: [{ id: 1 }],
        annotations: [{ id: 4, image_id: 1, category_id: 1, bbox: [0, 0, 5, 5] }],
      }, "gt.json"),
    /^FcosError: gt\.json: annotations\[0\] \(id 4\): "area" must be a finite number, got missing$/,
  );
});

Deno.test("coco: unreadable and malformed files name the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/gt.json`, JSON.stringify(GT));
    await Deno.writeTextFile(`${dir}/dt.json`, '[{"image_id": 1, "category_id": 1,');
    const gt = await readCocoGroundTruth(`${dir}/gt.json`);
    await assertRejects(
      () => readCocoResults(`${dir}/dt.json`, gt),
      new RegExp(`^FcosError: ${dir}/dt\\.json: the COCO results is not valid JSON`),
    );
    await assertRejects(
      () => readCocoResults(`${dir}/missing.json`, gt),
      new RegExp(`^FcosError: ${dir}/missing\\.json: COCO results file not found$`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("coco: 33 random corner cases agree with a transcription of pycocotools", async () => {
  const path = new URL("../fixtures/eval/pycocotools_cases.json", import.meta.url);
  const { cases } = JSON.parse(await Deno.readTextFile(path)) as {
    cases: {
      name: string;
      gt: unknown;
      dt: unknown;
      stats: number[];
      recall: number[];
      precisionSum: number;
      precisionNonNegative: number;
    }[];
  };
  assertEquals(cases.length, 33);
  for (const c of cases) {
    const gt = parseCocoGroundTruth(c.gt, `${c.name} gt`);
    const ev = evaluateCoco(gt, parseCocoResults(c.dt, gt, `${c.name} dt`));
    ev.stats.forEach((v, i) => assertAlmostEquals(v, c.stats[i], 1e-12, `${c.name} stat ${i}`));
    assertEquals(Array.from(ev.recall), c.recall, `${c.name} recall`);
    let sum = 0, count = 0;
    for (const p of ev.precision) {
      if (p > -1) {
        sum += p;
        count++;
      }
    }
    assertEquals(count, c.precisionNonNegative, `${c.name} precision entries`);
    assertAlmostEquals(sum, c.precisionSum, 1e-9, `${c.name} precision sum`);
  }
});

// ------------------------------------------------------------------------------------------------
// The steps alone
// ------------------------------------------------------------------------------------------------

/** numpy's `np.spacing(1)`, pycocotools' precision denominator term. */
const EPS = 2.220446049250313e-16;
const T = 10, A = 4;

interface GroupGt {
  bbox: Box;
  area?: number;
  crowd?: number;
  zeroId?: number;
}

/** One (image, category) group with its detections already ranked, as evaluateImg takes it. */
function imageGroup(gts: GroupGt[], dts: Box[]): ImageGroup {
  const g = new ImageGroup();
  g.reserve(gts.length, dts.length);
  gts.forEach((x, j) => {
    g.gtBox.set(x.bbox, j * 4);
    g.gtArea[j] = x.area ?? x.bbox[2] * x.bbox[3];
    g.gtCrowd[j] = x.crowd ?? 0;
    g.gtZeroId[j] = x.zeroId ?? 0;
  });
  dts.forEach((b, d) => {
    g.dtBox.set(b, d * 4);
    g.dtArea[d] = b[2] * b[3];
  });
  g.G = gts.length;
  g.D = dts.length;
  return g;
}

/** evaluateImg's states of a group as one string per detection and area range ("T", "F", "I"). */
function matchStates(g: ImageGroup): string[][] {
  computeIoU(g);
  const state = new Uint8Array(g.D * A * T);
  evaluateImg(g, state, 0);
  const letter = { [STATE_TP]: "T", [STATE_FP]: "F", [STATE_IGNORE]: "I" };
  return Array.from({ length: g.D }, (_, d) =>
    Array.from({ length: A }, (_, a) =>
      Array.from(
        state.subarray((d * A + a) * T, (d * A + a + 1) * T),
        (s) => letter[s as 0 | 1 | 2],
      ).join("")));
}

Deno.test("coco steps: prepare + groupImages keep file order per category and image", () => {
  const gt = parseCocoGroundTruth({
    images: [{ id: 5 }, { id: 2 }],
    categories: [{ id: 1 }, { id: 2 }],
    annotations: [
      [5, 2],
      [2, 2],
      [5, 1],
      [5, 2],
      [2, 2],
    ].map(([img, cat], i) => ({
      id: i + 1,
      image_id: img,
      category_id: cat,
      bbox: [0, 0, 1, 1],
      area: 1,
    })),
  });
  const groups = prepare(gt, parseCocoResults([], gt));
  groupImages(groups.gt, 1); // category id 2; image index 0 is id 2, index 1 is id 5
  const { byImage, imageStart } = groups.gt;
  assertEquals(Array.from(byImage.subarray(imageStart[0], imageStart[1])), [1, 4]);
  assertEquals(Array.from(byImage.subarray(imageStart[1], imageStart[2])), [0, 3]);
  groupImages(groups.gt, 0);
  assertEquals(Array.from(groups.gt.byImage.subarray(imageStart[1], imageStart[2])), [2]);
});

Deno.test("coco steps: loadDetections ranks by score, ties in file order, keeps 100", () => {
  const gt = parseCocoGroundTruth({ images: [{ id: 1 }], categories: [{ id: 1 }] });
  // 102 detections scored 0.5 except the last (0.9): it comes first, then rows 0…98.
  const dt = parseCocoResults(
    Array.from({ length: 102 }, (_, i) => ({
      image_id: 1,
      category_id: 1,
      bbox: [i, 0, 2, 3],
      score: i === 101 ? 0.9 : 0.5,
    })),
    gt,
  );
  const g = new ImageGroup();
  g.reserve(0, dt.count);
  loadDetections(dt, Int32Array.from({ length: 102 }, (_, i) => i), 0, 102, g);
  assertEquals(g.D, 100);
  assertEquals(Array.from(g.dtIds.subarray(0, 100)), [
    101,
    ...Array.from({ length: 99 }, (_, i) => i),
  ]);
  assertEquals(Array.from(g.dtBox.subarray(0, 8)), [101, 0, 2, 3, 0, 0, 2, 3]);
  assertEquals(g.dtArea[0], 6);
});

Deno.test("coco steps: computeIoU divides by the detection's area for crowd boxes", () => {
  // Detection [0,0,10,10]; GT [5,0,20,10] overlaps it by 5×10 = 50:
  // normal IoU 50 / (100 + 200 − 50) = 0.2, crowd 50 / 100 = 0.5. Touching boxes give 0.
  const g = imageGroup([
    { bbox: [5, 0, 20, 10] },
    { bbox: [5, 0, 20, 10], crowd: 1 },
    { bbox: [10, 0, 5, 5] },
  ], [[0, 0, 10, 10], [100, 100, 1, 1]]);
  computeIoU(g);
  assertEquals(Array.from(g.ious.subarray(0, 6)), [0.2, 0.5, 0, 0, 0, 0]);
});

Deno.test("coco steps: evaluateImg per area range and threshold with a crowd and ignored GT", () => {
  // GT: g0 50×50 (area 2500: all, medium), g1 crowd, g2 20×20 (area 400: all, small).
  // Detections in score order (thresholds .50 … .95; area ranges all, small, medium, large):
  // d0 IoU 1700/2500 = .68 with g0 → TP up to .65, then unmatched (w·h 1700: F in all and
  //    medium, I in small and large, where g0 is ignored and d0 matches it as ignored up to .65);
  // d1 inside the crowd (IoU = 1250/1250 = 1) → ignored everywhere;
  // d2 = g0 exactly → FP while d0 holds g0, TP from .70 (I where 2500 is out of range);
  // d3 = g2 → TP in all and small, I in medium and large (g2 ignored there);
  // d4 on nothing, 10×10 → FP in all and small, I in medium and large.
  const states = matchStates(imageGroup([
    { bbox: [0, 0, 50, 50] },
    { bbox: [100, 0, 50, 50], crowd: 1 },
    { bbox: [200, 0, 20, 20] },
  ], [
    [0, 0, 50, 34],
    [100, 0, 25, 50],
    [0, 0, 50, 50],
    [200, 0, 20, 20],
    [300, 300, 10, 10],
  ]));
  const I = "IIIIIIIIII", F = "FFFFFFFFFF", TP = "TTTTTTTTTT";
  assertEquals(states, [
    ["TTTTFFFFFF", I, "TTTTFFFFFF", I],
    [I, I, I, I],
    ["FFFFTTTTTT", I, "FFFFTTTTTT", I],
    [TP, TP, I, I],
    [F, F, I, I],
  ]);
});

Deno.test("coco steps: evaluateImg never trades a regular match for a crowd; id 0 never a TP", () => {
  // IoU .62 with the regular box, 1 with the crowd around it: the regular box (sorted first)
  // wins wherever it qualifies (.50–.60); above, the crowd takes the detection and ignores it.
  const crowd = matchStates(imageGroup([
    { bbox: [0, 0, 10, 10] },
    { bbox: [0, 0, 100, 100], crowd: 1 },
  ], [[0, 0, 10, 6.2]]));
  assertEquals(crowd[0][0], "TTTIIIIIII");
  // The same match to an annotation with id 0 counts as a false positive (pycocotools' dtm == 0).
  const zero = matchStates(imageGroup([{ bbox: [0, 0, 10, 10], zeroId: 1 }], [[0, 0, 10, 10]]));
  assertEquals(zero[0], ["FFFFFFFFFF", "FFFFFFFFFF", "IIIIIIIIII", "IIIIIIIIII"]);
});

/** Kept detections of one category, the same state at every area range and threshold. */
function keptDetections(
  entries: { score: number; rank: number; state: number }[],
  numGt: number,
): EvaluatedImages {
  const n = entries.length;
  const state = new Uint8Array(n * A * T);
  entries.forEach((e, i) => state.fill(e.state, i * A * T, (i + 1) * A * T));
  return {
    count: n,
    score: Float64Array.from(entries, (e) => e.score),
    rank: Int32Array.from(entries, (e) => e.rank),
    state,
    // A second category with one false positive and no ground truth: its settings stay −1.
    categoryStart: Int32Array.of(0, n - 1, n),
    numGroundTruth: Float64Array.from({ length: 2 * A }, (_, i) => (i < A ? numGt : 0)),
  };
}

Deno.test("coco steps: accumulate ranks across images, makes precision monotone, reads 101 points", () => {
  // Category 0, 3 GT; kept in (image, rank) order: image A ranks 0, 1, 2 (TP .9, FP .8, FP .6),
  // image B rank 0 (TP .7). By score: TP FP TP FP → precision at the TPs 1/(1+eps), 2/(3+eps);
  // recall 2/3. The envelope keeps 1/(1+eps) up to recall 1/3 (points 0…33), then 2/(3+eps)
  // (34…66), then 0. maxDets=1 keeps ranks 0 only: TP TP → 1/(1+eps), 2/(2+eps) → envelope
  // max of both up to 1/3, 2/(2+eps) up to 2/3.
  const acc = accumulate(keptDetections([
    { score: 0.9, rank: 0, state: STATE_TP },
    { score: 0.8, rank: 1, state: STATE_FP },
    { score: 0.6, rank: 2, state: STATE_FP },
    { score: 0.7, rank: 0, state: STATE_TP },
    { score: 0.95, rank: 0, state: STATE_FP }, // category 1
  ], 3));
  const K = 2, R = 101, M = 3;
  const curve = (t: number, k: number, a: number, m: number) =>
    Array.from({ length: R }, (_, r) => acc.precision[(((t * R + r) * K + k) * A + a) * M + m]);
  const steps = (first: number, second: number) =>
    Array.from({ length: R }, (_, r) => (r <= 33 ? first : r <= 66 ? second : 0));
  const one = 1 / (1 + EPS);
  for (const t of [0, 9]) {
    for (const a of [0, 3]) {
      assertEquals(curve(t, 0, a, 2), steps(one, 2 / (3 + EPS)));
      assertEquals(curve(t, 0, a, 1), steps(one, 2 / (3 + EPS)));
      assertEquals(curve(t, 0, a, 0), steps(Math.max(one, 2 / (2 + EPS)), 2 / (2 + EPS)));
      assertEquals(curve(t, 1, a, 2), new Array(R).fill(-1));
      for (let m = 0; m < M; m++) {
        assertEquals(acc.recall[((t * K + 0) * A + a) * M + m], 2 / 3);
        assertEquals(acc.recall[((t * K + 1) * A + a) * M + m], -1);
      }
    }
  }
});

Deno.test("coco steps: summarize leaves −1 out of the means and names repeated categories by id", () => {
  const gt = parseCocoGroundTruth({
    images: [{ id: 1 }],
    categories: [{ id: 1, name: "x" }, { id: 2, name: "x" }, { id: 3, name: "y" }],
  });
  const K = 3, R = 101, M = 3;
  // Category 0 is 0.25 everywhere, category 1 −1 (no GT), category 2 0.75; nothing small (a = 1).
  const value = (k: number, a: number) => (a === 1 || k === 1 ? -1 : k === 0 ? 0.25 : 0.75);
  const acc: Accumulated = {
    precision: new Float64Array(T * R * K * A * M),
    recall: new Float64Array(T * K * A * M),
  };
  acc.precision.forEach((
    _,
    i,
  ) => (acc.precision[i] = value(Math.floor(i / (A * M)) % K, Math.floor(i / M) % A)));
  acc.recall.forEach((
    _,
    i,
  ) => (acc.recall[i] = value(Math.floor(i / (A * M)) % K, Math.floor(i / M) % A)));
  const ev = summarize(gt, acc);
  assertEquals(ev.stats, [0.5, 0.5, 0.5, -1, 0.5, 0.5, 0.5, 0.5, 0.5, -1, 0.5, 0.5]);
  assertEquals(Object.keys(ev.perCategory), ["x (id 1)", "x (id 2)", "y"]);
  assertEquals(ev.perCategory["x (id 1)"].AP, 0.25);
  assertEquals(ev.perCategory["x (id 1)"].APs, -1);
  assertEquals(ev.perCategory["x (id 2)"].AR100, -1);
  assertEquals(ev.perCategory["y"].AR1, 0.75);
  assertEquals(ev.counts, [T, R, K, A, M]);
});
