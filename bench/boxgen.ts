/**
 * Seeded generator of detector-like candidate boxes for NMS benchmarks: a few dozen objects, each
 * surrounded by a dense cluster of jittered copies (scores fall with the jitter), some confusion
 * between classes at the same place, and uniformly scattered low-score background boxes — what a
 * dense detector's pre-NMS candidates look like. Same seed → same boxes, everywhere.
 *
 * `deno run -A bench/boxgen.ts OUT_DIR` writes the benchmark cases (1k, 5k, 20k boxes over 20
 * classes) as raw little-endian files for bench/torch_nms.py.
 *
 * @module
 */
import type { DecodeInput } from "../src/decode/decode.ts";

/** One NMS benchmark case. */
export interface BoxCase {
  /** N×4 (x1, y1, x2, y2) in a size×size image. */
  boxes: Float32Array;
  /** N scores in (0, 1). */
  scores: Float32Array;
  /** N labels in [0, numClasses). */
  labels: Int32Array;
}

/** mulberry32: a small, fast, seeded 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` clustered boxes over `numClasses` classes in a `size`×`size` image (seeded).
 *
 * @example
 * ```ts
 * import { generateBoxes } from "./boxgen.ts";
 * const { boxes, scores, labels } = generateBoxes(1000, 20, 1);
 * console.log(boxes.length, scores.length, labels.length); // 4000 1000 1000
 * ```
 */
