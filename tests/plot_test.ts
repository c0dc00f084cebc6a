import { plotLines } from "../src/train/plot.ts";
import { FcosError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects } from "../src/std.ts";
import { decode, Image } from "imagescript";

async function decodePng(png: Uint8Array): Promise<Image> {
  assertEquals([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const img = await decode(png);
  assert(img instanceof Image);
  return img;
}

/** Pixel positions whose colour is within `tol` of `rgb`. */
function find(img: Image, rgb: [number, number, number], tol = 40): [number, number][] {
  const out: [number, number][] = [];
  const b = img.bitmap;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const o = (y * img.width + x) * 4;
      if (
        Math.abs(b[o] - rgb[0]) + Math.abs(b[o + 1] - rgb[1]) + Math.abs(b[o + 2] - rgb[2]) < tol
      ) out.push([x, y]);
    }
  }
  return out;
}

const BLUE: [number, number, number] = [31, 119, 180]; // first series
const ORANGE: [number, number, number] = [255, 127, 14]; // second series

Deno.test("plot: PNG of the requested size with a rising line drawn where expected", async () => {
  const x = Array.from({ length: 50 }, (_, i) => i);
  const png = await plotLines([{ name: "up", x, y: x.map((v) => 2 * v + 1) }], {
    title: "Rising",
    xLabel: "step",
    yLabel: "value",
    width: 400,
    height: 300,
  });
  const img = await decodePng(png);
  assertEquals([img.width, img.height], [400, 300]);
  // Background is white at the corner.
  assertEquals([...img.bitmap.subarray(0, 4)], [255, 255, 255, 255]);
  // The title is rendered (grey text pixels centred in the top band): the font loaded.
  const title = find(img, [102, 102, 102], 150).filter(([x, y]) => y < 30 && x > 150 && x < 250);
  assert(title.length > 20, `only ${title.length} title pixels`);
  // Line pixels exist; the line rises to the right (smaller row at larger column).
  const pts = find(img, BLUE).filter(([, y]) => y > 60); // skip the legend swatch at the top
  assert(pts.length > 100, `only ${pts.length} line pixels`);
  const minX = Math.min(...pts.map(([x]) => x)), maxX = Math.max(...pts.map(([x]) => x));
  const rowAt = (col: number) => {
    const ys = pts.filter(([x]) => Math.abs(x - col) <= 2).map(([, y]) => y);
    return ys.reduce((a, b) => a + b, 0) / ys.length;
  };
  assert(maxX - minX > 200, `line spans only ${minX}…${maxX}`);
  assert(rowAt(minX + 5) > rowAt(maxX - 5) + 100, `${rowAt(minX + 5)} vs ${rowAt(maxX - 5)}`);
});

Deno.test("plot: several series, log axis, gaps for NaN and non-positive values", async () => {
  const x = Array.from({ length: 300 }, (_, i) => i);
  const a = x.map((s) => Math.exp(-s / 100));
  const b = x.map((s) => (s === 150 ? NaN : s < 10 ? 0 : 0.5 * Math.exp(-s / 50)));
  const png = await plotLines([{ name: "a", x, y: a }, { name: "b", x, y: b }], {
    title: "Losses",
    xLabel: "step",
    yLabel: "loss",
    logY: true,
  });
  const img = await decodePng(png);
  assertEquals([img.width, img.height], [900, 500]); // defaults
  assert(find(img, BLUE).length > 100);
  assert(find(img, ORANGE).length > 100);
  // On a log axis exp(-s/100) is a straight line: equal drops over equal steps.
  const pts = find(img, BLUE).filter(([, y]) => y > 70);
  const rowAt = (col: number) => {
    const ys = pts.filter(([x]) => Math.abs(x - col) <= 1).map(([, y]) => y);
    return ys.reduce((s, v) => s + v, 0) / ys.length;
  };
  const xs = pts.map(([x]) => x);
  const x0 = Math.min(...xs) + 10, x2 = Math.max(...xs) - 10, x1 = (x0 + x2) / 2;
  const d1 = rowAt(x1) - rowAt(x0), d2 = rowAt(x2) - rowAt(x1);
  assert(d1 > 20 && Math.abs(d1 - d2) < 0.1 * d1, `log-linear drops ${d1} vs ${d2}`);
});

