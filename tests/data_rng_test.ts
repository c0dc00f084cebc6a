import { assert, assertEquals, assertThrows } from "../src/std.ts";
import { hashSeed, Rng } from "../src/data/rng.ts";

Deno.test("Rng: deterministic per seed, different across seeds", () => {
  const a = Array.from({ length: 5 }, ((r) => () => r.nextUint32())(new Rng(1)));
  const b = Array.from({ length: 5 }, ((r) => () => r.nextUint32())(new Rng(1)));
  const c = Array.from({ length: 5 }, ((r) => () => r.nextUint32())(new Rng(2)));
  assertEquals(a, b);
  assert(a.some((v, i) => v !== c[i]));
  assert(hashSeed(1, 2) !== hashSeed(2, 1));
  assert(hashSeed(2 ** 32) !== hashSeed(0));
});

Deno.test("Rng: state save/restore continues the same stream (checkpointing)", () => {
  const r = new Rng(123);
  for (let i = 0; i < 10; i++) r.next();
  const saved = JSON.parse(JSON.stringify(r.state));
  const expected = [r.next(), r.int(100), r.normal()];
  const q = new Rng(0);
  q.setState(saved);
  assertEquals([q.next(), q.int(100), q.normal()], expected);
  const c = r.clone();
  assertEquals(c.next(), r.next());
  assertThrows(() => q.setState([1, 2, 3]), RangeError);
});

Deno.test("Rng: ranges and rough uniformity; shuffle is a permutation", () => {
  const r = new Rng(7);
  let sum = 0;
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 10000; i++) {
    const x = r.next();
    assert(x >= 0 && x < 1);
    sum += x;
    counts[r.int(10)]++;
  }
  assert(Math.abs(sum / 10000 - 0.5) < 0.02, `mean ${sum / 10000}`);
  assert(counts.every((n) => n > 900 && n < 1100), String(counts));
  const p = r.shuffle(Array.from({ length: 50 }, (_, i) => i));
  assertEquals([...p].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
});
