import {
  batchedNms,
  COORDINATE_TRICK_MAX_BOXES,
  coordinateTrickBoxes,
  iouFloat32,
  nms,
  sortByScoreDesc,
  topKByScore,
} from "../src/decode/nms.ts";
import { FcosError } from "../src/errors.ts";
import { assert, assertEquals, assertThrows } from "../src/std.ts";
import { referenceDir } from "./_reference.ts";

/** A torchvision NMS case written by scripts/reference/nms.py. */
interface NmsCase {
  name: string;
  iou: number;
  boxes: Float32Array; // N×4
  scores: Float32Array; // N
  labels: Int32Array; // N
  vanilla: number[];
  public: number[];
  single: number[];
  scoresDistinct: boolean;
}

function bytesOf(b64: string): ArrayBuffer {
  const bin = atob(b64);
  const u8 = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
  return u8.buffer;
}

function loadCases(dir: string): NmsCase[] {
  const cases: NmsCase[] = [];
  for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name < b.name ? -1 : 1)) {
    if (!e.name.startsWith("nms_") || !e.name.endsWith(".json")) continue;
    const r = JSON.parse(Deno.readTextFileSync(`${dir}/${e.name}`));
    cases.push({
      ...r,
      boxes: new Float32Array(bytesOf(r.boxes)),
      scores: new Float32Array(bytesOf(r.scores)),
      labels: new Int32Array(bytesOf(r.labels)),
    });
  }
  return cases;
}

/** Kept-list check robust only to the order of equal scores (torchvision's final sort is unstable). */
function assertSameKeep(ours: Int32Array, theirs: number[], scores: Float32Array, what: string) {
  assertEquals(ours.length, theirs.length, `${what}: kept count`);
  assertEquals([...ours].sort((a, b) => a - b), [...theirs].sort((a, b) => a - b), `${what}: set`);
  for (let k = 0; k < ours.length; k++) {
    assertEquals(scores[ours[k]], scores[theirs[k]], `${what}: score at rank ${k}`);
    if (k > 0) {
      const prev = ours[k - 1], cur = ours[k];
      assert(
        scores[prev] > scores[cur] || (scores[prev] === scores[cur] && prev < cur),
        `${what}: order at ${k}`,
      );
    }
  }
}

const fixtureDir = new URL("../fixtures/nms/", import.meta.url).pathname;

Deno.test("batchedNms/nms match torchvision on the committed fixtures", () => {
  const cases = loadCases(fixtureDir);
  assert(cases.length >= 10, "fixtures/nms has the NMS cases");
  // Some fixtures are cases where the coordinate trick changes torchvision's result.
  assert(cases.some((c) => c.public.join() !== c.vanilla.join()), "a trick-sensitive case");
  for (const c of cases) {
    // Default: torchvision.ops.batched_nms as called (coordinate trick for N ≤ 1000).
    const keep = batchedNms(c.boxes, c.scores, c.labels, c.iou);
    assertSameKeep(keep, c.public, c.scores, `${c.name} batched`);
    if (c.scoresDistinct) assertEquals([...keep], c.public, `${c.name} exact order`);
    // Per-label IoUs on the given coordinates: torchvision's vanilla path.
    const perLabel = batchedNms(c.boxes, c.scores, c.labels, c.iou, { coordinateTrick: false });
    assertSameKeep(perLabel, c.vanilla, c.scores, `${c.name} per-label`);
    // torchvision's nms visits equal scores in index order (stable sort): identical lists.
    assertEquals([...nms(c.boxes, c.scores, c.iou)], c.single, `${c.name} single-class`);
  }
});

Deno.test("batchedNms matches torchvision on the larger reference cases", () => {
  const dir = referenceDir("nms");
  if (dir === null) return;
  const cases = loadCases(dir);
  assert(cases.length > 0);
  for (const c of cases) {
    const keep = batchedNms(c.boxes, c.scores, c.labels, c.iou);
    assertSameKeep(keep, c.public, c.scores, c.name);
    assertEquals([...nms(c.boxes, c.scores, c.iou)], c.single, `${c.name} single-class`);
  }
});

