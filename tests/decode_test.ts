import {
  type CandidateInput,
  decodeCandidates,
  decodeDetections,
  type DecodeInput,
  type DecodeOptions,
  DEFAULT_DECODE_OPTIONS,
  sigmoidF32,
} from "../src/decode/decode.ts";
import { FcosError } from "../src/errors.ts";
import type { Detections } from "../src/model/types.ts";
import { assert, assertEquals, assertThrows } from "../src/std.ts";
import { referenceDir } from "./_reference.ts";

interface DecodeCase {
  name: string;
  input: DecodeInput;
  options: {
    scoreThresh: number;
    topkCandidates: number;
    nmsThresh: number;
    detectionsPerImg: number;
  };
  vanillaSame: boolean;
  expected: Detections;
}

function bytesOf(b64: string): ArrayBuffer {
  const bin = atob(b64);
  const u8 = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
  return u8.buffer;
}

function loadCases(dir: string): DecodeCase[] {
  const out: DecodeCase[] = [];
  for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name < b.name ? -1 : 1)) {
    if (!e.name.startsWith("decode_") || !e.name.endsWith(".json")) continue;
    const r = JSON.parse(Deno.readTextFileSync(`${dir}/${e.name}`));
    out.push({
      name: r.name,
      input: {
        clsLogits: new Float32Array(bytesOf(r.clsLogits)),
        bboxRegression: new Float32Array(bytesOf(r.bboxRegression)),
        bboxCtrness: new Float32Array(bytesOf(r.bboxCtrness)),
        anchors: new Float32Array(bytesOf(r.anchors)),
        numAnchorsPerLevel: r.numAnchorsPerLevel,
        numClasses: r.numClasses,
        imageHeight: r.imageHeight,
        imageWidth: r.imageWidth,
      },
      options: r.options,
      vanillaSame: r.vanillaSame,
      expected: {
        boxes: new Float32Array(bytesOf(r.boxes)),
        scores: new Float32Array(bytesOf(r.scores)),
        labels: new Int32Array(bytesOf(r.labels)),
      },
    });
  }
  return out;
}

function assertSameDetections(ours: Detections, want: Detections, what: string) {
  assertEquals(ours.labels.length, want.labels.length, `${what}: count`);
  assertEquals([...ours.labels], [...want.labels], `${what}: labels`);
  assertEquals([...ours.scores], [...want.scores], `${what}: scores`);
  assertEquals([...ours.boxes], [...want.boxes], `${what}: boxes`);
}

/** torchvision's detections without the empty boxes (width or height ≤ 0). */
function withoutEmpty(d: Detections): Detections {
  const keep: number[] = [];
  for (let i = 0; i < d.scores.length; i++) {
    const b = d.boxes.subarray(4 * i, 4 * i + 4);
    if (b[2] > b[0] && b[3] > b[1]) keep.push(i);
  }
  return {
    boxes: Float32Array.from(keep.flatMap((i) => [...d.boxes.subarray(4 * i, 4 * i + 4)])),
    scores: Float32Array.from(keep.map((i) => d.scores[i])),
    labels: Int32Array.from(keep.map((i) => d.labels[i])),
  };
}

function checkCase(c: DecodeCase) {
  // Bit-identical to torchvision's postprocess_detections (which keeps empty boxes).
  const ours = decodeDetections(c.input, { ...c.options, dropEmpty: false });
  assertSameDetections(ours, c.expected, `${c.name} (dropEmpty: false)`);
  // Dropping empty boxes only removes them, and may pull later detections into the free slots.
  const dropped = decodeDetections(c.input, c.options);
  const want = withoutEmpty(c.expected);
  const k = want.labels.length;
  assertSameDetections(
    {
      boxes: dropped.boxes.slice(0, 4 * k),
      scores: dropped.scores.slice(0, k),
      labels: dropped.labels.slice(0, k),
    },
    want,
    `${c.name} (dropEmpty: true)`,
  );
  assert(dropped.labels.length <= c.options.detectionsPerImg);
}

const fixtureDir = new URL("../fixtures/nms/", import.meta.url).pathname;

Deno.test("decodeDetections equals torchvision's postprocess_detections (committed fixtures)", () => {
  const cases = loadCases(fixtureDir);
  assertEquals(cases.length, 2);
  for (const c of cases) {
    checkCase(c);
    assert(c.expected.labels.length > 10, `${c.name} has detections`);
  }
  // The small fixture has boxes in the padding that torchvision keeps as empty boxes.
  const small = cases.find((c) => c.name === "small_c20")!;
  assert(withoutEmpty(small.expected).labels.length < small.expected.labels.length);
});

