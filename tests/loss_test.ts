/**
 * FCOS losses: parity with torchvision 0.14 (`scripts/reference/loss.py`: anchors, matches,
 * losses and gradients of the head outputs), plus torch-free checks of the loss terms.
 */
import { tf } from "../src/tf.ts";
import { assert, assertAlmostEquals, assertEquals, path } from "../src/std.ts";
import { makeAnchorGrid } from "../src/loss/anchors.ts";
import { assignTargets } from "../src/loss/targets.ts";
import { fcosLoss } from "../src/loss/fcos_loss.ts";
import {
  binaryCrossEntropyWithLogits,
  generalizedBoxIouLoss,
  sigmoidFocalLoss,
  sigmoidFocalLossOneHot,
} from "../src/loss/losses.ts";
import type { HeadOutputs, ImageTargets } from "../src/model/types.ts";
import { referenceDir } from "./_reference.ts";

await tf.setBackend("cpu");

interface Meta {
  paddedSize: [number, number];
  levelShapes: [number, number][];
  numClasses: number;
  centerSamplingRadius: number;
  targets: { boxes: number[]; labels: number[] }[];
  losses: { classification: number; bbox_regression: number; bbox_ctrness: number };
  numPositives: number;
}

function readF32(dir: string, name: string): Float32Array {
  const bytes = Deno.readFileSync(path.join(dir, name));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}
function readI32(dir: string, name: string): Int32Array {
  const bytes = Deno.readFileSync(path.join(dir, name));
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** Max |a − b| must be ≤ tol·max|b| (relative to the largest reference magnitude). */
function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
) {
  assertEquals(actual.length, expected.length, `${what}: length`);
  let maxRef = 0, maxDiff = 0, at = -1;
  for (let i = 0; i < expected.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= maxDiff)) {
      maxDiff = d;
      at = i;
    }
  }
  assert(
    maxDiff <= tol * Math.max(maxRef, 1e-30),
    `${what}: max |diff| ${maxDiff} at ${at} (${actual[at]} vs ${expected[at]}) > ${tol}·${maxRef}`,
  );
}

const CASES = ["basic", "empty_odd", "ties", "allneg", "big"];
const ref = referenceDir("loss");

for (const name of CASES) {
  Deno.test({
    name: `fcosLoss matches torchvision: ${name}`,
    ignore: ref === null,
    fn() {
      const dir = path.join(ref!, name);
      const meta: Meta = JSON.parse(Deno.readTextFileSync(path.join(dir, "meta.json")));
      const grid = makeAnchorGrid(meta.paddedSize, meta.levelShapes);
      const L = grid.anchors.length / 4;
      const n = meta.targets.length;
      const c = meta.numClasses;
      assertEquals(Array.from(grid.anchors), Array.from(readF32(dir, "anchors.bin")), "anchors");

      const targets: ImageTargets[] = meta.targets.map((t) => ({
        boxes: new Float32Array(t.boxes),
        labels: new Int32Array(t.labels),
      }));
      const refMatched = readI32(dir, "matched.bin");
      for (let i = 0; i < n; i++) {
        const matched = assignTargets(grid, targets[i], meta.centerSamplingRadius);
        const expected = refMatched.subarray(i * L, (i + 1) * L);
        const bad = matched.findIndex((m, k) => m !== expected[k]);
        assert(
          bad < 0,
          `image ${i} location ${bad}: matched ${matched[bad]}, torch ${expected[bad]}`,
        );
      }

      const clsLogits = tf.tensor3d(readF32(dir, "cls_logits.bin"), [n, L, c]);
      const bboxRegression = tf.tensor3d(readF32(dir, "bbox_regression.bin"), [n, L, 4]);
      const bboxCtrness = tf.tensor2d(readF32(dir, "bbox_ctrness.bin"), [n, L]);
      const before = tf.memory().numTensors;
      let numPositives = -1;
      const parts: number[] = [];
      const { value, grads } = tf.valueAndGrads(
        (cl: tf.Tensor, br: tf.Tensor, bc: tf.Tensor) => {
          const head = { clsLogits: cl, bboxRegression: br, bboxCtrness: bc } as HeadOutputs;
          const l = fcosLoss(head, grid, targets, {
            centerSamplingRadius: meta.centerSamplingRadius,
          });
          numPositives = l.numPositives;
          parts.push(
            l.classification.dataSync()[0],
            l.bboxRegression.dataSync()[0],
            l.bboxCtrness.dataSync()[0],
          );
          return l.classification.add(l.bboxRegression).add(l.bboxCtrness) as tf.Scalar;
        },
      )([clsLogits, bboxRegression, bboxCtrness]);
      assertEquals(numPositives, meta.numPositives, "numPositives");
      const expectedLosses = [
        meta.losses.classification,
        meta.losses.bbox_regression,
        meta.losses.bbox_ctrness,
      ];
      for (const [k, label] of ["classification", "bboxRegression", "bboxCtrness"].entries()) {
        assertAlmostEquals(
          parts[k],
          expectedLosses[k],
          1e-4 * Math.max(Math.abs(expectedLosses[k]), 1e-6),
          `${label}: ${parts[k]} vs torch ${expectedLosses[k]}`,
        );
      }
      assertClose(grads[0].dataSync(), readF32(dir, "grad_cls_logits.bin"), 1e-3, "d/dclsLogits");
      assertClose(
        grads[1].dataSync(),
        readF32(dir, "grad_bbox_regression.bin"),
        1e-3,
        "d/dbboxReg",
      );
      assertClose(grads[2].dataSync(), readF32(dir, "grad_bbox_ctrness.bin"), 1e-3, "d/dctrness");
      // Nothing leaked: only the value and the three gradients are new.
      assertEquals(tf.memory().numTensors, before + 4);
      tf.dispose([value, ...grads, clsLogits, bboxRegression, bboxCtrness]);
    },
  });
}

