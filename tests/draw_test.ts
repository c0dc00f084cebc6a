import { classColor, drawDetections, encodeRgb, renderDetections } from "../src/io/draw.ts";
import { drawText, measureText } from "../src/io/font.ts";
import { FcosError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "../src/std.ts";
import { decode, Image } from "imagescript";

function gray(width: number, height: number, v = 128) {
  return { data: new Uint8Array(width * height * 3).fill(v), width, height };
}
function px(img: { data: Uint8Array; width: number }, x: number, y: number): number[] {
  const o = (y * img.width + x) * 3;
  return [img.data[o], img.data[o + 1], img.data[o + 2]];
}
const one = (box: number[], score = 0.87, label = 1) => ({
  boxes: new Float32Array(box),
  scores: new Float32Array([score]),
  labels: new Int32Array([label]),
});

Deno.test("draw: box outline in the class colour, label above, input untouched", () => {
  const img = gray(200, 150);
  const out = renderDetections(img, one([40, 60, 160, 140]), ["cat", "dog"], { lineWidth: 3 });
  const c = classColor(1);
  assertEquals(px(out, 100, 60), c); // top edge
  assertEquals(px(out, 100, 62), c); // 3 px thick, inside the box
  assertEquals(px(out, 100, 63), [128, 128, 128]); // interior unchanged
  assertEquals(px(out, 40, 100), c); // left edge
  assertEquals(px(out, 159, 100), c); // right edge (x2 exclusive)
  assertEquals(px(out, 100, 139), c); // bottom edge
  assertEquals(px(out, 161, 100), [128, 128, 128]);
  // The label "dog 0.87" sits in a colour-filled band just above the box, with text pixels.
  const { width: tw, height: th } = measureText("dog 0.87");
  let band = 0, text = 0;
  for (let y = 60 - th - 1; y < 60; y++) {
    for (let x = 40; x < 40 + tw + 2; x++) {
      const p = px(out, x, y);
      if (p.join() === c.join()) band++;
      else if (p.join() !== "128,128,128") text++;
    }
  }
  assert(band > 0 && text > 20, `band ${band}, text ${text}`);
  assertEquals(px(img, 100, 60), [128, 128, 128]); // the input image is not modified
});

Deno.test("draw: boxes outside the image are clamped, label kept inside", () => {
  const img = gray(100, 80);
  const out = renderDetections(img, one([-20, -10, 150, 200], 0.5, 0), ["person"], {
    lineWidth: 2,
  });
  const c = classColor(0);
  assertEquals(px(out, 99, 40), c); // right edge clamped to the last column
  assertEquals(px(out, 50, 79), c); // bottom edge clamped to the last row
  assertEquals(px(out, 0, 40), c);
  // Non-finite boxes are skipped; unknown labels are named "class N".
  const none = renderDetections(img, one([NaN, 0, 10, 10], 0.5, 0), [], {});
  assertEquals(none.data, img.data);
  const unnamed = renderDetections(img, one([10, 30, 60, 70], 0.5, 7), [], {});
  assert(!unnamed.data.every((v, i) => v === img.data[i]));
});

Deno.test("draw: text rendering blends glyphs and clips", () => {
  const img = gray(40, 20, 255);
  drawText(img, "A", 0, 0, [0, 0, 0]);
  const dark = img.data.filter((v) => v < 128).length;
  assert(dark > 10, `only ${dark} dark bytes`);
  const big = gray(40, 40, 255);
  drawText(big, "A", 0, 0, [0, 0, 0], 2);
  assert(big.data.filter((v) => v < 128).length >= 3 * dark);
  const clipped = gray(10, 10, 255);
  drawText(clipped, "clipped text", -5, -5, [0, 0, 0]); // must not throw or write outside
  assertEquals(clipped.data.length, 300);
  assertEquals(measureText("ab", 3), { width: 48, height: 45 });
});

Deno.test("draw: drawDetections encodes a PNG (or JPEG) that decodes to the drawn pixels", async () => {
  const img = gray(64, 48);
  const det = one([8, 20, 40, 44], 0.9, 2);
  const png = await drawDetections(img, det, ["a", "b", "c"]);
  assertEquals([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const back = await decode(png);
  assert(back instanceof Image);
  assertEquals([back.width, back.height], [64, 48]);
  const expected = renderDetections(img, det, ["a", "b", "c"]);
  const c = px(expected, 20, 20);
  assertEquals(c, classColor(2));
  const o = (20 * 64 + 20) * 4; // RGBA
  assertEquals([...back.bitmap.subarray(o, o + 3)], c);
  // Every pixel of the PNG equals the drawn RGB image (lossless).
  for (let i = 0; i < 64 * 48; i++) {
    for (let ch = 0; ch < 3; ch++) assertEquals(back.bitmap[4 * i + ch], expected.data[3 * i + ch]);
  }
  const jpg = await drawDetections(img, det, ["a", "b", "c"], { format: "jpeg", jpegQuality: 80 });
  assertEquals([...jpg.subarray(0, 2)], [0xff, 0xd8]);
  await assertRejects(() => encodeRgb(img, "gif" as "png"), FcosError);
});

Deno.test("draw: bad inputs are FcosErrors", () => {
  assertThrows(
    () => renderDetections({ data: new Uint8Array(5), width: 2, height: 2 }, one([0, 0, 1, 1]), []),
    /expected 2×2×3 = 12/,
  );
  assertThrows(() => renderDetections(gray(0, 2), one([0, 0, 1, 1]), []), FcosError);
  assertThrows(
    () =>
      renderDetections(gray(4, 4), {
        boxes: new Float32Array(8),
        scores: new Float32Array(1),
        labels: new Int32Array(1),
      }, []),
    /2 boxes, 1 scores and 1 labels differ/,
  );
});
