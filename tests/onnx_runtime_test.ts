/**
 * The onnxruntime backend (src/backend/onnx_runtime.ts): its detections equal the wasm backend's
 * (and torchvision's, on the parity reference), level shapes match the network's, exports are
 * cached beside the weights, and files that are not FCOS ONNX models are one FcosError each.
 */
import { tf } from "../src/tf.ts";
import { assert, assertEquals, assertRejects } from "../src/std.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { saveWeights } from "../src/io/weights.ts";
import { readSafetensors } from "../src/io/safetensors.ts";
import {
  levelShapesFor,
  OnnxDetector,
  openOnnxDetectorForFile,
} from "../src/backend/onnx_runtime.ts";
import { onnxModelType } from "../src/export/onnx_schema.ts";
import { FcosError } from "../src/errors.ts";
import { gradient } from "./_data.ts";
import { referenceDir } from "./_reference.ts";
import { assertSameDetections, referenceDetections } from "./_detections.ts";
import { spreadHeadWeights } from "./_models.ts";

/** A compact model whose head is spread out enough to give many detections. */
function compactModel(): FcosModel {
  const model = FcosModel.create({
    backbone: "resnet18",
    backboneWidth: 0.25,
    fpnChannels: 16,
    groupNormGroups: 4,
    headConvs: 2,
    numClasses: 4,
    minSize: 96,
    maxSize: 128,
    scoreThresh: 0.2,
  }, { seed: 5 });
  spreadHeadWeights(model, 11);
  return model;
}

function images() {
  // Resized and padded differently: 80×100 → 96×120 (padded to 96×128), 120×90 → 128×96.
  const rgb = (w: number, h: number, seed: number) => ({
    data: gradient(w, h).map((v, i) => (v + ((i * seed) % 53)) & 255),
    width: w,
    height: h,
  });
  return [rgb(100, 80, 3), rgb(90, 120, 7)];
}

Deno.test("onnx backend: level shapes are the network's at sizes that are and are not multiples of 128", async () => {
  await tf.setBackend("wasm");
  const model = compactModel();
  for (const [h, w] of [[64, 96], [96, 128], [160, 224], [256, 320]]) {
    const out = model.forward(tf.zeros([1, h, w, 3]) as tf.Tensor4D);
    assertEquals(levelShapesFor(h, w), FcosModel.levelShapes(out.features), `${h}×${w}`);
    tf.dispose([
      ...out.features,
      out.head.clsLogits,
      out.head.bboxRegression,
      out.head.bboxCtrness,
    ]);
  }
  model.dispose();
});

Deno.test("onnx backend: detections equal the wasm backend's, alone and in a batch", async () => {
  await tf.setBackend("wasm");
  const model = compactModel();
  const detector = await OnnxDetector.fromModel(model, { threads: 1 });
  assertEquals(detector.config, model.config);
  const imgs = images();
  let total = 0;
  for (const batch of [[imgs[0]], [imgs[1]], imgs]) {
    const want = await model.detect(batch);
    const got = await detector.detect(batch);
    want.forEach((w, i) => {
      total += w.scores.length;
      assertSameDetections(got[i], w, `image ${i} of ${batch.length}`);
    });
  }
  assert(total > 20, `the model detects things (${total})`);
  // Options reach the decoder as on the model.
  const strict = { scoreThresh: 0.5, detectionsPerImg: 3 };
  assertSameDetections(
    (await detector.detect([imgs[0]], strict))[0],
    (await model.detect([imgs[0]], strict))[0],
    "with options",
  );
  await detector.release();
  model.dispose();
});

const dir = referenceDir("model");