Deno.test("fcosLoss: an image without GT gives a finite loss and zero box/centerness terms", () => {
  const grid = makeAnchorGrid([64, 64], [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]]);
  const L = grid.anchors.length / 4;
  tf.tidy(() => {
    const head = {
      clsLogits: tf.randomNormal([1, L, 3], 0, 1, "float32", 1) as tf.Tensor3D,
      bboxRegression: tf.relu(tf.randomNormal([1, L, 4], 0, 1, "float32", 2)) as tf.Tensor3D,
      bboxCtrness: tf.randomNormal([1, L], 0, 1, "float32", 3) as tf.Tensor2D,
    };
    const empty = { boxes: new Float32Array(0), labels: new Int32Array(0) };
    const l = fcosLoss(head, grid, [empty]);
    assertEquals(l.numPositives, 0);
    const cls = l.classification.dataSync()[0];
    assert(Number.isFinite(cls) && cls > 0, `classification ${cls}`);
    assertEquals(l.bboxRegression.dataSync()[0], 0);
    assertEquals(l.bboxCtrness.dataSync()[0], 0);
    // Gradients of the box terms are exactly zero, not NaN.
    const g = tf.grads((br: tf.Tensor, bc: tf.Tensor) => {
      const r = fcosLoss({ ...head, bboxRegression: br, bboxCtrness: bc } as HeadOutputs, grid, [
        empty,
      ]);
      return r.bboxRegression.add(r.bboxCtrness) as tf.Scalar;
    })([head.bboxRegression, head.bboxCtrness]);
    assertEquals(tf.abs(g[0]).max().dataSync()[0], 0);
    assertEquals(tf.abs(g[1]).max().dataSync()[0], 0);
  });
});

