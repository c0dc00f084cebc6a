/**
 * The built-in synthetic data set: seeded scenes of simple shapes on textured backgrounds, with
 * exact boxes. Generated in memory (pure typed arrays), deterministic per (seed, split, index),
 * with disjoint train/val/test streams. Each class is one shape drawn in its own colour family, so
 * a compact FCOS learns it in minutes on a CPU.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { hashSeed, Rng } from "./rng.ts";
import type { DetectionDataset, Sample, SkippedEntry } from "./types.ts";

/** Class names of the synthetic data set (label order). */
export const SYNTHETIC_CLASSES: readonly string[] = Object.freeze([
  "rectangle",
  "ellipse",
  "triangle",
  "cross",
  "ring",
]);

/** Default side of the (square) synthetic images, in pixels. */
export const SYNTHETIC_IMAGE_SIZE = 128;

/** Default number of images per split (`synthetic` without `:N`). */
export const SYNTHETIC_DEFAULT_LENGTH: Readonly<Record<string, number>> = Object.freeze({
  train: 5000,
  val: 300,
  test: 300,
});

/** Hue (degrees) of each class's colour family; objects vary ±HUE_JITTER around it. */
const CLASS_HUES = [0, 125, 225, 55, 295];
const HUE_JITTER = 14;

/** Options of the synthetic generator. */
export interface SyntheticOptions {
  /** Base seed (default 0); every (seed, split, index) gives one fixed image. */
  seed?: number;
  /** `train` (also `trainval`), `val` or `test`: disjoint random streams. Default `train`. */
  split?: string;
  /** Image width and height (default {@linkcode SYNTHETIC_IMAGE_SIZE}). */
  size?: number;
  /** Smallest and largest object side at size 128 (scaled with `size`). Default [12, 70]. */
  objectSize?: [number, number];
  /** Fewest and most objects per image. Default [1, 4]. */
  objectCount?: [number, number];
}

const SPLIT_CODES: Record<string, number> = { train: 1, trainval: 1, val: 2, test: 3 };

function splitCode(split: string): number {
  const c = SPLIT_CODES[split];
  if (c === undefined) {
    throw new FcosError(`synthetic: unknown split '${split}' (use train, val or test)`);
  }
  return c;
}

/** HSV (h in degrees, s and v in [0, 1]) → RGB in [0, 255]. */
function hsv(h: number, s: number, v: number): [number, number, number] {
  h = ((h % 360) + 360) % 360;
  const c = v * s;
  const x = c * (1 - Math.abs(((h / 60) % 2) - 1));
  const m = v - c;
  const [r, g, b] = h < 60
    ? [c, x, 0]
    : h < 120
    ? [x, c, 0]
    : h < 180
    ? [0, c, x]
    : h < 240
    ? [0, x, c]
    : h < 300
    ? [x, 0, c]
    : [c, 0, x];
  return [(r + m) * 255, (g + m) * 255, (b + m) * 255];
}

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Whether pixel centre (px, py), relative to the object's box origin, lies in shape `cls` of
 * size w×h. `flip` turns the triangle upside down.
 */
function inside(cls: number, px: number, py: number, w: number, h: number, flip: boolean): boolean {
  switch (cls) {
    case 0: // rectangle
      return true;
    case 1: { // ellipse
      const dx = (px - w / 2) / (w / 2), dy = (py - h / 2) / (h / 2);
      return dx * dx + dy * dy <= 1;
    }
    case 2: { // isosceles triangle, apex at the top (or bottom when flipped), base the full width
      const t = flip ? 1 - py / h : py / h; // 0 at the apex row, 1 at the base
      return Math.abs(px - w / 2) <= (w / 2) * t;
    }
    case 3: { // plus-shaped cross, arms a third of the side thick
      const inV = Math.abs(px - w / 2) <= w / 6;
      const inH = Math.abs(py - h / 2) <= h / 6;
      return inV || inH;
    }
    default: { // ring: ellipse minus an inner ellipse at 55 %
      const dx = (px - w / 2) / (w / 2), dy = (py - h / 2) / (h / 2);
      const r = dx * dx + dy * dy;
      return r <= 1 && r >= 0.55 * 0.55;
    }
  }
}

function iou(a: number[], b: number[]): [number, number] {
  const iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (iw <= 0 || ih <= 0) return [0, 0];
  const inter = iw * ih;
  const aa = (a[2] - a[0]) * (a[3] - a[1]);
  const ab = (b[2] - b[0]) * (b[3] - b[1]);
  return [inter / (aa + ab - inter), inter / Math.min(aa, ab)];
}