Deno.test("decodeDetections equals torchvision at 512×512 (C = 20, 91)", () => {
  const dir = referenceDir("nms");
  if (dir === null) return;
  const cases = loadCases(dir);
  assertEquals(cases.length, 2);
  for (const c of cases) checkCase(c);
});

function tinyInput(over: Partial<DecodeInput> = {}): DecodeInput {
  // Two levels: 2 locations (anchor size 8) and 1 location (anchor size 16); 3 classes.
  return {
    clsLogits: new Float32Array([4, -9, -9, 3, -9, -9, -9, -9, 5]),
    bboxRegression: new Float32Array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 4, 0.5]),
    bboxCtrness: new Float32Array([3, 3, 3]),
    anchors: new Float32Array([0, 0, 8, 8, 2, 0, 10, 8, 0, 0, 16, 16]),
    numAnchorsPerLevel: [2, 1],
    numClasses: 3,
    imageHeight: 20,
    imageWidth: 20,
    ...over,
  };
}

Deno.test("decodeDetections on a hand-made case: decode, clip, NMS, labels", () => {
  const d = decodeDetections(tinyInput());
  // Location 2 (class 2, highest score): centre (8, 8), size 16 → [4, 4, 72→20 (clipped), 16].
  assertEquals([...d.labels], [2, 0]);
  assertEquals([...d.boxes], [4, 4, 20, 16, 0, 0, 8, 8]);
  // Location 1 (class 0): [2, 0, 10, 8] overlaps [0, 0, 8, 8] by IoU 48/80, which is 0.6 in reals
  // but 0.60000002 in float32, so torchvision (and we) suppress it at 0.6; at 0.61 it stays.
  const logits = new Float32Array([4, -9, -9, 3.5, -9, -9, -9, -9, 5]);
  assertEquals([...decodeDetections(tinyInput({ clsLogits: logits })).labels], [2, 0]);
  const d2 = decodeDetections(tinyInput({ clsLogits: logits }), { nmsThresh: 0.61 });
  assertEquals([...d2.labels], [2, 0, 0]);
  assertEquals([...d2.boxes.subarray(8)], [2, 0, 10, 8]);
  assert(d.scores[0] > d.scores[1]);
  const expected = Math.fround(Math.sqrt(Math.fround(
    Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-5)))) *
      Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-3)))),
  )));
  assertEquals(d.scores[0], expected);
});

Deno.test("decodeDetections: limits, thresholds, empty inputs and defaults", () => {
  assertEquals(DEFAULT_DECODE_OPTIONS.scoreThresh, 0.05);
  assertEquals(DEFAULT_DECODE_OPTIONS.topkCandidates, 1000);
  assertEquals(DEFAULT_DECODE_OPTIONS.nmsThresh, 0.6);
  assertEquals(DEFAULT_DECODE_OPTIONS.detectionsPerImg, 100);
  assertEquals(decodeDetections(tinyInput(), { detectionsPerImg: 1 }).labels.length, 1);
  assertEquals(decodeDetections(tinyInput(), { detectionsPerImg: 0 }).labels.length, 0);
  // topk 1 per level: level 0 keeps only its best pair.
  assertEquals([...decodeDetections(tinyInput(), { topkCandidates: 1 }).labels], [2, 0]);
  assertEquals(decodeDetections(tinyInput(), { scoreThresh: 0.99 }).labels.length, 0);
  // A negative threshold keeps every pair, −Infinity logits included.
  const all = decodeDetections(
    tinyInput({ clsLogits: new Float32Array([4, -Infinity, -9, 3, -9, -9, -9, -9, Infinity]) }),
    { scoreThresh: -1, nmsThresh: 1, dropEmpty: false },
  );
  assertEquals(all.labels.length, 9);
  assertEquals(
    all.scores[0],
    Math.fround(Math.sqrt(Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-3)))))),
  );
  assertEquals(all.scores[8], 0);
  const empty = decodeDetections({
    clsLogits: new Float32Array(0),
    bboxRegression: new Float32Array(0),
    bboxCtrness: new Float32Array(0),
    anchors: new Float32Array(0),
    numAnchorsPerLevel: [0, 0],
    numClasses: 5,
    imageHeight: 10,
    imageWidth: 10,
  });
  assertEquals([empty.boxes.length, empty.scores.length, empty.labels.length], [0, 0, 0]);
  // Boxes of locations outside the image clip to zero width and are dropped (kept with dropEmpty false).
  const outside = tinyInput({ imageWidth: 1, imageHeight: 20 });
  const a = decodeDetections(outside, { dropEmpty: false });
  const b = decodeDetections(outside);
  assert(b.labels.length < a.labels.length);
});

