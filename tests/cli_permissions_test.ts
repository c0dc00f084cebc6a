/**
 * The README's narrow permissions: `train` with only --allow-read and --allow-write of the run
 * folder completes (the native plotting library is skipped with one warning naming the flags),
 * and a missing --allow-write is one line naming the flag.
 */
import { assert, assertEquals } from "../src/std.ts";

const repo = new URL("..", import.meta.url).pathname;

async function run(args: string[]) {
  const { code, stderr, stdout } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code, stderr: dec.decode(stderr), stdout: dec.decode(stdout) };
}

const tinyTrain = [
  "train",
  "--data",
  "synthetic:8",
  "--compact",
  "--epochs",
  "1",
  "--train-images",
  "8",
  "--val-images",
  "4",
  "--backend",
  "wasm",
];

for (const extra of [[], ["--allow-env"]]) {
  const flags = ["--allow-read", "--allow-write=RUN_DIR", ...extra].join(" ");
  Deno.test(`train CLI: runs with ${flags} only; the plots are skipped in one line`, async () => {
    await trainWithNarrowPermissions(extra);
  });
}

async function trainWithNarrowPermissions(extra: string[]): Promise<void> {
  const tmp = await Deno.makeTempDir();
  const out = `${tmp}/run`;
  const r = await run([
    "run",
    "--allow-read",
    `--allow-write=${tmp}`,
    ...extra,
    "cli.ts",
    ...tinyTrain,
    "--out",
    out,
  ]);
  assertEquals(r.code, 0, r.stderr);
  assert(/plots skipped \(no ffi.*--allow-ffi/.test(r.stderr), r.stderr);
  assert(!/\n\s+at /.test(r.stderr), `no stack trace:\n${r.stderr}`);
  const drawn = [...Deno.readDirSync(`${out}/detections`)].map((e) => e.name);
  assert(drawn.length > 0 && drawn.every((n) => n.endsWith(".png")), drawn.join(","));
  Deno.statSync(`${out}/model.safetensors`);
  await Deno.remove(tmp, { recursive: true });
}

Deno.test("train CLI: without --allow-write one line names the flag (exit 1)", async () => {
  const tmp = await Deno.makeTempDir();
  const r = await run(["run", "--allow-read", "cli.ts", ...tinyTrain, "--out", `${tmp}/run`]);
  assertEquals(r.code, 1, r.stderr);
  assert(r.stderr.includes("--allow-write"), r.stderr);
  assert(!/\n\s+at /.test(r.stderr), `no stack trace:\n${r.stderr}`);
  await Deno.remove(tmp, { recursive: true });
});
