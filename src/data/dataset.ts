/**
 * One entry point for every data set: `--data` specs such as `synthetic`, `voc:DIR:test` or
 * `coco:instances_val2017.json:val2017`.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { path } from "../std.ts";
import { openCoco } from "./coco.ts";
import { SyntheticDataset } from "./synthetic.ts";
import type { DatasetOptions, DetectionDataset } from "./types.ts";
import { openVoc } from "./voc.ts";

/** The accepted `--data` forms, for help texts. */
export const DATA_SPEC_HELP: string = [
  "synthetic[:N]                  built-in shapes (N images; split train/val/test)",
  "voc:DIR[:SPLIT]                PASCAL VOC folder (ImageSets/Main/SPLIT.txt)",
  "coco:ANNOTATIONS.json:IMAGES   COCO instances file and image folder",
].join("\n");

/** A parsed data set spec. */
export type DataSpec =
  | { kind: "synthetic"; length?: number }
  | { kind: "voc"; dir: string; split?: string }
  | { kind: "coco"; annotations: string; images: string };

/**
 * Parses a `--data` spec (throws {@linkcode UsageError} when malformed). Paths are returned as
 * written.
 *
 * @example
 * ```ts
 * import { parseDataSpec } from "./dataset.ts";
 * console.log(parseDataSpec("voc:data/VOC2007:test")); // { kind: "voc", dir: "data/VOC2007", split: "test" }
 * ```
 */
export function parseDataSpec(spec: string): DataSpec {
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? "" : spec.slice(colon + 1);
  switch (kind) {
    case "synthetic": {
      if (colon < 0) return { kind };
      const n = Number(rest);
      if (!/^\d+$/.test(rest) || !(n > 0)) {
        throw new UsageError(`--data ${spec}: N in synthetic:N must be a positive integer`);
      }
      return { kind, length: n };
    }
    case "voc": {
      if (rest === "") throw new UsageError(`--data ${spec}: expected voc:DIR[:SPLIT]`);
      // The split is a plain word after the last colon; a drive letter (C:\…) is not a split.
      const m = /^(.+):([A-Za-z0-9_-]+)$/.exec(rest);
      if (m && !/^[A-Za-z]$/.test(m[1])) return { kind, dir: m[1], split: m[2] };
      return { kind, dir: rest };
    }
    case "coco": {
      const m = /^(.+?\.json):(.+)$/i.exec(rest);
      if (!m) {
        throw new UsageError(`--data ${spec}: expected coco:ANNOTATIONS.json:IMAGES_DIR`);
      }
      return { kind, annotations: m[1], images: m[2] };
    }
    default:
      throw new UsageError(`--data ${spec}: unknown data set; use one of\n${DATA_SPEC_HELP}`);
  }
}

/**
 * Opens the data set named by `spec`: `synthetic` | `synthetic:N` | `voc:DIR[:SPLIT]` |
 * `coco:ANNOTATIONS.json:IMAGES_DIR`. A split in the spec wins over `options.split`. Missing
 * folders/files and empty data sets throw `FcosError`; broken entries are skipped with
 * a warning (listed in `skipped`) unless `options.strict`.
 *
 * @example
 * ```ts
 * import { openDataset } from "./dataset.ts";
 * const train = await openDataset("synthetic", { split: "train" });
 * const val = await openDataset("synthetic:200", { split: "val" });
 * const s = await val.get(0);
 * console.log(train.classNames, s.width, s.boxes.length / 4);
 * ```
 */
export async function openDataset(
  spec: string,
  options: DatasetOptions = {},
): Promise<DetectionDataset> {
  const parsed = parseDataSpec(spec);
  const at = (p: string) => path.resolve(options.root ?? Deno.cwd(), p);
  switch (parsed.kind) {
    case "synthetic":
      return new SyntheticDataset({ length: parsed.length, split: options.split ?? "train" });
    case "voc":
      return await openVoc(at(parsed.dir), { ...options, split: parsed.split ?? options.split });
    case "coco":
      return await openCoco(at(parsed.annotations), at(parsed.images), options);
  }
}
