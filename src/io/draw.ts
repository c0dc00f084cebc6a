/**
 * Drawing detections on an image: a coloured rectangle per box (one colour per class) with a
 * "name 0.87" label above it, encoded as PNG or JPEG. Text uses the built-in bitmap font
 * (`font.ts`), so nothing is loaded at run time; encoding uses imagescript.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { drawText, measureText } from "./font.ts";
import { encodeImage } from "../data/image.ts";

/** An RGB image to draw on: `data` holds H×W×3 bytes, row-major. */
export interface DrawImage {
  /** H×W×3 RGB bytes. */
  data: Uint8Array;
  /** Width W in pixels. */
  width: number;
  /** Height H in pixels. */
  height: number;
}

/** Detections to draw (the shape of the model's `Detections`). */
export interface DrawDetections {
  /** K×4 boxes (x1, y1, x2, y2) in pixels of `image`. */
  boxes: Float32Array;
  /** K scores. */
  scores: Float32Array;
  /** K class indices into `classNames`. */
  labels: Int32Array;
}

/** Options of {@linkcode drawDetections}. */
export interface DrawOptions {
  /** Rectangle line width in pixels (default: 2, more for large images). */
  lineWidth?: number;
  /** Integer scale of the label font (default: 1, more for large images). */
  fontScale?: number;
  /** Output encoding (default "png"). */
  format?: "png" | "jpeg";
  /** JPEG quality 1…100 (default 90). */
  jpegQuality?: number;
}

/** 20 saturated, well-separated colours (Tableau 10, then 10 of Trubetskoy's), by class mod 20. */
const PALETTE: readonly (readonly [number, number, number])[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
  [0, 0, 128],
];

/** The colour used for class `label`. */
export function classColor(label: number): [number, number, number] {
  const c = PALETTE[((label % PALETTE.length) + PALETTE.length) % PALETTE.length];
  return [c[0], c[1], c[2]];
}

function checkInputs(image: DrawImage, det: DrawDetections): number {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new FcosError(`drawDetections: image size ${width}×${height} is not positive integers`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new FcosError(
      `drawDetections: image data has ${data?.length} bytes, expected ${width}×${height}×3 = ${
        width * height * 3
      } (RGB)`,
    );
  }
  const k = det.scores.length;
  if (det.boxes.length !== 4 * k || det.labels.length !== k) {
    throw new FcosError(
      `drawDetections: ${
        det.boxes.length / 4
      } boxes, ${k} scores and ${det.labels.length} labels differ`,
    );
  }
  return k;
}

function fillRect(
  img: DrawImage,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  c: readonly [number, number, number],
): void {
  // Half-open [x0, x1) × [y0, y1), clipped to the image.
  const xa = Math.max(0, x0), xb = Math.min(img.width, x1);
  const ya = Math.max(0, y0), yb = Math.min(img.height, y1);
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const o = (y * img.width + x) * 3;
      img.data[o] = c[0];
      img.data[o + 1] = c[1];
      img.data[o + 2] = c[2];
    }
  }
}

/**
 * Draws the detections on a copy of `image` and returns the RGB result (no encoding); see
 * {@linkcode drawDetections}. Boxes with non-finite coordinates are skipped; boxes are drawn
 * from the lowest score up, so the best detection's label is on top.
 *
 * @example
 * ```ts
 * import { renderDetections } from "./draw.ts";
 * const image = { data: new Uint8Array(64 * 48 * 3), width: 64, height: 48 };
 * const out = renderDetections(image, {
 *   boxes: new Float32Array([8, 20, 40, 44]), scores: new Float32Array([0.9]), labels: new Int32Array([0]),
 * }, ["cat"]);
 * console.log(out.data.length); // 9216
 * ```
 */
