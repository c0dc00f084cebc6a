/** Running a command for the side-by-side benchmark runners. */

/** stdout of `cmd args`; throws with its stderr when it fails. */
export async function output(cmd: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, { args }).output();
  const text = new TextDecoder().decode(stdout);
  if (code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(stderr)}`);
  }
  return text;
}

/**
 * The wasm convolution kernels a benchmark asks `initBackend` for: `FCOS_CPU_KERNELS=xnnpack` or
 * `onnxruntime`; unset, `initBackend`'s default (onnxruntime where it loads).
 */
export function cpuKernelsFromEnv(): "onnxruntime" | "xnnpack" | undefined {
  const v = Deno.env.get("FCOS_CPU_KERNELS");
  if (v === undefined || v === "") return undefined;
  if (v !== "onnxruntime" && v !== "xnnpack") throw new Error(`FCOS_CPU_KERNELS: ${v}?`);
  return v;
}