Deno.test("fcosLoss: a perfect prediction has zero GIoU loss and the focal loss is normalised", () => {
  // One 20×20 box centred on a P3 anchor at (24, 24): regression = exact distances / 8.
  const grid = makeAnchorGrid([64, 64], [[8, 8], [4, 4], [2, 2], [1, 1], [1, 1]]);
  const L = grid.anchors.length / 4;
  const targets = [{ boxes: new Float32Array([14, 14, 34, 34]), labels: new Int32Array([0]) }];
  const matched = assignTargets(grid, targets[0]);
  const reg = new Float32Array(L * 4);
  let positives = 0;
  for (let i = 0; i < L; i++) {
    if (matched[i] < 0) continue;
    positives++;
    const cx = (grid.anchors[4 * i] + grid.anchors[4 * i + 2]) / 2;
    const cy = (grid.anchors[4 * i + 1] + grid.anchors[4 * i + 3]) / 2;
    const s = grid.anchors[4 * i + 2] - grid.anchors[4 * i];
    reg.set([(cx - 14) / s, (cy - 14) / s, (34 - cx) / s, (34 - cy) / s], 4 * i);
  }
  assert(positives > 0);
  tf.tidy(() => {
    const l = fcosLoss(
      {
        clsLogits: tf.zeros([1, L, 2]) as tf.Tensor3D,
        bboxRegression: tf.tensor3d(reg, [1, L, 4]),
        bboxCtrness: tf.zeros([1, L]) as tf.Tensor2D,
      },
      grid,
      targets,
    );
    assertEquals(l.numPositives, positives);
    assertAlmostEquals(l.bboxRegression.dataSync()[0], 0, 1e-6);
    // Logit 0 everywhere: per element 0.25²·ln2·α_t; L·2 elements, `positives` of them positive.
    const perNeg = 0.75 * 0.25 * Math.LN2, perPos = 0.25 * 0.25 * Math.LN2;
    const expected = ((2 * L - positives) * perNeg + positives * perPos) / positives;
    assertAlmostEquals(l.classification.dataSync()[0], expected, 1e-4 * expected);
  });
});

