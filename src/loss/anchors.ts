/**
 * The FCOS anchor grid: torchvision's `AnchorGenerator` with one square anchor per feature-map
 * location (sizes 8…128, aspect ratio 1), reproduced bit for bit.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import type { AnchorGrid } from "../model/types.ts";

/** torchvision FCOS anchor sides, one per level P3…P7. */
export const DEFAULT_ANCHOR_SIZES: readonly number[] = [8, 16, 32, 64, 128];

/** `torch.round`: round half to even (so ±2.5 → ±2), unlike `Math.round`. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Builds the anchors of a padded batch exactly as torchvision's `AnchorGenerator` does for FCOS.
 *
 * The stride of a level is the integer floor division `paddedSize // featureSize` (per axis), not
 * the nominal 8…128: a 320-pixel side whose P7 map has 3 cells gets stride 106. The base anchor is
 * `round([-s/2, -s/2, s/2, s/2])` (half to even, float32) and a location (y, x) of the level gets
 * `base + (x·strideW, y·strideH, x·strideW, y·strideH)`. Locations are ordered level by level, then
 * row-major (y, x), like the flattened head outputs.
 *
 * @param paddedSize [H, W] of the padded batch tensor.
 * @param levelShapes [H_l, W_l] of every feature level, P3 first.
 * @param anchorSizes anchor side per level (default 8, 16, 32, 64, 128).
 * @returns the grid; `anchors` is L×4 (x1, y1, x2, y2), L = Σ H_l·W_l.
 *
 * @example
 * ```ts
 * import { makeAnchorGrid } from "./anchors.ts";
 * const grid = makeAnchorGrid([256, 320], [[32, 40], [16, 20], [8, 10], [4, 5], [2, 3]]);
 * console.log(grid.numAnchorsPerLevel); // [1280, 320, 80, 20, 6]
 * console.log(Array.from(grid.anchors.subarray(0, 4))); // [-4, -4, 4, 4]
 * ```
 */
export function makeAnchorGrid(
  paddedSize: [number, number],
  levelShapes: [number, number][],
  anchorSizes: readonly number[] = DEFAULT_ANCHOR_SIZES,
): AnchorGrid {
  const [padH, padW] = paddedSize;
  if (!(Number.isInteger(padH) && Number.isInteger(padW) && padH > 0 && padW > 0)) {
    throw new FcosError(
      `makeAnchorGrid: paddedSize must be two positive integers, got ${paddedSize}`,
    );
  }
  if (levelShapes.length !== anchorSizes.length) {
    throw new FcosError(
      `makeAnchorGrid: ${levelShapes.length} feature levels but ${anchorSizes.length} anchor sizes`,
    );
  }
  const numAnchorsPerLevel: number[] = [];
  let total = 0;
  for (const [l, [h, w]] of levelShapes.entries()) {
    if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0 && h <= padH && w <= padW)) {
      throw new FcosError(
        `makeAnchorGrid: level ${l} shape [${h}, ${w}] must be positive integers within the padded size [${padH}, ${padW}]`,
      );
    }
    numAnchorsPerLevel.push(h * w);
    total += h * w;
  }
  const anchors = new Float32Array(total * 4); // [L, 4]
  let o = 0;
  for (const [l, [h, w]] of levelShapes.entries()) {
    const strideH = Math.floor(padH / h);
    const strideW = Math.floor(padW / w);
    // float32 `stack([-s, -s, s, s]) / 2` then round (half to even), as generate_anchors does.
    const half = Math.fround(anchorSizes[l]) / 2;
    const lo = roundHalfEven(Math.fround(-half));
    const hi = roundHalfEven(Math.fround(half));
    for (let y = 0; y < h; y++) {
      const sy = y * strideH;
      for (let x = 0; x < w; x++) {
        const sx = x * strideW;
        anchors[o++] = sx + lo;
        anchors[o++] = sy + lo;
        anchors[o++] = sx + hi;
        anchors[o++] = sy + hi;
      }
    }
  }
  return {
    anchors,
    numAnchorsPerLevel,
    levelShapes: levelShapes.map(([h, w]) => [h, w] as [number, number]),
    paddedSize: [padH, padW],
  };
}
