/**
 * Locating the torchvision reference outputs made by `scripts/reference/*.py` (see
 * `scripts/test.ts`). A parity test calls {@linkcode referenceDir}: it returns the folder, or
 * `null` so the test can skip — except under CI, where a missing reference is a failure.
 */
import { FcosError } from "../src/errors.ts";

/** Folder with the outputs of `scripts/reference/NAME.py`, or null when absent outside CI. */
export function referenceDir(name: string): string | null {
  const dir = new URL(`../.reference/${name}/`, import.meta.url).pathname;
  try {
    Deno.statSync(`${dir}/DONE`);
    return dir;
  } catch {
    if (Deno.env.get("CI") === "true") {
      throw new FcosError(
        `reference ${name} is missing (${dir}DONE); run the tests with 'deno task test'`,
      );
    }
    console.warn(`skipping: reference ${name} not made (run 'deno task test' with torchvision)`);
    return null;
  }
}
