/**
 * PASCAL VOC (VOCdevkit/VOC2007-style) folders: `Annotations/*.xml`, `JPEGImages/`,
 * `ImageSets/Main/{train,val,trainval,test}.txt`, parsed with fast-xml-parser.
 *
 * Boxes: VOC stores 1-based inclusive pixel indices; a box covering pixels xmin…xmax becomes the
 * continuous box (xmin − 1, ymin − 1, xmax, ymax) (detectron2's convention), so a box of the whole
 * W×H image is (0, 0, W, H).
 *
 * @module
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { FcosError } from "../errors.ts";
import { path } from "../std.ts";
import { type AnnotatedImage, BoxCollector, FileDataset, kindOf, listFiles } from "./files.ts";
import { defaultLog, mapLimit, Problems } from "./report.ts";
import type { DatasetOptions, DetectionDataset } from "./types.ts";

/** The 20 PASCAL VOC class names, in the usual (alphabetical) label order. */
export const VOC_CLASSES: readonly string[] = Object.freeze([
  "aeroplane",
  "bicycle",
  "bird",
  "boat",
  "bottle",
  "bus",
  "car",
  "cat",
  "chair",
  "cow",
  "diningtable",
  "dog",
  "horse",
  "motorbike",
  "person",
  "pottedplant",
  "sheep",
  "sofa",
  "train",
  "tvmonitor",
]);

/** File in a VOC folder listing its class names, one a line (written by `fcos synth`). */
export const VOC_CLASSES_FILE = "classes.txt";

/** One parsed VOC annotation (before its image is looked up). */
export interface VocAnnotation {
  /** `<filename>`, when present. */
  filename?: string;
  /** `<size><width>`. */
  width: number;
  /** `<size><height>`. */
  height: number;
  /** K×4 (x1, y1, x2, y2), clipped, zero-area boxes dropped. */
  boxes: Float32Array;
  /** K labels (index into the class names). */
  labels: Int32Array;
  /** K `difficult` flags. */
  difficult: Uint8Array;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (_name: string, jpath: string) => jpath === "annotation.object",
});

function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v !== "string" || v.trim() === "") return NaN;
  return Number(v);
}

/**
 * Parses the text of one VOC annotation file. Returns null (after reporting the problem through
 * `options.problems`, or throwing {@linkcode FcosError} when it is strict) when the whole file is
 * unusable: malformed or empty XML, no `<annotation>`, no valid `<size>`. Objects with an unknown
 * class or a box of zero area (after clipping to the image) are dropped with a warning.
 *
 * @example
 * ```ts
 * import { parseVocXml, VOC_CLASSES } from "./voc.ts";
 * const xml = `<annotation><size><width>100</width><height>50</height></size>
 *   <object><name>dog</name><difficult>0</difficult>
 *   <bndbox><xmin>11</xmin><ymin>1</ymin><xmax>40</xmax><ymax>60</ymax></bndbox></object>
 * </annotation>`;
 * const a = parseVocXml(xml, "000001.xml", VOC_CLASSES);
 * console.log(a?.boxes, a?.labels); // Float32Array [10, 0, 40, 50], Int32Array [11]
 * ```
 */
export function parseVocXml(
  text: string,
  file: string,
  classNames: readonly string[],
  options: { strict?: boolean; log?: (line: string) => void } = {},
): VocAnnotation | null {
  return parseWith(
    text,
    file,
    classNames,
    new Problems(options.strict ?? false, options.log ?? defaultLog),
  );
}

function parseWith(
  text: string,
  file: string,
  classNames: readonly string[],
  problems: Problems,
): VocAnnotation | null {
  if (text.trim() === "") {
    problems.skip(file, "empty annotation file");
    return null;
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const err = valid.err;
    problems.skip(file, `malformed XML (line ${err.line}: ${err.msg})`);
    return null;
  }
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text);
  } catch (e) {
    problems.skip(file, `malformed XML (${e instanceof Error ? e.message : e})`);
    return null;
  }
  const ann = doc.annotation as Record<string, unknown> | undefined;
  if (ann === undefined || typeof ann !== "object" || ann === null) {
    problems.skip(file, "no <annotation> element");
    return null;
  }
  const size = ann.size as Record<string, unknown> | undefined;
  if (size === undefined || typeof size !== "object" || size === null) {
    problems.skip(file, "<size> is missing");
    return null;
  }
  const width = num(size.width);
  const height = num(size.height);
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    problems.skip(
      file,
      `<size> must hold positive integer <width> and <height>, got ${size.width}×${size.height}`,
    );
    return null;
  }
  const classIndex = new Map(classNames.map((n, i) => [n, i]));
  const collector = new BoxCollector(width, height, problems);
  const objects = (ann.object ?? []) as unknown[];
  objects.forEach((o, k) => {
    const where = `${file}#object ${k + 1}`;
    if (typeof o !== "object" || o === null) {
      problems.skip(where, "empty <object>");
      return;
    }
    const obj = o as Record<string, unknown>;
    const name = typeof obj.name === "string" ? obj.name.trim() : "";
    const label = classIndex.get(name);
    if (label === undefined) {
      problems.skip(
        where,
        name === "" ? "<name> is missing" : `unknown class name '${name}'`,
      );
      return;
    }
    const bb = obj.bndbox as Record<string, unknown> | undefined;
    const coords = bb && typeof bb === "object"
      ? [num(bb.xmin), num(bb.ymin), num(bb.xmax), num(bb.ymax)]
      : [];
    if (coords.length !== 4 || coords.some((v) => !Number.isFinite(v))) {
      problems.skip(where, `<bndbox> needs numeric xmin, ymin, xmax, ymax ('${name}')`);
      return;
    }
    const [xmin, ymin, xmax, ymax] = coords;
    const difficult = num(obj.difficult) === 1;
    collector.add(where, xmin - 1, ymin - 1, xmax, ymax, label, difficult);
  });
  const filename = typeof ann.filename === "string" && ann.filename !== ""
    ? ann.filename
    : undefined;
  return { filename, width, height, ...collector.finish() };
}