Deno.test({
  name: "onnx backend: torchvision's FCOS-R18 weights give torchvision's detections",
  ignore: dir === null,
  async fn() {
    await tf.setBackend("wasm");
    const meta = JSON.parse(await Deno.readTextFile(`${dir}/meta.json`));
    const ref = (await readSafetensors(`${dir}/outputs.safetensors`)).tensors;
    const tmp = await Deno.makeTempDir();
    await Deno.copyFile(`${dir}/weights.safetensors`, `${tmp}/r18.safetensors`);
    const detector = await openOnnxDetectorForFile(`${tmp}/r18.safetensors`, {
      minSize: meta.min_size,
      maxSize: meta.max_size,
    });
    const image = (key: string) => {
      const e = ref.get(key)!;
      return { data: e.data as Uint8Array, height: e.shape[0], width: e.shape[1] };
    };
    const exact = { dropEmpty: false };
    const [a] = await detector.detect([image("image_a")], exact);
    assertSameDetections(a, referenceDetections(ref, "det_a", false), "det_a");
    const both = await detector.detect([image("image_a"), image("image_b")], exact);
    assertSameDetections(both[0], referenceDetections(ref, "det_batch0", false), "batch[0]");
    assertSameDetections(both[1], referenceDetections(ref, "det_batch1", false), "batch[1]");
    await detector.release();
    await Deno.remove(tmp, { recursive: true });
  },
});

Deno.test("onnx backend: the export is cached beside the weights and redone when the config changes", async () => {
  await tf.setBackend("wasm");
  const tmp = await Deno.makeTempDir();
  const model = compactModel();
  const weights = `${tmp}/w.safetensors`;
  await saveWeights(model, weights, { class_names: JSON.stringify(["a", "b", "c", "d"]) });
  const logs: string[] = [];
  const log = (l: string) => logs.push(l);
  const first = await openOnnxDetectorForFile(weights, {}, { log });
  assertEquals(first.classNames, ["a", "b", "c", "d"]);
  const made = (await Deno.stat(`${weights}.onnx`)).mtime!.getTime();
  await first.release();
  const again = await openOnnxDetectorForFile(weights, {}, { log });
  assertEquals((await Deno.stat(`${weights}.onnx`)).mtime!.getTime(), made, "reused");
  await again.release();
  // Other resize bounds do not change the graph but are part of the config: a new export.
  const resized = await openOnnxDetectorForFile(weights, { minSize: 64 }, { log });
  assertEquals(resized.config.minSize, 64);
  await resized.release();
  // The cache opened as a .onnx file gives the same detections as the model.
  const fromFile = await openOnnxDetectorForFile(`${weights}.onnx`, { maxSize: 128 });
  const img = images()[0];
  assertSameDetections(
    (await fromFile.detect([img]))[0],
    (await model.detect([img], { minSize: 64, maxSize: 128 }))[0],
    "cached export",
  );
  await fromFile.release();
  assertEquals(logs, []);
  // A cache that cannot be written (a folder in its place): exported in memory, said once.
  await Deno.remove(`${weights}.onnx`);
  await Deno.mkdir(`${weights}.onnx`);
  const inMemory = await openOnnxDetectorForFile(weights, {}, { log });
  await inMemory.release();
  assertEquals(logs.length, 1);
  assert(
    /exported in memory, not cached .*w\.safetensors\.onnx: cannot write/.test(logs[0]),
    logs[0],
  );
  model.dispose();
  await Deno.remove(tmp, { recursive: true });
});

Deno.test("onnx backend: a file that is not an FCOS ONNX model is one FcosError naming it", async () => {
  const tmp = await Deno.makeTempDir();
  await Deno.writeTextFile(`${tmp}/text.onnx`, "this is not a protobuf at all, just words\n");
  await assertRejects(() => OnnxDetector.open(`${tmp}/text.onnx`), FcosError);
  await assertRejects(() => OnnxDetector.open(`${tmp}/text.onnx`), /text\.onnx: not an ONNX model/);
  await assertRejects(() => OnnxDetector.open(`${tmp}/missing.onnx`), /missing\.onnx: not found/);
  // A valid ONNX model with other inputs and outputs (one Relu, x → y).
  const type = onnxModelType();
  const relu = type.encode(type.fromObject({
    ir_version: 8,
    opset_import: [{ domain: "", version: 17 }],
    graph: {
      name: "relu",
      node: [{ input: ["x"], output: ["y"], op_type: "Relu" }],
      input: [{
        name: "x",
        type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }] } } },
      }],
      output: [{
        name: "y",
        type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: 2 }] } } },
      }],
    },
  })).finish();
  await Deno.writeFile(`${tmp}/relu.onnx`, relu);
  await assertRejects(
    () => OnnxDetector.open(`${tmp}/relu.onnx`),
    /relu\.onnx: the model takes \[x\] and gives \[y\]; an FCOS export has input images/,
  );
  await Deno.remove(tmp, { recursive: true });
});
