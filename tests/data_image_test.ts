import { FcosError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../src/std.ts";
import { decodeImage, encodeImage, readImage, resizeRgb, resizeSample } from "../src/data/image.ts";
import { gradient } from "./_data.ts";

Deno.test("PNG round-trips exactly, JPEG closely; alpha dropped to RGB", async () => {
  const data = gradient(17, 9);
  const png = await decodeImage(await encodeImage({ data, width: 17, height: 9 }, "png"));
  assertEquals([png.width, png.height], [17, 9]);
  assertEquals(png.data, data);
  const jpg = await decodeImage(await encodeImage({ data, width: 17, height: 9 }, "jpg", 95));
  let err = 0;
  for (let i = 0; i < data.length; i++) err += Math.abs(jpg.data[i] - data[i]);
  assert(err / data.length < 6, `mean JPEG error ${err / data.length}`);
});

Deno.test("decodeImage: truncated JPEG/PNG, text, tiny input → FcosError naming the file", async () => {
  const data = gradient(16, 16);
  const jpg = await encodeImage({ data, width: 16, height: 16 }, "jpg");
  const png = await encodeImage({ data, width: 16, height: 16 }, "png");
  const cases: [Uint8Array, RegExp][] = [
    [jpg.subarray(0, jpg.length - 40), /cut\.img: cannot decode image/],
    [jpg.subarray(0, 30), /cut\.img: cannot decode image/],
    [png.subarray(0, png.length >> 1), /cut\.img: cannot decode image/],
    [new TextEncoder().encode("<html>not an image</html>"), /cut\.img: cannot decode image/],
    [new Uint8Array([0xff, 0xd8]), /cut\.img: not an image \(only 2 bytes\)/],
  ];
  for (const [bytes, re] of cases) {
    const e = await decodeImage(bytes, "cut.img").catch((x) => x);
    assert(e instanceof FcosError, String(e));
    assert(re.test(e.message), e.message);
  }
});

Deno.test("readImage: missing file → FcosError naming it", async () => {
  await assertRejects(() => readImage("/nonexistent/x.jpg"), /\/nonexistent\/x\.jpg: .*not found/);
});

Deno.test("resizeRgb: constant stays constant; 2× upsample matches torch bilinear", () => {
  const c = resizeRgb(new Uint8Array(5 * 3 * 3).fill(77), 5, 3, 8, 11);
  assert(c.every((v) => v === 77));
  // 1-channel view via R: row [0, 100] → align_corners=False 4-wide: [0, 25, 75, 100].
  const src = new Uint8Array([0, 0, 0, 100, 100, 100]);
  const up = resizeRgb(src, 2, 1, 4, 1);
  assertEquals(Array.from(up.filter((_, i) => i % 3 === 0)), [0, 25, 75, 100]);
});

Deno.test("resizeSample scales boxes and keeps labels", () => {
  const s = {
    id: "a",
    image: gradient(20, 10),
    width: 20,
    height: 10,
    boxes: new Float32Array([2, 1, 10, 9]),
    labels: new Int32Array([3]),
    difficult: new Uint8Array([1]),
  };
  const r = resizeSample(s, 40, 5);
  assertEquals([r.width, r.height, r.image.length], [40, 5, 40 * 5 * 3]);
  assertEquals(Array.from(r.boxes), [4, 0.5, 20, 4.5]);
  assertEquals(Array.from(r.labels), [3]);
  assertEquals(Array.from(s.boxes), [2, 1, 10, 9]); // input untouched
  assertThrows(() => resizeSample(s, 0, 5), FcosError);
});

Deno.test("decoding needs only read access (no --allow-ffi / --allow-env)", async () => {
  const tmp = await Deno.makeTempDir();
  const data = gradient(16, 8);
  await Deno.writeFile(`${tmp}/a.jpg`, await encodeImage({ data, width: 16, height: 8 }, "jpg"));
  await Deno.writeFile(`${tmp}/a.png`, await encodeImage({ data, width: 16, height: 8 }, "png"));
  const image = new URL("../src/data/image.ts", import.meta.url).href;
  const script = `import { readImage, encodeImage } from "${image}";
    const a = await readImage("${tmp}/a.jpg"), b = await readImage("${tmp}/a.png");
    await encodeImage(b, "png");
    console.log(a.width, a.height, b.width, b.height);`;
  await Deno.writeTextFile(`${tmp}/run.ts`, script);
  const config = new URL("../deno.json", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", `--allow-read=${tmp}`, "--config", config, `${tmp}/run.ts`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assert(out.success, new TextDecoder().decode(out.stderr));
  assertEquals(text, "16 8 16 8");
  await Deno.remove(tmp, { recursive: true });
});
