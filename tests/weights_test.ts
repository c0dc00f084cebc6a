/**
 * src/io/weights.ts: fine-tuning loads (a classifier for another class count re-initialised,
 * anything else that does not fit named), the architecture read off a file, and the way back to
 * PyTorch: a model we save loads into torchvision's FCOS with load_state_dict(strict=True) and
 * gives our detections (scripts/torch_detect.py, run with Debian's torch).
 */
import { assert, assertEquals, assertRejects, assertThrows, path } from "../src/std.ts";
import { FcosError } from "../src/errors.ts";
import { initBackend } from "../src/backend/select.ts";
import { FcosModel } from "../src/model/fcos.ts";
import type { FcosConfig } from "../src/model/config.ts";
import {
  fineTuneArchitecture,
  loadFineTuneWeights,
  loadWeights,
  saveWeights,
  stateDict,
} from "../src/io/weights.ts";
import { readSafetensors, type Safetensors, type TensorEntry } from "../src/io/safetensors.ts";
import { encodeImage } from "../src/data/image.ts";
import { generateSynthetic } from "../src/data/synthetic.ts";
import { Rng } from "../src/data/rng.ts";
import { assertSameDetections } from "./_detections.ts";
import { referenceDir } from "./_reference.ts";
import { TINY } from "./_run.ts";

await initBackend({ backend: "wasm", threads: 1, log: () => {} });

const SMALL: Partial<FcosConfig> = TINY;
const LOGITS_W = "head.classification_head.cls_logits.weight";
const LOGITS_B = "head.classification_head.cls_logits.bias";

async function stateOf(model: FcosModel): Promise<Safetensors> {
  return { tensors: await stateDict(model), metadata: {} };
}

Deno.test("fine-tune load: a 5-class FCOS into a 2-class model re-initialises only the classifier", async () => {
  const five = FcosModel.create({ ...SMALL, numClasses: 5 }, { seed: 3 });
  const st = await stateOf(five);
  const two = FcosModel.create({ ...SMALL, numClasses: 2 }, { seed: 9 });
  const fresh = await two.params.readTorch(LOGITS_W);
  const freshBias = await two.params.readTorch(LOGITS_B);
  const r = await loadFineTuneWeights(two, st, "five.safetensors");
  assertEquals(r.reinitialised.sort(), [LOGITS_B, LOGITS_W]);
  assertEquals(r.loaded, two.params.specs.length - 2);
  // Every other tensor is the file's; the classifier keeps torchvision's init.
  for (const spec of two.params.specs) {
    const got = await two.params.readTorch(spec.name);
    const want = r.reinitialised.includes(spec.name)
      ? (spec.name === LOGITS_W ? fresh : freshBias).data
      : st.tensors.get(spec.name)!.data;
    assertEquals(got.data, want, spec.name);
  }
  const prior = -Math.log(0.99 / 0.01);
  assert(freshBias.data.every((b) => Math.abs(b - prior) < 1e-6), `bias ${freshBias.data}`);
  const w = fresh.data, mean = w.reduce((a, b) => a + b, 0) / w.length;
  const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
  assert(Math.abs(std - 0.01) < 0.002 && Math.abs(mean) < 0.002, `std ${std} mean ${mean}`);

  // The same class count: everything loads, nothing is re-initialised.
  const again = FcosModel.create({ ...SMALL, numClasses: 5 });
  const same = await loadFineTuneWeights(again, st);
  assertEquals([same.reinitialised, same.loaded], [[], again.params.specs.length]);
  five.dispose();
  two.dispose();
  again.dispose();
});

