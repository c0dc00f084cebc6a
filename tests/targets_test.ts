/**
 * Anchor grid and target assignment without torch: torchvision's strides and rounding, centre
 * sampling, the inside-GT rule, the per-level size ranges and the smallest-area tie-break.
 */
import { assert, assertEquals, assertThrows } from "../src/std.ts";
import { FcosError } from "../src/errors.ts";
import { makeAnchorGrid } from "../src/loss/anchors.ts";
import { assignTargets, buildDenseTargets } from "../src/loss/targets.ts";

const box = (...b: number[]) => ({
  boxes: new Float32Array(b),
  labels: new Int32Array(b.length / 4).map((_, i) => i),
});
/** A 64×64 grid: P3 8×8 (stride 8), P4 4×4 (16), P5 2×2 (32), P6 1×1, P7 1×1 (64). */
const small = () => makeAnchorGrid([64, 64], [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]]);
/** Location index of (level, y, x) in a grid. */
function loc(grid: ReturnType<typeof small>, level: number, y: number, x: number): number {
  let o = 0;
  for (let l = 0; l < level; l++) o += grid.numAnchorsPerLevel[l];
  return o + y * grid.levelShapes[level][1] + x;
}

Deno.test("makeAnchorGrid: floor-division strides, level order, row-major", () => {
  const grid = makeAnchorGrid([256, 320], [[32, 40], [16, 20], [8, 10], [4, 5], [2, 3]]);
  assertEquals(grid.numAnchorsPerLevel, [1280, 320, 80, 20, 6]);
  assertEquals(grid.anchors.length, 1706 * 4);
  const at = (i: number) => Array.from(grid.anchors.subarray(4 * i, 4 * i + 4));
  assertEquals(at(0), [-4, -4, 4, 4]);
  assertEquals(at(1), [4, -4, 12, 4]); // x moves first
  assertEquals(at(40), [-4, 4, 4, 12]); // next row
  // P7: 2×3 map of a 256×320 batch: strides 256//2 = 128 and 320//3 = 106 (not 128).
  const p7 = 1706 - 6;
  assertEquals(at(p7 + 1), [106 - 64, -64, 106 + 64, 64]);
  assertEquals(at(p7 + 5), [212 - 64, 128 - 64, 212 + 64, 128 + 64]);
});

Deno.test("makeAnchorGrid: odd sizes round half to even like torch.round", () => {
  const grid = makeAnchorGrid([10, 10], [[1, 1], [1, 1]], [5, 7]);
  assertEquals(Array.from(grid.anchors), [-2, -2, 2, 2, -4, -4, 4, 4]); // ±2.5 → ±2, ±3.5 → ±4
});

Deno.test("makeAnchorGrid: bad shapes throw FcosError", () => {
  assertThrows(() => makeAnchorGrid([64, 64], [[8, 8]]), FcosError);
  assertThrows(() => makeAnchorGrid([64, 0], [[8, 8]], [8]), FcosError);
  assertThrows(() => makeAnchorGrid([64, 64], [[8.5, 8]], [8]), FcosError);
});

Deno.test("assignTargets: no GT → all −1; centre sampling and inside-GT", () => {
  const grid = small();
  const none = assignTargets(grid, box());
  assert(none.every((m) => m === -1));
  // A 20×20 box centred at (28, 28): P3 centres within 1.5·8 = 12 (∞-norm) and inside the box:
  // x, y ∈ {24, 32} (16 and 40 are outside the box, whose edges are 18 and 38).
  const m = assignTargets(grid, box(18, 18, 38, 38));
  const hits = [...m.keys()].filter((i) => m[i] === 0);
  assertEquals(hits, [
    loc(grid, 0, 3, 3),
    loc(grid, 0, 3, 4),
    loc(grid, 0, 4, 3),
    loc(grid, 0, 4, 4),
  ]);
  // An anchor centre exactly on the left edge is not inside (min(l, t, r, b) > 0 is strict).
  const edge = assignTargets(grid, box(24, 18, 44, 38));
  assertEquals(edge[loc(grid, 0, 3, 3)], -1);
  assertEquals(edge[loc(grid, 0, 3, 4)], 0);
  // Centre sampling radius: a wide radius lets the far P3 centres in.
  const wide = assignTargets(grid, box(2, 2, 62, 62), 100);
  const narrow = assignTargets(grid, box(2, 2, 62, 62));
  assert(wide.filter((v) => v === 0).length > narrow.filter((v) => v === 0).length);
});