Deno.test("sigmoidFocalLoss matches torch's formula written out", () => {
  tf.tidy(() => {
    const x = tf.tensor1d([-30, -3, -0.5, 0, 0.5, 3, 30, -2, 2, 0]);
    const t = tf.tensor1d([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    const got = sigmoidFocalLoss(x, t).dataSync()[0];
    let want = 0;
    const xs = x.arraySync(), ts = t.arraySync();
    for (let i = 0; i < xs.length; i++) {
      const p = 1 / (1 + Math.exp(-xs[i]));
      const ce = Math.max(xs[i], 0) - xs[i] * ts[i] + Math.log1p(Math.exp(-Math.abs(xs[i])));
      const pt = p * ts[i] + (1 - p) * (1 - ts[i]);
      want += (0.25 * ts[i] + 0.75 * (1 - ts[i])) * ce * (1 - pt) ** 2;
    }
    assertAlmostEquals(got, want, 1e-5 * want);
    // Large |x| stays finite, also in the gradient.
    const g = tf.grad((v: tf.Tensor) => sigmoidFocalLoss(v, t))(x).dataSync();
    assert(g.every(Number.isFinite));
  });
});

Deno.test("generalizedBoxIouLoss and BCE-with-logits: known values", () => {
  tf.tidy(() => {
    const a = tf.tensor2d([[0, 0, 2, 2], [0, 0, 1, 1], [0, 0, 4, 4]]);
    const b = tf.tensor2d([[1, 1, 3, 3], [2, 2, 3, 3], [0, 0, 4, 4]]);
    const l = generalizedBoxIouLoss(a, b).dataSync();
    assertAlmostEquals(l[0], 1 - (1 / 7 - 2 / 9), 1e-6); // IoU 1/7, enclosing 9, union 7
    assertAlmostEquals(l[1], 1 - (0 - 7 / 9), 1e-6); // disjoint: IoU 0, enclosing 9, union 2
    assertAlmostEquals(l[2], 0, 1e-6);
    const bce = binaryCrossEntropyWithLogits(tf.tensor1d([0, 100, -100]), tf.tensor1d([1, 1, 0]))
      .dataSync();
    assertAlmostEquals(bce[0], Math.LN2, 1e-6);
    assertAlmostEquals(bce[1], 0, 1e-6);
    assertAlmostEquals(bce[2], 0, 1e-6);
  });
});

Deno.test("sigmoidFocalLoss: fused gradient equals autograd of the formula for any α, γ", () => {
  tf.tidy(() => {
    const x = tf.randomNormal([6, 5], 0, 3, "float32", 7);
    const classes = new Int32Array([0, -1, 4, 2, -1, 1]);
    const t = tf.oneHot(tf.tensor1d(classes, "int32"), 5).toFloat();
    for (const [alpha, gamma] of [[0.25, 2], [0.5, 1], [-1, 3], [0.1, 0.5]]) {
      const plain = (v: tf.Tensor) => {
        const p = tf.sigmoid(v);
        const ce = binaryCrossEntropyWithLogits(v, t);
        const pt = p.mul(t).add(tf.scalar(1).sub(p).mul(tf.scalar(1).sub(t)));
        let loss = ce.mul(tf.pow(tf.scalar(1).sub(pt), gamma));
        if (alpha >= 0) loss = loss.mul(t.mul(alpha).add(tf.scalar(1).sub(t).mul(1 - alpha)));
        return loss.sum() as tf.Scalar;
      };
      const want = tf.valueAndGrad(plain)(x);
      const got = tf.valueAndGrad((v: tf.Tensor) => sigmoidFocalLoss(v, t, alpha, gamma))(x);
      const got2 = tf.valueAndGrad((v: tf.Tensor) =>
        sigmoidFocalLossOneHot(v, classes, alpha, gamma)
      )(x);
      const w = want.value.dataSync()[0];
      for (const g of [got, got2]) {
        assertAlmostEquals(g.value.dataSync()[0], w, 1e-5 * w, `α ${alpha} γ ${gamma}`);
        assertClose(g.grad.dataSync(), want.grad.dataSync(), 1e-4, `α ${alpha} γ ${gamma} grad`);
      }
    }
  });
});

Deno.test("fcosLoss: works under tf.variableGrads and leaks nothing outside a tidy", () => {
  const grid = makeAnchorGrid([64, 96], [[8, 12], [4, 6], [2, 3], [1, 2], [1, 1]]);
  const L = grid.anchors.length / 4;
  const targets = [
    { boxes: new Float32Array([10, 12, 40, 50, 30, 5, 90, 60]), labels: new Int32Array([1, 0]) },
    { boxes: new Float32Array(0), labels: new Int32Array(0) },
  ];
  const head = {
    clsLogits: tf.variable(tf.randomNormal([2, L, 2], 0, 1, "float32", 4)),
    bboxRegression: tf.variable(tf.relu(tf.randomNormal([2, L, 4], 1, 1, "float32", 5))),
    bboxCtrness: tf.variable(tf.randomNormal([2, L], 0, 1, "float32", 6)),
  } as unknown as HeadOutputs;
  const before = tf.memory().numTensors;
  const l = fcosLoss(head, grid, targets);
  assertEquals(tf.memory().numTensors, before + 3); // just the three scalars
  assert(l.numPositives > 0);
  tf.dispose([l.classification, l.bboxRegression, l.bboxCtrness]);
  assertEquals(tf.memory().numTensors, before);
  const { value, grads } = tf.variableGrads(() => {
    const r = fcosLoss(head, grid, targets);
    r.classification.dataSync(); // reading a part inside, as a trainer logging it would
    return tf.addN([r.classification, r.bboxRegression, r.bboxCtrness]) as tf.Scalar;
  });
  assertEquals(Object.keys(grads).length, 3);
  assertEquals(tf.memory().numTensors, before + 4, "only the value and three gradients remain");
  for (const g of Object.values(grads)) assert(g.dataSync().every(Number.isFinite));
  // Gradient descent on the head outputs lowers the loss.
  const v0 = value.dataSync()[0];
  for (const v of [head.clsLogits, head.bboxRegression, head.bboxCtrness] as tf.Variable[]) {
    v.assign(tf.tidy(() => v.sub(grads[v.name].mul(0.01))));
  }
  const after = fcosLoss(head, grid, targets);
  const v1 = after.classification.add(after.bboxRegression).add(after.bboxCtrness).dataSync()[0];
  assert(v1 < v0, `loss ${v0} → ${v1}`);
  tf.dispose([value, ...Object.values(grads), after.classification, after.bboxRegression]);
  tf.dispose([after.bboxCtrness]);
});
