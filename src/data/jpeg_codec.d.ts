/** Exports of imagescript 1.3.0's `wasm/any/jpeg.wasm`. */
export interface JpegDecoderExports {
  /** Linear memory of the decoder. */
  memory: WebAssembly.Memory;
  /** Allocates `size` bytes; returns the pointer. */
  walloc(size: number): number;
  /** Frees an allocation. */
  wfree(ptr: number, size: number): void;
  /** Length in bytes of the last decoded buffer. */
  wlen(): number;
  /** Decodes `len` bytes at `ptr` (0 = failure, 1 = scaling failure, else a frame pointer). */
  decode(ptr: number, len: number, width: number, height: number): number;
  /** Width of a decoded frame. */
  decode_width(frame: number): number;
  /** Height of a decoded frame. */
  decode_height(frame: number): number;
  /** Pixel format of a decoded frame: 0 grey, 1 RGB, 2 CMYK. */
  decode_format(frame: number): number;
  /** Pointer to the decoded pixels. */
  decode_buffer(frame: number): number;
  /** Frees a decoded frame. */
  decode_free(frame: number): void;
}

/** A new instance of the decoder. */
export function instantiateJpegDecoder(): JpegDecoderExports;
