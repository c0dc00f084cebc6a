/**
 * `cli.ts eval`: COCO bbox metrics of a results file against COCO ground truth, printed as
 * pycocotools' 12-line summary and optionally written as JSON.
 *
 * (A second mode, evaluating a model on a data set with `--weights W --data …`, is planned; its
 * options are rejected as unknown until it lands.)
 *
 * @module
 */
import { parseArgs } from "../std.ts";
import { FcosError, UsageError } from "../errors.ts";
import {
  evaluateCoco,
  formatCocoSummary,
  readCocoGroundTruth,
  readCocoResults,
} from "../eval/coco.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { evaluateDetections } from "../eval/detections.ts";
import { evaluateVoc, formatVocSummary } from "../eval/voc.ts";
import { openDataset } from "../data/dataset.ts";
import { BatchLoader } from "../data/loader.ts";
import type { DetectionDataset, Sample } from "../data/types.ts";
import type { Detections } from "../model/types.ts";
import { type Detector, openDetector } from "./model_file.ts";

const HELP = `usage: cli.ts eval --coco-gt GT.json --coco-results DT.json [--json STATS.json]
       cli.ts eval --weights W.safetensors --data SPEC [--json STATS.json]

COCO bbox evaluation of a results file, with pycocotools' COCOeval semantics (same numbers):
prints the 12-line summary (AP@[.50:.95], AP50, AP75, AP small/medium/large, AR@1/10/100,
AR small/medium/large).

options:
  --coco-gt FILE        COCO ground truth (images, annotations with bbox/area/iscrowd,
                        categories)
  --coco-results FILE   COCO results: a list of {image_id, category_id, bbox: [x, y, w, h],
                        score}; every image and category must be in the ground truth
  --json OUT.json       also write {"stats": [12 numbers], "perCategory": {name: {id, AP,
                        AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl}}}
  --per-category        also print AP, AP50 and AP75 of every category

model evaluation (the COCO 12 stats and VOC mAP@0.5 of a model on a data set):
  --weights FILE        model weights (safetensors or a PyTorch .pth: a model of this
                        project or a torchvision FCOS state dict)
  --data SPEC           synthetic[:N] | voc:DIR[:SPLIT] | coco:ANNOTATIONS.json:IMAGES_DIR
  --batch-size N        images per forward pass (default 4)
  --min-size A          resize the short side to A (default: the model's)
  --max-size B          ... unless the long side passes B (default: the model's)
  --backend NAME        webgpu | wasm | cpu | onnx (onnxruntime-node, needs --allow-ffi;
                        --weights may then be a .onnx from 'cli.ts export')
  --strict              fail on the first broken image or annotation instead of skipping it
  -h, --help            this help

permissions: --allow-read of the two inputs, --allow-write of --json.
exit codes: 0 done, 1 bad input (the message names the file and entry), 2 usage error.`;

function fmt(v: number): string {
  return v < 0 ? "   -" : v.toFixed(3);
}

async function cocoFiles(gtPath: string, dtPath: string, jsonOut?: string, perCategory = false) {
  const gt = await readCocoGroundTruth(gtPath);
  const dt = await readCocoResults(dtPath, gt);
  const ev = evaluateCoco(gt, dt);
  console.log(formatCocoSummary(ev.stats));
  if (perCategory) {
    const width = Math.max(8, ...Object.keys(ev.perCategory).map((k) => k.length));
    console.log(`\n${"category".padEnd(width)}     AP   AP50   AP75`);
    for (const [name, s] of Object.entries(ev.perCategory)) {
      console.log(`${name.padEnd(width)}  ${fmt(s.AP)}  ${fmt(s.AP50)}  ${fmt(s.AP75)}`);
    }
  }
  if (jsonOut) {
    const body = JSON.stringify({ stats: ev.stats, perCategory: ev.perCategory }, null, 1);
    await writeFileAtomic(jsonOut, body + "\n");
  }
}

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) {
    throw new UsageError(`eval: --${name} must be a positive integer, got '${v}'`);
  }
  return n;
}