Deno.test("fine-tune load: a missing, unexpected or mis-shaped tensor names the key and both shapes; the model is unchanged", async () => {
  const src = FcosModel.create({ ...SMALL, numClasses: 5 });
  const good = await stateDict(src);
  const model = FcosModel.create({ ...SMALL, numClasses: 2 }, { seed: 4 });
  const before = await stateDict(model);
  const variant = (edit: (m: Map<string, TensorEntry>) => void): Safetensors => {
    const m = new Map(good);
    edit(m);
    return { tensors: m, metadata: {} };
  };
  const conv = "backbone.fpn.layer_blocks.0.0.weight"; // [16, 16, 3, 3]
  const cases: [Safetensors, RegExp][] = [
    [
      variant((m) => m.delete(conv)),
      /f\.safetensors: missing 1 tensor\(s\), first 'backbone\.fpn\.layer_blocks\.0\.0\.weight' with shape \[16, 16, 3, 3\]/,
    ],
    [
      variant((m) =>
        m.set("head.extra.weight", { dtype: "F32", shape: [2], data: new Float32Array(2) })
      ),
      /unexpected tensor 'head\.extra\.weight' with shape \[2\]/,
    ],
    [
      variant((m) =>
        m.set(conv, { dtype: "F32", shape: [16, 8, 3, 3], data: new Float32Array(1152) })
      ),
      /tensor 'backbone\.fpn\.layer_blocks\.0\.0\.weight' has shape \[16, 8, 3, 3\], the model expects \[16, 16, 3, 3\]/,
    ],
    [
      // The classifier may differ in its class dimension only.
      variant((m) =>
        m.set(LOGITS_W, { dtype: "F32", shape: [5, 8, 3, 3], data: new Float32Array(360) })
      ),
      /'head\.classification_head\.cls_logits\.weight' has shape \[5, 8, 3, 3\], the model expects \[2, 16, 3, 3\]/,
    ],
    [
      // A classifier whose weight and bias disagree on the class count.
      variant((m) => m.set(LOGITS_B, { dtype: "F32", shape: [2], data: new Float32Array(2) })),
      /cls_logits\.weight' has 5 classes but '.*cls_logits\.bias' has 2/,
    ],
  ];
  for (const [st, message] of cases) {
    await assertRejects(() => loadFineTuneWeights(model, st, "f.safetensors"), FcosError);
    await assertRejects(() => loadFineTuneWeights(model, st, "f.safetensors"), message);
  }
  const after = await stateDict(model);
  for (const [name, e] of before) assertEquals(after.get(name)!.data, e.data, name);
  src.dispose();
  model.dispose();
});

Deno.test("fineTuneArchitecture: read off our files and torchvision's; a conflicting request or a ResNet is an error", async () => {
  const model = FcosModel.create({ ...SMALL, numClasses: 5, minSize: 96, maxSize: 96 });
  const dir = await Deno.makeTempDir();
  const file = path.join(dir, "m.safetensors");
  await saveWeights(model, file, { class_names: JSON.stringify(["a", "b", "c", "d", "e"]) });
  const ours = await readSafetensors(file);
  const a = fineTuneArchitecture(ours, file);
  assertEquals(a.numClasses, 5);
  assertEquals(a.classNames, ["a", "b", "c", "d", "e"]);
  assertEquals(a.architecture.backboneWidth, 0.125);
  assertEquals(a.architecture.groupNormGroups, 4);
  assertEquals("minSize" in a.architecture, false, "image sizes are the run's");
  // A plain state dict (no metadata): what the tensors say.
  const plain = fineTuneArchitecture({ tensors: ours.tensors, metadata: {} }, "plain");
  assertEquals(plain.architecture, {
    backbone: "resnet18",
    backboneWidth: 0.125,
    fpnChannels: 16,
    headConvs: 1,
  });
  assertEquals(plain.numClasses, 5);
  // An explicit request for another architecture, and a backbone-only file.
  assertThrows(
    () => fineTuneArchitecture(ours, file, { fpnChannels: 32, minSize: 64 }),
    /m\.safetensors: its model has fpnChannels 16, the run asks for 32/,
  );
  fineTuneArchitecture(ours, file, { fpnChannels: 16, minSize: 64 }); // agreeing is fine
  const body = new Map(
    [...ours.tensors].filter(([n]) => n.startsWith("backbone.body.")).map(([n, e]) =>
      [n.slice("backbone.body.".length), e] as const
    ),
  );
  assertThrows(
    () => fineTuneArchitecture({ tensors: body, metadata: {} }, "r18.safetensors"),
    /r18\.safetensors: a ResNet \(backbone\) state dict, not a whole FCOS/,
  );
  model.dispose();
  await Deno.remove(dir, { recursive: true });
});

const modelRef = referenceDir("model"); // scripts/reference/model.py

