import { tf } from "../src/tf.ts";
import { SAME_NAME_OPS } from "../src/backend/chained_ops.ts";
import { assertEquals, assertThrows } from "../src/std.ts";

/** The method names tfjs-core's `dist/public/chained_ops/*.d.ts` add to `Tensor`. */
async function declaredMethods(): Promise<string[]> {
  const dir = new URL(
    "dist/public/chained_ops/",
    import.meta.resolve("@tensorflow/tfjs-core/package.json"),
  );
  const names = new Set<string>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".d.ts") || entry.name.includes("test")) continue;
    const text = await Deno.readTextFile(new URL(entry.name, dir));
    for (const m of text.matchAll(/^ {8}(\w+)(?=[<(])/gm)) names.add(m[1]);
  }
  return [...names].sort();
}

Deno.test("chained ops: every method tfjs-core declares is installed", async () => {
  const declared = await declaredMethods();
  assertEquals(declared.length, 137);
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const missing = declared.filter((name) => typeof proto[name] !== "function");
  assertEquals(missing, []);
  // The pass-through methods call a tfjs op of the same name.
  const ops = tf as unknown as Record<string, unknown>;
  assertEquals(SAME_NAME_OPS.filter((name) => typeof ops[name] !== "function"), []);
});

Deno.test("chained ops: methods give the ops' results", async () => {
  await tf.setBackend("cpu");
  const x = tf.tensor([1, -2, 3, -4]);
  const y = tf.tensor([4, 3, 2, 1]);
  assertEquals(await x.reshape([2, 2]).array(), [[1, -2], [3, -4]]);
  assertEquals(await x.mul(y).sub(1).neg().data(), Float32Array.from([-3, 7, -5, 5]));
  assertEquals(await x.add(y).div(4).sum().data(), Float32Array.from([2]));
  assertEquals(x.toInt().dtype, "int32");
  assertEquals(x.toInt().toFloat().dtype, "float32");
  assertEquals(await x.concat(y).data(), Float32Array.from([1, -2, 3, -4, 4, 3, 2, 1]));
  assertEquals(await x.stack([y], 1).array(), [[1, 4], [-2, 3], [3, 2], [-4, 1]]);
  assertEquals(await x.where(x.greater(0), y).data(), Float32Array.from([1, 3, 3, 1]));
  assertEquals(await x.as2D(4, 1).reshapeAs(y).data(), await x.data());
  assertEquals((await tf.scalar(7).reshape([1]).asScalar().data())[0], 7);
  assertThrows(() => x.asScalar(), /only 1 element/);
  const image = tf.ones([1, 2, 2, 1]);
  assertEquals(image.resizeBilinear([4, 4]).shape, [1, 4, 4, 1]);
  assertEquals(image.resizeNearestNeighbor([3, 3]).shape, [1, 3, 3, 1]);
  tf.dispose([x, y, image]);
});

Deno.test("chained ops: a disposed tensor throws", () => {
  const x = tf.tensor([1, 2]);
  x.dispose();
  assertThrows(() => x.mul(2), /disposed/);
});
