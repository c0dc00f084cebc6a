/**
 * FCOS target assignment (torchvision 0.14 `FCOS.compute_loss`) on the CPU with typed arrays,
 * float32-faithful (every intermediate rounded with `Math.fround` where torch rounds), and the
 * dense per-location targets the losses consume.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import type { AnchorGrid, ImageTargets } from "../model/types.ts";

/** torchvision FCOS `center_sampling_radius`. */
export const DEFAULT_CENTER_SAMPLING_RADIUS = 1.5;

const f = Math.fround;
const AREA_OFFSET = f(1e8);
const MATCH_THRESHOLD = f(1e-5);

/** Checks one image's ground truth; `where` names it in the message. */
export function validateTargets(targets: ImageTargets, where: string, numClasses?: number): void {
  const k = targets.labels.length;
  if (targets.boxes.length !== 4 * k) {
    throw new FcosError(
      `${where}: boxes has ${targets.boxes.length} values but ${k} labels need ${4 * k}`,
    );
  }
  for (let j = 0; j < k; j++) {
    const c = targets.labels[j];
    if (c < 0 || (numClasses !== undefined && c >= numClasses)) {
      throw new FcosError(
        `${where}: label ${j} is ${c}, outside [0, ${numClasses ?? "numClasses"})`,
      );
    }
    for (let d = 0; d < 4; d++) {
      if (!Number.isFinite(targets.boxes[4 * j + d])) {
        throw new FcosError(`${where}: box ${j} has a non-finite coordinate`);
      }
    }
  }
}

/**
 * Matches every anchor location of one image to a ground-truth box, exactly as torchvision 0.14's
 * `FCOS.compute_loss` does (float32 arithmetic reproduced with `Math.fround`):
 * - centre sampling: ‖anchor centre − GT centre‖∞ < radius·anchorSize;
 * - the anchor centre lies strictly inside the GT: min(l, t, r, b) > 0;
 * - scale range: 4·anchorSize < max(l, t, r, b) < 8·anchorSize, with the lower bound 0 on the first
 *   level and the upper bound +∞ on the last;
 * - several candidates: the smallest-area GT wins through torch's `max(match·(1e8 − area))` in
 *   float32 (areas within float32 rounding of 1e8 tie, and ties go to the lower GT index); a best
 *   value below 1e-5 means unmatched.
 *
 * @param grid anchors of the padded batch (L locations).
 * @param targets GT of the image (K boxes); K = 0 leaves every location unmatched.
 * @param centerSamplingRadius torchvision's `center_sampling_radius` (1.5).
 * @returns [L] index of the matched GT box, or −1.
 *
 * @example
 * ```ts
 * import { makeAnchorGrid } from "./anchors.ts";
 * import { assignTargets } from "./targets.ts";
 * const grid = makeAnchorGrid([64, 64], [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]]);
 * const matched = assignTargets(grid, {
 *   boxes: new Float32Array([10, 10, 30, 30]),
 *   labels: new Int32Array([0]),
 * });
 * console.log(matched.filter((m) => m === 0).length); // locations assigned to box 0
 * ```
 */
export function assignTargets(
  grid: AnchorGrid,
  targets: ImageTargets,
  centerSamplingRadius: number = DEFAULT_CENTER_SAMPLING_RADIUS,
): Int32Array {
  const anchors = grid.anchors;
  const numLoc = anchors.length / 4;
  const matched = new Int32Array(numLoc).fill(-1); // [L]
  validateTargets(targets, "assignTargets");
  if (!(centerSamplingRadius > 0 && Number.isFinite(centerSamplingRadius))) {
    throw new FcosError(
      `assignTargets: centerSamplingRadius must be a positive number, got ${centerSamplingRadius}`,
    );
  }
  const k = targets.labels.length;
  if (k === 0) return matched;

  const boxes = targets.boxes;
  // Per GT: float32 box, centre ((x0 + x1) / 2) and the `1e8 − area` score.
  const gx0 = new Float32Array(k), gy0 = new Float32Array(k);
  const gx1 = new Float32Array(k), gy1 = new Float32Array(k);
  const gcx = new Float32Array(k), gcy = new Float32Array(k);
  const score = new Float32Array(k);
  for (let j = 0; j < k; j++) {
    gx0[j] = boxes[4 * j];
    gy0[j] = boxes[4 * j + 1];
    gx1[j] = boxes[4 * j + 2];
    gy1[j] = boxes[4 * j + 3];
    gcx[j] = f(gx0[j] + gx1[j]) / 2;
    gcy[j] = f(gy0[j] + gy1[j]) / 2;
    const area = f(f(gx1[j] - gx0[j]) * f(gy1[j] - gy0[j]));
    score[j] = AREA_OFFSET - area; // stored into a Float32Array: rounded like torch's float32 rsub
  }
  const radius = f(centerSamplingRadius);
  const firstEnd = grid.numAnchorsPerLevel[0];
  const lastStart = numLoc - grid.numAnchorsPerLevel[grid.numAnchorsPerLevel.length - 1];

  for (let i = 0; i < numLoc; i++) {
    const ax0 = anchors[4 * i], ay0 = anchors[4 * i + 1];
    const ax1 = anchors[4 * i + 2], ay1 = anchors[4 * i + 3];
    const cx = f(ax0 + ax1) / 2;
    const cy = f(ay0 + ay1) / 2;
    const size = f(ax1 - ax0);
    const maxCentreDist = f(radius * size);
    const lower = i < firstEnd ? 0 : f(size * 4);
    const upper = i >= lastStart ? Infinity : f(size * 8);
    // max over GTs of match·(1e8 − area); the first maximum wins, as in torch's CPU max(dim).
    let best = 0;
    let bestIdx = 0;
    for (let j = 0; j < k; j++) {
      let value = 0;
      const dc = Math.max(Math.abs(f(cx - gcx[j])), Math.abs(f(cy - gcy[j])));
      if (dc < maxCentreDist) {
        const l = f(cx - gx0[j]), t = f(cy - gy0[j]);
        const r = f(gx1[j] - cx), b = f(gy1[j] - cy);
        if (Math.min(l, t, r, b) > 0) {
          const m = Math.max(l, t, r, b);
          if (m > lower && m < upper) value = score[j];
        }
      }
      if (j === 0) best = value;
      else if (!(value <= best)) {
        best = value;
        bestIdx = j;
      }
    }
    if (!(best < MATCH_THRESHOLD)) matched[i] = bestIdx;
  }
  return matched;
}