Deno.test("assignTargets: per-level size ranges with open bounds, P3 from 0 and P7 to +inf", () => {
  const grid = small();
  // P4 (size 16) takes max(l,t,r,b) in (64, 128); P3 (size 8) takes (0, 64).
  // A box whose max distance from the P3/P4 anchor at (32, 32) is exactly 64 is taken by neither
  // P3 (not < 64) nor P4 (not > 64) at that location.
  const exact = assignTargets(grid, box(-32, 20, 96, 44)); // l = r = 64 from x = 32
  assertEquals(exact[loc(grid, 0, 4, 4)], -1);
  assertEquals(exact[loc(grid, 1, 2, 2)], -1);
  const bigger = assignTargets(grid, box(-32.5, 20, 96.5, 44)); // 64.5 → P4
  assertEquals(bigger[loc(grid, 0, 4, 4)], -1);
  assertEquals(bigger[loc(grid, 1, 2, 2)], 0);
  const smaller = assignTargets(grid, box(-31.5, 20, 95.5, 44)); // 63.5 → P3
  assertEquals(smaller[loc(grid, 0, 4, 4)], 0);
  assertEquals(smaller[loc(grid, 1, 2, 2)], -1);
  // A tiny box still matches P3 (lower bound 0 there), a huge one the last level (no upper bound).
  const tiny = assignTargets(grid, box(31, 31, 33.5, 33.5));
  assertEquals(tiny[loc(grid, 0, 4, 4)], 0);
  const huge = makeAnchorGrid([64, 64], [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]], [
    8,
    16,
    32,
    64,
    2,
  ]);
  // With a 2-pixel last level, 8·size = 16 would exclude it; the last level's bound is +inf.
  const last = assignTargets(huge, box(-1000, -1000, 1000, 1000), 2000);
  assertEquals(last[huge.anchors.length / 4 - 1], 0);
});

Deno.test("assignTargets: smallest area wins; float32 ties go to the lower index", () => {
  const grid = small();
  const p3 = loc(grid, 0, 4, 4); // centre (32, 32)
  // Nested boxes around (32, 32): the inner (smaller) one wins whatever the order.
  assertEquals(assignTargets(grid, box(20, 20, 44, 44, 26, 26, 38, 38))[p3], 1);
  assertEquals(assignTargets(grid, box(26, 26, 38, 38, 20, 20, 44, 44))[p3], 0);
  // Identical boxes: the first.
  assertEquals(assignTargets(grid, box(26, 26, 38, 38, 26, 26, 38, 38))[p3], 0);
  // Areas 144 and 143.88 differ by less than float32's spacing at 1e8 (8): 1e8 − area rounds to
  // the same value, so torch's max picks the first although the second is smaller.
  assertEquals(assignTargets(grid, box(26, 26, 38, 38, 26, 26, 37.99, 38))[p3], 0);
  // A real difference (area 144 vs 120) is resolved.
  assertEquals(assignTargets(grid, box(26, 26, 38, 38, 27, 26, 37, 38))[p3], 1);
});

Deno.test("buildDenseTargets: classes, boxes, centerness, counts; label range checked", () => {
  const grid = small();
  const L = grid.anchors.length / 4;
  const t = { boxes: new Float32Array([18, 18, 38, 38]), labels: new Int32Array([2]) };
  const d = buildDenseTargets(grid, [box(), t], 1.5, 3);
  assertEquals(d.numPositives, 4);
  assertEquals(d.matched.length, 2);
  const i = L + loc(grid, 0, 3, 3); // image 1, anchor centre (24, 24)
  assertEquals(d.classes[i], 2);
  assertEquals(d.foreground[i], 1);
  assertEquals(Array.from(d.boxes.subarray(4 * i, 4 * i + 4)), [18, 18, 38, 38]);
  // l = t = 6, r = b = 14: sqrt((6/14)²) = 6/14.
  assertEquals(d.ctrness[i], Math.fround(6 / 14));
  // Background keeps its anchor as a (finite) dummy target and class −1.
  assertEquals(d.classes[0], -1);
  assertEquals(Array.from(d.boxes.subarray(0, 4)), [-4, -4, 4, 4]);
  assertThrows(() => buildDenseTargets(grid, [t], 1.5, 2), FcosError);
  assertThrows(
    () => assignTargets(grid, { boxes: new Float32Array(3), labels: new Int32Array(1) }),
    FcosError,
  );
  assertThrows(() => assignTargets(grid, t, 0), FcosError);
  assertThrows(() => assignTargets(grid, t, NaN), FcosError);
});
