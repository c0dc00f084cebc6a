/**
 * The run's log `RUN_DIR/metrics.jsonl` (one JSON object per line: every step's losses and
 * learning rate, each epoch's evaluation) and the PNG curves drawn from it.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { path } from "../std.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { plotLines } from "./plot.ts";

/** One training step in `metrics.jsonl`. */
export interface StepRecord {
  /** Record kind. */
  type: "step";
  /** Global step (0-based). */
  step: number;
  /** Epoch (0-based). */
  epoch: number;
  /** Learning rate used by this step. */
  lr: number;
  /** classification + bbox_regression + bbox_ctrness. */
  loss: number;
  /** Focal loss term. */
  classification: number;
  /** GIoU loss term. */
  bbox_regression: number;
  /** Centerness BCE term. */
  bbox_ctrness: number;
  /** Positive locations in the batch. */
  num_positives: number;
  /** Global gradient norm before clipping. */
  grad_norm: number;
  /** Images in the batch. */
  images: number;
  /** Short side the batch was resized to. */
  size: number;
  /** Seconds the step took. */
  seconds: number;
}

/** One evaluation in `metrics.jsonl`. */
export interface EvalRecord {
  /** Record kind. */
  type: "eval";
  /** Epoch just completed (1-based count). */
  epoch: number;
  /** Global steps done. */
  step: number;
  /** The 12 COCO bbox stats (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl). */
  coco: number[];
  /** VOC07 11-point mAP@0.5. */
  voc_map50: number;
  /** Per class VOC07 AP@0.5 (−1: no ground truth). */
  voc_ap50_per_class: number[];
  /** Images evaluated. */
  images: number;
  /** Seconds the evaluation took. */
  seconds: number;
}

/** A line of `metrics.jsonl`. */
export type MetricsRecord = StepRecord | EvalRecord;

/**
 * Appends records to `metrics.jsonl`.
 *
 * @example
 * ```ts
 * import { MetricsLog, readMetrics } from "./metrics.ts";
 * const dir = await Deno.makeTempDir();
 * const log = await MetricsLog.open(`${dir}/metrics.jsonl`);
 * await log.append({ type: "eval", epoch: 1, step: 10, coco: [], voc_map50: 0.5, voc_ap50_per_class: [], images: 4, seconds: 1 });
 * log.close();
 * console.log((await readMetrics(`${dir}/metrics.jsonl`)).length); // 1
 * ```
 */
export class MetricsLog {
  readonly #file: Deno.FsFile;
  /** Every record of the run so far (including those read back on resume). */
  readonly records: MetricsRecord[];

  private constructor(file: Deno.FsFile, records: MetricsRecord[]) {
    this.#file = file;
    this.records = records;
  }

  /**
   * Opens the log for appending. With `keepBeforeStep`, an existing log is read back and cut to
   * the records before that step (a resumed run repeats nothing and loses nothing); otherwise it
   * starts empty.
   */
  static async open(file: string, keepBeforeStep?: number): Promise<MetricsLog> {
    let records: MetricsRecord[] = [];
    if (keepBeforeStep !== undefined) {
      try {
        records = (await readMetrics(file)).filter((r) =>
          r.type === "step" ? r.step < keepBeforeStep : r.step <= keepBeforeStep
        );
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
      await writeFileAtomic(file, records.map((r) => JSON.stringify(r) + "\n").join(""));
    } else {
      await writeFileAtomic(file, "");
    }
    const f = await Deno.open(file, { append: true, create: true });
    return new MetricsLog(f, records);
  }

  /** Appends one record (one line). */
  async append(record: MetricsRecord): Promise<void> {
    this.records.push(record);
    const bytes = new TextEncoder().encode(JSON.stringify(record) + "\n");
    let written = 0;
    while (written < bytes.length) written += await this.#file.write(bytes.subarray(written));
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }
}

/**
 * Reads `metrics.jsonl`. A line that is not JSON is an FcosError naming the file and line (a
 * torn last line, from a crash mid-write, is dropped).
 *
 * @example
 * ```ts ignore
 * import { readMetrics } from "./metrics.ts";
 * const records = await readMetrics("runs/demo/metrics.jsonl");
 * const evals = records.filter((r) => r.type === "eval");
 * console.log(evals.at(-1)?.voc_map50);
 * ```
 */
export async function readMetrics(file: string): Promise<MetricsRecord[]> {
  const text = await Deno.readTextFile(file);
  const lines = text.split("\n");
  const out: MetricsRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      out.push(JSON.parse(line));
    } catch {
      if (i === lines.length - 1) return; // unterminated last line: a write cut off
      throw new FcosError(`${file}:${i + 1}: not a JSON record`);
    }
  });
  return out;
}

