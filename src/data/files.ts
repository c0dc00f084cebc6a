/**
 * Internal: a data set of image files with annotations already parsed (VOC and COCO share it),
 * and box clipping.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { readImage } from "./image.ts";
import type { Problems } from "./report.ts";
import type { DetectionDataset, Sample, SkippedEntry } from "./types.ts";

/** One image's parsed annotation (boxes already clipped to the annotated size). */
export interface AnnotatedImage {
  /** Image id. */
  id: string;
  /** Path of the image file. */
  file: string;
  /** Annotation file (or `file#entry`) for messages. */
  source: string;
  /** Size from the annotation, when known (checked against the decoded image). */
  width: number;
  height: number;
  /** K×4 (x1, y1, x2, y2). */
  boxes: Float32Array;
  /** K labels. */
  labels: Int32Array;
  /** K difficult/crowd flags. */
  difficult: Uint8Array;
}

/** Accumulates valid objects of one image, clipping boxes and dropping empty ones. */
export class BoxCollector {
  readonly boxes: number[] = [];
  readonly labels: number[] = [];
  readonly difficult: number[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
    readonly problems: Problems,
  ) {}

  /** Adds (x1, y1, x2, y2) clipped to the image; a box of zero area after clipping is skipped. */
  add(
    where: string,
    x1: number,
    y1: number,
    x2: number,
    y2: number,
    label: number,
    difficult: boolean,
  ): void {
    const cx1 = Math.min(Math.max(x1, 0), this.width);
    const cy1 = Math.min(Math.max(y1, 0), this.height);
    const cx2 = Math.min(Math.max(x2, 0), this.width);
    const cy2 = Math.min(Math.max(y2, 0), this.height);
    if (!(cx2 > cx1 && cy2 > cy1)) {
      const outside = x2 > x1 && y2 > y1;
      this.problems.skip(
        where,
        outside
          ? `box (${x1}, ${y1}, ${x2}, ${y2}) lies outside the ${this.width}×${this.height} image`
          : `box (${x1}, ${y1}, ${x2}, ${y2}) has zero area`,
      );
      return;
    }
    this.boxes.push(cx1, cy1, cx2, cy2);
    this.labels.push(label);
    this.difficult.push(difficult ? 1 : 0);
  }

  /** The collected objects as typed arrays. */
  finish(): Pick<AnnotatedImage, "boxes" | "labels" | "difficult"> {
    return {
      boxes: Float32Array.from(this.boxes),
      labels: Int32Array.from(this.labels),
      difficult: Uint8Array.from(this.difficult),
    };
  }
}

/** A {@linkcode DetectionDataset} over parsed annotations whose images are decoded in `get`. */
export class FileDataset implements DetectionDataset {
  readonly #problems: Problems;

  constructor(
    readonly name: string,
    readonly classNames: string[],
    readonly entries: AnnotatedImage[],
    problems: Problems,
  ) {
    this.#problems = problems;
    if (entries.length === 0) {
      const n = problems.skipped.length;
      throw new FcosError(
        `${name}: the data set is empty (no usable images${
          n ? `; ${n} broken entries skipped` : ""
        })`,
      );
    }
  }

  /** Number of images. */
  get length(): number {
    return this.entries.length;
  }

  /** Broken entries skipped so far. */
  get skipped(): SkippedEntry[] {
    return this.#problems.skipped;
  }

  /** Reads and decodes image `index`; a broken image is recorded in `skipped` and thrown. */
  async get(index: number): Promise<Sample> {
    const e = this.entries[index];
    if (e === undefined) {
      throw new RangeError(`${this.name}: index ${index} outside [0, ${this.length})`);
    }
    let img;
    try {
      img = await readImage(e.file);
    } catch (err) {
      this.#problems.skipError(e.file, err); // throws when strict
      throw err;
    }
    let { boxes } = e;
    if (img.width !== e.width || img.height !== e.height) {
      // The annotation's size is wrong; trust the pixels and clip to them.
      this.#problems.log(
        `${e.source}: annotated size ${e.width}×${e.height} but ${e.file} is ` +
          `${img.width}×${img.height}; boxes clipped to the image`,
      );
      boxes = boxes.slice();
      for (let i = 0; i < boxes.length; i += 4) {
        boxes[i] = Math.min(boxes[i], img.width);
        boxes[i + 1] = Math.min(boxes[i + 1], img.height);
        boxes[i + 2] = Math.min(boxes[i + 2], img.width);
        boxes[i + 3] = Math.min(boxes[i + 3], img.height);
      }
      const keep: number[] = [];
      for (let k = 0; k < boxes.length / 4; k++) {
        if (boxes[4 * k + 2] > boxes[4 * k] && boxes[4 * k + 3] > boxes[4 * k + 1]) keep.push(k);
      }
      if (keep.length < boxes.length / 4) {
        return {
          id: e.id,
          file: e.file,
          image: img.data,
          width: img.width,
          height: img.height,
          boxes: Float32Array.from(
            keep.flatMap((k) => Array.from(boxes.subarray(4 * k, 4 * k + 4))),
          ),
          labels: Int32Array.from(keep.map((k) => e.labels[k])),
          difficult: Uint8Array.from(keep.map((k) => e.difficult[k])),
        };
      }
    } else {
      boxes = boxes.slice();
    }
    return {
      id: e.id,
      file: e.file,
      image: img.data,
      width: img.width,
      height: img.height,
      boxes,
      labels: e.labels.slice(),
      difficult: e.difficult.slice(),
    };
  }
}

/** Stat helper: "dir" | "file" | null. */
export async function kindOf(p: string): Promise<"dir" | "file" | null> {
  try {
    const st = await Deno.stat(p);
    return st.isDirectory ? "dir" : "file";
  } catch {
    return null;
  }
}

/** Names of the plain files in `dir` (one readDir call). */
export async function listFiles(dir: string): Promise<Set<string>> {
  const names = new Set<string>();
  try {
    for await (const e of Deno.readDir(dir)) if (!e.isDirectory) names.add(e.name);
  } catch (err) {
    throw new FcosError(`${dir}: cannot list folder (${err})`, { cause: err });
  }
  return names;
}
