/**
 * `cli.ts detect`: runs a model on images, draws labelled boxes into an output folder and writes
 * the detections as JSON. A missing, corrupt or non-image file is one line naming the file; the
 * other images are still processed (exit code 1 if any failed).
 *
 * @module
 */
import { parseArgs, path } from "../std.ts";
import { FcosError, UsageError } from "../errors.ts";
import type { BackboneName } from "../model/config.ts";
import { openDetector } from "./model_file.ts";
import { drawDetections } from "../io/draw.ts";
import { readImage } from "../data/image.ts";
import { VOC_CLASSES } from "../data/voc.ts";
import { TORCHVISION_COCO_CATEGORIES } from "../data/coco.ts";
import { writeFileAtomic } from "../io/atomic.ts";

const HELP = `usage: cli.ts detect --weights W.safetensors|W.pth [options] IMAGE...

Detects objects in each IMAGE (JPEG or PNG) with an FCOS model.

options:
  --weights FILE        model weights: a torchvision FCOS state dict (.pth as torch.save wrote
                        it, or safetensors) or a model of this project [required]
  --backbone NAME       resnet18 | resnet34 | resnet50 (default: read off the weights)
  --num-classes N       class logits (default: read off the weights)
  --classes SET         voc | coco (torchvision's 91 COCO indices) | FILE (one name per line)
  --score-thresh S      score threshold (default 0.05)
  --min-size A          resize the short side to A (default: the model's, 800 for torchvision)
  --max-size B          ... unless the long side passes B (default 1333)
  --json OUT.json       write the detections as JSON
  --out DIR             draw the detections into DIR (PNG/JPEG as the input)
  --backend NAME        webgpu | wasm | cpu (default: WebGPU on a hardware GPU, else wasm) |
                        onnx: the network in onnxruntime-node (native CPU, needs --allow-ffi);
                        --weights may then be a .onnx from 'cli.ts export', and safetensors
                        weights are exported once and cached beside them (FILE.onnx)
  -h, --help            this help

permissions: --allow-read of the weights and images, --allow-write of --out and --json
(and of the weights' folder for the onnx cache), --allow-ffi for --backend onnx.`;

/** One image's entry in the JSON output. */
export interface DetectRecord {
  file: string;
  width: number;
  height: number;
  detections: { box: number[]; score: number; label: number; name: string }[];
}

async function classNamesFrom(spec: string | undefined, fallback: string[] | undefined) {
  if (spec === undefined) return fallback;
  if (spec === "voc") return [...VOC_CLASSES];
  if (spec === "coco") return [...TORCHVISION_COCO_CATEGORIES];
  let text: string;
  try {
    text = await Deno.readTextFile(spec);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new FcosError(`${spec}: class list not found (use voc, coco or a file)`);
    }
    throw e;
  }
  return text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
}

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`detect: --${name} must be a positive number, got '${v}'`);
  }
  return n;
}

/**
 * Runs `detect` with command-line `args`; returns the exit code.
 *
 * @example
 * ```ts ignore
 * import { detectCommand } from "./detect.ts";
 * await detectCommand(["--weights", "w.safetensors", "--out", "out", "photo.jpg"]);
 * ```
 */
export async function detectCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      weights: { type: "string" },
      backbone: { type: "string" },
      "num-classes": { type: "string" },
      classes: { type: "string" },
      "score-thresh": { type: "string" },
      "min-size": { type: "string" },
      "max-size": { type: "string" },
      json: { type: "string" },
      out: { type: "string" },
      backend: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.weights) throw new UsageError("detect: --weights is required");
  if (positionals.length === 0) throw new UsageError("detect: give at least one IMAGE");
  const scoreThresh = values["score-thresh"] === undefined
    ? undefined
    : Number(values["score-thresh"]);
  if (scoreThresh !== undefined && !(scoreThresh >= 0 && scoreThresh <= 1)) {
    throw new UsageError(
      `detect: --score-thresh must be in [0, 1], got '${values["score-thresh"]}'`,
    );
  }
  const minSize = positive("min-size", values["min-size"]);
  const maxSize = positive("max-size", values["max-size"]);
  const numClasses = positive("num-classes", values["num-classes"]);

  const overrides = { backbone: values.backbone as BackboneName | undefined, numClasses };
  const { detector, classNames: fileClassNames } = await openDetector(
    values.weights,
    values.backend,
    overrides,
  );
  const classNames = await classNamesFrom(values.classes, fileClassNames);
  // An unwritable output folder fails here, before the slow work.
  if (values.out) await Deno.mkdir(values.out, { recursive: true });
  const records: DetectRecord[] = [];
  let failed = 0;
  let jpegWarned = false;
  for (const file of positionals) {
    let image;
    try {
      image = await readImage(file);
    } catch (e) {
      if (e instanceof FcosError) {
        console.error(`detect: ${e.message}`);
        failed++;
        continue;
      }
      throw e;
    }
    const [det] = await detector.detect([image], { scoreThresh, minSize, maxSize });
    const nameOf = (label: number) => classNames?.[label] ?? `class ${label}`;
    const detections = Array.from(det.scores, (score, i) => ({
      box: Array.from(det.boxes.subarray(4 * i, 4 * i + 4)),
      score,
      label: det.labels[i],
      name: nameOf(det.labels[i]),
    }));
    records.push({ file, width: image.width, height: image.height, detections });
    console.log(`${file}: ${detections.length} detection(s)`);
    if (values.out) {
      const ext = path.extname(file).toLowerCase();
      let format: "png" | "jpeg" = ext === ".jpg" || ext === ".jpeg" ? "jpeg" : "png";
      const names = Array.from({ length: detector.config.numClasses }, (_, i) => nameOf(i));
      let bytes: Uint8Array;
      try {
        bytes = await drawDetections(image, det, names, { format });
      } catch (e) {
        // JPEG needs imagescript's native codec (--allow-ffi --allow-env); PNG never does.
        if (format !== "jpeg" || !(e instanceof FcosError)) throw e;
        if (!jpegWarned) console.error(`detect: writing PNG instead of JPEG: ${e.message}`);
        jpegWarned = true;
        format = "png";
        bytes = await drawDetections(image, det, names, { format });
      }
      const outFile = path.join(
        values.out,
        `${path.basename(file, path.extname(file))}.${format === "jpeg" ? "jpg" : "png"}`,
      );
      await Deno.writeFile(outFile, bytes);
    }
  }
  if (values.json) await writeFileAtomic(values.json, JSON.stringify(records, null, 1) + "\n");
  await detector.dispose();
  if (failed > 0) console.error(`detect: ${failed} of ${positionals.length} image(s) failed`);
  return failed > 0 ? 1 : 0;
}
