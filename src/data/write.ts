/**
 * Writing samples as a PASCAL VOC folder (used by `fcos synth` to show the format, and handy for
 * exporting any {@linkcode DetectionDataset}).
 *
 * @module
 */
import { XMLBuilder } from "fast-xml-parser";
import { FcosError } from "../errors.ts";
import { path } from "../std.ts";
import { encodeImage } from "./image.ts";
import type { DetectionDataset, Sample } from "./types.ts";
import { VOC_CLASSES_FILE } from "./voc.ts";

const builder = new XMLBuilder({ format: true, indentBy: "  ", suppressEmptyNode: false });

/**
 * The VOC annotation XML of one sample (boxes written as 1-based inclusive pixel indices, the
 * inverse of how `parseVocXml` reads them).
 *
 * @example
 * ```ts
 * import { vocXml } from "./write.ts";
 * const xml = vocXml({
 *   id: "a", image: new Uint8Array(0), width: 20, height: 10,
 *   boxes: new Float32Array([0, 0, 5, 5]), labels: new Int32Array([1]), difficult: new Uint8Array(1),
 * }, ["cat", "dog"], "a.jpg");
 * console.log(xml.includes("<xmin>1</xmin>")); // true
 * ```
 */
export function vocXml(sample: Sample, classNames: readonly string[], filename: string): string {
  const objects = Array.from(sample.labels, (label, k) => {
    const b = sample.boxes.subarray(4 * k, 4 * k + 4);
    return {
      name: classNames[label],
      pose: "Unspecified",
      truncated: 0,
      difficult: sample.difficult[k] ?? 0,
      bndbox: {
        xmin: Math.round(b[0]) + 1,
        ymin: Math.round(b[1]) + 1,
        xmax: Math.round(b[2]),
        ymax: Math.round(b[3]),
      },
    };
  });
  return builder.build({
    annotation: {
      folder: "JPEGImages",
      filename,
      size: { width: sample.width, height: sample.height, depth: 3 },
      segmented: 0,
      object: objects,
    },
  });
}

/** Options of {@linkcode writeVoc}. */
export interface WriteVocOptions {
  /** Image format (default `png`; `jpg` needs `--allow-ffi --allow-env`, see `encodeImage`). */
  format?: "jpg" | "png";
  /** JPEG quality 1–100 (default 95). */
  quality?: number;
  /** Called after each image with (done, total). */
  progress?: (done: number, total: number) => void;
}

/**
 * Writes splits of samples into `outDir` as a VOC folder: `JPEGImages/ID.jpg|png`,
 * `Annotations/ID.xml`, `ImageSets/Main/{SPLIT}.txt` (plus `trainval.txt` when there are train
 * and val splits) and `classes.txt`. Sample ids must be unique across splits. Returns the number
 * of images written.
 *
 * @example
 * ```ts
 * import { writeVoc } from "./write.ts";
 * import { SyntheticDataset } from "./synthetic.ts";
 * await writeVoc("/tmp/synth", {
 *   train: new SyntheticDataset({ split: "train", length: 8 }),
 *   val: new SyntheticDataset({ split: "val", length: 2 }),
 * });
 * ```
 */
export async function writeVoc(
  outDir: string,
  splits: Record<string, DetectionDataset>,
  options: WriteVocOptions = {},
): Promise<number> {
  const format = options.format ?? "png";
  const names = Object.keys(splits);
  if (names.length === 0) throw new FcosError(`${outDir}: nothing to write`);
  const classNames = splits[names[0]].classNames;
  const dirs = ["JPEGImages", "Annotations", path.join("ImageSets", "Main")].map((d) =>
    path.join(outDir, d)
  );
  try {
    for (const d of dirs) await Deno.mkdir(d, { recursive: true });
  } catch (e) {
    throw new FcosError(`${outDir}: cannot create the output folder (${e})`, { cause: e });
  }
  const [imgDir, annDir, setDir] = dirs;
  const total = names.reduce((n, s) => n + splits[s].length, 0);
  const seen = new Set<string>();
  const lists: Record<string, string[]> = {};
  let done = 0;
  for (const split of names) {
    const ds = splits[split];
    lists[split] = [];
    for (let i = 0; i < ds.length; i++) {
      const s = await ds.get(i);
      if (seen.has(s.id)) throw new FcosError(`${outDir}: image id ${s.id} repeats`);
      seen.add(s.id);
      const filename = `${s.id}.${format}`;
      const bytes = await encodeImage(
        { data: s.image, width: s.width, height: s.height },
        format,
        options.quality ?? 95,
      );
      await Deno.writeFile(path.join(imgDir, filename), bytes);
      await Deno.writeTextFile(path.join(annDir, `${s.id}.xml`), vocXml(s, classNames, filename));
      lists[split].push(s.id);
      done++;
      options.progress?.(done, total);
    }
  }
  if (lists.train && lists.val && !lists.trainval) lists.trainval = [...lists.train, ...lists.val];
  for (const [split, ids] of Object.entries(lists)) {
    await Deno.writeTextFile(path.join(setDir, `${split}.txt`), ids.join("\n") + "\n");
  }
  await Deno.writeTextFile(path.join(outDir, VOC_CLASSES_FILE), classNames.join("\n") + "\n");
  return done;
}
