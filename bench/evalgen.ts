/**
 * Seeded generator of a VOC-like COCO evaluation case for the evaluation benchmark: images of
 * 500×375-ish pixels with 1–6 objects of 20 classes (small, medium and large, ~1 % crowd), and
 * detector-like results: several jittered detections per object (score falling with the jitter),
 * some with the wrong class, plus low-score background boxes, about `perImage` per image in all.
 * Scores have 4 decimals, so some tie. Same options → same JSON, everywhere.
 *
 * `deno run -A bench/evalgen.ts OUT_DIR [--images 5000] [--classes 20] [--per-image 100] [--seed 1]`
 * writes OUT_DIR/gt.json and OUT_DIR/dt.json (e.g. for pycocotools side by side).
 *
 * @module
 */
import { parseArgs } from "../src/std.ts";

/** Options of {@linkcode generateEvalCase}. */
export interface EvalCaseOptions {
  /** Number of images (default 5000). */
  images?: number;
  /** Number of categories, ids 1…classes (default 20). */
  classes?: number;
  /** Mean number of detections per image (default 100). */
  perImage?: number;
  /** PRNG seed (default 1). */
  seed?: number;
}

/** A COCO ground truth object and a COCO results list. */
export interface EvalCase {
  gt: {
    images: { id: number; width: number; height: number; file_name: string }[];
    annotations: {
      id: number;
      image_id: number;
      category_id: number;
      bbox: number[];
      area: number;
      iscrowd: number;
    }[];
    categories: { id: number; name: string }[];
  };
  dt: { image_id: number; category_id: number; bbox: number[]; score: number }[];
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * Generates the case (see the module doc).
 *
 * @example
 * ```ts
 * import { generateEvalCase } from "./evalgen.ts";
 * const { gt, dt } = generateEvalCase({ images: 10, perImage: 20 });
 * console.log(gt.images.length, dt.length > 100);
 * ```
 */
export function generateEvalCase(options: EvalCaseOptions = {}): EvalCase {
  const nImages = options.images ?? 5000;
  const nClasses = options.classes ?? 20;
  const perImage = options.perImage ?? 100;
  const rnd = mulberry32(options.seed ?? 1);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const gt: EvalCase["gt"] = {
    images: [],
    annotations: [],
    categories: Array.from({ length: nClasses }, (_, i) => ({ id: i + 1, name: `class${i + 1}` })),
  };
  const dt: EvalCase["dt"] = [];
  for (let im = 1; im <= nImages; im++) {
    const landscape = rnd() < 0.7;
    const W = landscape ? 500 : int(330, 375), H = landscape ? int(281, 400) : 500;
    gt.images.push({
      id: im,
      width: W,
      height: H,
      file_name: `${String(im).padStart(6, "0")}.jpg`,
    });
    const objects: { c: number; x: number; y: number; w: number; h: number }[] = [];
    const nObj = int(1, 6);
    for (let o = 0; o < nObj; o++) {
      // Side from 8 px to the whole image, log-uniform: small, medium and large objects.
      const side = Math.exp(Math.log(8) + rnd() * (Math.log(Math.min(W, H)) - Math.log(8)));
      const aspect = Math.exp((rnd() - 0.5) * 1.2);
      const w = Math.min(W, Math.max(2, Math.round(side * aspect)));
      const h = Math.min(H, Math.max(2, Math.round(side / aspect)));
      const x = int(0, W - w), y = int(0, H - h);
      const c = int(1, nClasses);
      const crowd = rnd() < 0.01 ? 1 : 0;
      objects.push({ c, x, y, w, h });
      gt.annotations.push({
        id: gt.annotations.length + 1,
        image_id: im,
        category_id: c,
        bbox: [x, y, w, h],
        area: w * h,
        iscrowd: crowd,
      });
    }
    // Detections: per object a cluster of jittered copies, then background up to ~perImage.
    const target = int(Math.round(perImage * 0.8), Math.round(perImage * 1.2));
    let made = 0;
    for (const o of objects) {
      const n = int(3, Math.max(3, Math.round(target / (2 * objects.length))));
      for (let k = 0; k < n && made < target; k++, made++) {
        const jitter = rnd() * 0.5;
        const dx = (rnd() - 0.5) * jitter * o.w, dy = (rnd() - 0.5) * jitter * o.h;
        const sw = 1 + (rnd() - 0.5) * jitter, sh = 1 + (rnd() - 0.5) * jitter;
        const x = Math.max(0, o.x + dx), y = Math.max(0, o.y + dy);
        const w = Math.min(W - x, o.w * sw), h = Math.min(H - y, o.h * sh);
        const wrong = rnd() < 0.15;
        dt.push({
          image_id: im,
          category_id: wrong ? int(1, nClasses) : o.c,
          bbox: [round2(x), round2(y), round2(Math.max(0, w)), round2(Math.max(0, h))],
          score: Math.round((1 - jitter * 1.6) * (0.3 + 0.7 * rnd()) * 1e4) / 1e4,
        });
      }
    }
    for (; made < target; made++) {
      const w = int(4, Math.round(W / 2)), h = int(4, Math.round(H / 2));
      dt.push({
        image_id: im,
        category_id: int(1, nClasses),
        bbox: [int(0, W - w), int(0, H - h), w, h],
        score: Math.round(rnd() * 0.3 * 1e4) / 1e4,
      });
    }
  }
  return { gt, dt };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      images: { type: "string", default: "5000" },
      classes: { type: "string", default: "20" },
      "per-image": { type: "string", default: "100" },
      seed: { type: "string", default: "1" },
    },
  });
  const out = positionals[0];
  if (!out) {
    console.error("usage: deno run -A bench/evalgen.ts OUT_DIR [--images N] [--per-image D]");
    Deno.exit(2);
  }
  const c = generateEvalCase({
    images: Number(values.images),
    classes: Number(values.classes),
    perImage: Number(values["per-image"]),
    seed: Number(values.seed),
  });
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(`${out}/gt.json`, JSON.stringify(c.gt));
  await Deno.writeTextFile(`${out}/dt.json`, JSON.stringify(c.dt));
  console.log(
    `${out}: ${c.gt.images.length} images, ${c.gt.annotations.length} objects, ${c.dt.length} detections`,
  );
}
