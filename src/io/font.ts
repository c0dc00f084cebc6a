/**
 * Text on RGB images with the small built-in bitmap font of `font_data.ts` (no font files, no
 * native code: works wherever the library runs). Glyphs are anti-aliased alpha masks that are
 * blended into the image, optionally scaled up by an integer factor for large images.
 *
 * @module
 */
import { FIRST_CHAR, GLYPH_HEIGHT, GLYPH_WIDTH, GLYPHS_BASE64, LAST_CHAR } from "./font_data.ts";

let glyphs: Uint8Array | null = null;

/** Unpacked alpha (0…255) of every glyph, [char - FIRST_CHAR][GLYPH_HEIGHT][GLYPH_WIDTH]. */
function glyphAlpha(): Uint8Array {
  if (glyphs) return glyphs;
  const bin = atob(GLYPHS_BASE64);
  const n = (LAST_CHAR - FIRST_CHAR + 1) * GLYPH_WIDTH * GLYPH_HEIGHT;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const byte = bin.charCodeAt(i >> 1);
    out[i] = (i & 1 ? byte & 15 : byte >> 4) * 17;
  }
  return (glyphs = out);
}

/** Size in pixels of `text` drawn at integer `scale` (one line). */
export function measureText(text: string, scale = 1): { width: number; height: number } {
  return { width: text.length * GLYPH_WIDTH * scale, height: GLYPH_HEIGHT * scale };
}

/**
 * Draws one line of `text` on an RGB image (`data`: H×W×3 bytes, row-major) with its top-left corner at (x, y), blending `color` (RGB) by the
 * glyph alpha; parts outside the image are clipped. Characters outside printable ASCII are drawn
 * as '?'.
 */
export function drawText(
  image: { data: Uint8Array; width: number; height: number },
  text: string,
  x: number,
  y: number,
  color: readonly [number, number, number],
  scale = 1,
): void {
  const alpha = glyphAlpha();
  const { data, width, height } = image;
  const s = Math.max(1, Math.round(scale));
  x = Math.round(x);
  y = Math.round(y);
  for (let k = 0; k < text.length; k++) {
    let c = text.charCodeAt(k);
    if (c < FIRST_CHAR || c > LAST_CHAR) c = 63; // '?'
    const base = (c - FIRST_CHAR) * GLYPH_WIDTH * GLYPH_HEIGHT;
    const gx = x + k * GLYPH_WIDTH * s;
    for (let py = 0; py < GLYPH_HEIGHT * s; py++) {
      const iy = y + py;
      if (iy < 0 || iy >= height) continue;
      const row = base + Math.floor(py / s) * GLYPH_WIDTH;
      for (let px = 0; px < GLYPH_WIDTH * s; px++) {
        const ix = gx + px;
        if (ix < 0 || ix >= width) continue;
        const a = alpha[row + Math.floor(px / s)];
        if (a === 0) continue;
        const o = (iy * width + ix) * 3;
        for (let ch = 0; ch < 3; ch++) {
          data[o + ch] = Math.round(data[o + ch] + ((color[ch] - data[o + ch]) * a) / 255);
        }
      }
    }
  }
}
