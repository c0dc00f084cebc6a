/**
 * The package's entry points (deno.json "exports"): `./eval` and `./nms` load no tfjs and no npm
 * package at all, not even for types (their module graph, from `deno info`); a script that imports
 * only `jsr:@fcos/fcos/eval` scores a COCO results file in a fresh `deno` that may not resolve npm
 * packages (`--no-npm`); `./weights` and `./data` load no tfjs; each entry's public surface is
 * exactly the list below (`deno doc --json`), with a `@module` doc and an `@example`; and the
 * examples that can run do.
 */
import { deno, ROOT } from "./_deno.ts";
import { assert, assertAlmostEquals, assertEquals, path } from "../src/std.ts";

const CONFIG = path.join(ROOT, "deno.json");

/** Every module specifier in the static graph of `entry`, type-only imports included. */
async function moduleGraph(entry: string): Promise<string[]> {
  const { code, stdout, stderr } = await deno(["info", "--json", entry]);
  assertEquals(code, 0, `deno info ${entry} failed: ${stderr}`);
  const info = JSON.parse(stdout) as { modules: { specifier: string }[] };
  return info.modules.map((m) => m.specifier);
}

/** Modules of the graph that are tfjs, or this project's wrappers of it. */
function tfjsModules(graph: string[]): string[] {
  return graph.filter((s) =>
    s.includes("@tensorflow/") || s.endsWith("/src/tf.ts") || s.endsWith("/src/tensor.ts")
  );
}

Deno.test("entry points: ./eval and ./nms import no npm package (tfjs included), not even types", async () => {
  for (const entry of ["eval.ts", "nms.ts"]) {
    const graph = await moduleGraph(entry);
    assert(graph.some((s) => s.endsWith(`/${entry}`)), `${entry}: the graph lacks the entry`);
    const foreign = graph.filter((s) => !s.startsWith("file:"));
    assertEquals(foreign, [], `${entry} loads ${foreign.join(", ")}`);
    assertEquals(tfjsModules(graph), [], `${entry} reaches the tfjs wrappers`);
  }
});

Deno.test("entry points: ./weights and ./data load no tfjs; the root does (the check can fail)", async () => {
  for (const entry of ["weights.ts", "data.ts"]) {
    assertEquals(tfjsModules(await moduleGraph(entry)), [], `${entry} reaches tfjs`);
  }
  const root = tfjsModules(await moduleGraph("mod.ts"));
  assert(root.some((s) => s.startsWith("npm:") && s.includes("@tensorflow/")), root.join(", "));
});

// Two images of one category, each with one 40×40 (medium) box. Image 1's detection is exact;
// image 2's is elsewhere (a false positive). Recall 1/2 at precision 1, then precision falls to
// 1/2: AP = 51/101 (the recall thresholds 0, 0.01, …, 0.50 have precision 1) at every IoU
// threshold, AR = 1/2, and small/large are -1 (no such ground truth).
const GT = {
  images: [{ id: 1, width: 200, height: 200 }, { id: 2, width: 200, height: 200 }],
  categories: [{ id: 3, name: "car" }],
  annotations: [
    { id: 1, image_id: 1, category_id: 3, bbox: [10, 10, 40, 40], area: 1600, iscrowd: 0 },
    { id: 2, image_id: 2, category_id: 3, bbox: [10, 10, 40, 40], area: 1600, iscrowd: 0 },
  ],
};
const RESULTS = [
  { image_id: 1, category_id: 3, bbox: [10, 10, 40, 40], score: 0.9 },
  { image_id: 2, category_id: 3, bbox: [120, 120, 40, 40], score: 0.8 },
];
const SCORE_SCRIPT = `import {
  evaluateCoco,
  formatCocoSummary,
  readCocoGroundTruth,
  readCocoResults,
} from "jsr:@fcos/fcos/eval";

const [gtFile, resultsFile] = Deno.args;
const gt = await readCocoGroundTruth(gtFile);
const { stats } = evaluateCoco(gt, await readCocoResults(resultsFile, gt));
console.log(formatCocoSummary(stats));
console.log(JSON.stringify(stats));
`;

