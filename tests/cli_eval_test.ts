/**
 * `cli.ts eval` (src/cli/eval.ts): the pycocotools summary and the JSON stats file for the shared
 * fixture, exit codes 1 (bad input, one line naming the file and entry) and 2 (usage), `--help`.
 */
import { assert, assertAlmostEquals, assertEquals } from "../src/std.ts";
import { evalCommand } from "../src/cli/eval.ts";

const FIXTURE = new URL("../../shared/fixtures/cocoeval/mixed120/", import.meta.url).pathname;

/** Runs evalCommand capturing what it prints. */
async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await evalCommand(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("cli eval: prints the 12-line summary and writes stats JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { code, out, err } = await capture([
      "--coco-gt",
      `${FIXTURE}gt.json`,
      "--coco-results",
      `${FIXTURE}dt.json`,
      "--json",
      `${dir}/stats.json`,
    ]);
    assertEquals([code, err], [0, ""]);
    const lines = out.split("\n");
    assertEquals(lines.length, 12);
    assertEquals(
      lines[0],
      " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.432",
    );
    assertEquals(
      lines[11],
      " Average Recall     (AR) @[ IoU=0.50:0.95 | area= large | maxDets=100 ] = 0.614",
    );
    const ref = JSON.parse(await Deno.readTextFile(`${FIXTURE}stats.json`)).stats as number[];
    const written = JSON.parse(await Deno.readTextFile(`${dir}/stats.json`));
    assertEquals(Object.keys(written), ["stats", "perCategory"]);
    written.stats.forEach((v: number, i: number) => assertAlmostEquals(v, ref[i], 1e-6));
    assertEquals(Object.keys(written.perCategory).length, 20);
    assertEquals(written.perCategory.aeroplane.id, 1);
    assert(written.perCategory.aeroplane.AP > 0 && written.perCategory.aeroplane.AP < 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli eval: bad results are exit 1 with one line naming file and entry", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = `${dir}/dt.json`;
    await Deno.writeTextFile(
      bad,
      JSON.stringify([{ image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], score: 0.3 }, {
        image_id: 424242,
        category_id: 1,
        bbox: [0, 0, 5, 5],
        score: 0.3,
      }]),
    );
    const r = await capture(["--coco-gt", `${FIXTURE}gt.json`, "--coco-results", bad]);
    assertEquals(r.code, 1);
    assertEquals(
      r.err,
      `error: ${bad}: results[1]: image_id 424242 is not an image of the ground truth (${FIXTURE}gt.json)`,
    );
    assertEquals(r.out, "");
    await Deno.writeTextFile(bad, "{not json");
    const r2 = await capture(["--coco-gt", `${FIXTURE}gt.json`, "--coco-results", bad]);
    assertEquals(r2.code, 1);
    assert(r2.err.startsWith(`error: ${bad}: the COCO results is not valid JSON`), r2.err);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli eval: usage errors are exit 2; --help is exit 0", async () => {
  const missing = await capture(["--coco-gt", `${FIXTURE}gt.json`]);
  assertEquals(missing.code, 2);
  assert(missing.err.includes("--coco-gt needs --coco-results"), missing.err);
  assertEquals((await capture([])).code, 2);
  assertEquals((await capture(["--nope"])).code, 2);
  assertEquals((await capture(["extra"])).code, 2);
  const help = await capture(["--help"]);
  assertEquals(help.code, 0);
  assert(help.out.startsWith("usage: cli.ts eval --coco-gt GT.json --coco-results DT.json"));
});