/**
 * Generates synthetic image `index` of a split: size×size×3 RGB with 1–4 objects whose boxes are
 * the exact extents of their drawn pixels. Same arguments, same image, on every machine.
 *
 * @example
 * ```ts
 * import { generateSynthetic, SYNTHETIC_CLASSES } from "./synthetic.ts";
 * const s = generateSynthetic(0, { seed: 1, split: "val" });
 * console.log(s.width, s.boxes.length / 4, SYNTHETIC_CLASSES[s.labels[0]]);
 * ```
 */
export function generateSynthetic(index: number, options: SyntheticOptions = {}): Sample {
  const split = options.split ?? "train";
  const seed = options.seed ?? 0;
  const size = options.size ?? SYNTHETIC_IMAGE_SIZE;
  if (!(Number.isInteger(size) && size >= 32 && size <= 4096)) {
    throw new FcosError(`synthetic: image size must be an integer in [32, 4096], got ${size}`);
  }
  const rng = new Rng(hashSeed(seed, splitCode(split), index));
  const W = size, H = size;
  const scale = size / SYNTHETIC_IMAGE_SIZE;
  const [minSide, maxSide] = (options.objectSize ?? [12, 70]).map((v) => v * scale);
  const [minCount, maxCount] = options.objectCount ?? [1, 4];

  // Background: two low-saturation colours mixed by a tilted sinusoid plus a smooth blob field,
  // then per-pixel noise.
  const img = new Float32Array(W * H * 3);
  const bgHue = rng.uniform(0, 360);
  const c0 = hsv(bgHue, rng.uniform(0, 0.25), rng.uniform(0.3, 0.8));
  const c1 = hsv(bgHue + rng.uniform(-60, 60), rng.uniform(0, 0.25), rng.uniform(0.3, 0.8));
  const freq = rng.uniform(0.02, 0.15);
  const angle = rng.uniform(0, Math.PI);
  const fx = freq * Math.cos(angle), fy = freq * Math.sin(angle);
  const phase = rng.uniform(0, 2 * Math.PI);
  const blobs = Array.from({ length: 3 }, () => ({
    x: rng.uniform(0, W),
    y: rng.uniform(0, H),
    r2: (rng.uniform(0.1, 0.4) * size) ** 2,
    a: rng.uniform(-0.25, 0.25),
  }));
  const noise = rng.uniform(3, 10);
  // exp(−(dx² + dy²)/r²) = exp(−dx²/r²)·exp(−dy²/r²): per-blob column tables, one row factor.
  const colTables = blobs.map((b) =>
    Float32Array.from({ length: W }, (_, x) => b.a * Math.exp(-((x - b.x) ** 2) / b.r2))
  );
  const rowMix = new Float32Array(W);
  for (let y = 0; y < H; y++) {
    const rowFactors = blobs.map((b) => Math.exp(-((y - b.y) ** 2) / b.r2));
    for (let x = 0; x < W; x++) {
      let t = 0.5 + 0.5 * Math.sin(fx * x + fy * y + phase);
      for (let k = 0; k < colTables.length; k++) t += colTables[k][x] * rowFactors[k];
      rowMix[x] = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    for (let x = 0; x < W; x++) {
      const t = rowMix[x];
      const o = (y * W + x) * 3;
      const n = (rng.next() + rng.next() - 1) * noise;
      img[o] = c0[0] + (c1[0] - c0[0]) * t + n;
      img[o + 1] = c0[1] + (c1[1] - c0[1]) * t + n;
      img[o + 2] = c0[2] + (c1[2] - c0[2]) * t + n;
    }
  }

  // Objects: placed one by one, limited overlap with the earlier ones, painted in order (later
  // ones occlude earlier ones; the limit keeps every object mostly visible).
  const count = minCount + rng.int(maxCount - minCount + 1);
  const boxes: number[][] = [];
  const labels: number[] = [];
  for (let k = 0; k < count; k++) {
    for (let attempt = 0; attempt < 30; attempt++) {
      const side = Math.exp(rng.uniform(Math.log(minSide), Math.log(maxSide)));
      const aspect = Math.exp(rng.uniform(-0.5, 0.5)); // w/h in [0.61, 1.65]
      const w = Math.max(6, Math.min(W - 2, Math.round(side * Math.sqrt(aspect))));
      const h = Math.max(6, Math.min(H - 2, Math.round(side / Math.sqrt(aspect))));
      const x0 = rng.int(W - w + 1), y0 = rng.int(H - h + 1);
      const cand = [x0, y0, x0 + w, y0 + h];
      if (
        boxes.some((b) => {
          const [u, c] = iou(b, cand);
          return u > 0.3 || c > 0.45;
        })
      ) continue;
      const cls = rng.int(SYNTHETIC_CLASSES.length);
      const flip = rng.next() < 0.5;
      const [r, g, b] = hsv(
        CLASS_HUES[cls] + rng.uniform(-HUE_JITTER, HUE_JITTER),
        rng.uniform(0.6, 1),
        rng.uniform(0.6, 1),
      );
      // Shading: a linear ramp across the object (±15 %) and pixel noise.
      const ga = rng.uniform(0, 2 * Math.PI);
      const gx = Math.cos(ga) * 0.3 / w, gy = Math.sin(ga) * 0.3 / h;
      let bx1 = Infinity, by1 = Infinity, bx2 = -Infinity, by2 = -Infinity;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (!inside(cls, x + 0.5, y + 0.5, w, h, flip)) continue;
          if (x < bx1) bx1 = x;
          if (x > bx2) bx2 = x;
          if (y < by1) by1 = y;
          if (y > by2) by2 = y;
          const shade = 1 + gx * (x - w / 2) + gy * (y - h / 2);
          const n = (rng.next() + rng.next() - 1) * 8;
          const o = ((y0 + y) * W + x0 + x) * 3;
          img[o] = r * shade + n;
          img[o + 1] = g * shade + n;
          img[o + 2] = b * shade + n;
        }
      }
      // Exact extents of the drawn pixels (continuous coordinates: pixel x covers [x, x + 1)).
      boxes.push([x0 + bx1, y0 + by1, x0 + bx2 + 1, y0 + by2 + 1]);
      labels.push(cls);
      break;
    }
  }
  const image = new Uint8Array(W * H * 3);
  for (let i = 0; i < image.length; i++) image[i] = clampByte(Math.round(img[i]));
  return {
    id: `${split}_${String(index).padStart(6, "0")}`,
    image,
    width: W,
    height: H,
    boxes: Float32Array.from(boxes.flat()),
    labels: Int32Array.from(labels),
    difficult: new Uint8Array(labels.length),
  };
}