Deno.test("entry points: a script importing only jsr:@fcos/fcos/eval scores a COCO results file without npm", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fcos_entry_" });
  try {
    const gtFile = path.join(dir, "gt.json");
    const resultsFile = path.join(dir, "results.json");
    const script = path.join(dir, "score.ts");
    await Deno.writeTextFile(gtFile, JSON.stringify(GT));
    await Deno.writeTextFile(resultsFile, JSON.stringify(RESULTS));
    await Deno.writeTextFile(script, SCORE_SCRIPT);
    // --no-npm: any npm import on the way (tfjs through src/tf.ts, say) fails the run.
    // --config: `jsr:@fcos/fcos/eval` resolves to this working tree (the package's own name).
    const { code, stdout, stderr } = await deno([
      "run",
      "--no-npm",
      "--no-remote",
      "--config",
      CONFIG,
      `--allow-read=${dir}`,
      script,
      gtFile,
      resultsFile,
    ]);
    assertEquals(code, 0, `the script failed:\n${stderr}`);
    const lines = stdout.trimEnd().split("\n");
    assertEquals(lines.length, 13, stdout);
    assert(
      lines[0].startsWith(
        " Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]",
      ),
      lines[0],
    );
    assert(lines[0].endsWith(" = 0.505"), lines[0]);
    const stats = JSON.parse(lines[12]) as number[];
    const ap = 51 / 101;
    const want = [ap, ap, ap, -1, ap, -1, 0.5, 0.5, 0.5, -1, 0.5, -1];
    assertEquals(stats.length, 12);
    for (let i = 0; i < 12; i++) assertAlmostEquals(stats[i], want[i], 1e-12, `stats[${i}]`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The public names of each entry point, as `deno doc` lists them. */
const SURFACE: Record<string, string[]> = {
  ".": [
    "AnchorGrid",
    "BackboneName",
    "BackendInfo",
    "BackendName",
    "COMPACT_CONFIG",
    "CpuKernels",
    "DEFAULT_CONFIG",
    "DecodeOptions",
    "DetectOptions",
    "Detections",
    "DrawDetections",
    "DrawImage",
    "DrawOptions",
    "EvalRecord",
    "FcosConfig",
    "FcosError",
    "FcosModel",
    "FineTuneReport",
    "ForwardOutputs",
    "GpuNmsInput",
    "GpuNmsOptions",
    "HeadOutputs",
    "HostHeadOutputs",
    "ImageTargets",
    "InitBackendOptions",
    "LoadReport",
    "ONNX_INPUT",
    "ONNX_OPSET",
    "ONNX_OUTPUTS",
    "OnnxDetector",
    "OnnxDetectorOptions",
    "OnnxExportOptions",
    "OnnxHeads",
    "PreprocessedBatch",
    "RgbImage",
    "Safetensors",
    "Scalar",
    "StateDict",
    "StepRecord",
    "Tensor",
    "Tensor1D",
    "Tensor2D",
    "Tensor3D",
    "Tensor4D",
    "TensorEntry",
    "TrainOptions",
    "TrainResult",
    "UsageError",
    "Variable",
    "WebGpuNms",
    "batchedNmsTensors",
    "buildOnnxModel",
    "drawDetections",
    "exportOnnx",
    "fineTuneArchitecture",
    "inferConfig",
    "initBackend",
    "loadBackboneWeights",
    "loadFineTuneWeights",
    "loadWeights",
    "makeConfig",
    "postprocessDetections",
    "preprocessImages",
    "readImage",
    "readStateDict",
    "resizedSize",
    "saveWeights",
    "scaleBoxes",
    "shutdownBackend",
    "stateDict",
    "train",
  ],
  "./eval": [
    "COCO_STAT_NAMES",
    "CocoCategoryStats",
    "CocoDetections",
    "CocoEvaluation",
    "CocoGroundTruth",
    "CocoId",
    "CocoStats",
    "DetectionMetrics",
    "Detections",
    "EvalImage",
    "FcosError",
    "VocResult",
    "evaluateCoco",
    "evaluateDetections",
    "evaluateVoc",
    "formatCocoSummary",
    "formatVocSummary",
    "parseCocoGroundTruth",
    "parseCocoResults",
    "readCocoGroundTruth",
    "readCocoResults",
    "vocAveragePrecision",
  ],
  "./nms": [
    "DEFAULT_DECODE_OPTIONS",
    "DecodeInput",
    "DecodeOptions",
    "Detections",
    "FcosError",
    "NmsOptions",
    "batchedNms",
    "decodeDetections",
    "nms",
  ],
  "./weights": [
    "FcosError",
    "Safetensors",
    "SafetensorsDtype",
    "TensorData",
    "TensorEntry",
    "parseSafetensors",
    "parseStateDict",
    "parseTorchCheckpoint",
    "readSafetensors",
    "readStateDict",
    "serializeSafetensors",
    "toFloat32",
    "writeSafetensors",
  ],
  "./data": [
    "Batch",
    "BatchLoader",
    "COCO_CLASSES",
    "DatasetOptions",
    "DetectionDataset",
    "FcosError",
    "LoaderOptions",
    "RgbImage",
    "Rng",
    "SYNTHETIC_CLASSES",
    "Sample",
    "SkippedEntry",
    "SyntheticDataset",
    "TORCHVISION_COCO_CATEGORIES",
    "UsageError",
    "VOC_CLASSES",
    "openDataset",
    "readImage",
  ],
  "./train": [
    "COMPACT_TRAINING",
    "EvalRecord",
    "FcosLossOptions",
    "FcosLosses",
    "LrSchedule",
    "MomentumBuffer",
    "NamedVariable",
    "NonFiniteLossError",
    "PreparedBatch",
    "Sgd",
    "SgdOptions",
    "SgdState",
    "StepLosses",
    "StepRecord",
    "TrainOptions",
    "TrainResult",
    "assignTargets",
    "clipByGlobalNorm",
    "fcosLoss",
    "lrAt",
    "makeAnchorGrid",
    "makeSchedule",
    "predictDataset",
    "prepareBatch",
    "train",
    "trainStep",
    "trainableParams",
  ],
};

/** Plumbing that must stay off the package root (it was there before the entry points). */
const NOT_AT_ROOT = [
  "ParamStore",
  "ParamSpec",
  "InitKind",
  "Rng",
  "levelShapesFor",
  "MomentumBuffer",
  "toFloat32",
  "plotLines",
];

interface DocNode {
  module_doc?: { tags?: { kind: string }[] };
  symbols: { name: string }[];
}

Deno.test("entry points: each export's public names, @module doc and @example", async () => {
  const config = JSON.parse(await Deno.readTextFile(CONFIG)) as { exports: Record<string, string> };
  const { "./cli": cli, ...libraries } = config.exports;
  assertEquals(cli, "./cli.ts");
  assertEquals(Object.keys(libraries).sort(), Object.keys(SURFACE).sort());
  const publicNames = new Map<string, string[]>();
  for (const [key, file] of Object.entries(libraries)) {
    const { code, stdout, stderr } = await deno(["doc", "--json", file]);
    assertEquals(code, 0, `deno doc ${file}: ${stderr}`);
    const [node] = Object.values((JSON.parse(stdout) as { nodes: Record<string, DocNode> }).nodes);
    const names = node.symbols.map((s) => s.name).sort();
    publicNames.set(key, names);
    assertEquals(names, [...SURFACE[key]].sort(), `public names of ${key} (${file})`);
    const tags = (node.module_doc?.tags ?? []).map((t) => t.kind);
    assert(tags.includes("module"), `${file} has no @module doc`);
    assert(tags.includes("example"), `${file}'s @module doc has no @example`);
  }
  const root = publicNames.get(".") ?? [];
  for (const name of NOT_AT_ROOT) assert(!root.includes(name), `${name} is back in mod.ts`);
});

Deno.test("entry points: the runnable @module examples run (nms, data)", async () => {
  // The other entries' examples read files a test does not have (`ts ignore`); these two run as
  // written, importing `jsr:@fcos/fcos/nms` and `jsr:@fcos/fcos/data` (this working tree).
  const { code, stdout, stderr } = await deno(["test", "--doc", "nms.ts", "data.ts"]);
  assertEquals(code, 0, `${stdout}\n${stderr}`);
  assert(stdout.includes("2 passed"), stdout);
  assert(stdout.includes("Int32Array(2) [ 0, 2 ]"), stdout); // nms keeps boxes 0 and 2
});
