/**
 * ONNX export (src/export/onnx.ts): the exported graph, run in onnxruntime-node, gives our
 * forward's head outputs (1e-4 relative) at two input sizes and batch sizes; and torchvision's own
 * `torch.onnx.export` of the same network and weights (scripts/reference/onnx.py) gives the same
 * outputs as ours and as our export.
 */
import * as ort from "onnxruntime-node";
import { tf } from "../src/tf.ts";
import { assert, assertEquals, assertThrows } from "../src/std.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { inferConfig, loadWeights, stateDict } from "../src/io/weights.ts";
import { readSafetensors, toFloat32 } from "../src/io/safetensors.ts";
import { buildOnnxModel, exportOnnx, ONNX_INPUT, ONNX_OUTPUTS } from "../src/export/onnx.ts";
import { onnxModelType } from "../src/export/onnx_schema.ts";
import { referenceDir } from "./_reference.ts";
import { assertClose } from "./_compare.ts";
import { spreadHeadWeights, TINY_NET } from "./_models.ts";

type Heads = Record<(typeof ONNX_OUTPUTS)[number], Float32Array>;

/** Our forward on NCHW 0–1 images (normalised here as the model's transform does). */
async function ourForward(model: FcosModel, nchw: Float32Array, dims: number[]): Promise<Heads> {
  const [n, , h, w] = dims;
  const x = tf.tidy(() => {
    const img = tf.transpose(tf.tensor4d(nchw, [n, 3, h, w]), [0, 2, 3, 1]);
    return tf.div(tf.sub(img, model.config.imageMean), model.config.imageStd) as tf.Tensor4D;
  });
  const out = model.forward(x);
  const heads = {
    cls_logits: (await out.head.clsLogits.data()) as Float32Array,
    bbox_regression: (await out.head.bboxRegression.data()) as Float32Array,
    bbox_ctrness: (await out.head.bboxCtrness.data()) as Float32Array,
  };
  tf.dispose([
    x,
    ...out.features,
    out.head.clsLogits,
    out.head.bboxRegression,
    out.head.bboxCtrness,
  ]);
  return heads;
}

async function ortRun(
  session: ort.InferenceSession,
  nchw: Float32Array,
  dims: number[],
): Promise<{ heads: Heads; dims: Record<string, readonly number[]> }> {
  const r = await session.run({ [ONNX_INPUT]: new ort.Tensor("float32", nchw, dims) });
  const heads = {} as Heads;
  const outDims: Record<string, readonly number[]> = {};
  for (const name of ONNX_OUTPUTS) {
    heads[name] = r[name].data as Float32Array;
    outDims[name] = r[name].dims;
  }
  return { heads, dims: outDims };
}

function compareHeads(got: Heads, want: Heads, what: string) {
  for (const name of ONNX_OUTPUTS) assertClose(got[name], want[name], 1e-4, `${what} ${name}`);
}

async function randomImages(dims: number[], seed: number): Promise<Float32Array> {
  const t = tf.randomUniform(dims, 0, 1, "float32", seed);
  const data = (await t.data()) as Float32Array;
  t.dispose();
  return data;
}