Deno.test("decodeDetections rejects bad input with FcosError", () => {
  assertThrows(() => decodeDetections(tinyInput({ numClasses: 4 })), /clsLogits has 9 numbers/);
  assertThrows(
    () => decodeDetections(tinyInput({ numAnchorsPerLevel: [2, 2] })),
    FcosError,
  );
  assertThrows(
    () => decodeDetections(tinyInput({ bboxCtrness: new Float32Array([0, NaN, 0]) })),
    /bboxCtrness\[1\] is NaN/,
  );
  assertThrows(
    () =>
      decodeDetections(
        tinyInput({ clsLogits: new Float32Array([4, -9, -9, 3, NaN, -9, -9, -9, 5]) }),
      ),
    /clsLogits\[1\]\[1\] is NaN/,
  );
  assertThrows(
    () =>
      decodeDetections(
        tinyInput({
          bboxRegression: new Float32Array([
            NaN,
            0.5,
            0.5,
            0.5,
            0.5,
            0.5,
            0.5,
            0.5,
            0.25,
            0.25,
            4,
            0.5,
          ]),
        }),
      ),
    /bboxRegression\[0\]/,
  );
  assertThrows(
    () =>
      decodeDetections(
        tinyInput({ anchors: new Float32Array([0, 0, 8, Infinity, 2, 0, 10, 8, 0, 0, 16, 16]) }),
      ),
    /anchors\[0\]/,
  );
  assertThrows(() => decodeDetections(tinyInput({ imageWidth: NaN })), /imageWidth/);
  assertThrows(() => decodeDetections(tinyInput(), { topkCandidates: 1.5 }), /topkCandidates/);
  assertThrows(() => decodeDetections(tinyInput(), { nmsThresh: NaN }), /nmsThresh/);
});

Deno.test("decodeDetections' logit prefilter never drops a pair above the threshold", () => {
  // Logits spread around the threshold's logit so that many scores fall within a few ulps of it;
  // no suppression (nmsThresh 1, all boxes distinct) and no limits: every pair above the threshold
  // must come out.
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  const L = 400, C = 30;
  const thresh = 0.3;
  const clsLogits = new Float32Array(L * C), bboxCtrness = new Float32Array(L);
  const anchors = new Float32Array(4 * L), bboxRegression = new Float32Array(4 * L).fill(0.5);
  for (let a = 0; a < L; a++) {
    bboxCtrness[a] = (rand() - 0.5) * 6;
    anchors.set([a * 10, 0, a * 10 + 8, 8], 4 * a);
    const sctr = sigmoidF32(bboxCtrness[a]);
    // The logit whose score is exactly at the threshold, then jittered by ~1e-6.
    const q = (thresh * thresh) / sctr;
    for (let c = 0; c < C; c++) {
      const x = q < 1 ? Math.log(q / (1 - q)) : 5;
      clsLogits[a * C + c] = x + (rand() - 0.5) * (c < 20 ? 1e-5 : 1);
    }
  }
  let want = 0;
  for (let a = 0; a < L; a++) {
    const sctr = sigmoidF32(bboxCtrness[a]);
    for (let c = 0; c < C; c++) {
      const score = Math.fround(
        Math.sqrt(Math.fround(sigmoidF32(clsLogits[a * C + c]) * sctr)),
      );
      if (score > Math.fround(thresh)) want++;
    }
  }
  const det = decodeDetections({
    clsLogits,
    bboxRegression,
    bboxCtrness,
    anchors,
    numAnchorsPerLevel: [L],
    numClasses: C,
    imageHeight: 100,
    imageWidth: 10 * L,
  }, { scoreThresh: thresh, topkCandidates: L * C, detectionsPerImg: L * C, nmsThresh: 1 });
  assert(want > 1000 && want < L * C, `a mixed case (${want})`);
  assertEquals(det.labels.length, want);
});