/** Evaluates a model file on a data set: prints COCO and VOC summaries, writes JSON. */
async function modelOnData(o: {
  weights: string;
  data: string;
  json?: string;
  batchSize: number;
  minSize?: number;
  maxSize?: number;
  backend?: string;
  strict: boolean;
}) {
  const dataset = await openDataset(o.data, { strict: o.strict });
  const { detector } = await openDetector(o.weights, o.backend, {
    minSize: o.minSize,
    maxSize: o.maxSize,
  });
  try {
    if (detector.config.numClasses < dataset.classNames.length) {
      throw new FcosError(
        `${o.weights}: the model has ${detector.config.numClasses} classes, the data set ${dataset.classNames.length}`,
      );
    }
    const { samples, detections } = await predict(detector, dataset, o.batchSize, o.strict);
    if (samples.length === 0) throw new FcosError(`${o.data}: no image could be read`);
    const metrics = evaluateDetections(
      samples,
      detections,
      detector.config.numClasses,
      dataset.classNames,
    );
    console.log(`${samples.length} images of ${o.data}`);
    console.log(formatCocoSummary(metrics.coco.stats));
    console.log(
      formatVocSummary(
        evaluateVoc(samples, detections, detector.config.numClasses),
        dataset.classNames,
      ),
    );
    console.log(`VOC07 mAP@0.5 = ${metrics.vocMap50.toFixed(4)}`);
    if (o.json) {
      const body = {
        stats: metrics.coco.stats,
        perCategory: metrics.coco.perCategory,
        vocMap50: metrics.vocMap50,
        vocAp50PerClass: Object.fromEntries(
          metrics.vocAp50PerClass.map((ap, c) => [dataset.classNames[c] ?? String(c), ap]),
        ),
        images: samples.length,
      };
      await writeFileAtomic(o.json, JSON.stringify(body, null, 1) + "\n");
    }
  } finally {
    await detector.dispose();
  }
}

/** Detections of every image of `dataset`, in batches (as `predictDataset`, for any detector). */
async function predict(
  detector: Detector,
  dataset: DetectionDataset,
  batchSize: number,
  strict: boolean,
): Promise<{ samples: Sample[]; detections: Detections[] }> {
  const loader = new BatchLoader(dataset, { batchSize, shuffle: false, dropLast: false, strict });
  const samples: Sample[] = [];
  const detections: Detections[] = [];
  for await (const batch of loader.epoch(0)) {
    const images = batch.samples.map((s) => ({ data: s.image, width: s.width, height: s.height }));
    detections.push(...await detector.detect(images));
    samples.push(...batch.samples);
  }
  return { samples, detections };
}

/**
 * Runs `eval` with command-line `args`; returns the exit code (0 ok, 1 bad input, 2 usage error),
 * printing errors as one line on stderr.
 *
 * @example
 * ```ts ignore
 * import { evalCommand } from "./eval.ts";
 * const code = await evalCommand(["--coco-gt", "gt.json", "--coco-results", "dt.json"]);
 * ```
 */
export async function evalCommand(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        "coco-gt": { type: "string" },
        "coco-results": { type: "string" },
        json: { type: "string" },
        "per-category": { type: "boolean" },
        weights: { type: "string" },
        data: { type: "string" },
        "batch-size": { type: "string" },
        "min-size": { type: "string" },
        "max-size": { type: "string" },
        backend: { type: "string" },
        strict: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length > 0) {
      throw new UsageError(`eval: unexpected argument '${positionals[0]}'`);
    }
    if (values.weights !== undefined || values.data !== undefined) {
      if (!values.weights) throw new UsageError("eval: --data needs --weights W.safetensors");
      if (!values.data) throw new UsageError("eval: --weights needs --data SPEC");
      await modelOnData({
        weights: values.weights,
        data: values.data,
        json: values.json,
        batchSize: positiveInt("batch-size", values["batch-size"]) ?? 4,
        minSize: positiveInt("min-size", values["min-size"]),
        maxSize: positiveInt("max-size", values["max-size"]),
        backend: values.backend,
        strict: values.strict ?? false,
      });
      return 0;
    }
    const gtPath = values["coco-gt"], dtPath = values["coco-results"];
    if (gtPath === undefined && dtPath === undefined) {
      throw new UsageError("eval: give --coco-gt GT.json and --coco-results DT.json");
    }
    if (gtPath === undefined) throw new UsageError("eval: --coco-results needs --coco-gt GT.json");
    if (dtPath === undefined) throw new UsageError("eval: --coco-gt needs --coco-results DT.json");
    await cocoFiles(gtPath, dtPath, values.json, values["per-category"] ?? false);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n(see 'cli.ts eval --help')`);
      return 2;
    }
    const code = (e as { code?: string }).code;
    if (code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`error: eval: ${(e as Error).message}\n(see 'cli.ts eval --help')`);
      return 2;
    }
    if (e instanceof FcosError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
