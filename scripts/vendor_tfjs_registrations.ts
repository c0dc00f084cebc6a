/**
 * Regenerates `src/vendor/tfjs_registrations.js`: tfjs-core's gradient registrations
 * (`dist/register_all_gradients.js`) and chained tensor methods
 * (`dist/public/chained_ops/register_all_chained_ops.js`: `x.mul(y)`, `x.reshape(…)`) bundled
 * into one ES module with esbuild.
 *
 * Why: tfjs-core's npm bundles (`tf-core.node.js`, `tf-core.esm.js`) register neither, and its
 * per-file ES modules that do cannot be loaded by Deno (their imports have no file extension).
 * The `@tensorflow/tfjs` umbrella package registers both but drags in layers, converter, data,
 * the webgl backend and core-js.
 *
 * Only the gradient and chained-op files are bundled. Every other tfjs-core module they import
 * (ops, kernel names, utilities, the engine) is replaced by a small module that takes the same
 * values from the public `@tensorflow/tfjs-core` API, so the bundle holds no second copy of
 * tfjs's engine, registries or Tensor class. Which public value stands for which internal export
 * is not guessed: it is found by bundling tfjs-core's own index together with those internal
 * modules and keeping a public path only where it is the identical object (`===`); the script
 * fails if any imported internal export has none.
 *
 * Usage: deno run -A scripts/vendor_tfjs_registrations.ts [out.js]
 * (default out: src/vendor/tfjs_registrations.js). tests/vendor_test.ts checks that the committed
 * file is what this script makes from the pinned versions.
 */
import * as esbuild from "esbuild-wasm";

const ENTRIES = ["register_all_gradients.js", "public/chained_ops/register_all_chained_ops.js"];
/** Folders (under `dist/`) whose files are bundled; everything else comes from the public API. */
const BUNDLED = /^(gradients|public\/chained_ops)\/|^register_all_gradients\.js$/;
/** Internal exports that the public API offers only through a call, with the check of each. */
const SPECIAL: Record<string, { expr: string; same: string }> = {
  // engine.js's `ENGINE` is the global engine, which `tf.engine()` returns.
  ENGINE: { expr: "tf.engine()", same: "core.engine() === m.ENGINE" },
  // tensor.js's `getGlobalTensorClass()` returns the global Tensor class, i.e. `tf.Tensor`.
  getGlobalTensorClass: {
    expr: "() => tf.Tensor",
    same: "core.Tensor === m.getGlobalTensorClass()",
  },
};

/** tfjs-core modules holding its state (engine, registries, Tensor class, flags, globals). */
const STATEFUL = [
  "engine.js",
  "environment.js",
  "flags.js",
  "global_util.js",
  "globals.js",
  "kernel_registry.js",
  "tensor.js",
];

const root = new URL("../", import.meta.url);
const out = Deno.args[0] ?? new URL("src/vendor/tfjs_registrations.js", root).pathname;

/** The installed tfjs-core's `dist/` folder, after checking it is the version deno.json pins. */
async function coreDist(): Promise<{ dist: string; version: string }> {
  const pin = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))).imports[
    "@tensorflow/tfjs-core"
  ] as string;
  const dir = await Deno.realPath(new URL("node_modules/@tensorflow/tfjs-core/", root));
  const { version } = JSON.parse(await Deno.readTextFile(`${dir}/package.json`));
  if (pin !== `npm:@tensorflow/tfjs-core@${version}`) {
    throw new Error(`node_modules has tfjs-core ${version}, deno.json pins ${pin}`);
  }
  return { dist: `${dir}/dist`, version };
}

/** `dist`-relative path of an import made from a file in `dist`, with the `.js` extension. */
function target(dist: string, importer: string, spec: string): string {
  const abs = new URL(spec, `file://${importer}`).pathname;
  const rel = abs.slice(dist.length + 1);
  return rel.endsWith(".js") ? rel : `${rel}.js`;
}

/** Is this dist-relative module bundled (rather than replaced by its public values)? */
function isBundled(rel: string, extra: Set<string>): boolean {
  return BUNDLED.test(rel) || extra.has(rel);
}

/** Step 1: the internal modules that the bundled files import (dist-relative paths). */
async function internalImports(dist: string, extra: Set<string>): Promise<string[]> {
  const found = new Set<string>();
  await esbuild.build({
    entryPoints: ENTRIES.map((e) => `${dist}/${e}`),
    bundle: true,
    write: false,
    outdir: "unused",
    format: "esm",
    logLevel: "warning",
    plugins: [{
      name: "collect",
      setup(build) {
        build.onResolve({ filter: /^\./ }, (args) => {
          const rel = target(dist, args.importer, args.path);
          if (isBundled(rel, extra)) return { path: `${dist}/${rel}` };
          found.add(rel);
          return { path: rel, external: true };
        });
      },
    }],
  });
  return [...found].sort();
}

/**
 * Step 2: for each export of each internal module, the public expression that is the identical
 * value. Found by running tfjs-core's index bundled together with those modules.
 */
