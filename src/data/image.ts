/**
 * Image decoding/encoding (imagescript: JPEG and PNG) and resizing of RGB images with their boxes.
 *
 * @module
 */
// Codecs: imagescript's JPEG decoder (its Wasm module, imported directly) and its pure-JavaScript
// PNG codec. Its main entry point is avoided on purpose: it loads a native Node addon at import
// time (needing --allow-ffi and --allow-env); only JPEG *encoding* uses it, imported on demand.
// @ts-types="./jpeg_codec.d.ts"
import { instantiateJpegDecoder, type JpegDecoderExports } from "./jpeg_codec.js";
// @ts-types="./imagescript_png.d.ts"
import png from "imagescript/png/node.js";
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

let jpegDecoder: JpegDecoderExports | null = null;

/** Decodes a baseline/progressive JPEG (grey, RGB or CMYK) to RGB with the Wasm decoder. */
function decodeJpeg(bytes: Uint8Array): RgbImage {
  try {
    return decodeJpegWith(jpegDecoder ??= instantiateJpegDecoder(), bytes);
  } catch (e) {
    // The decoder panics (a Wasm trap) on some corrupt files, which can leave its heap broken:
    // start the next image on a fresh instance.
    if (e instanceof WebAssembly.RuntimeError) {
      jpegDecoder = null;
      throw new Error(`corrupt JPEG data (decoder: ${e.message})`);
    }
    throw e;
  }
}

function decodeJpegWith(w: JpegDecoderExports, bytes: Uint8Array): RgbImage {
  const ptr = w.walloc(bytes.length);
  new Uint8Array(w.memory.buffer, ptr, bytes.length).set(bytes);
  const frame = w.decode(ptr, bytes.length, 0, 0); // 0, 0: no downscaling
  if (frame === 0 || frame === 1) throw new Error("corrupt or truncated JPEG data");
  try {
    const width = w.decode_width(frame), height = w.decode_height(frame);
    const format = w.decode_format(frame);
    const n = width * height;
    const src = new Uint8Array(w.memory.buffer, w.decode_buffer(frame), w.wlen());
    const data = new Uint8Array(n * 3);
    if (format === 0) { // grey
      for (let i = 0; i < n; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = src[i];
    } else if (format === 1) { // RGB
      data.set(src.subarray(0, n * 3));
    } else { // inverted CMYK (Adobe), as imagescript converts it
      for (let i = 0; i < n; i++) {
        const k = src[4 * i + 3];
        data[3 * i] = (k * src[4 * i]) / 255;
        data[3 * i + 1] = (k * src[4 * i + 1]) / 255;
        data[3 * i + 2] = (k * src[4 * i + 2]) / 255;
      }
    }
    return { data, width, height };
  } finally {
    w.decode_free(frame);
  }
}

/** Decodes an 8/16-bit non-interlaced PNG to RGB (alpha dropped). */
function decodePng(bytes: Uint8Array): RgbImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 45 || view.getUint32(12) !== 0x49484452) {
    throw new Error("truncated PNG header");
  }
  const depth = bytes[24], colorType = bytes[25], interlace = bytes[28];
  if (interlace !== 0) throw new Error("interlaced PNG is not supported");
  if (depth !== 8 && !(depth === 16 && colorType !== 3)) {
    throw new Error(`PNG bit depth ${depth} (colour type ${colorType}) is not supported`);
  }
  const { width, height, pixels } = png.decode(bytes);
  const n = width * height;
  if (!(n > 0) || pixels.length !== n * 4) throw new Error("corrupt or truncated PNG data");
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    data[3 * i] = pixels[4 * i];
    data[3 * i + 1] = pixels[4 * i + 1];
    data[3 * i + 2] = pixels[4 * i + 2];
  }
  return { data, width, height };
}

/**
 * Decodes JPEG or PNG bytes to RGB (alpha dropped). `name` is used in the error message.
 * Throws {@linkcode FcosError} for truncated, corrupt or non-image data. Needs no permissions.
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
// deno-lint-ignore require-await
export async function decodeImage(bytes: Uint8Array, name = "image"): Promise<RgbImage> {
  if (bytes.length < 8) {
    throw new FcosError(`${name}: not an image (only ${bytes.length} bytes)`);
  }
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (!isJpeg && !isPng) {
    throw new FcosError(`${name}: cannot decode image (not a JPEG or PNG file)`);
  }
  let img: RgbImage;
  try {
    img = isJpeg ? decodeJpeg(bytes) : decodePng(bytes);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new FcosError(`${name}: cannot decode image (${why})`, { cause: e });
  }
  if (!(img.width > 0 && img.height > 0)) {
    throw new FcosError(`${name}: cannot decode image (size ${img.width}×${img.height})`);
  }
  return img;
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
 * Encodes RGB bytes as PNG (pure JavaScript, no permissions) or JPEG (`quality` 1–100; imagescript's
 * native codec, which Deno only loads with `--allow-ffi --allow-env`).
 *
 * @example
 * ```ts
 * import { encodeImage } from "./image.ts";
 * const png = await encodeImage({ data: new Uint8Array(8 * 8 * 3), width: 8, height: 8 }, "png");
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
  if (format === "png") return png.encode(data, { width, height, channels: 3, level: 1 });
  let Image;
  try {
    ({ Image } = await import("imagescript"));
  } catch (e) {
    throw new FcosError(
      `JPEG encoding needs imagescript's native codec: run deno with --allow-ffi --allow-env, ` +
        `or write PNG (${e instanceof Error ? e.message.split("\n")[0] : e})`,
      { cause: e },
    );
  }
  const out = new Image(width, height);
  const bm = out.bitmap;
  for (let i = 0, n = width * height; i < n; i++) {
    bm[4 * i] = data[3 * i];
    bm[4 * i + 1] = data[3 * i + 1];
    bm[4 * i + 2] = data[3 * i + 2];
    bm[4 * i + 3] = 255;
  }
  return await out.encodeJPEG(quality);
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
