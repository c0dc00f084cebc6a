/**
 * Helpers for the data tests: tiny VOC/COCO folders written into a temp dir.
 *
 * @module
 */
import { encodeImage } from "../src/data/image.ts";

/** A W×H×3 image with a simple gradient. */
export function gradient(width: number, height: number): Uint8Array {
  const d = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      d[o] = (x * 255) / width;
      d[o + 1] = (y * 255) / height;
      d[o + 2] = 128;
    }
  }
  return d;
}

/** Encodes a gradient image as JPEG or PNG. */
export async function imageBytes(width: number, height: number, format: "jpg" | "png" = "jpg") {
  return await encodeImage({ data: gradient(width, height), width, height }, format);
}

/** One `<object>` of a VOC annotation. */
export interface VocObject {
  name: string;
  box: [number, number, number, number];
  difficult?: boolean;
}

/** VOC annotation XML text (`size` omitted when null). */
export function vocAnnotation(size: [number, number] | null, objects: VocObject[]): string {
  const objs = objects.map((o) =>
    `<object><name>${o.name}</name><difficult>${o.difficult ? 1 : 0}</difficult>` +
    `<bndbox><xmin>${o.box[0]}</xmin><ymin>${o.box[1]}</ymin><xmax>${o.box[2]}</xmax>` +
    `<ymax>${o.box[3]}</ymax></bndbox></object>`
  ).join("\n");
  const sz = size
    ? `<size><width>${size[0]}</width><height>${size[1]}</height><depth>3</depth></size>`
    : "";
  return `<annotation><folder>VOC2007</folder>${sz}\n${objs}</annotation>\n`;
}

/** One VOC entry: its XML text (or raw string) and image bytes (null = no image file). */
export interface VocEntry {
  id: string;
  xml: string;
  image: Uint8Array | null;
}

/** Writes a VOC folder `ROOT/VOC2007` and returns ROOT. */
export async function writeVocFolder(
  entries: VocEntry[],
  splits: Record<string, string[]> = {},
): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "fcos_voc_" });
  const dir = `${root}/VOC2007`;
  await Deno.mkdir(`${dir}/Annotations`, { recursive: true });
  await Deno.mkdir(`${dir}/JPEGImages`, { recursive: true });
  await Deno.mkdir(`${dir}/ImageSets/Main`, { recursive: true });
  for (const e of entries) {
    await Deno.writeTextFile(`${dir}/Annotations/${e.id}.xml`, e.xml);
    if (e.image) await Deno.writeFile(`${dir}/JPEGImages/${e.id}.jpg`, e.image);
  }
  for (const [name, ids] of Object.entries(splits)) {
    await Deno.writeTextFile(`${dir}/ImageSets/Main/${name}.txt`, ids.join("\n") + "\n");
  }
  return root;
}

/** Collects log lines. */
export function collector(): { lines: string[]; log: (l: string) => void } {
  const lines: string[] = [];
  return { lines, log: (l) => lines.push(l) };
}