export function renderDetections(
  image: DrawImage,
  detections: DrawDetections,
  classNames: string[],
  options: Omit<DrawOptions, "format" | "jpegQuality"> = {},
): DrawImage {
  const k = checkInputs(image, detections);
  const { width, height } = image;
  const out: DrawImage = { data: image.data.slice(), width, height };
  const auto = Math.max(1, Math.round(Math.min(width, height) / 400));
  const lw = Math.max(1, Math.round(options.lineWidth ?? 2 * auto));
  const scale = Math.max(1, Math.round(options.fontScale ?? auto));
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) =>
    detections.scores[a] - detections.scores[b]
  );
  const { boxes, scores, labels } = detections;
  for (const i of order) {
    const [bx1, by1, bx2, by2] = boxes.subarray(4 * i, 4 * i + 4);
    if (![bx1, by1, bx2, by2].every(Number.isFinite)) continue;
    // Clamped to the image so that every edge of a box that sticks out stays visible.
    const cx = (v: number) => Math.min(width, Math.max(0, Math.round(v)));
    const cy = (v: number) => Math.min(height, Math.max(0, Math.round(v)));
    const x1 = cx(Math.min(bx1, bx2)), x2 = cx(Math.max(bx1, bx2));
    const y1 = cy(Math.min(by1, by2)), y2 = cy(Math.max(by1, by2));
    const color = classColor(labels[i]);
    // The outline lies inside the box: [x1, x2) × [y1, y2), `lw` pixels thick.
    fillRect(out, x1, y1, x2, y1 + lw, color);
    fillRect(out, x1, y2 - lw, x2, y2, color);
    fillRect(out, x1, y1, x1 + lw, y2, color);
    fillRect(out, x2 - lw, y1, x2, y2, color);

    const name = classNames[labels[i]] ?? `class ${labels[i]}`;
    const text = `${name} ${Number.isFinite(scores[i]) ? scores[i].toFixed(2) : "?"}`;
    const pad = scale;
    const { width: tw, height: th } = measureText(text, scale);
    const lw2 = tw + 2 * pad, lh = th + pad;
    // Above the box when there is room, else just inside its top edge; kept inside the image.
    let ly = y1 - lh >= 0 ? y1 - lh : Math.max(0, y1);
    if (ly + lh > height) ly = Math.max(0, height - lh);
    const lx = Math.max(0, Math.min(x1, width - lw2));
    fillRect(out, lx, ly, lx + lw2, ly + lh, color);
    // Dark text on light colours, white on dark ones (perceived luminance).
    const lum = 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2];
    drawText(out, text, lx + pad, ly + pad, lum > 150 ? [0, 0, 0] : [255, 255, 255], scale);
  }
  return out;
}

/**
 * Encodes an RGB image as PNG (default) or JPEG.
 *
 * @example
 * ```ts
 * import { encodeRgb } from "./draw.ts";
 * const png = await encodeRgb({ data: new Uint8Array(2 * 2 * 3), width: 2, height: 2 });
 * console.log(png[1] === 0x50); // true ("PNG" signature)
 * ```
 */
export async function encodeRgb(
  image: DrawImage,
  format: "png" | "jpeg" = "png",
  jpegQuality = 90,
): Promise<Uint8Array> {
  // PNG through the pure-JS codec (no extra permissions); JPEG through imagescript's native one.
  if (format === "jpeg") {
    const q = Math.round(jpegQuality);
    if (!(q >= 1 && q <= 100)) throw new FcosError(`jpegQuality must be 1…100, got ${jpegQuality}`);
    return await encodeImage(image, "jpg", q);
  }
  if (format !== "png") throw new FcosError(`unknown image format '${format}' (png or jpeg)`);
  return await encodeImage(image, "png");
}

/**
 * Draws detections on an RGB image — a rectangle per box in its class's colour and a
 * "name 0.87" label above it — and returns the encoded PNG (or JPEG with `format: "jpeg"`).
 * `classNames[label]` names each class (missing names show as "class N").
 *
 * @example
 * ```ts
 * import { drawDetections } from "./draw.ts";
 * const image = { data: new Uint8Array(320 * 240 * 3).fill(255), width: 320, height: 240 };
 * const png = await drawDetections(image, {
 *   boxes: new Float32Array([40, 60, 200, 220]),
 *   scores: new Float32Array([0.87]),
 *   labels: new Int32Array([1]),
 * }, ["cat", "dog"]);
 * await Deno.writeFile("detections.png", png);
 * ```
 */
export async function drawDetections(
  image: DrawImage,
  detections: DrawDetections,
  classNames: string[],
  options: DrawOptions = {},
): Promise<Uint8Array> {
  const drawn = renderDetections(image, detections, classNames, options);
  return await encodeRgb(drawn, options.format ?? "png", options.jpegQuality ?? 90);
}
