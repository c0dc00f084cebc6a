/**
 * `deno task test`: makes the PyTorch/torchvision reference outputs that the parity tests compare
 * against (installing Debian's python3-torchvision when it is missing and we may), then runs
 * `deno test`. Extra arguments are passed to `deno test` (e.g. a test file or `--filter`).
 *
 * Each `scripts/reference/NAME.py` is run as `python3 NAME.py .reference/NAME` and must write its
 * outputs there. Under CI (CI=true) a reference that cannot be made fails the run; elsewhere the
 * parity tests that need it are skipped with a message.
 */
const python = "/usr/bin/python3";
const inCI = Deno.env.get("CI") === "true";

async function run(cmd: string, args: string[]): Promise<boolean> {
  try {
    const { code } = await new Deno.Command(cmd, { args, stdout: "inherit", stderr: "inherit" })
      .output();
    return code === 0;
  } catch {
    return false;
  }
}

async function hasTorchvision(): Promise<boolean> {
  try {
    const { code } = await new Deno.Command(python, {
      args: ["-c", "import torch, torchvision, numpy"],
      stdout: "null",
      stderr: "null",
    }).output();
    return code === 0;
  } catch {
    return false;
  }
}

async function ensureTorchvision(): Promise<boolean> {
  if (await hasTorchvision()) return true;
  const isRoot = Deno.uid?.() === 0;
  if (!isRoot) return false;
  console.log("test: installing Debian's python3-torchvision for the parity references…");
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const apt = async (args: string[]) => {
    const { code } = await new Deno.Command("apt-get", { args, env, stdout: "null" }).output();
    return code === 0;
  };
  try {
    await apt(["update", "-qq"]);
    await apt(["install", "-y", "-qq", "python3-torch", "python3-torchvision", "python3-numpy"]);
  } catch {
    return false;
  }
  return await hasTorchvision();
}

const scripts: string[] = [];
for await (const entry of Deno.readDir("scripts/reference")) {
  if (entry.isFile && entry.name.endsWith(".py")) scripts.push(entry.name);
}
scripts.sort();

let referencesOk = true;
if (scripts.length > 0) {
  if (!(await ensureTorchvision())) {
    referencesOk = false;
    console.log("test: python3 with torch/torchvision is not available; parity tests will skip.");
  } else {
    for (const name of scripts) {
      const out = `.reference/${name.replace(/\.py$/, "")}`;
      await Deno.mkdir(out, { recursive: true });
      const t0 = performance.now();
      const ok = await run(python, [`scripts/reference/${name}`, out]);
      console.log(
        `test: reference ${name} ${ok ? "made" : "FAILED"} in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s`,
      );
      if (!ok) referencesOk = false;
    }
  }
}
if (!referencesOk && inCI) {
  console.error("test: the parity references could not be made, and CI never skips them.");
  Deno.exit(1);
}

const ok = await run(Deno.execPath(), [
  "test",
  "-A",
  ...(Deno.args.length ? Deno.args : ["tests/"]),
]);
Deno.exit(ok ? 0 : 1);
