/** Running `deno` itself from tests (fresh processes, module graphs, scripts). */

/** The repository root (a path). */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/** Runs `deno ARGS…` from the repository root, without colours; returns its exit code and output. */
export async function deno(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}
