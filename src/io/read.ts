/**
 * Reading a user-given input file whole, with the one-line error every reader of this project
 * gives (`FILE: cannot read (why)`).
 *
 * @module
 */
import { FcosError } from "../errors.ts";

/**
 * The bytes of `path`; an unreadable file is an `FcosError` naming it and saying why.
 *
 * @example
 * ```ts ignore
 * const bytes = await readInputFile("weights.safetensors");
 * ```
 */
export async function readInputFile(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    throw new FcosError(`${path}: cannot read (${e instanceof Error ? e.message : e})`, {
      cause: e,
    });
  }
}