Deno.test("plot: a single point and all-NaN series still give a picture", async () => {
  const single = await decodePng(
    await plotLines([{ name: "one", x: [3], y: [0.5] }], {
      title: "One",
      xLabel: "x",
      yLabel: "y",
      width: 200,
      height: 150,
    }),
  );
  assert(find(single, BLUE).length > 3);
  const nan = await decodePng(
    await plotLines([{ name: "nan", x: [0, 1], y: [NaN, Infinity] }], {
      title: "NaN",
      xLabel: "x",
      yLabel: "y",
      logY: true,
      width: 200,
      height: 150,
    }),
  );
  assertEquals([nan.width, nan.height], [200, 150]);
});

Deno.test("plot: smoothing draws a steady curve through a zig-zag", async () => {
  const x = Array.from({ length: 400 }, (_, i) => i);
  const y = x.map((i) => (i % 2 ? 3 : 1));
  const opts = { title: "Zig", xLabel: "x", yLabel: "y", width: 400, height: 300 };
  const rowSpread = async (smoothing: number) => {
    const img = await decodePng(await plotLines([{ name: "z", x, y }], { ...opts, smoothing }));
    // Opaque line colour only (the faint raw copy is blended towards white), middle columns.
    const rows = find(img, BLUE, 25).filter(([px, py]) => py > 60 && px > 200 && px < 350)
      .map(([, py]) => py);
    assert(rows.length > 20, `only ${rows.length} line pixels`);
    return Math.max(...rows) - Math.min(...rows);
  };
  const raw = await rowSpread(0), smoothed = await rowSpread(0.95);
  assert(raw > 100, `raw spread ${raw}`);
  assert(smoothed < 15, `smoothed spread ${smoothed}`);
  await assertRejects(() => plotLines([{ name: "z", x, y }], { ...opts, smoothing: 1 }), FcosError);
});

Deno.test("plot: bad input is an FcosError", async () => {
  const opts = { title: "T", xLabel: "x", yLabel: "y" };
  await assertRejects(() => plotLines([], opts), /plotLines 'T': no series/);
  await assertRejects(
    () => plotLines([{ name: "s", x: [1, 2], y: [1] }], opts),
    /series 's' has 2 x and 1 y values/,
  );
  await assertRejects(
    () => plotLines([{ name: "s", x: [1], y: [1] }], { ...opts, width: 10 }),
    FcosError,
  );
});

Deno.test("plot: the bundled Roboto loads without -A", async () => {
  // A fresh process, so the font is loaded here and not by an earlier test. The font file is read
  // from the npm package (--allow-read); the canvas addon needs ffi, env and the home directory.
  const plot = JSON.stringify(new URL("../src/train/plot.ts", import.meta.url).href);
  const script = `import { plotLines } from ${plot};
    const png = await plotLines([{ name: "a", x: [0, 1], y: [1, 2] }],
      { title: "T", xLabel: "x", yLabel: "y", width: 200, height: 150 });
    console.log(png.length > 1000);`;
  const tmp = await Deno.makeTempDir();
  const file = `${tmp}/main.ts`;
  await Deno.writeTextFile(file, script);
  const config = new URL("../deno.json", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-ffi",
      "--allow-env",
      "--allow-sys=homedir",
      `--config=${config}`,
      file,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(tmp, { recursive: true });
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals([out.code, new TextDecoder().decode(out.stdout).trim()], [0, "true"], stderr);
  assert(!stderr.includes("bundled font unavailable"), stderr);
});
