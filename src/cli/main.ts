/**
 * The command-line dispatcher behind `cli.ts`: picks the subcommand, and turns every expected
 * failure into one line on stderr with an exit code (0 ok, 1 failed run, 2 usage error) — a
 * missing Deno permission says which flag to add; bad input names the file and the problem.
 *
 * @module
 */
import { FcosError, UsageError } from "../errors.ts";

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  train: {
    summary: "train FCOS on synthetic, VOC or COCO data",
    load: async () => (await import("./train.ts")).trainCommand,
  },
  eval: {
    summary: "COCO/VOC metrics of a results file, or of a model on a data set",
    load: async () => (await import("./eval.ts")).evalCommand,
  },
  detect: {
    summary: "detect objects in images and draw them",
    load: async () => (await import("./detect.ts")).detectCommand,
  },
  export: {
    summary: "write a model's network as ONNX (for onnxruntime anywhere)",
    load: async () => (await import("./export.ts")).exportCommand,
  },
  synth: {
    summary: "write the built-in synthetic data set in VOC layout",
    load: async () => (await import("./synth.ts")).synthCommand,
  },
};

/** The top-level help text. */
export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return [
    "fcos: FCOS object detection in TypeScript (tfjs: wasm, WebGPU, cpu)",
    "",
    "usage: deno run [permissions] cli.ts <command> [options]",
    "",
    "commands:",
    ...lines,
    "",
    "Run 'cli.ts <command> --help' for a command's options.",
  ].join("\n");
}

/** One line explaining a missing permission, or null when `e` is not a permission error. */
export function permissionHint(e: unknown): string | null {
  const isPerm = e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied;
  if (!isPerm) return null;
  const msg = (e as Error).message;
  const flag = msg.match(/--allow-[a-z-]+/)?.[0];
  const what = msg.replace(/,? run again with the --allow-[a-z-]+ flag\.?/, "");
  return `missing permission: ${what}${flag ? `; run again with ${flag} (or -A)` : ""}`;
}

/**
 * Runs the CLI with `args` and returns the exit code.
 *
 * @example
 * ```ts ignore
 * import { main } from "./main.ts";
 * Deno.exit(await main(["synth", "--out", "data/synth"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`error: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load())(rest);
  } catch (e) {
    const hint = permissionHint(e);
    if (hint) {
      console.error(`error: ${hint}`);
      return 1;
    }
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n(see 'cli.ts ${name} --help')`);
      return 2;
    }
    if (e instanceof FcosError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    // parseArgs reports unknown or malformed flags with these codes.
    const code = (e as { code?: string }).code;
    if (code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`error: ${(e as Error).message}\n(see 'cli.ts ${name} --help')`);
      return 2;
    }
    throw e;
  }
}
