/**
 * Checks of the device-side candidate selection (src/decode/candidates.ts) and of
 * `FcosModel.detect` built on it, run on whichever tfjs backend is active: by
 * tests/candidates_test.ts on wasm and cpu, by tests/candidates_webgpu_test.ts on WebGPU. The
 * reference is always the full read-back decoded by `decodeDetections` (the previous `detect`
 * path, itself checked against torchvision in tests/decode_test.ts and model_parity_test.ts):
 * results must be bit-identical.
 */
import { tf } from "../src/tf.ts";
import { assert, assertEquals } from "../src/std.ts";
import { decodeCandidates, decodeDetections, type DecodeOptions } from "../src/decode/decode.ts";
import {
  BYTES_PER_CANDIDATE,
  type CandidateSelection,
  candidatesPerLevel,
  selectCandidates,
} from "../src/decode/candidates.ts";
import { FcosModel, readHeadOutputs } from "../src/model/fcos.ts";
import { preprocessImages, type RgbImage } from "../src/model/transform.ts";
import type { AnchorGrid, Detections, HeadOutputs } from "../src/model/types.ts";

export function assertIdentical(got: Detections, want: Detections, what: string): void {
  assertEquals([...got.labels], [...want.labels], `${what}: labels`);
  assertEquals([...got.scores], [...want.scores], `${what}: scores`);
  assertEquals([...got.boxes], [...want.boxes], `${what}: boxes`);
}

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Host copies of a made-up batch of head outputs over a grid of square anchors. */
interface HostHead {
  n: number;
  c: number;
  cls: Float32Array;
  reg: Float32Array;
  ctr: Float32Array;
  grid: AnchorGrid;
  sizes: [number, number][];
}

/**
 * A batch of N images' head outputs over levels of `levels` locations with C classes. `ties`
 * draws logits from a few values only (so long runs of equal scores cross every top-k cut),
 * else from a continuous spread around the usual thresholds.
 */
function makeHead(seed: number, n: number, levels: number[], c: number, ties: boolean): HostHead {
  const rand = mulberry32(seed);
  const l = levels.reduce((a, b) => a + b, 0);
  const cls = new Float32Array(n * l * c), ctr = new Float32Array(n * l);
  const reg = new Float32Array(n * l * 4);
  for (let i = 0; i < cls.length; i++) {
    cls[i] = ties ? [-4, -1, 0.5, 2][Math.floor(rand() * 4)] : -6 + 8 * rand();
  }
  for (let i = 0; i < ctr.length; i++) {
    ctr[i] = ties ? [-1, 1][Math.floor(rand() * 2)] : -3 + 5 * rand();
  }
  for (let i = 0; i < reg.length; i++) reg[i] = 0.2 + 2 * rand();
  const anchors = new Float32Array(4 * l);
  let a = 0;
  levels.forEach((count, level) => {
    const s = 8 << level, side = Math.ceil(Math.sqrt(count));
    for (let j = 0; j < count; j++, a++) {
      const x = (j % side) * s, y = Math.floor(j / side) * s;
      anchors.set([x - s / 2, y - s / 2, x + s / 2, y + s / 2], 4 * a);
    }
  });
  const grid: AnchorGrid = {
    anchors,
    numAnchorsPerLevel: levels,
    levelShapes: levels.map((count) => [1, count]),
    paddedSize: [64, 64],
  };
  const sizes = Array.from({ length: n }, (_, i) => [60 - 7 * i, 64 - 5 * i] as [number, number]);
  return { n, c, cls, reg, ctr, grid, sizes };
}

function toTensors(h: HostHead): HeadOutputs {
  const l = h.ctr.length / h.n;
  return {
    clsLogits: tf.tensor3d(h.cls, [h.n, l, h.c]),
    bboxRegression: tf.tensor3d(h.reg, [h.n, l, 4]),
    bboxCtrness: tf.tensor2d(h.ctr, [h.n, l]),
  };
}

