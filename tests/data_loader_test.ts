import { FcosError } from "../src/errors.ts";
import { assert, assertEquals, assertRejects } from "../src/std.ts";
import { BatchLoader } from "../src/data/loader.ts";
import { SyntheticDataset } from "../src/data/synthetic.ts";
import type { DetectionDataset, Sample, SkippedEntry } from "../src/data/types.ts";

/** A fake data set: sample i is a 4×2 image; `broken` indices throw FcosError in get(). */
class Fake implements DetectionDataset {
  readonly name = "fake";
  readonly classNames = ["a"];
  readonly skipped: SkippedEntry[] = [];
  inFlight = 0;
  maxInFlight = 0;
  calls: number[] = [];
  constructor(readonly length: number, readonly broken = new Set<number>()) {}
  async get(index: number): Promise<Sample> {
    this.calls.push(index);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, 1));
    this.inFlight--;
    if (this.broken.has(index)) {
      this.skipped.push({ file: `img${index}`, reason: "broken" });
      throw new FcosError(`img${index}: broken`);
    }
    return {
      id: String(index),
      image: new Uint8Array(4 * 2 * 3).fill(index),
      width: 4,
      height: 2,
      boxes: new Float32Array([0, 0, 1, 1]),
      labels: new Int32Array([0]),
      difficult: new Uint8Array(1),
    };
  }
}

async function collect(it: AsyncGenerator<{ indices: number[]; step: number; epoch: number }>) {
  const out = [];
  for await (const b of it) out.push({ indices: b.indices, step: b.step, epoch: b.epoch });
  return out;
}

Deno.test("BatchLoader: epoch without shuffle visits everything in order, last batch short", async () => {
  const l = new BatchLoader(new Fake(10), { batchSize: 4, shuffle: false });
  assertEquals(l.batchesPerEpoch, 3);
  assertEquals((await collect(l.epoch(0))).map((b) => b.indices), [[0, 1, 2, 3], [4, 5, 6, 7], [
    8,
    9,
  ]]);
});

Deno.test("BatchLoader: shuffled epochs are permutations, differ per epoch, drop the remainder", async () => {
  const l = new BatchLoader(new Fake(10), { batchSize: 4, seed: 3 });
  assertEquals(l.batchesPerEpoch, 2);
  const b = await collect(l.batches({ count: 6 }));
  assertEquals(b.map((x) => x.epoch), [0, 0, 1, 1, 2, 2]);
  const e0 = l.order(0), e1 = l.order(1);
  assertEquals([...e0].sort((x, y) => x - y), Array.from({ length: 10 }, (_, i) => i));
  assert(e0.join() !== e1.join());
  assertEquals(b[0].indices, e0.slice(0, 4));
  assertEquals(b[3].indices, e1.slice(4, 8));
});

Deno.test("BatchLoader: same seed → same batches; resuming at step s equals running on", async () => {
  const mk = () =>
    new BatchLoader(new SyntheticDataset({ length: 12 }), {
      batchSize: 3,
      seed: 11,
      flipProbability: 0.5,
    });
  const full = [];
  for await (const b of mk().batches({ count: 7 })) full.push(b);
  const resumed = [];
  for await (const b of mk().batches({ start: 4, count: 3 })) resumed.push(b);
  assertEquals(resumed.map((b) => b.step), [4, 5, 6]);
  for (let k = 0; k < 3; k++) {
    assertEquals(resumed[k].indices, full[4 + k].indices);
    assertEquals(resumed[k].samples.map((s) => s.boxes), full[4 + k].samples.map((s) => s.boxes));
    assertEquals(resumed[k].samples[0].image, full[4 + k].samples[0].image);
  }
  // Flips happened: some sample differs from the raw image.
  const ds = new SyntheticDataset({ length: 12 });
  let flipped = 0;
  for (const b of full) {
    for (let k = 0; k < b.samples.length; k++) {
      const raw = await ds.get(b.indices[k]);
      if (raw.boxes.join() !== b.samples[k].boxes.join()) flipped++;
    }
  }
  assert(flipped > 3 && flipped < 18, `flipped ${flipped}/21`);
});

Deno.test("BatchLoader: prefetches the next batch while the caller works", async () => {
  const ds = new Fake(16);
  const l = new BatchLoader(ds, { batchSize: 4, shuffle: false, prefetch: 1 });
  const it = l.batches();
  await it.next(); // batch 0 delivered; batch 1 must already be loading
  assertEquals(ds.calls.length, 8);
  await new Promise((r) => setTimeout(r, 20)); // "compute"
  assertEquals(ds.inFlight, 0); // ...and done by now
  await it.next();
  assertEquals(ds.calls.length, 12);
  const none = new Fake(16);
  const l0 = new BatchLoader(none, { batchSize: 4, shuffle: false, prefetch: 0 });
  await l0.batches().next();
  assertEquals(none.calls.length, 4);
  assertEquals(ds.maxInFlight >= 4, true); // a batch's images load concurrently
});

Deno.test("BatchLoader: broken images skipped (short batch); strict rethrows; all broken fails", async () => {
  const ds = new Fake(6, new Set([1, 4]));
  const b = await collect(new BatchLoader(ds, { batchSize: 3, shuffle: false }).epoch());
  assertEquals(b.map((x) => x.indices), [[0, 2], [3, 5]]);
  assertEquals(ds.skipped.length, 2);
  await assertRejects(
    () => collect(new BatchLoader(ds, { batchSize: 3, shuffle: false, strict: true }).epoch()),
    /img1: broken/,
  );
  const dead = new Fake(4, new Set([0, 1, 2, 3]));
  await assertRejects(
    () => collect(new BatchLoader(dead, { batchSize: 2 }).batches({ count: 100 })),
    /fake: no image of a whole epoch could be loaded/,
  );
});

Deno.test("BatchLoader: bad batch size is an FcosError", () => {
  let err: unknown;
  try {
    new BatchLoader(new Fake(3), { batchSize: 0 });
  } catch (e) {
    err = e;
  }
  assert(err instanceof FcosError);
});