/**
 * Draws `loss.png` (total loss), `loss_components.png` (classification, bbox_regression,
 * bbox_ctrness, total), `lr.png` and, once there are evaluations, `map.png` into `runDir`.
 * Returns the files written.
 */
export async function writePlots(runDir: string, records: MetricsRecord[]): Promise<string[]> {
  if (plotsUnavailable) return [];
  // The plotting library is a native addon (it also asks for the home folder, where it looks for
  // fonts): without those permissions the run goes on (metrics.jsonl has every number) and says
  // once how to get the pictures. Asked first, because the addon's loader turns a refused
  // permission into a generic "Cannot find native binding" error.
  const missing = await missingPlotPermissions();
  if (missing.length > 0) return skipPlots(`no ${missing.join(", ")} permission`);
  try {
    return await drawPlots(runDir, records);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied)) {
      throw e;
    }
    return skipPlots((e as Error).message.split(",")[0]);
  }
}

const PLOT_PERMISSIONS: Deno.PermissionDescriptor[] = [
  { name: "ffi" },
  { name: "env" },
  { name: "sys", kind: "homedir" },
];

/** The permissions drawing needs that this process lacks (as `--allow-…` names). */
async function missingPlotPermissions(): Promise<string[]> {
  const missing: string[] = [];
  for (const p of PLOT_PERMISSIONS) {
    if ((await Deno.permissions.query(p)).state !== "granted") {
      missing.push(p.name === "sys" ? "sys=homedir" : p.name);
    }
  }
  return missing;
}

function skipPlots(why: string): string[] {
  plotsUnavailable = true;
  console.error(
    `warning: plots skipped (${why}); drawing the PNG curves needs ` +
      `--allow-ffi --allow-env --allow-sys=homedir (or -A)`,
  );
  return [];
}

let plotsUnavailable = false;

async function drawPlots(runDir: string, records: MetricsRecord[]): Promise<string[]> {
  const steps = records.filter((r): r is StepRecord => r.type === "step");
  const evals = records.filter((r): r is EvalRecord => r.type === "eval");
  if (steps.length === 0) return [];
  const x = steps.map((r) => r.step);
  const series = (key: keyof StepRecord, name = key as string) => ({
    name,
    x,
    y: steps.map((r) => r[key] as number),
  });
  const smoothing = steps.length > 20 ? 0.8 : 0;
  const written: string[] = [];
  const put = async (name: string, png: Uint8Array) => {
    const file = path.join(runDir, name);
    await writeFileAtomic(file, png);
    written.push(file);
  };
  await put(
    "loss.png",
    await plotLines([series("loss", "total")], {
      title: "Training loss",
      xLabel: "step",
      yLabel: "loss",
      smoothing,
    }),
  );
  await put(
    "loss_components.png",
    await plotLines(
      [
        series("classification"),
        series("bbox_regression"),
        series("bbox_ctrness"),
        series("loss", "total"),
      ],
      { title: "Loss components", xLabel: "step", yLabel: "loss", logY: true, smoothing },
    ),
  );
  await put(
    "lr.png",
    await plotLines([series("lr")], { title: "Learning rate", xLabel: "step", yLabel: "lr" }),
  );
  if (evals.length > 0) {
    const ex = evals.map((r) => r.epoch);
    await put(
      "map.png",
      await plotLines(
        [
          { name: "VOC mAP@0.5", x: ex, y: evals.map((r) => r.voc_map50) },
          { name: "COCO AP@[.5:.95]", x: ex, y: evals.map((r) => r.coco[0] ?? NaN) },
          { name: "COCO AP50", x: ex, y: evals.map((r) => r.coco[1] ?? NaN) },
        ],
        { title: "Validation", xLabel: "epoch", yLabel: "AP" },
      ),
    );
  }
  return written;
}
