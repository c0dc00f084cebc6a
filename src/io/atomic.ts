/**
 * Crash-safe file writes: the new content goes to a temporary file beside the target, is flushed
 * to disk, and then renamed over the target. A rename within one directory is atomic on POSIX
 * file systems, so a reader (or a crash) sees either the whole old file or the whole new one —
 * a checkpoint interrupted mid-write never destroys the previous checkpoint.
 *
 * @module
 */
import { FcosError } from "../errors.ts";
import { path } from "../std.ts";

/**
 * Writes `data` to `path` atomically: temp file in the same directory, fsync, rename over.
 * Strings are written as UTF-8. The directory must exist.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic.ts";
 * const file = await Deno.makeTempFile();
 * await writeFileAtomic(file, "hello\n");
 * console.log(await Deno.readTextFile(file)); // "hello\n"
 * ```
 */
export async function writeFileAtomic(path_: string, data: Uint8Array | string): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const dir = path.dirname(path_);
  const rand = crypto.getRandomValues(new Uint32Array(1))[0].toString(16);
  // Hidden name in the same directory (rename across file systems is not atomic).
  const tmp = path.join(dir, `.${path.basename(path_)}.${Deno.pid}.${rand}.tmp`);
  let file: Deno.FsFile;
  try {
    file = await Deno.open(tmp, { write: true, createNew: true });
  } catch (e) {
    throw new FcosError(`${path_}: cannot create a temporary file in ${dir} (${errName(e)})`, {
      cause: e,
    });
  }
  try {
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync(); // the data must be on disk before the rename makes it visible
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path_);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw new FcosError(`${path_}: cannot write (${errName(e)})`, { cause: e });
  }
  // Persist the rename itself (the directory entry); best effort, not every OS allows it.
  try {
    const d = await Deno.open(dir, { read: true });
    try {
      await d.sync();
    } finally {
      d.close();
    }
  } catch {
    // ignore: the file content is already safe; only the rename might be lost on power failure
  }
}

function errName(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Whether something exists at `p` (false also when it cannot be looked at, e.g. without read
 * permission: the callers only ask whether a folder is already in use).
 *
 * @example
 * ```ts
 * import { pathExists } from "./atomic.ts";
 * console.log(await pathExists("/nonexistent")); // false
 * ```
 */
export async function pathExists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
}
