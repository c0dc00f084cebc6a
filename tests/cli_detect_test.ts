/**
 * `cli.ts detect`: with weights exported from torchvision it finds, on the reference image, the
 * boxes torchvision finds; broken inputs are one line each while the other images are processed;
 * a missing permission is one line naming the flag.
 */
import { tf } from "../src/tf.ts";
import { assert, assertEquals } from "../src/std.ts";
import { detectCommand, type DetectRecord } from "../src/cli/detect.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { saveWeights } from "../src/io/weights.ts";
import { readSafetensors } from "../src/io/safetensors.ts";
import { encodeImage, readImage } from "../src/data/image.ts";
import { referenceDir } from "./_reference.ts";
import { captured } from "./_capture.ts";
import { assertSameDetections, referenceDetections } from "./_detections.ts";
import { main } from "../src/cli/main.ts";
import { zipSync } from "fflate";
import { TINY_NET } from "./_models.ts";

const dir = referenceDir("model");
const repo = new URL("..", import.meta.url).pathname;

/** A tiny saved model and a PNG to run it on. */
async function tinySetup(tmp: string) {
  await tf.setBackend("wasm");
  const model = FcosModel.create({
    ...TINY_NET,
    numClasses: 3,
    minSize: 64,
    maxSize: 64,
  });
  await saveWeights(model, `${tmp}/tiny.safetensors`, {
    class_names: JSON.stringify(["a", "b", "c"]),
  });
  model.dispose();
  const data = Uint8Array.from({ length: 48 * 64 * 3 }, (_, i) => (i * 7) % 251);
  await Deno.writeFile(`${tmp}/ok.png`, await encodeImage({ data, width: 64, height: 48 }, "png"));
}

Deno.test({
  name: "detect CLI: torchvision weights give torchvision's detections on its image",
  ignore: dir === null,
  async fn() {
    const tmp = await Deno.makeTempDir();
    const ref = (await readSafetensors(`${dir}/outputs.safetensors`)).tensors;
    const img = ref.get("image_a")!;
    const image = { data: img.data as Uint8Array, height: img.shape[0], width: img.shape[1] };
    await Deno.writeFile(`${tmp}/a.png`, await encodeImage(image, "png"));
    const code = await detectCommand([
      "--weights",
      `${dir}/weights.safetensors`,
      "--min-size",
      "256",
      "--max-size",
      "320",
      "--backend",
      "wasm",
      "--json",
      `${tmp}/det.json`,
      "--out",
      `${tmp}/drawn`,
      `${tmp}/a.png`,
    ]);
    assertEquals(code, 0);
    const [rec]: DetectRecord[] = JSON.parse(await Deno.readTextFile(`${tmp}/det.json`));
    assertEquals([rec.width, rec.height], [image.width, image.height]);
    // torchvision's detections, less its empty boxes (dropped before NMS here).
    const want = referenceDetections(ref, "det_a", true);
    assertSameDetections(
      {
        boxes: Float32Array.from(rec.detections.flatMap((d) => d.box)),
        scores: Float32Array.from(rec.detections.map((d) => d.score)),
        labels: Int32Array.from(rec.detections.map((d) => d.label)),
      },
      want,
      "detect CLI",
      true,
    );
    const drawn = await readImage(`${tmp}/drawn/a.png`);
    assertEquals([drawn.width, drawn.height], [image.width, image.height]);
    let changed = 0;
    for (let i = 0; i < drawn.data.length; i++) if (drawn.data[i] !== image.data[i]) changed++;
    assert(changed > 100, "boxes were drawn onto the image");
    await Deno.remove(tmp, { recursive: true });
  },
});

