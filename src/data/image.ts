/**
 * Image decoding/encoding (imagescript: JPEG and PNG) and resizing of RGB images with their boxes.
 *
 * @module
 */
import { decode, Image } from "imagescript";
import { FcosError } from "../errors.ts";
import type { Sample } from "./types.ts";

/** A decoded image: H×W×3 RGB bytes, row-major. */
export interface RgbImage {
  /** H×W×3 RGB bytes. */
  data: Uint8Array;
  /** Width W. */
  width: number;
  /** Height H. */
  height: number;
}

/**
 * Decodes JPEG or PNG bytes to RGB (alpha dropped). `name` is used in the error message.
 * Throws {@linkcode FcosError} for truncated, corrupt or non-image data.
 *
 * @example
 * ```ts
 * import { decodeImage, encodeImage } from "./image.ts";
 * const rgb = new Uint8Array(4 * 2 * 3).fill(200); // 2×4×3
 * const png = await encodeImage({ data: rgb, width: 4, height: 2 }, "png");
 * const back = await decodeImage(png, "x.png");
 * console.log(back.width, back.height, back.data[0]); // 4 2 200
 * ```
 */
export async function decodeImage(bytes: Uint8Array, name = "image"): Promise<RgbImage> {
  if (bytes.length < 8) {
    throw new FcosError(`${name}: not an image (only ${bytes.length} bytes)`);
  }
  let img: unknown;
  try {
    img = await decode(bytes, true);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new FcosError(`${name}: cannot decode image (${why}); expected a JPEG or PNG file`, {
      cause: e,
    });
  }
  if (!(img instanceof Image)) {
    throw new FcosError(`${name}: unsupported image type (animated GIF); use JPEG or PNG`);
  }
  const { width, height, bitmap } = img;
  if (!(width > 0 && height > 0)) throw new FcosError(`${name}: image has size ${width}×${height}`);
  // RGBA → RGB.
  const n = width * height;
  const data = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    data[3 * i] = bitmap[j];
    data[3 * i + 1] = bitmap[j + 1];
    data[3 * i + 2] = bitmap[j + 2];
  }
  return { data, width, height };
}

/**
 * Reads and decodes an image file; every failure (missing, unreadable, not an image) is an
 * {@linkcode FcosError} naming `file`.
 *
 * @example
 * ```ts
 * import { readImage } from "./image.ts";
 * const img = await readImage("photo.jpg").catch((e) => e.message);
 * ```
 */
export async function readImage(file: string): Promise<RgbImage> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "file not found" : String(e);
    throw new FcosError(`${file}: cannot read image (${why})`, { cause: e });
  }
  return await decodeImage(bytes, file);
}

/**
 * Encodes RGB bytes as JPEG (`quality` 1–100) or PNG.
 *
 * @example
 * ```ts
 * import { encodeImage } from "./image.ts";
 * const jpg = await encodeImage({ data: new Uint8Array(8 * 8 * 3), width: 8, height: 8 }, "jpg");
 * ```
 */
export async function encodeImage(
  img: RgbImage,
  format: "jpg" | "png",
  quality = 95,
): Promise<Uint8Array> {
  const { data, width, height } = img;
  if (data.length !== width * height * 3) {
    throw new FcosError(`encodeImage: ${data.length} bytes for ${width}×${height}×3`);
  }
  const out = new Image(width, height);
  const bm = out.bitmap;
  for (let i = 0, n = width * height; i < n; i++) {
    bm[4 * i] = data[3 * i];
    bm[4 * i + 1] = data[3 * i + 1];
    bm[4 * i + 2] = data[3 * i + 2];
    bm[4 * i + 3] = 255;
  }
  return format === "png" ? await out.encode(1) : await out.encodeJPEG(quality);
}

/**
 * Bilinear resize of an H×W×3 RGB image to outH×outW×3, with PyTorch's
 * `interpolate(mode="bilinear", align_corners=False)` sampling (no antialiasing).
 *
 * @example
 * ```ts
 * import { resizeRgb } from "./image.ts";
 * const small = resizeRgb(new Uint8Array(4 * 4 * 3).fill(9), 4, 4, 2, 2); // 2×2×3, all 9
 * ```
 */
export function resizeRgb(
  data: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight * 3);
  const sx = width / outWidth;
  const sy = height / outHeight;
  // Per-column source indices and weights, computed once.
  const x0s = new Int32Array(outWidth);
  const x1s = new Int32Array(outWidth);
  const wxs = new Float32Array(outWidth);
  for (let x = 0; x < outWidth; x++) {
    const fx = Math.max(0, (x + 0.5) * sx - 0.5);
    const x0 = Math.min(Math.floor(fx), width - 1);
    x0s[x] = x0 * 3;
    x1s[x] = Math.min(x0 + 1, width - 1) * 3;
    wxs[x] = fx - x0;
  }
  for (let y = 0; y < outHeight; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(Math.floor(fy), height - 1);
    const y1 = Math.min(y0 + 1, height - 1);
    const wy = fy - y0;
    const r0 = y0 * width * 3;
    const r1 = y1 * width * 3;
    let o = y * outWidth * 3;
    for (let x = 0; x < outWidth; x++) {
      const wx = wxs[x];
      const a = r0 + x0s[x], b = r0 + x1s[x], c = r1 + x0s[x], d = r1 + x1s[x];
      for (let ch = 0; ch < 3; ch++) {
        const top = data[a + ch] + (data[b + ch] - data[a + ch]) * wx;
        const bot = data[c + ch] + (data[d + ch] - data[c + ch]) * wx;
        out[o++] = Math.round(top + (bot - top) * wy);
      }
    }
  }
  return out;
}

/**
 * Resizes a sample's image (bilinear) to `width`×`height` and scales its boxes alongside.
 *
 * @example
 * ```ts
 * import { resizeSample } from "./image.ts";
 * const s = {
 *   id: "a", image: new Uint8Array(4 * 4 * 3), width: 4, height: 4,
 *   boxes: new Float32Array([0, 0, 2, 4]), labels: new Int32Array([0]), difficult: new Uint8Array(1),
 * };
 * console.log(resizeSample(s, 8, 2).boxes); // Float32Array [0, 0, 4, 2]
 * ```
 */
export function resizeSample(sample: Sample, width: number, height: number): Sample {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new FcosError(`resizeSample: bad target size ${width}×${height}`);
  }
  const fx = width / sample.width;
  const fy = height / sample.height;
  const boxes = new Float32Array(sample.boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    boxes[i] = sample.boxes[i] * fx;
    boxes[i + 1] = sample.boxes[i + 1] * fy;
    boxes[i + 2] = sample.boxes[i + 2] * fx;
    boxes[i + 3] = sample.boxes[i + 3] * fy;
  }
  const same = width === sample.width && height === sample.height;
  return {
    ...sample,
    image: same
      ? sample.image.slice()
      : resizeRgb(sample.image, sample.width, sample.height, width, height),
    width,
    height,
    boxes,
  };
}