export function generateBoxes(n: number, numClasses: number, seed: number, size = 512): BoxCase {
  const rand = mulberry32(seed);
  const normal = () => {
    const u = 1 - rand(), v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const numObj = Math.max(2, Math.round(Math.sqrt(n) / 2));
  const ox = new Float64Array(numObj), oy = new Float64Array(numObj);
  const ow = new Float64Array(numObj), oh = new Float64Array(numObj);
  const oc = new Int32Array(numObj);
  for (let k = 0; k < numObj; k++) {
    ox[k] = rand() * size;
    oy[k] = rand() * size;
    ow[k] = Math.exp(Math.log(12) + rand() * Math.log(size / 2 / 12));
    oh[k] = ow[k] * Math.exp(0.4 * normal());
    oc[k] = Math.floor(rand() * numClasses);
  }
  const boxes = new Float32Array(4 * n), scores = new Float32Array(n), labels = new Int32Array(n);
  const clip = (v: number) => (v < 0 ? 0 : v > size ? size : v);
  for (let i = 0; i < n; i++) {
    let cx, cy, w, h, score, label;
    if (rand() < 0.8) {
      const k = Math.floor(rand() * numObj);
      const jit = 0.25 * rand() * rand(); // most copies are close to the object
      cx = ox[k] + normal() * jit * ow[k];
      cy = oy[k] + normal() * jit * oh[k];
      w = ow[k] * Math.exp(normal() * jit);
      h = oh[k] * Math.exp(normal() * jit);
      score = (0.3 + 0.7 * rand()) * Math.exp(-6 * jit);
      label = rand() < 0.75 ? oc[k] : Math.floor(rand() * numClasses);
    } else {
      cx = rand() * size;
      cy = rand() * size;
      w = 8 + rand() * size / 4;
      h = 8 + rand() * size / 4;
      score = 0.05 + 0.25 * rand();
      label = Math.floor(rand() * numClasses);
    }
    boxes[4 * i] = clip(cx - w / 2);
    boxes[4 * i + 1] = clip(cy - h / 2);
    boxes[4 * i + 2] = clip(cx + w / 2);
    boxes[4 * i + 3] = clip(cy + h / 2);
    scores[i] = score;
    labels[i] = label;
  }
  return { boxes, scores, labels };
}

/** The benchmark cases: [name, N, numClasses, seed]. */
export const BENCH_CASES: [string, number, number, number][] = [
  ["1k", 1000, 20, 1],
  ["5k", 5000, 20, 2],
  ["20k", 20000, 20, 3],
];

/** Writes each case as NAME.boxes.f32 / NAME.scores.f32 / NAME.labels.i32 (little endian). */
export function writeCases(dir: string, iou: number): void {
  Deno.mkdirSync(dir, { recursive: true });
  const meta = [];
  for (const [name, n, c, seed] of BENCH_CASES) {
    const bc = generateBoxes(n, c, seed);
    Deno.writeFileSync(`${dir}/${name}.boxes.f32`, new Uint8Array(bc.boxes.buffer));
    Deno.writeFileSync(`${dir}/${name}.scores.f32`, new Uint8Array(bc.scores.buffer));
    Deno.writeFileSync(`${dir}/${name}.labels.i32`, new Uint8Array(bc.labels.buffer));
    meta.push({ name, n, numClasses: c, seed, iou });
  }
  Deno.writeTextFileSync(`${dir}/cases.json`, JSON.stringify(meta));
}

if (import.meta.main) {
  if (Deno.args.length !== 1) {
    console.error("usage: deno run -A bench/boxgen.ts OUT_DIR");
    Deno.exit(2);
  }
  writeCases(Deno.args[0], 0.6);
}

/** Synthetic head outputs of one image: exactly a `DecodeInput`. */
export type HeadCase = DecodeInput;

/**
 * Head outputs of a size×size image (levels P3–P7, strides 8–128, anchor sizes 8–128, as
 * torchvision's FCOS): background logits around −7 (a trained focal-loss head), and a few objects
 * whose nearby locations score high for the object's class, with matching box regressions.
 *
 * @example
 * ```ts
 * import { generateHeadOutputs } from "./boxgen.ts";
 * const h = generateHeadOutputs(512, 20, 1);
 * console.log(h.numAnchorsPerLevel); // [4096, 1024, 256, 64, 16]
 * ```
 */
export function generateHeadOutputs(size: number, numClasses: number, seed: number): HeadCase {
  const rand = mulberry32(seed);
  const normal = () => {
    const u = 1 - rand(), v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const strides = [8, 16, 32, 64, 128];
  const numAnchorsPerLevel = strides.map((s) => Math.ceil(size / s) ** 2);
  const L = numAnchorsPerLevel.reduce((a, b) => a + b, 0);
  const anchors = new Float32Array(4 * L);
  const clsLogits = new Float32Array(L * numClasses);
  const bboxRegression = new Float32Array(4 * L);
  const bboxCtrness = new Float32Array(L);
  const objects = Array.from({ length: 12 }, () => {
    const w = 16 + rand() * size / 2, h = 16 + rand() * size / 2;
    const cx = rand() * size, cy = rand() * size;
    return {
      x1: cx - w / 2,
      y1: cy - h / 2,
      x2: cx + w / 2,
      y2: cy + h / 2,
      c: Math.floor(rand() * numClasses),
    };
  });
  let a = 0;
  for (let l = 0; l < strides.length; l++) {
    const s = strides[l], g = Math.ceil(size / s);
    for (let y = 0; y < g; y++) {
      for (let x = 0; x < g; x++, a++) {
        const cx = x * s, cy = y * s;
        anchors.set([cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2], 4 * a);
        for (let c = 0; c < numClasses; c++) clsLogits[a * numClasses + c] = -7 + 1.5 * normal();
        bboxCtrness[a] = -1 + 1.5 * normal();
        for (let k = 0; k < 4; k++) bboxRegression[4 * a + k] = Math.abs(1 + normal());
        for (const o of objects) {
          const side = Math.max(o.x2 - o.x1, o.y2 - o.y1);
          // Locations inside an object whose level suits its size fire for its class.
          if (cx > o.x1 && cx < o.x2 && cy > o.y1 && cy < o.y2 && side > 4 * s && side < 16 * s) {
            clsLogits[a * numClasses + o.c] = 1 + 2 * normal();
            bboxCtrness[a] = 1 + normal();
            bboxRegression.set(
              [
                (cx - o.x1) / s * (1 + 0.1 * normal()),
                (cy - o.y1) / s * (1 + 0.1 * normal()),
                (o.x2 - cx) / s * (1 + 0.1 * normal()),
                (o.y2 - cy) / s * (1 + 0.1 * normal()),
              ].map((v) => Math.max(0, v)),
              4 * a,
            );
          }
        }
      }
    }
  }
  return {
    clsLogits,
    bboxRegression,
    bboxCtrness,
    anchors,
    numAnchorsPerLevel,
    numClasses,
    imageHeight: size,
    imageWidth: size,
  };
}