Deno.test({
  name: "fine-tune load: torchvision's own FCOS state dict (7 classes) starts a 3-class model",
  ignore: modelRef === null,
  async fn() {
    const file = `${modelRef}/weights.safetensors`;
    const st = await readSafetensors(file);
    const arch = fineTuneArchitecture(st, file);
    assertEquals(arch.architecture, {
      backbone: "resnet18",
      backboneWidth: 1,
      fpnChannels: 256,
      headConvs: 4,
    });
    assertEquals(arch.numClasses, 7);
    const model = FcosModel.create({ ...arch.architecture, numClasses: 3 });
    const r = await loadFineTuneWeights(model, file);
    assertEquals(r.reinitialised, [LOGITS_W, LOGITS_B]);
    assertEquals(r.loaded, st.tensors.size - 2);
    const key = "head.regression_head.bbox_reg.weight";
    assertEquals((await model.params.readTorch(key)).data, st.tensors.get(key)!.data);
    model.dispose();
  },
});

/** Makes no layer an identity and gives well-separated scores (as scripts/reference/model.py). */
async function perturb(model: FcosModel, seed: number): Promise<void> {
  const rng = new Rng(seed);
  const st = await stateDict(model);
  for (const [name, e] of st) {
    const d = e.data as Float32Array;
    const bn = name.startsWith("backbone.body.") && /\.(bn\d|downsample\.1)\./.test(name) ||
      name.startsWith("backbone.body.bn1.");
    const gn = /^head\..*\.conv\.\d+\.(weight|bias)$/.test(name) && e.shape.length === 1;
    for (let i = 0; i < d.length; i++) {
      if (name.endsWith("running_mean")) d[i] = rng.normal() * 0.1;
      else if (name.endsWith("running_var")) d[i] = rng.uniform(0.5, 2);
      else if ((bn || gn) && name.endsWith(".weight")) d[i] = rng.uniform(0.6, 1.4);
      else if (bn || gn) d[i] = rng.normal() * 0.1;
      else if (name === LOGITS_B) d[i] = -2.5 + rng.normal() * 0.3;
      else if (name.endsWith(".bias")) d[i] = rng.normal() * 0.05;
      else if (name.startsWith("head.")) d[i] = rng.normal() * 0.03;
    }
  }
  await loadWeights(model, { tensors: st, metadata: {} });
}

async function hasTorch(): Promise<boolean> {
  try {
    const probe = await new Deno.Command("/usr/bin/python3", {
      args: ["-c", "import torch, torchvision, numpy, PIL"],
      stdout: "null",
      stderr: "null",
    }).output();
    return probe.code === 0;
  } catch {
    return false;
  }
}

Deno.test("back to PyTorch: our weights load into torchvision's FCOS (strict) and give our detections", async () => {
  if (!(await hasTorch())) {
    if (Deno.env.get("CI") === "true") {
      throw new Error("CI needs /usr/bin/python3 with torch, torchvision, numpy and Pillow");
    }
    console.warn("skipping: /usr/bin/python3 with torch/torchvision not available");
    return;
  }
  // A layout torchvision can build: full-width ResNet-18; narrow FPN and head, 16 GroupNorm groups
  // (torchvision's head hard-codes 32: the script swaps in GroupNorm(16)).
  const model = FcosModel.create({
    backbone: "resnet18",
    numClasses: 3,
    fpnChannels: 32,
    groupNormGroups: 16,
    headConvs: 2,
    minSize: 96,
    maxSize: 120,
  }, { seed: 1 });
  await perturb(model, 11);
  const dir = await Deno.makeTempDir();
  try {
    const weights = path.join(dir, "model.safetensors");
    await saveWeights(model, weights, { class_names: JSON.stringify(["a", "b", "c"]) });
    const s = generateSynthetic(2, { size: 128 });
    const crop = { data: s.image.slice(0, 128 * 100 * 3), width: 128, height: 100 };
    const png = path.join(dir, "image.png");
    await Deno.writeFile(png, await encodeImage(crop, "png"));
    const res = await new Deno.Command("/usr/bin/python3", {
      args: [new URL("../scripts/torch_detect.py", import.meta.url).pathname, weights, png],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(res.code, 0, new TextDecoder().decode(res.stderr));
    const [theirs] = JSON.parse(new TextDecoder().decode(res.stdout));
    const want = {
      boxes: Float32Array.from((theirs.boxes as number[][]).flat()),
      scores: Float32Array.from(theirs.scores as number[]),
      labels: Int32Array.from(theirs.labels as number[]),
    };
    assert(want.scores.length >= 20, `torchvision found ${want.scores.length} detections`);
    assert(new Set(want.labels).size > 1, "detections of several classes");
    const [ours] = await model.detect([crop], { dropEmpty: false });
    assertSameDetections(ours, want, "torchvision vs ours");
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
