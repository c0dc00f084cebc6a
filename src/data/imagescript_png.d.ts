// Types of imagescript 1.3.0's pure-JavaScript PNG codec (`png/node.js`, CommonJS).
declare const png: {
  /** Decodes a non-interlaced PNG of bit depth 8 or 16 to 8-bit RGBA. */
  decode(data: Uint8Array): { width: number; height: number; pixels: Uint8Array };
  /** Encodes 8-bit pixels with `channels` per pixel (3 RGB, 4 RGBA); level 0–9. */
  encode(
    data: Uint8Array,
    options: { width: number; height: number; channels: number; level?: number },
  ): Uint8Array;
};
export default png;
