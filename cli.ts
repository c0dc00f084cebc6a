#!/usr/bin/env -S deno run
/**
 * The `fcos` command line: `train`, `eval`, `detect`, `synth`. Thin: everything is in the library.
 *
 * @example
 * ```sh
 * deno run -A cli.ts train --data synthetic --compact --out runs/demo
 * deno run --allow-read=weights.safetensors,img.jpg --allow-write=out cli.ts detect \
 *   --weights weights.safetensors --out out img.jpg
 * ```
 *
 * @module
 */
import { main } from "./src/cli/main.ts";

if (import.meta.main) {
  // Exit explicitly: wasm worker threads would otherwise keep the process alive.
  Deno.exit(await main(Deno.args));
}