/** All pairs of `input` (or those `keep` accepts) as decodeCandidates input. */
function candidatesOf(
  input: DecodeInput,
  keep: (a: number, c: number) => boolean = () => true,
): CandidateInput {
  const C = input.numClasses;
  const locations: number[] = [], labels: number[] = [], levelStarts = [0];
  let loc0 = 0;
  for (const n of input.numAnchorsPerLevel) {
    for (let a = loc0; a < loc0 + n; a++) {
      for (let c = 0; c < C; c++) {
        if (!keep(a, c)) continue;
        locations.push(a);
        labels.push(c);
      }
    }
    levelStarts.push(locations.length);
    loc0 += n;
  }
  return {
    levelStarts,
    locations: Int32Array.from(locations),
    labels: Int32Array.from(labels),
    clsLogits: Float32Array.from(locations, (a, j) => input.clsLogits[a * C + labels[j]]),
    bboxCtrness: Float32Array.from(locations, (a) => input.bboxCtrness[a]),
    bboxRegression: Float32Array.from(
      locations.flatMap((a) => [...input.bboxRegression.subarray(4 * a, 4 * a + 4)]),
    ),
    anchors: input.anchors,
    numAnchorsPerLevel: input.numAnchorsPerLevel,
    numClasses: C,
    imageHeight: input.imageHeight,
    imageWidth: input.imageWidth,
  };
}

Deno.test("decodeCandidates on all pairs, or on those above the threshold, equals decodeDetections", () => {
  let seed = 3;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  for (const c of loadCases(fixtureDir)) {
    const optionSets: DecodeOptions[] = [
      c.options,
      { ...c.options, dropEmpty: false },
      { topkCandidates: 5 },
    ];
    for (const options of optionSets) {
      const want = decodeDetections(c.input, options);
      assert(want.labels.length > 0);
      assertSameDetections(decodeCandidates(candidatesOf(c.input), options), want, c.name);
      // A subset holding every pair above the threshold, and a random third of the rest.
      const thr = Math.fround(options.scoreThresh ?? DEFAULT_DECODE_OPTIONS.scoreThresh);
      const C = c.input.numClasses;
      const subset = candidatesOf(c.input, (a, k) => {
        const score = Math.fround(Math.sqrt(Math.fround(
          sigmoidF32(c.input.clsLogits[a * C + k]) * sigmoidF32(c.input.bboxCtrness[a]),
        )));
        return score > thr || rand() < 0.33;
      });
      assert(subset.locations.length < c.input.bboxCtrness.length * C);
      assertSameDetections(decodeCandidates(subset, options), want, `${c.name} subset`);
    }
  }
  // The hand-made case: clip, NMS and labels as decodeDetections.
  assertSameDetections(
    decodeCandidates(candidatesOf(tinyInput())),
    decodeDetections(tinyInput()),
    "tiny",
  );
});

Deno.test("decodeCandidates rejects bad input with FcosError; NaN logits as decodeDetections", () => {
  const all = candidatesOf(tinyInput());
  const none = candidatesOf(tinyInput(), () => false);
  assertEquals(none.levelStarts, [0, 0, 0]);
  assertEquals(decodeCandidates(none).labels.length, 0, "no candidates, no detections");
  const swapped = { ...all, locations: all.locations.slice() };
  [swapped.locations[0], swapped.locations[3]] = [swapped.locations[3], swapped.locations[0]];
  assertThrows(() => decodeCandidates(swapped), /increasing \(location, class\) order/);
  assertThrows(
    () => decodeCandidates({ ...all, labels: all.labels.map((l) => l + 1) }),
    /label 3 is not in \[0, 3\)/,
  );
  assertThrows(
    () => decodeCandidates({ ...all, locations: all.locations.map(() => 2) }),
    /location 2 is not in level 0/,
  );
  assertThrows(() => decodeCandidates({ ...all, levelStarts: [0, 3, 8] }), FcosError);
  assertThrows(
    () => decodeCandidates({ ...all, clsLogits: all.clsLogits.subarray(1) }),
    /clsLogits has 8 numbers, expected 9/,
  );
  const nan = tinyInput({ clsLogits: new Float32Array([4, -9, -9, 3, NaN, -9, -9, -9, 5]) });
  assertThrows(() => decodeDetections(nan), /clsLogits\[1\]\[1\] is NaN/);
  assertThrows(() => decodeCandidates(candidatesOf(nan)), /clsLogits\[1\]\[1\] is NaN/);
  const badReg = tinyInput({
    bboxRegression: new Float32Array([
      0.5,
      0.5,
      0.5,
      0.5,
      0.5,
      Infinity,
      0.5,
      0.5,
      0.25,
      0.25,
      4,
      0.5,
    ]),
  });
  assertThrows(() => decodeDetections(badReg), /bboxRegression\[1\] has a non-finite value/);
  assertThrows(
    () => decodeCandidates(candidatesOf(badReg)),
    /bboxRegression\[1\] has a non-finite value/,
  );
});
