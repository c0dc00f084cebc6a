/**
 * The vendored tfjs-core registrations (src/vendor/tfjs_registrations.js and its .d.ts): the
 * committed files are exactly what scripts/vendor_tfjs_registrations.ts makes from the pinned
 * tfjs-core and esbuild, and, in a fresh process that imports only src/tf.ts, every gradient and
 * chained tensor method of tfjs-core 4.22 is installed on the one real tfjs-core instance and
 * works through its engine.
 */
import { deno, ROOT } from "./_deno.ts";
import { assert, assertEquals, path } from "../src/std.ts";

const VENDORED = path.join(ROOT, "src/vendor/tfjs_registrations.js");
const CORE_DIST = path.join(ROOT, "node_modules/@tensorflow/tfjs-core/dist");

/** All matches of `re`'s first group in the non-test `.js` files of `dir` (under tfjs-core's dist). */
async function namesIn(dir: string, re: RegExp): Promise<string[]> {
  const names = new Set<string>();
  for await (const entry of Deno.readDir(path.join(CORE_DIST, dir))) {
    if (!entry.name.endsWith(".js") || entry.name.endsWith("_test.js")) continue;
    const text = await Deno.readTextFile(path.join(CORE_DIST, dir, entry.name));
    for (const m of text.matchAll(re)) names.add(m[1]);
  }
  return [...names].sort();
}

Deno.test("vendor: the committed bundle is what the script makes from the pinned versions", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = path.join(dir, "tfjs_registrations.js");
    const { code, stderr } = await deno(["run", "-A", "scripts/vendor_tfjs_registrations.ts", out]);
    assertEquals(code, 0, stderr);
    for (const ext of [".js", ".d.ts"]) {
      const made = await Deno.readFile(out.replace(/\.js$/, ext));
      const committed = await Deno.readFile(VENDORED.replace(/\.js$/, ext));
      assert(
        made.length === committed.length && made.every((b, i) => b === committed[i]),
        `src/vendor/tfjs_registrations${ext} differs from a fresh run of the script ` +
          `(${committed.length} vs ${made.length} bytes): rerun it and commit the result`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// Runs in a fresh process so that nothing but src/tf.ts has loaded tfjs.
const PROBE = `
import { tf } from "${new URL("../src/tf.ts", import.meta.url).href}";
import { initBackend } from "${new URL("../src/backend/select.ts", import.meta.url).href}";
await initBackend({ backend: "cpu", log: () => {} });
const [kernels, methods] = JSON.parse(Deno.args[0]);
const before = tf.memory().numTensors;
const product = tf.tensor([1, 2]).mul(3); // a chained method, run by the real engine
const tracked = tf.memory().numTensors - before; // the input and the product
// d/dx sum(conv2d(x, ones 2×2)): how many 2×2 windows cover each pixel of the 3×3 image.
const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
const w = tf.ones([2, 2, 1, 1]);
const convGrad = tf.grad((v) => tf.sum(tf.conv2d(v, w, 1, "valid")))(x);
const sumGrad = tf.grad((v) => v.square().sum())(tf.tensor([1, -2, 3]));
console.log(JSON.stringify({
  missingGradients: kernels.filter((k) => tf.getGradient(tf[k]) === undefined),
  missingMethods: methods.filter((m) => typeof tf.Tensor.prototype[m] !== "function"),
  isTensor: product instanceof tf.Tensor,
  product: Array.from(await product.data()),
  tracked,
  convGrad: Array.from(await convGrad.data()),
  sumGrad: Array.from(await sumGrad.data()),
}));
`;

Deno.test("vendor: importing only src/tf.ts installs all of tfjs-core's gradients and chained methods", async () => {
  // What tfjs-core 4.22 defines: a kernel name per gradient file, a method per chained-op file.
  const kernels = await namesIn("gradients", /kernelName: (\w+)/g);
  const methods = await namesIn("public/chained_ops", /prototype\.(\w+) = /g);
  assert(kernels.length > 100 && methods.length > 120, `${kernels.length}, ${methods.length}`);
  const dir = await Deno.makeTempDir();
  try {
    const probe = path.join(dir, "probe.ts");
    await Deno.writeTextFile(probe, PROBE);
    const { code, stdout, stderr } = await deno([
      "run",
      "-A",
      "--quiet",
      `--config=${path.join(ROOT, "deno.json")}`,
      probe,
      JSON.stringify([kernels, methods]),
    ]);
    assertEquals(code, 0, stderr);
    assertEquals(stderr, "", "importing src/tf.ts printed warnings");
    const seen = JSON.parse(stdout);
    assertEquals(seen.missingGradients, []);
    assertEquals(seen.missingMethods, []);
    assert(seen.isTensor);
    assertEquals(seen.product, [3, 6]);
    assertEquals(seen.tracked, 2);
    assertEquals(seen.convGrad, [1, 2, 1, 2, 4, 2, 1, 2, 1]);
    assertEquals(seen.sumGrad, [2, -4, 6]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
