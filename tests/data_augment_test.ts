import { assertEquals } from "../src/std.ts";
import { flipHorizontal, randomHorizontalFlip } from "../src/data/augment.ts";
import { Rng } from "../src/data/rng.ts";
import type { Sample } from "../src/data/types.ts";

function sample(): Sample {
  // 4×2 image whose red channel is the x coordinate.
  const image = new Uint8Array(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) image[(y * 4 + x) * 3] = x;
  return {
    id: "s",
    image,
    width: 4,
    height: 2,
    boxes: new Float32Array([0, 0, 1, 2, 1.5, 0.5, 4, 1]),
    labels: new Int32Array([1, 2]),
    difficult: new Uint8Array([0, 1]),
  };
}

Deno.test("flipHorizontal mirrors pixels and boxes (x → W − x)", () => {
  const f = flipHorizontal(sample());
  assertEquals(Array.from(f.image.filter((_, i) => i % 3 === 0)), [3, 2, 1, 0, 3, 2, 1, 0]);
  assertEquals(Array.from(f.boxes), [3, 0, 4, 2, 0, 0.5, 2.5, 1]);
  assertEquals(Array.from(f.labels), [1, 2]);
  assertEquals(Array.from(f.difficult), [0, 1]);
  const back = flipHorizontal(f);
  assertEquals(back.image, sample().image);
  assertEquals(back.boxes, sample().boxes);
});

Deno.test("randomHorizontalFlip: p=0 never, p=1 always, ~half at 0.5, one draw each", () => {
  const s = sample();
  const rng = new Rng(5);
  assertEquals(randomHorizontalFlip(s, rng, 0), s);
  assertEquals(randomHorizontalFlip(s, rng, 1).boxes[0], 3);
  let flips = 0;
  for (let i = 0; i < 400; i++) if (randomHorizontalFlip(s, rng) !== s) flips++;
  if (flips < 150 || flips > 250) throw new Error(`flipped ${flips}/400`);
  const a = new Rng(9), b = new Rng(9);
  randomHorizontalFlip(s, a, 0);
  b.next();
  assertEquals(a.state, b.state);
});
