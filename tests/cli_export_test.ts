/**
 * `cli.ts export --format onnx` and the CLI's `--backend onnx`: the exported file runs in
 * onnxruntime with the weights' config and class names; `detect` and `eval --weights` on onnx give
 * the wasm backend's results; weights that do not load, an output that cannot be written and a
 * missing --allow-ffi are one line each, exit 1, nothing half-written.
 */
import { assert, assertEquals } from "../src/std.ts";
import { initBackend } from "../src/backend/select.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { saveWeights } from "../src/io/weights.ts";
import { encodeImage } from "../src/data/image.ts";
import { main } from "../src/cli/main.ts";
import type { DetectRecord } from "../src/cli/detect.ts";
import { OnnxDetector } from "../src/backend/onnx_runtime.ts";
import { captured } from "./_capture.ts";
import { TINY_NET } from "./_models.ts";

const repo = new URL("..", import.meta.url).pathname;

/** A tiny saved model (with class names) and a PNG with something to detect. */
async function setup(tmp: string) {
  await initBackend({ backend: "wasm", log: () => {} });
  const model = FcosModel.create({
    ...TINY_NET,
    numClasses: 5,
    minSize: 64,
    maxSize: 96,
    scoreThresh: 0.01,
  }, { seed: 2 });
  await saveWeights(model, `${tmp}/tiny.safetensors`, {
    class_names: JSON.stringify(["a", "b", "c", "d", "e"]),
  });
  model.dispose();
  const data = Uint8Array.from({ length: 48 * 80 * 3 }, (_, i) => (i * 7) % 251);
  await Deno.writeFile(`${tmp}/img.png`, await encodeImage({ data, width: 80, height: 48 }, "png"));
}

/** Runs the CLI in-process; returns the exit code and the lines on stderr. */
async function cli(args: string[]) {
  const { result, lines } = await captured("error", () => captured("log", () => main(args)));
  return { code: result.result, stderr: lines, stdout: result.lines };
}

function leftovers(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.endsWith(".tmp"));
}