Deno.test("onnx export: onnxruntime runs the graph and gives our forward's outputs", async () => {
  await tf.setBackend("wasm");
  const model = FcosModel.create({
    backbone: "resnet18",
    backboneWidth: 0.25,
    fpnChannels: 16,
    groupNormGroups: 4,
    headConvs: 2,
    numClasses: 3,
  }, { seed: 3 });
  spreadHeadWeights(model, 7);
  const bytes = await exportOnnx(model, { classNames: ["a", "b", "c"] });
  const session = await ort.InferenceSession.create(bytes);
  assertEquals(session.inputNames, [ONNX_INPUT]);
  assertEquals(session.outputNames, [...ONNX_OUTPUTS]);
  // Two sizes (multiples of 32, one not square) and two batch sizes from one graph.
  for (const [k, dims] of [[1, 3, 96, 64], [2, 3, 64, 128]].entries()) {
    const x = await randomImages(dims, k);
    const got = await ortRun(session, x, dims);
    const [n, , h, w] = dims;
    const l = [8, 16, 32, 64, 128].reduce((s, d) => s + Math.ceil(h / d) * Math.ceil(w / d), 0);
    assertEquals(got.dims.cls_logits, [n, l, 3]);
    assertEquals(got.dims.bbox_regression, [n, l, 4]);
    assertEquals(got.dims.bbox_ctrness, [n, l]);
    compareHeads(got.heads, await ourForward(model, x, dims), `size ${h}×${w}`);
  }
  // The model carries its config and class names, and documents its outputs.
  const decoded = onnxModelType().toObject(onnxModelType().decode(bytes), { longs: Number }) as {
    opset_import: { version: number }[];
    metadata_props: { key: string; value: string }[];
    doc_string: string;
  };
  assertEquals(decoded.opset_import[0].version, 17);
  const meta = Object.fromEntries(decoded.metadata_props.map((p) => [p.key, p.value]));
  assertEquals(JSON.parse(meta.fcos_config), model.config);
  assertEquals(JSON.parse(meta.class_names), ["a", "b", "c"]);
  assert(decoded.doc_string.includes("bbox_regression [N, L, 4]"));
  await session.release();
  model.dispose();
});

Deno.test("onnx export: a state dict that lacks a tensor is an FcosError naming it", async () => {
  await tf.setBackend("wasm");
  const model = FcosModel.create({
    ...TINY_NET,
    numClasses: 2,
  });
  const weights = await stateDict(model);
  weights.delete("backbone.fpn.layer_blocks.1.0.bias");
  assertThrows(
    () => buildOnnxModel(model.config, weights),
    /no tensor 'backbone\.fpn\.layer_blocks\.1\.0\.bias'/,
  );
  model.dispose();
});

const dir = referenceDir("onnx");

Deno.test({
  name: "onnx export: torchvision's torch.onnx.export of the same weights gives our outputs",
  ignore: dir === null,
  async fn() {
    await tf.setBackend("wasm");
    const st = await readSafetensors(`${dir}/weights.safetensors`);
    const { config } = inferConfig(st, "weights.safetensors");
    const meta = JSON.parse(await Deno.readTextFile(`${dir}/meta.json`));
    const model = FcosModel.create({ ...config, groupNormGroups: 32 });
    assertEquals(model.config.backboneWidth, meta.backbone_width);
    assertEquals(model.config.fpnChannels, meta.fpn_channels);
    await loadWeights(model, st);
    const ref = (await readSafetensors(`${dir}/outputs.safetensors`)).tensors;
    const theirs = await ort.InferenceSession.create(`${dir}/torchvision.onnx`);
    const ours = await ort.InferenceSession.create(await exportOnnx(model));
    for (let k = 0; k < meta.sizes.length; k++) {
      const input = ref.get(`input_${k}`)!;
      const x = toFloat32(input, "input");
      const torchOut = Object.fromEntries(
        ONNX_OUTPUTS.map((n) => [n, toFloat32(ref.get(`${n}_${k}`)!, n)]),
      ) as Heads;
      const what = `${input.shape.join("×")}`;
      const forward = await ourForward(model, x, input.shape);
      compareHeads(forward, torchOut, `${what}: our forward vs torch`);
      const theirOnnx = (await ortRun(theirs, x, input.shape)).heads;
      compareHeads(theirOnnx, torchOut, `${what}: torchvision.onnx in onnxruntime vs torch`);
      compareHeads(forward, theirOnnx, `${what}: our forward vs torchvision.onnx`);
      compareHeads(
        (await ortRun(ours, x, input.shape)).heads,
        theirOnnx,
        `${what}: our export vs torchvision.onnx`,
      );
    }
    await theirs.release();
    await ours.release();
    model.dispose();
  },
});