/** Dense per-location targets of a batch (N images × L locations), ready to upload. */
export interface DenseTargets {
  /** [N·L] matched class index, −1 for background. */
  classes: Int32Array;
  /** [N·L·4] matched GT box (x1, y1, x2, y2); background locations hold their anchor box. */
  boxes: Float32Array;
  /** [N·L] centerness target of positives, 0 for background. */
  ctrness: Float32Array;
  /** [N·L] 1 for positives, 0 for background. */
  foreground: Float32Array;
  /** Positive locations over the whole batch. */
  numPositives: number;
  /** Per image: [L] matched GT index or −1 (as {@linkcode assignTargets}). */
  matched: Int32Array[];
}

/**
 * Assigns every image of a batch and expands the matches into dense per-location targets:
 * class, GT box, and the centerness target `sqrt(min(l,r)/max(l,r) · min(t,b)/max(t,b))` of the
 * GT box encoded against the anchor (`BoxLinearCoder(normalize_by_size=True)`, float32).
 *
 * @param grid anchors of the padded batch.
 * @param targets GT of each image.
 * @param centerSamplingRadius torchvision's `center_sampling_radius` (1.5).
 * @param numClasses when given, labels must lie in [0, numClasses).
 *
 * @example
 * ```ts
 * import { makeAnchorGrid } from "./anchors.ts";
 * import { buildDenseTargets } from "./targets.ts";
 * const grid = makeAnchorGrid([64, 64], [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]]);
 * const dense = buildDenseTargets(grid, [{
 *   boxes: new Float32Array([10, 10, 30, 30]),
 *   labels: new Int32Array([2]),
 * }]);
 * console.log(dense.numPositives);
 * ```
 */
export function buildDenseTargets(
  grid: AnchorGrid,
  targets: ImageTargets[],
  centerSamplingRadius: number = DEFAULT_CENTER_SAMPLING_RADIUS,
  numClasses?: number,
): DenseTargets {
  const anchors = grid.anchors;
  const numLoc = anchors.length / 4;
  const n = targets.length;
  const classes = new Int32Array(n * numLoc).fill(-1);
  const boxes = new Float32Array(n * numLoc * 4);
  const ctrness = new Float32Array(n * numLoc);
  const foreground = new Float32Array(n * numLoc);
  const matchedAll: Int32Array[] = [];
  let numPositives = 0;
  for (let img = 0; img < n; img++) {
    validateTargets(targets[img], `targets[${img}]`, numClasses);
    const matched = assignTargets(grid, targets[img], centerSamplingRadius);
    matchedAll.push(matched);
    const gt = targets[img].boxes;
    const labels = targets[img].labels;
    const base = img * numLoc;
    boxes.set(anchors, base * 4);
    for (let i = 0; i < numLoc; i++) {
      const j = matched[i];
      if (j < 0) continue;
      const o = base + i;
      numPositives++;
      classes[o] = labels[j];
      foreground[o] = 1;
      const x0 = gt[4 * j], y0 = gt[4 * j + 1], x1 = gt[4 * j + 2], y1 = gt[4 * j + 3];
      boxes[4 * o] = x0;
      boxes[4 * o + 1] = y0;
      boxes[4 * o + 2] = x1;
      boxes[4 * o + 3] = y1;
      // BoxLinearCoder.encode in float32: (centre − x0) / anchorWidth, …
      const ax0 = anchors[4 * i], ay0 = anchors[4 * i + 1];
      const ax1 = anchors[4 * i + 2], ay1 = anchors[4 * i + 3];
      const cx = f(0.5 * f(ax0 + ax1)), cy = f(0.5 * f(ay0 + ay1));
      const w = f(ax1 - ax0), h = f(ay1 - ay0);
      const l = f(f(cx - x0) / w), t = f(f(cy - y0) / h);
      const r = f(f(x1 - cx) / w), b = f(f(y1 - cy) / h);
      const lr = f(Math.min(l, r) / Math.max(l, r));
      const tb = f(Math.min(t, b) / Math.max(t, b));
      ctrness[o] = Math.sqrt(f(lr * tb));
    }
  }
  return { classes, boxes, ctrness, foreground, numPositives, matched: matchedAll };
}