Deno.test("nms edge cases: empty, one box, equal scores, identical boxes", () => {
  const e = new Float32Array(0);
  assertEquals([...batchedNms(e, e, new Int32Array(0), 0.5)], []);
  assertEquals([...nms(e, e, 0.5)], []);
  assertEquals([...nms(new Float32Array([1, 2, 3, 4]), new Float32Array([0.3]), 0.5)], [0]);
  // All-equal scores: visited in index order, so the lowest index of a cluster survives.
  const boxes = new Float32Array([
    10,
    10,
    20,
    20, // 0
    0,
    0,
    10,
    10, // 1
    11,
    11,
    21,
    21, // 2 overlaps 0 (IoU 81/119 ≈ 0.68)
    0,
    0,
    10,
    10, // 3 identical to 1
  ]);
  const same = new Float32Array([0.5, 0.5, 0.5, 0.5]);
  assertEquals([...nms(boxes, same, 0.5)], [0, 1]);
  assertEquals([...nms(boxes, same, 0.7)], [0, 1, 2]);
  // Identical boxes have IoU exactly 1: suppressed at t < 1, kept at t = 1 (strictly greater).
  assertEquals([...nms(boxes, same, 0.999)], [0, 1, 2]);
  assertEquals([...nms(boxes, same, 1)], [0, 1, 2, 3]);
  // Different labels never suppress each other.
  assertEquals([...batchedNms(boxes, same, new Int32Array([0, 1, 2, 3]), 0)], [0, 1, 2, 3]);
  assertEquals([...batchedNms(boxes, same, new Int32Array([7, 7, 7, 9]), 0.5)], [0, 1, 3]);
  // -0 ties with +0 (lower index first), negative scores sort below them.
  const far = new Float32Array([0, 0, 1, 1, 5, 5, 6, 6, 9, 9, 10, 10]);
  assertEquals([...nms(far, new Float32Array([-1, -0, 0]), 0.5)], [1, 2, 0]);
});

Deno.test("nms thresholds 0 and 1, touching boxes, zero-area and inverted boxes", () => {
  // Expected lists checked against torchvision.ops.nms.
  const boxes = new Float32Array([
    0,
    0,
    10,
    10, // 0
    10,
    0,
    20,
    10, // 1 touches 0: IoU 0
    9,
    0,
    19,
    10, // 2 IoU with 0 = 10/190 > 0, with 1 = 90/110 ≈ 0.818
    5,
    5,
    5,
    9, // 3 zero width inside 0
    8,
    8,
    2,
    2, // 4 inverted, inside 0
  ]);
  const scores = new Float32Array([0.9, 0.8, 0.7, 0.95, 0.99]);
  // t = 0: any positive overlap suppresses; zero-area/inverted boxes never take part.
  assertEquals([...nms(boxes, scores, 0)], [4, 3, 0, 1]);
  assertEquals([...nms(boxes, scores, 1)], [4, 3, 0, 1, 2]);
  assertEquals([...nms(boxes, scores, 0.8)], [4, 3, 0, 1]);
  assertEquals([...nms(boxes, scores, 0.82)], [4, 3, 0, 1, 2]);
  assertEquals([...nms(boxes, scores, 0.5)], [4, 3, 0, 1]);
  // Negative threshold: IoU 0 > t, so the top box suppresses everything of its label, but an
  // IoU of NaN (two zero-area disjoint boxes: 0/0) does not.
  assertEquals([...nms(boxes, scores, -0.5)], [4]);
  const flat = new Float32Array([0, 0, 0, 5, 3, 3, 3, 8]);
  assertEquals([...nms(flat, new Float32Array([0.9, 0.8]), -1)], [0, 1]);
});

Deno.test("nms float32 IoU rounding matches the C++ kernel on a borderline case", () => {
  // IoU of these boxes is exactly 1/3 in reals; in float32 it rounds to 0.333333343…, which is
  // > 1/3 as a double: torchvision suppresses (ovr is float, the threshold a double).
  const boxes = new Float32Array([0, 0, 2, 1, 1, 0, 3, 1]);
  const iou = iouFloat32(boxes, 0, 1);
  assertEquals(iou, Math.fround(1 / 3));
  assert(iou > 1 / 3);
  assertEquals([...nms(boxes, new Float32Array([0.9, 0.8]), 1 / 3)], [0]);
  assertEquals([...nms(boxes, new Float32Array([0.9, 0.8]), Math.fround(1 / 3))], [0, 1]);
});

Deno.test("nms with very large coordinates and areas overflowing float32", () => {
  const big = 3e38;
  const boxes = new Float32Array([-big, -big, big, big, -big, -big, big, big, 0, 0, 1, 1]);
  // Areas are +Infinity in float32: IoU = inf / (inf + inf − inf) = NaN → never suppresses.
  const keep = nms(boxes, new Float32Array([0.9, 0.8, 0.7]), 0.5);
  assertEquals([...keep], [0, 1, 2]);
  const b2 = new Float32Array([1e7, 1e7, 1e7 + 64, 1e7 + 64, 1e7 + 2, 1e7, 1e7 + 66, 1e7 + 64]);
  // IoU 3968/4224 ≈ 0.939 (float32 spacing is 1 at 1e7).
  assertEquals([...nms(b2, new Float32Array([0.5, 0.6]), 0.95)], [1, 0]);
  assertEquals([...nms(b2, new Float32Array([0.5, 0.6]), 0.9)], [1]);
});