Deno.test("export CLI: writes an ONNX model that onnxruntime opens with the weights' config", async () => {
  const tmp = await Deno.makeTempDir();
  await setup(tmp);
  const r = await cli([
    "export",
    "--weights",
    `${tmp}/tiny.safetensors`,
    "--format",
    "onnx",
    "--out",
    `${tmp}/tiny.onnx`,
  ]);
  assertEquals(r.code, 0, r.stderr.join("\n"));
  assert(/tiny\.onnx: ONNX opset 17, resnet18, 5 classes/.test(r.stdout.join("\n")), r.stdout[0]);
  const detector = await OnnxDetector.open(`${tmp}/tiny.onnx`);
  assertEquals(detector.classNames, ["a", "b", "c", "d", "e"]);
  assertEquals(detector.config.backboneWidth, 0.125);
  assertEquals(detector.config.minSize, 64);
  await detector.release();
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("export CLI: bad weights and unwritable outputs are one line, exit 1, nothing written", async () => {
  const tmp = await Deno.makeTempDir();
  await setup(tmp);
  await Deno.writeTextFile(`${tmp}/junk.safetensors`, "not weights");
  const out = `${tmp}/out.onnx`;
  const base = ["export", "--format", "onnx"];
  const bad = await cli([...base, "--weights", `${tmp}/junk.safetensors`, "--out", out]);
  assertEquals(bad.code, 1);
  assertEquals(bad.stderr.length, 1, bad.stderr.join("\n"));
  assert(
    /junk\.safetensors: .*neither safetensors nor a PyTorch checkpoint/.test(bad.stderr[0]),
    bad.stderr[0],
  );
  const missing = await cli([...base, "--weights", `${tmp}/none.safetensors`, "--out", out]);
  assertEquals(missing.code, 1);
  assert(/none\.safetensors: cannot read/.test(missing.stderr[0]), missing.stderr[0]);
  const noDir = await cli([
    ...base,
    "--weights",
    `${tmp}/tiny.safetensors`,
    "--out",
    `${tmp}/no/such/dir/m.onnx`,
  ]);
  assertEquals(noDir.code, 1);
  assertEquals(noDir.stderr.length, 1);
  assert(/m\.onnx: cannot create a temporary file/.test(noDir.stderr[0]), noDir.stderr[0]);
  await Deno.mkdir(`${tmp}/taken.onnx`);
  const isDir = await cli([
    ...base,
    "--weights",
    `${tmp}/tiny.safetensors`,
    "--out",
    `${tmp}/taken.onnx`,
  ]);
  assertEquals(isDir.code, 1);
  assert(/taken\.onnx: cannot write/.test(isDir.stderr[0]), isDir.stderr[0]);
  // A .onnx that is not ONNX, given to detect: one line, exit 1.
  await Deno.writeTextFile(`${tmp}/words.onnx`, "words, not a model\n");
  const notOnnx = await cli([
    "detect",
    "--backend",
    "onnx",
    "--weights",
    `${tmp}/words.onnx`,
    `${tmp}/img.png`,
  ]);
  assertEquals(notOnnx.code, 1);
  assertEquals(notOnnx.stderr.length, 1, notOnnx.stderr.join("\n"));
  assert(/words\.onnx: not an ONNX model/.test(notOnnx.stderr[0]), notOnnx.stderr[0]);
  await Deno.remove(`${tmp}/words.onnx`);
  // Nothing half-written: no output, no temporary file.
  assertEquals([...Deno.readDirSync(tmp)].some((e) => e.name === "out.onnx"), false);
  assertEquals(leftovers(tmp), []);
  assertEquals((await cli([...base, "--weights", `${tmp}/tiny.safetensors`])).code, 2);
  assertEquals(
    (await cli([
      "export",
      "--weights",
      `${tmp}/tiny.safetensors`,
      "--format",
      "tflite",
      "--out",
      out,
    ]))
      .code,
    2,
  );
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("detect CLI: --backend onnx gives the wasm backend's detections", async () => {
  const tmp = await Deno.makeTempDir();
  await setup(tmp);
  const detect = async (backend: string, weights: string, json: string) => {
    const r = await cli([
      "detect",
      "--weights",
      weights,
      "--backend",
      backend,
      "--json",
      json,
      `${tmp}/img.png`,
    ]);
    assertEquals(r.code, 0, r.stderr.join("\n"));
    return JSON.parse(await Deno.readTextFile(json)) as DetectRecord[];
  };
  const wasm = await detect("wasm", `${tmp}/tiny.safetensors`, `${tmp}/wasm.json`);
  const onnx = await detect("onnx", `${tmp}/tiny.safetensors`, `${tmp}/onnx.json`);
  // The export was cached beside the weights; the cache used as --weights gives the same.
  const cached = await detect("onnx", `${tmp}/tiny.safetensors.onnx`, `${tmp}/cached.json`);
  const want = wasm[0].detections;
  assert(want.length > 10, `detections: ${want.length}`);
  for (const got of [onnx[0].detections, cached[0].detections]) {
    assertEquals(got.length, want.length);
    got.forEach((d, i) => {
      assertEquals(d.name, want[i].name, `detection ${i}`);
      assert(Math.abs(d.score - want[i].score) <= 1e-5, `score ${i}`);
      d.box.forEach((v, k) => assert(Math.abs(v - want[i].box[k]) <= 1e-3, `box ${i}`));
    });
  }
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("eval CLI: --backend onnx gives the wasm backend's numbers", async () => {
  const tmp = await Deno.makeTempDir();
  await setup(tmp);
  const stats = async (backend: string) => {
    const args = ["eval", "--weights", `${tmp}/tiny.safetensors`, "--data", "synthetic:4"];
    const r = await cli([...args, "--backend", backend, "--json", `${tmp}/${backend}.json`]);
    assertEquals(r.code, 0, r.stderr.join("\n"));
    return JSON.parse(await Deno.readTextFile(`${tmp}/${backend}.json`));
  };
  const wasm = await stats("wasm");
  const onnx = await stats("onnx");
  assertEquals(onnx.images, 4);
  (onnx.stats as number[]).forEach((v, i) =>
    assert(Math.abs(v - wasm.stats[i]) <= 1e-6, `stat ${i}`)
  );
  assert(Math.abs(onnx.vocMap50 - wasm.vocMap50) <= 1e-6);
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("detect CLI: --backend onnx without --allow-ffi is one line naming the flag", async () => {
  const tmp = await Deno.makeTempDir();
  await setup(tmp);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `--allow-write=${tmp}`,
      "cli.ts",
      "detect",
      "--backend",
      "onnx",
      "--weights",
      `${tmp}/tiny.safetensors`,
      `${tmp}/img.png`,
    ],
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(stderr).trim().split("\n");
  assertEquals(code, 1, lines.join("\n"));
  assertEquals(lines.length, 1, lines.join("\n"));
  assert(/onnxruntime-node, a native addon: run again with --allow-ffi/.test(lines[0]), lines[0]);
  await Deno.remove(tmp, { recursive: true });
});