/** decodeDetections on image i's full outputs (the reference). */
function decodeFull(h: HostHead, i: number, options: DecodeOptions): Detections {
  const l = h.ctr.length / h.n;
  return decodeDetections({
    clsLogits: h.cls.subarray(i * l * h.c, (i + 1) * l * h.c),
    bboxRegression: h.reg.subarray(i * l * 4, (i + 1) * l * 4),
    bboxCtrness: h.ctr.subarray(i * l, (i + 1) * l),
    anchors: h.grid.anchors,
    numAnchorsPerLevel: h.grid.numAnchorsPerLevel,
    numClasses: h.c,
    imageHeight: h.sizes[i][0],
    imageWidth: h.sizes[i][1],
  }, options);
}

/** Selection on the device, then each image decoded from its candidates (or counted as full). */
async function selectAndCompare(
  h: HostHead,
  options: Required<Pick<DecodeOptions, "scoreThresh" | "topkCandidates">> & DecodeOptions,
  what: string,
): Promise<CandidateSelection> {
  const head = toTensors(h);
  let sel: CandidateSelection;
  try {
    sel = await selectCandidates(head, h.grid, h.sizes, options);
  } finally {
    tf.dispose([head.clsLogits, head.bboxRegression, head.bboxCtrness]);
  }
  const perImage = h.grid.numAnchorsPerLevel.reduce(
    (s, count) => s + candidatesPerLevel(options.topkCandidates, count * h.c),
    0,
  );
  assertEquals(sel.bytesRead, h.n * (perImage * BYTES_PER_CANDIDATE + 4), `${what}: bytes`);
  for (let i = 0; i < h.n; i++) {
    const c = sel.images[i];
    if (c === null) continue;
    assertIdentical(decodeCandidates(c, options), decodeFull(h, i, options), `${what} image ${i}`);
  }
  return sel;
}

/**
 * Made-up head outputs (continuous and tie-heavy, several thresholds and top-k), NaN and infinite
 * logits, top-k 0: the candidates decode to exactly the full decode, the selection is used where
 * it can be proved exact and refused (null) where it cannot.
 */
export async function checkSelectionOnMadeUpHeads(): Promise<void> {
  const before = tf.memory().numTensors;
  const levels = [64, 16, 4];
  let used = 0, refused = 0;
  for (const ties of [false, true]) {
    const h = makeHead(ties ? 11 : 3, 2, levels, 5, ties);
    for (const scoreThresh of [0.05, 0.4, 0, -1, 0.95]) {
      for (const topkCandidates of [1, 7, 40, 1000]) {
        for (const dropEmpty of [true, false]) {
          const options = { scoreThresh, topkCandidates, dropEmpty, nmsThresh: 0.5 };
          const what =
            `ties ${ties}, thresh ${scoreThresh}, k ${topkCandidates}, drop ${dropEmpty}`;
          const sel = await selectAndCompare(h, options, what);
          for (const c of sel.images) c === null ? refused++ : used++;
          if (!ties) assert(sel.images.every((c) => c !== null), `${what}: selection used`);
          // k ≥ every level's pairs: the levels are read back whole, always exact.
          if (topkCandidates === 1000) assert(sel.images.every((c) => c !== null), what);
        }
      }
    }
  }
  // Runs of equal scores across the cut make some selections unprovable: those are refused.
  assert(used > 100 && refused > 10, `used ${used}, refused ${refused}`);

  // A NaN class logit or an infinite centerness logit sends its image to the full read-back.
  const h = makeHead(5, 3, levels, 4, false);
  const l = h.ctr.length / h.n;
  h.cls[1 * l * 4 + 17] = NaN;
  h.ctr[2 * l + 3] = Infinity;
  const sel = await selectAndCompare(h, { scoreThresh: 0.05, topkCandidates: 10 }, "non-finite");
  assertEquals(sel.images.map((c) => c === null), [false, true, true]);

  // Top-k 0 reads back nothing but the flags and finds nothing, as the full decode.
  const none = await selectAndCompare(
    makeHead(6, 2, levels, 3, false),
    { scoreThresh: 0.05, topkCandidates: 0 },
    "k 0",
  );
  assert(none.images.every((c) => c !== null && c.locations.length === 0));
  assertEquals(tf.memory().numTensors, before, "no tensor left behind");
}