/** Options of {@linkcode openVoc}. */
export interface VocOptions extends DatasetOptions {
  /** Class names (default: `classes.txt` in the folder when present, else {@linkcode VOC_CLASSES}). */
  classNames?: readonly string[];
}

/** Finds the folder holding `Annotations/` (DIR itself, or DIR/VOC2007 or DIR/VOC2012). */
async function resolveVocDir(dir: string): Promise<string> {
  const kind = await kindOf(dir);
  if (kind === null) throw new FcosError(`${dir}: VOC folder not found`);
  if (kind !== "dir") throw new FcosError(`${dir}: not a folder (expected a VOC folder)`);
  if (await kindOf(path.join(dir, "Annotations")) === "dir") return dir;
  for (const sub of ["VOC2007", "VOC2012"]) {
    const d = path.join(dir, sub);
    if (await kindOf(path.join(d, "Annotations")) === "dir") return d;
  }
  throw new FcosError(
    `${dir}: not a VOC folder (no Annotations/ in it, nor in VOC2007/ or VOC2012/)`,
  );
}

/**
 * Opens a VOC folder. Annotations are parsed now (broken ones skipped with a warning, or an
 * {@linkcode FcosError} when `strict`); images are decoded in `get`. The split is
 * `ImageSets/Main/<split>.txt`; without an explicit split, `trainval` when that file exists,
 * otherwise every `Annotations/*.xml`.
 *
 * @example
 * ```ts
 * import { openVoc } from "./voc.ts";
 * const ds = await openVoc("VOCdevkit/VOC2007", { split: "test" });
 * const s = await ds.get(0); // s.image: H×W×3 RGB, s.boxes: K×4
 * ```
 */
export async function openVoc(dir: string, options: VocOptions = {}): Promise<DetectionDataset> {
  const problems = new Problems(options.strict ?? false, options.log ?? defaultLog);
  const root = await resolveVocDir(dir);
  const annDir = path.join(root, "Annotations");
  const imgDir = path.join(root, "JPEGImages");
  if (await kindOf(imgDir) !== "dir") throw new FcosError(`${imgDir}: image folder not found`);

  let classNames = options.classNames ? [...options.classNames] : undefined;
  const classesFile = path.join(root, VOC_CLASSES_FILE);
  if (classNames === undefined && await kindOf(classesFile) === "file") {
    classNames = (await Deno.readTextFile(classesFile)).split(/\r?\n/).map((l) => l.trim())
      .filter((l) => l !== "");
    if (classNames.length === 0) throw new FcosError(`${classesFile}: no class names in it`);
    if (new Set(classNames).size !== classNames.length) {
      throw new FcosError(`${classesFile}: class names repeat`);
    }
  }
  classNames ??= [...VOC_CLASSES];

  // Which ids.
  let ids: string[];
  let split = options.split;
  const setFile = (s: string) => path.join(root, "ImageSets", "Main", `${s}.txt`);
  if (split === undefined && await kindOf(setFile("trainval")) === "file") split = "trainval";
  if (split !== undefined) {
    const f = setFile(split);
    let text: string;
    try {
      text = await Deno.readTextFile(f);
    } catch {
      throw new FcosError(`${f}: image set '${split}' not found`);
    }
    // Lines may carry a second column (per-class files); the id is the first word.
    ids = text.split(/\r?\n/).map((l) => l.trim().split(/\s+/)[0]).filter((l) => l !== "");
  } else {
    ids = [...await listFiles(annDir)].filter((n) => n.endsWith(".xml")).map((n) => n.slice(0, -4))
      .sort();
  }
  const name = `voc:${root}${split ? `:${split}` : ""}`;
  if (ids.length === 0) throw new FcosError(`${name}: the data set is empty (no image ids)`);

  const images = await listFiles(imgDir);
  const texts = await mapLimit(ids, 16, async (id) => {
    const f = path.join(annDir, `${id}.xml`);
    try {
      return await Deno.readTextFile(f);
    } catch (e) {
      return e instanceof Deno.errors.NotFound ? null : e;
    }
  });
  const entries: AnnotatedImage[] = [];
  ids.forEach((id, i) => {
    const source = path.join(annDir, `${id}.xml`);
    const text = texts[i];
    if (text === null) return problems.skip(source, "annotation file not found");
    if (typeof text !== "string") return problems.skip(source, `cannot read (${text})`);
    const a = parseWith(text, source, classNames, problems);
    if (a === null) return;
    const candidates = [a.filename, `${id}.jpg`, `${id}.png`, `${id}.jpeg`, `${id}.JPG`];
    const found = candidates.find((c) => c !== undefined && images.has(c));
    if (found === undefined) {
      return problems.skip(
        path.join(imgDir, a.filename ?? `${id}.jpg`),
        `image file not found (annotated in ${source})`,
      );
    }
    if (options.skipEmpty && a.labels.length === 0) return;
    entries.push({
      id,
      file: path.join(imgDir, found),
      source,
      width: a.width,
      height: a.height,
      boxes: a.boxes,
      labels: a.labels,
      difficult: a.difficult,
    });
  });
  problems.summary(name);
  return new FileDataset(name, classNames, entries, problems);
}
