/**
 * src/decode/candidates.ts and `FcosModel.detect` on wasm and cpu: the candidates selected on the
 * backend decode to exactly what the full read-back decodes to (see tests/_candidates.ts; the
 * WebGPU run is tests/candidates_webgpu_test.ts).
 */
import { tf } from "../src/tf.ts";
import { assert, assertRejects } from "../src/std.ts";
import { FcosModel } from "../src/model/fcos.ts";
import { preprocessImages } from "../src/model/transform.ts";
import { loadWeights } from "../src/io/weights.ts";
import { readSafetensors } from "../src/io/safetensors.ts";
import { selectCandidates } from "../src/decode/candidates.ts";
import { decodeCandidates, decodeDetections } from "../src/decode/decode.ts";
import { referenceDir } from "./_reference.ts";
import { assertSameDetections, referenceDetections } from "./_detections.ts";
import {
  assertIdentical,
  checkDetectEqualsFullReadback,
  checkSelectionOnMadeUpHeads,
  tinyModel,
} from "./_candidates.ts";

async function setBackend(name: string): Promise<void> {
  await tf.setBackend(name);
  // tfjs-backend-cpu greets Node users with a banner on first use (as in src/backend/select.ts).
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}

for (const backend of ["wasm", "cpu"]) {
  Deno.test(`candidates on ${backend}: made-up heads (ties, thresholds, top-k, NaN) decode exactly`, async () => {
    await setBackend(backend);
    await checkSelectionOnMadeUpHeads();
  });
}

Deno.test("candidates on wasm: detect equals the full read-back on a tiny model", async () => {
  await tf.setBackend("wasm");
  const model = tinyModel();
  try {
    await checkDetectEqualsFullReadback(model, [
      {},
      { scoreThresh: 0.2, topkCandidates: 5 },
      { scoreThresh: 0, topkCandidates: 1, dropEmpty: false },
      { topkCandidates: 30, detectionsPerImg: 7, nmsThresh: 0.3 },
      { scoreThresh: 0.99 },
    ]);
  } finally {
    model.dispose();
  }
});

Deno.test("candidates on cpu: detect equals the full read-back on a tiny model", async () => {
  await setBackend("cpu");
  const model = tinyModel();
  try {
    await checkDetectEqualsFullReadback(model, [{}, { scoreThresh: 0.06, topkCandidates: 8 }]);
  } finally {
    model.dispose();
  }
});

const modelDir = referenceDir("model");

Deno.test({
  name:
    "candidates on wasm: torchvision's FCOS-R18 (reference weights) decodes the same either way",
  ignore: modelDir === null,
  async fn() {
    await setBackend("wasm");
    const meta = JSON.parse(await Deno.readTextFile(`${modelDir}/meta.json`));
    const ref = (await readSafetensors(`${modelDir}/outputs.safetensors`)).tensors;
    const model = FcosModel.create({
      backbone: "resnet18",
      numClasses: meta.num_classes,
      minSize: meta.min_size,
      maxSize: meta.max_size,
    });
    try {
      await loadWeights(model, `${modelDir}/weights.safetensors`);
      const images = ["image_a", "image_b"].map((key) => {
        const e = ref.get(key)!;
        return { data: e.data as Uint8Array, height: e.shape[0], width: e.shape[1] };
      });
      // detect through the device selection gives torchvision's detections.
      const batch = await model.detect(images, { dropEmpty: false, readback: "candidates" });
      assertSameDetections(batch[0], referenceDetections(ref, "det_batch0", false), "batch[0]");
      assertSameDetections(batch[1], referenceDetections(ref, "det_batch1", false), "batch[1]");
      await assertRejects(
        // deno-lint-ignore no-explicit-any
        () => model.detect(images, { readback: "gpu" as any }),
        /readback must be auto, candidates or full/,
      );
      // One forward; several options: the candidates decode exactly as the full outputs.
      const prep = preprocessImages(images, model.config);
      const { features, head } = model.forward(prep.batch);
      const grid = model.anchorGrid(
        [prep.batch.shape[1], prep.batch.shape[2]],
        FcosModel.levelShapes(features),
      );
      const [cls, reg, ctr] = await Promise.all(
        [head.clsLogits, head.bboxRegression, head.bboxCtrness].map((t) => t.data()),
      ) as Float32Array[];
      const L = grid.anchors.length / 4, C = meta.num_classes;
      for (
        const options of [
          { scoreThresh: 0.05, topkCandidates: 1000 },
          { scoreThresh: 0.3, topkCandidates: 20 },
          { scoreThresh: 0.01, topkCandidates: 3, detectionsPerImg: 5 },
        ]
      ) {
        const sel = await selectCandidates(head, grid, prep.imageSizes, options);
        for (let i = 0; i < 2; i++) {
          const c = sel.images[i];
          assert(c !== null, `image ${i} decoded from the device's candidates`);
          const full = decodeDetections({
            clsLogits: cls.subarray(i * L * C, (i + 1) * L * C),
            bboxRegression: reg.subarray(i * L * 4, (i + 1) * L * 4),
            bboxCtrness: ctr.subarray(i * L, (i + 1) * L),
            anchors: grid.anchors,
            numAnchorsPerLevel: grid.numAnchorsPerLevel,
            numClasses: C,
            imageHeight: prep.imageSizes[i][0],
            imageWidth: prep.imageSizes[i][1],
          }, options);
          assert(full.scores.length > 0);
          assertIdentical(decodeCandidates(c, options), full, `${JSON.stringify(options)} [${i}]`);
        }
      }
      tf.dispose([prep.batch, ...features, head.clsLogits, head.bboxRegression, head.bboxCtrness]);
    } finally {
      model.dispose();
    }
  },
});