Deno.test("nms grid path agrees with a brute-force float32 loop (many boxes, many labels)", () => {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  // Size-banded grids (t ≥ 0.2), one grid per label (t < 0.2, or tiny float32 areas), linear scans
  // (few boxes per label); scale 1e-18 makes areas ~1e-33 (float32 subnormal range).
  for (
    const [n, numLabels, t, scale] of [
      [3000, 3, 0.5, 1],
      [2000, 40, 0.3, 1],
      [1000, 1, 0.7, 1],
      [1500, 2, 0.1, 1],
      [1500, 2, 0, 1],
      [1200, 2, 0.5, 1e-18],
    ]
  ) {
    const boxes = new Float32Array(4 * n), scores = new Float32Array(n), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const cx = Math.floor(rand() * 20) * 30 + rand() * 8, cy = rand() * 600;
      const w = 4 + rand() * (rand() < 0.1 ? 400 : 60), h = 4 + rand() * 60;
      boxes.set([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2].map((v) => v * scale), 4 * i);
      scores[i] = Math.floor(rand() * 500) / 500; // many ties
      labels[i] = Math.floor(rand() * numLabels);
    }
    // Brute force: torchvision's forward loop, visiting by (score desc, index asc).
    const order = [...Array(n).keys()].sort((a, b) => scores[b] - scores[a] || a - b);
    const sup = new Uint8Array(n);
    const want: number[] = [];
    for (let a = 0; a < n; a++) {
      const i = order[a];
      if (sup[i]) continue;
      want.push(i);
      for (let b = a + 1; b < n; b++) {
        const j = order[b];
        if (!sup[j] && labels[j] === labels[i] && iouFloat32(boxes, i, j) > t) sup[j] = 1;
      }
    }
    const opts = { coordinateTrick: false };
    assertEquals(
      [...batchedNms(boxes, scores, labels, t, opts)],
      want,
      `n=${n} labels=${numLabels} t=${t} scale=${scale}`,
    );
    assertEquals(
      [...batchedNms(boxes, scores, labels, t, { ...opts, maxOutput: 10 })],
      want.slice(0, 10),
      "maxOutput",
    );
  }
});

Deno.test("sortByScoreDesc is stable and descending", () => {
  const s = new Float32Array([0.5, 2, -1, 0.5, 2, 0, -0, -3, 1e-40]);
  assertEquals([...sortByScoreDesc(s)], [1, 4, 0, 3, 8, 5, 6, 2, 7]);
});

Deno.test("nms rejects NaN/Infinity and mismatched lengths with FcosError", () => {
  const b = new Float32Array([0, 0, 1, 1, 0, 0, 2, 2]);
  const s = new Float32Array([0.1, 0.2]);
  assertThrows(() => nms(b, new Float32Array([0.1]), 0.5), FcosError);
  assertThrows(() => nms(b, new Float32Array([0.1, NaN]), 0.5), /scores\[1\] is NaN/);
  assertThrows(() => nms(b, new Float32Array([Infinity, 0]), 0.5), /scores\[0\] is Infinity/);
  assertThrows(
    () => nms(new Float32Array([0, 0, 1, 1, 0, NaN, 2, 2]), s, 0.5),
    /boxes\[1\]\[1\] is NaN/,
  );
  assertThrows(
    () => batchedNms(new Float32Array([0, 0, 1, 1, 0, 0, 2, -Infinity]), s, new Int32Array(2), 0.5),
    FcosError,
  );
  assertThrows(() => batchedNms(b, s, new Int32Array(3), 0.5), /labels has 3 entries/);
  assertThrows(() => nms(b, s, NaN), /iouThreshold/);
  assertThrows(() => nms(b.subarray(0, 7), s, 0.5), /boxes has 7 numbers/);
  assertThrows(() => nms(b, s, 0.5, { maxOutput: -1 }), /maxOutput/);
});

Deno.test("topKByScore equals the head of the full stable sort", () => {
  let seed = 99;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  for (const n of [10, 5000, 40000]) {
    const s = new Float32Array(n);
    // Coarse values: many ties, and a crowded top bucket.
    for (let i = 0; i < n; i++) s[i] = Math.floor(rand() * 3000) / 3000 - (rand() < 0.1 ? 2 : 0);
    const full = sortByScoreDesc(s);
    for (const k of [0, 1, 7, 1000, n]) {
      assertEquals([...topKByScore(s, k)], [...full.subarray(0, k)], `n=${n} k=${k}`);
    }
  }
});

Deno.test("coordinateTrickBoxes shifts like torchvision (float32), only for N ≤ 1000", () => {
  const boxes = new Float32Array([0.1, 0.2, 10.3, 10.7, 5, 5, 9, 9]);
  const shifted = coordinateTrickBoxes(boxes, new Int32Array([0, 91]));
  assertEquals([...shifted.subarray(0, 4)], [...boxes.subarray(0, 4)]);
  const off = Math.fround(91 * Math.fround(10.7 + 1)); // max coordinate is 10.7 (as float32)
  assertEquals(shifted[4], Math.fround(5 + off));
  assertEquals(COORDINATE_TRICK_MAX_BOXES, 1000);
});
