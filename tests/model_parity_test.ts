/**
 * Parity with torchvision's FCOS-R18 (reference made by scripts/reference/model.py): FPN
 * features and head outputs within 1e-4 relative, anchors exact, and the same detections in the
 * same order (boxes within 1e-3 px, scores within 1e-5).
 */
import { tf } from "../src/tf.ts";
import { initBackend } from "../src/backend/select.ts";
import { assertEquals } from "../src/std.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { preprocessImages } from "../src/model/transform.ts";
import { loadBackboneWeights, loadWeights } from "../src/io/weights.ts";
import { readSafetensors, type TensorEntry, toFloat32 } from "../src/io/safetensors.ts";
import { referenceDir } from "./_reference.ts";
import { assertAbsClose, assertClose } from "./_compare.ts";
import { assertSameDetections, referenceDetections } from "./_detections.ts";

const dir = referenceDir("model");

async function setup() {
  // initBackend: its default conv kernels (onnxruntime with -A), as users get them.
  await initBackend({ backend: "wasm", log: () => {} });
  const meta = JSON.parse(await Deno.readTextFile(`${dir}/meta.json`));
  const ref = (await readSafetensors(`${dir}/outputs.safetensors`)).tensors;
  const model = FcosModel.create({
    backbone: "resnet18",
    numClasses: meta.num_classes,
    minSize: meta.min_size,
    maxSize: meta.max_size,
  });
  await loadWeights(model, `${dir}/weights.safetensors`);
  return { meta, ref, model };
}

function image(ref: Map<string, TensorEntry>, key: string) {
  const e = ref.get(key)!;
  return { data: e.data as Uint8Array, height: e.shape[0], width: e.shape[1] };
}

function f32(ref: Map<string, TensorEntry>, key: string): Float32Array {
  return toFloat32(ref.get(key)!, key);
}

Deno.test({
  name: "model parity: transform, FPN features, head outputs and anchors match torchvision",
  ignore: dir === null,
  async fn() {
    const { meta, ref, model } = await setup();
    const prep = preprocessImages([image(ref, "image_a")], model.config);
    assertEquals(prep.batch.shape.slice(1, 3), meta.a_padded);
    assertEquals(prep.imageSizes[0], meta.a_resized);
    const out = model.forward(prep.batch);
    assertClose(await prep.batch.data(), f32(ref, "image_a_normalized"), 1e-4, "normalized image");
    for (let i = 0; i < 5; i++) {
      const want = ref.get(`feature_${i}`)!;
      assertEquals(out.features[i].shape, want.shape, `feature ${i} shape`);
      assertClose(await out.features[i].data(), f32(ref, `feature_${i}`), 1e-4, `P${i + 3}`);
    }
    assertClose(await out.head.clsLogits.data(), f32(ref, "cls_logits"), 1e-4, "cls_logits");
    assertClose(
      await out.head.bboxRegression.data(),
      f32(ref, "bbox_regression"),
      1e-4,
      "bbox_regression",
    );
    assertClose(await out.head.bboxCtrness.data(), f32(ref, "bbox_ctrness"), 1e-4, "ctrness");
    const grid = model.anchorGrid(
      [prep.batch.shape[1], prep.batch.shape[2]],
      FcosModel.levelShapes(out.features),
    );
    assertAbsClose(grid.anchors, f32(ref, "anchors"), 0, "anchors");
    const dispose = (o: typeof out) =>
      tf.dispose([...o.features, o.head.clsLogits, o.head.bboxRegression, o.head.bboxCtrness]);
    dispose(out);
    // A second forward leaves no tensor behind (folded frozen-BN filters are cached once).
    const before = tf.memory().numTensors;
    dispose(model.forward(prep.batch));
    assertEquals(tf.memory().numTensors, before);
    prep.batch.dispose();
    model.dispose();
  },
});

Deno.test({
  name: "model parity: detections equal torchvision's, alone and in a batch of two",
  ignore: dir === null,
  async fn() {
    const { meta, ref, model } = await setup();
    assertEquals(meta.det_a_count > 10, true, "the reference has detections");
    const exact = { dropEmpty: false };
    const [a] = await model.detect([image(ref, "image_a")], exact);
    assertSameDetections(a, referenceDetections(ref, "det_a", false), "det_a");
    const images = [image(ref, "image_a"), image(ref, "image_b")];
    const batch = await model.detect(images, exact);
    assertSameDetections(batch[0], referenceDetections(ref, "det_batch0", false), "batch[0]");
    assertSameDetections(batch[1], referenceDetections(ref, "det_batch1", false), "batch[1]");
    // By default empty (zero-width or zero-height) boxes are dropped before NMS; since they
    // never suppress or get suppressed, the result is torchvision's list without them, then
    // more detections from further down.
    const [dropped] = await model.detect([image(ref, "image_a")]);
    const want = referenceDetections(ref, "det_a", true);
    assertEquals(want.scores.length < meta.det_a_count, true, "the reference has empty boxes");
    assertSameDetections(dropped, want, "det_a without empty boxes", true);
    // Repeated detect calls do not grow tfjs's tensor count.
    const before = tf.memory().numTensors;
    await model.detect([image(ref, "image_b")]);
    await model.detect(images);
    assertEquals(tf.memory().numTensors, before);
    model.dispose();
  },
});

Deno.test({
  name: "weights: torchvision ResNet body loads into the backbone; errors name the key",
  ignore: dir === null,
  async fn() {
    await tf.setBackend("wasm");
    const model = FcosModel.create({ backbone: "resnet18", numClasses: 7 });
    const report = await loadBackboneWeights(model, `${dir}/body.safetensors`);
    assertEquals(report.loaded > 60, true);
    const full = (await readSafetensors(`${dir}/weights.safetensors`)).tensors;
    const key = "backbone.body.layer2.0.conv1.weight";
    const got = await model.params.readTorch(key);
    assertClose(got.data, toFloat32(full.get(key)!, key), 0, key);
    model.dispose();
  },
});
