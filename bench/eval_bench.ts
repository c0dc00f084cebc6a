/**
 * Speed of the COCO/VOC evaluation on the generated 5000-image, 20-class case with about 100
 * detections per image (bench/evalgen.ts, seed 1: 500,473 detections).
 *
 * - `deno bench -A bench/eval_bench.ts`: Deno.bench cases (evaluate+accumulate, JSON parse +
 *   validation, the in-memory trainer API).
 * - `deno run -A --v8-flags=--expose-gc bench/eval_bench.ts [--images 5000] [--per-image 100]
 *   [--runs 5] [--scaling]`: a table of the phases (median, min–max over runs) comparable to
 *   pycocotools' `evaluate()` + `accumulate()`, and how much the process grew to run the first
 *   evaluation; `--scaling` repeats it at ¼, ½ and all of the images (use one process per size,
 *   `--images N`, for the memory figure: a process reuses what it grew to before).
 * - `… --gt-file GT.json --dt-file DT.json`: the same timing on files (as the CLI reads them).
 *
 * @module
 */
import { parseArgs } from "../src/std.ts";
import { generateEvalCase } from "./evalgen.ts";
import {
  evaluateCoco,
  parseCocoGroundTruth,
  parseCocoResults,
  readCocoGroundTruth,
  readCocoResults,
} from "../src/eval/coco.ts";
import { evaluateDetections } from "../src/eval/detections.ts";
import type { EvalImage } from "../src/eval/inputs.ts";
import type { Detections } from "../src/model/types.ts";

/** JSON texts and in-memory arrays of one generated case. */
function prepare(images: number, perImage: number) {
  const c = generateEvalCase({ images, perImage });
  const gtText = JSON.stringify(c.gt);
  const dtText = JSON.stringify(c.dt);
  // The same case as the trainer would hold it (x1, y1, x2, y2 float32, labels 0-based).
  const gt: EvalImage[] = [];
  const dt: Detections[] = [];
  const g = c.gt.images.map(() => ({ b: [] as number[], l: [] as number[], c: [] as number[] }));
  const d = c.gt.images.map(() => ({ b: [] as number[], s: [] as number[], l: [] as number[] }));
  for (const a of c.gt.annotations) {
    const [x, y, w, h] = a.bbox;
    g[a.image_id - 1].b.push(x, y, x + w, y + h);
    g[a.image_id - 1].l.push(a.category_id - 1);
    g[a.image_id - 1].c.push(a.iscrowd);
  }
  for (const r of c.dt) {
    const [x, y, w, h] = r.bbox;
    d[r.image_id - 1].b.push(x, y, x + w, y + h);
    d[r.image_id - 1].s.push(r.score);
    d[r.image_id - 1].l.push(r.category_id - 1);
  }
  for (let i = 0; i < g.length; i++) {
    gt.push({
      boxes: new Float32Array(g[i].b),
      labels: new Int32Array(g[i].l),
      iscrowd: new Uint8Array(g[i].c),
    });
    dt.push({
      boxes: new Float32Array(d[i].b),
      scores: new Float32Array(d[i].s),
      labels: new Int32Array(d[i].l),
    });
  }
  return { gtText, dtText, numDet: c.dt.length, gt, dt };
}

let cached: ReturnType<typeof prepare> | undefined;
const big = () => (cached ??= prepare(5000, 100));

Deno.bench({
  name: "evaluateCoco: 5000 images, 20 classes, ~500k detections (evaluate + accumulate)",
  n: 3,
  warmup: 1,
  fn(b) {
    const { gtText, dtText } = big();
    const gt = parseCocoGroundTruth(JSON.parse(gtText));
    const dt = parseCocoResults(JSON.parse(dtText), gt);
    b.start();
    evaluateCoco(gt, dt);
    b.end();
  },
});

Deno.bench({
  name: "COCO results JSON.parse + validation, ~500k detections",
  n: 3,
  warmup: 1,
  fn(b) {
    const { gtText, dtText } = big();
    const gt = parseCocoGroundTruth(JSON.parse(gtText));
    b.start();
    parseCocoResults(JSON.parse(dtText), gt);
    b.end();
  },
});

Deno.bench({
  name: "evaluateDetections (in memory, COCO + VOC): 5000 images, ~500k detections",
  n: 3,
  warmup: 1,
  fn() {
    const { gt, dt } = big();
    evaluateDetections(gt, dt, 20);
  },
});

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const med = s[Math.floor(s.length / 2)];
  return `${(med / 1000).toFixed(2)} s (${(s[0] / 1000).toFixed(2)}–${
    (s[s.length - 1] / 1000).toFixed(2)
  })`;
}

const gc = (globalThis as { gc?: () => void }).gc;
function rssMiB(): number {
  gc?.();
  return Deno.memoryUsage().rss / 2 ** 20;
}

async function main() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      images: { type: "string", default: "5000" },
      "per-image": { type: "string", default: "100" },
      runs: { type: "string", default: "5" },
      scaling: { type: "boolean" },
      "gt-file": { type: "string" },
      "dt-file": { type: "string" },
    },
  });
  const runs = Number(values.runs);
  if (values["gt-file"] && values["dt-file"]) {
    // Files written by bench/evalgen.ts (or any COCO case), read as the CLI reads them.
    const t0 = performance.now();
    const gt = await readCocoGroundTruth(values["gt-file"]);
    const dt = await readCocoResults(values["dt-file"], gt);
    const load = performance.now() - t0;
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      evaluateCoco(gt, dt);
      times.push(performance.now() - t);
    }
    console.log(
      `${values["dt-file"]}: ${gt.imageIds.length} images, ${dt.count} detections; ` +
        `read+parse+validate ${(load / 1000).toFixed(2)} s; evaluate+accumulate ${stats(times)}`,
    );
    return;
  }
  const images = Number(values.images), perImage = Number(values["per-image"]);
  const sizes = values.scaling ? [images / 4, images / 2, images].map(Math.round) : [images];
  for (const n of sizes) {
    const c = prepare(n, perImage);
    const parse: number[] = [], evalT: number[] = [];
    let rssGrowth = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const gt = parseCocoGroundTruth(JSON.parse(c.gtText));
      const dt = parseCocoResults(JSON.parse(c.dtText), gt);
      const t1 = performance.now();
      const before = rssMiB();
      const ev = evaluateCoco(gt, dt);
      const t2 = performance.now();
      // The first evaluation in this process: what the process had to grow by to run it.
      if (r === 0) rssGrowth = rssMiB() - before;
      parse.push(t1 - t0);
      evalT.push(t2 - t1);
      if (ev.stats.length !== 12) throw new Error("bad stats");
    }
    const inMem: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      evaluateDetections(c.gt, c.dt, 20);
      inMem.push(performance.now() - t0);
    }
    console.log(
      `${n} images, ${c.numDet} detections (${runs} runs, median (min–max)):\n` +
        `  JSON.parse + validate results: ${stats(parse)}\n` +
        `  evaluateCoco (= evaluate + accumulate + summarize): ${stats(evalT)}\n` +
        `  evaluateDetections (in memory, COCO + VOC): ${stats(inMem)}\n` +
        (gc
          ? `  process RSS growth during the first evaluateCoco: ${rssGrowth.toFixed(0)} MiB\n`
          : ""),
    );
  }
}

if (import.meta.main) await main();
