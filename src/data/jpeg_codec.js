// imagescript 1.3.0's JPEG decoder as a compiled Wasm module (a source-phase import, so that a
// fresh instance can be made after the decoder traps on corrupt data). Plain JavaScript because
// TypeScript does not parse `import source` yet; the types are in jpeg_codec.d.ts.
import source jpegModule from "imagescript/wasm/any/jpeg.wasm";

/** A new instance of the decoder. */
export function instantiateJpegDecoder() {
  return new WebAssembly.Instance(jpegModule).exports;
}
