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

const HELP = `usage: cli.ts eval --coco-gt GT.json --coco-results DT.json [--json STATS.json]

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