Deno.test("detect CLI: a missing or broken image is one line; the others are processed", async () => {
  const tmp = await Deno.makeTempDir();
  await tinySetup(tmp);
  await Deno.writeTextFile(`${tmp}/notes.jpg`, "this is not an image");
  const { result: code, lines: errors } = await captured("error", () =>
    detectCommand([
      "--weights",
      `${tmp}/tiny.safetensors`,
      "--backend",
      "wasm",
      "--json",
      `${tmp}/det.json`,
      `${tmp}/missing.png`,
      `${tmp}/notes.jpg`,
      `${tmp}/ok.png`,
    ]));
  assertEquals(code, 1);
  const records: DetectRecord[] = JSON.parse(await Deno.readTextFile(`${tmp}/det.json`));
  assertEquals(records.map((r) => r.file), [`${tmp}/ok.png`]);
  assert(errors.some((e) => e.includes("missing.png")), errors.join("\n"));
  assert(errors.some((e) => e.includes("notes.jpg")), errors.join("\n"));
  assert(!errors.some((e) => /\n\s+at /.test(e)), "no stack trace");
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("detect CLI: a missing --allow-write is one line naming the flag", async () => {
  const tmp = await Deno.makeTempDir();
  await tinySetup(tmp);
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      `${repo}cli.ts`,
      "detect",
      "--weights",
      `${tmp}/tiny.safetensors`,
      "--backend",
      "wasm",
      "--out",
      `${tmp}/drawn`,
      `${tmp}/ok.png`,
    ],
    cwd: repo,
  }).output();
  const text = new TextDecoder().decode(stderr).trim();
  assertEquals(code, 1, text);
  assert(text.includes("--allow-write"), text);
  assert(!/\n\s+at /.test(text), `no stack trace:\n${text}`);
  await Deno.remove(tmp, { recursive: true });
});

const pth = referenceDir("pth");

Deno.test({
  name: "detect CLI: --weights model.pth gives the detections of the same weights in safetensors",
  ignore: pth === null,
  async fn() {
    const tmp = await Deno.makeTempDir();
    await tf.setBackend("wasm");
    const data = Uint8Array.from({ length: 96 * 128 * 3 }, (_, i) => (i * 13 + (i >> 7)) % 253);
    await Deno.writeFile(
      `${tmp}/x.png`,
      await encodeImage({ data, width: 128, height: 96 }, "png"),
    );
    const run = async (weights: string) => {
      const code = await detectCommand([
        "--weights",
        weights,
        "--min-size",
        "96",
        "--max-size",
        "128",
        "--backend",
        "wasm",
        "--json",
        `${tmp}/det.json`,
        `${tmp}/x.png`,
      ]);
      assertEquals(code, 0);
      const [rec]: DetectRecord[] = JSON.parse(await Deno.readTextFile(`${tmp}/det.json`));
      return rec.detections;
    };
    const fromPth = await run(`${pth}/fcos.pth`);
    const fromSafetensors = await run(`${pth}/fcos.safetensors`);
    assert(fromPth.length > 5, `detections found: ${fromPth.length}`);
    assertEquals(fromPth, fromSafetensors);
    await Deno.remove(tmp, { recursive: true });
  },
});

Deno.test("detect CLI: --weights broken.pth is one line naming the file, exit 1", async () => {
  const tmp = await Deno.makeTempDir();
  await tinySetup(tmp);
  // The first half of a torch.save-like zip archive.
  const zip = zipSync({
    "archive/data.pkl": new Uint8Array(64),
    "archive/data/0": new Uint8Array(400),
  }, {
    level: 0,
  });
  await Deno.writeFile(`${tmp}/broken.pth`, zip.subarray(0, zip.length >> 1));
  const { result: code, lines } = await captured(
    "error",
    () => main(["detect", "--weights", `${tmp}/broken.pth`, "--backend", "wasm", `${tmp}/ok.png`]),
  );
  assertEquals(code, 1);
  const errors = lines.filter((l) => l.startsWith("error:"));
  assertEquals(errors.length, 1, lines.join("\n"));
  assert(errors[0].includes(`${tmp}/broken.pth: truncated or corrupt zip archive`), errors[0]);
  assert(!lines.some((l) => l.includes("\n")), `one line each:\n${lines.join("\n")}`);
  await Deno.remove(tmp, { recursive: true });
});