/**
 * The synthetic data set as a {@linkcode DetectionDataset} (images generated in `get`).
 *
 * @example
 * ```ts
 * import { SyntheticDataset } from "./synthetic.ts";
 * const val = new SyntheticDataset({ split: "val", length: 100 });
 * const s = await val.get(0); // 128×128×3, 1–4 boxes
 * ```
 */
export class SyntheticDataset implements DetectionDataset {
  /** Always {@linkcode SYNTHETIC_CLASSES}. */
  readonly classNames: string[] = [...SYNTHETIC_CLASSES];
  /** Never anything (generated images cannot be broken). */
  readonly skipped: SkippedEntry[] = [];
  /** Number of images. */
  readonly length: number;
  /** E.g. `synthetic:5000:train`. */
  readonly name: string;
  readonly #options: SyntheticOptions;

  /** `length` defaults to {@linkcode SYNTHETIC_DEFAULT_LENGTH} of the split. */
  constructor(options: SyntheticOptions & { length?: number } = {}) {
    const split = options.split ?? "train";
    splitCode(split);
    const length = options.length ?? SYNTHETIC_DEFAULT_LENGTH[split] ??
      SYNTHETIC_DEFAULT_LENGTH.train;
    if (!(Number.isInteger(length) && length > 0)) {
      throw new FcosError(
        `synthetic: the number of images must be a positive integer, got ${length}`,
      );
    }
    this.length = length;
    this.#options = { ...options, split };
    this.name = `synthetic:${length}:${split}${options.seed ? `:seed ${options.seed}` : ""}`;
  }

  /** Generates image `index` (synchronous work, returned as a resolved promise). */
  get(index: number): Promise<Sample> {
    if (!(Number.isInteger(index) && index >= 0 && index < this.length)) {
      return Promise.reject(
        new RangeError(`${this.name}: index ${index} outside [0, ${this.length})`),
      );
    }
    return Promise.resolve(generateSynthetic(index, this.#options));
  }
}