/** An image of random pixels (seeded). */
export function noiseImage(width: number, height: number, seed: number): RgbImage {
  const rand = mulberry32(seed);
  return {
    width,
    height,
    data: Uint8Array.from({ length: width * height * 3 }, () => rand() * 256),
  };
}

/** A tiny FCOS (ResNet-18 at width 0.25, FPN 16, one head conv) for the model-level checks. */
export function tinyModel(): FcosModel {
  return FcosModel.create({
    backbone: "resnet18",
    backboneWidth: 0.25,
    fpnChannels: 16,
    headConvs: 1,
    groupNormGroups: 8,
    numClasses: 3,
    minSize: 64,
    maxSize: 96,
  }, { seed: 1 });
}

/** The previous `detect`: forward, full read-back, `postprocess`. */
async function detectByFullReadback(
  model: FcosModel,
  images: RgbImage[],
  options: DecodeOptions,
): Promise<Detections[]> {
  const prep = preprocessImages(images, model.config);
  const { features, head } = model.forward(prep.batch);
  try {
    const grid = model.anchorGrid(
      [prep.batch.shape[1], prep.batch.shape[2]],
      FcosModel.levelShapes(features),
    );
    const host = await readHeadOutputs(head);
    return model.postprocess(
      host,
      grid,
      prep.imageSizes,
      prep.originalSizes,
      options,
    );
  } finally {
    tf.dispose([prep.batch, ...features, head.clsLogits, head.bboxRegression, head.bboxCtrness]);
  }
}

/** How many images of a batch `detect` decodes from device-selected candidates. */
async function selectedCount(
  model: FcosModel,
  images: RgbImage[],
  options: { scoreThresh: number; topkCandidates: number },
): Promise<number> {
  const prep = preprocessImages(images, model.config);
  const { features, head } = model.forward(prep.batch);
  try {
    const grid = model.anchorGrid(
      [prep.batch.shape[1], prep.batch.shape[2]],
      FcosModel.levelShapes(features),
    );
    const sel = await selectCandidates(head, grid, prep.imageSizes, options);
    return sel.images.filter((c) => c !== null).length;
  } finally {
    tf.dispose([prep.batch, ...features, head.clsLogits, head.bboxRegression, head.bboxCtrness]);
  }
}

/**
 * `detect` on a tiny untrained model, with the device-side selection (`readback: "candidates"`),
 * with the full read-back, and with the backend's default, equals the previous path (forward,
 * full read-back, `postprocess`) bit for bit, for a batch of two noise images of different sizes
 * (padding) and a uniform image, over `optionSets`; the device selection is used for the noise
 * images; no tensor is left behind.
 */
export async function checkDetectEqualsFullReadback(
  model: FcosModel,
  optionSets: DecodeOptions[],
): Promise<void> {
  const noise = [noiseImage(64, 64, 1), noiseImage(90, 60, 2)];
  const uniform = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).fill(90) };
  // Warm up, so that tfjs's lazily made tensors do not count below.
  await model.detect([noise[0]], { readback: "candidates" });
  const before = tf.memory().numTensors;
  for (const options of optionSets) {
    for (const [name, images] of [["noise", noise], ["uniform", [uniform]]] as const) {
      const want = await detectByFullReadback(model, [...images], options);
      for (const readback of ["candidates", "full", undefined] as const) {
        const got = await model.detect([...images], { ...options, readback });
        const what = `${name}, ${JSON.stringify({ ...options, readback })}`;
        assertEquals(got.length, want.length);
        got.forEach((d, i) => assertIdentical(d, want[i], `${what} [${i}]`));
      }
      if (name === "noise" && (options.scoreThresh ?? 0) <= 0.05) {
        assert(want.some((d) => d.scores.length > 0), `${JSON.stringify(options)} finds something`);
      }
    }
  }
  const selected = await selectedCount(model, noise, {
    scoreThresh: model.config.scoreThresh,
    topkCandidates: 50,
  });
  assertEquals(selected, 2, "both noise images decoded from device-selected candidates");
  assertEquals(tf.memory().numTensors, before, "detect leaves no tensor behind");
}