async function publicPaths(
  dist: string,
  modules: string[],
): Promise<Record<string, Record<string, string>>> {
  const harness = `
import * as core from "./index.js";
${modules.map((m, i) => `import * as m${i} from "./${m}";`).join("\n")}
const modules = { ${modules.map((m, i) => `"${m}": m${i}`).join(", ")} };
const special = { ${
    Object.entries(SPECIAL).map(([k, s]) => `${k}: (core, m) => ${s.same}`).join(", ")
  } };
// Module namespaces (backend_util, util, …): plain objects, not instances such as ENV.
const namespaces = Object.keys(core).filter((k) =>
  typeof core[k] === "object" && core[k] !== null &&
  Object.getPrototypeOf(core[k]) === Object.prototype
).sort();
const paths = {};
for (const [name, m] of Object.entries(modules)) {
  paths[name] = {};
  for (const key of Object.keys(m).sort()) {
    if (key in core && core[key] === m[key]) paths[name][key] = "tf." + key;
    else if (key in special) paths[name][key] = special[key](core, m) ? "special" : null;
    else {
      const ns = namespaces.find((n) => key in core[n] && core[n][key] === m[key]);
      paths[name][key] = ns ? "tf." + ns + "." + key : null;
    }
  }
}
console.log(JSON.stringify(paths));`;
  const { outputFiles } = await esbuild.build({
    stdin: { contents: harness, resolveDir: dist, sourcefile: "harness.js", loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    // Run it as a platform-less script: tfjs's Node platform would \`require\` Node modules.
    external: ["node-fetch", "util", "crypto"],
    define: { process: "undefined" },
    logLevel: "error",
  });
  // A fresh process each time: tfjs's globals must hold this copy's engine and Tensor class.
  const file = await Deno.makeTempFile({ suffix: ".js" });
  try {
    await Deno.writeTextFile(file, outputFiles[0].text);
    const { code, stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-config", "--no-lock", `--allow-read=${file}`, file],
      stderr: "inherit",
    }).output();
    if (code !== 0) throw new Error("the tfjs-core harness failed");
    return JSON.parse(new TextDecoder().decode(stdout));
  } finally {
    await Deno.remove(file);
  }
}

type PublicPaths = Record<string, Record<string, string | null>>;

/**
 * Steps 1 and 2, repeated until nothing changes: an internal module some of whose exports have
 * no public equal (e.g. the `avgPoolGrad` op) is bundled too, and its own imports are then looked
 * at. The modules that hold tfjs's state are never bundled: an import of one of their private
 * exports fails the build ("No matching export").
 */
async function resolveModules(dist: string): Promise<{ extra: Set<string>; paths: PublicPaths }> {
  const extra = new Set<string>();
  for (;;) {
    const modules = await internalImports(dist, extra);
    const paths = await publicPaths(dist, modules);
    const incomplete = modules.filter((m) =>
      !STATEFUL.includes(m) && Object.values(paths[m]).some((p) => p === null)
    );
    if (incomplete.length === 0) return { extra, paths };
    for (const m of incomplete) extra.add(m);
  }
}

/** The module that stands for one internal module: its exports taken from the public API. */
function proxy(exports: Record<string, string | null>): string {
  const lines = Object.entries(exports).filter(([, expr]) => expr !== null).map(([key, expr]) =>
    `export const ${key} = ${expr === "special" ? SPECIAL[key].expr : expr};`
  );
  return `import * as tf from "@tensorflow/tfjs-core";\n${lines.join("\n")}\n`;
}

function header(version: string): string {
  return `/**
 * @license
 * GENERATED FILE, do not edit. Regenerate with:
 *   deno run -A scripts/vendor_tfjs_registrations.ts
 *
 * The gradient registrations and chained tensor methods of @tensorflow/tfjs-core ${version}
 * (npm, Apache License 2.0, Copyright Google LLC; https://github.com/tensorflow/tfjs):
${ENTRIES.map((e) => ` *   dist/${e}`).join("\n")}
 * and the gradient and chained-op files they import, bundled by esbuild ${esbuild.version}
 * (unminified; tfjs's license notice follows the code). Every other tfjs-core module those files
 * import is replaced by the identical values of the public "@tensorflow/tfjs-core" API (the
 * "public:" sections), so this file holds no copy of tfjs's engine, registries or Tensor class.
 */`;
}

/** Step 3: the bundle itself, with internal modules swapped for their public proxies. */
async function bundle(
  dist: string,
  version: string,
  { extra, paths }: { extra: Set<string>; paths: PublicPaths },
): Promise<string> {
  const { outputFiles } = await esbuild.build({
    stdin: {
      contents: ENTRIES.map((e) => `import "./${e}";`).join("\n"),
      resolveDir: dist,
      sourcefile: "entry.js",
      loader: "js",
    },
    absWorkingDir: dist,
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    legalComments: "eof",
    banner: { js: header(version) },
    external: ["@tensorflow/tfjs-core"],
    logLevel: "warning",
    plugins: [{
      name: "public-tfjs-core",
      setup(build) {
        build.onResolve({ filter: /^\./ }, (args) => {
          if (args.namespace === "public") return undefined;
          const rel = target(dist, args.importer, args.path);
          if (isBundled(rel, extra)) return { path: `${dist}/${rel}` };
          return { path: rel, namespace: "public" };
        });
        build.onLoad({ filter: /.*/, namespace: "public" }, (args) => ({
          contents: proxy(paths[args.path]),
          loader: "js",
        }));
      },
    }],
  });
  return outputFiles[0].text;
}

try {
  const { dist, version } = await coreDist();
  const text = await bundle(dist, version, await resolveModules(dist));
  await Deno.writeTextFile(out, text);
  console.log(`wrote ${out} (${text.length} bytes)`);
} finally {
  await esbuild.stop();
}
