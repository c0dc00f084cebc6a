/**
 * `deno bench`: the FCOS-R18 forward pass (backbone + FPN + head, outputs read back) at 1×256×320
 * and 1×512×512, and the full `detect` (transform + forward + decode) at 256×320, on the backend
 * at hand (FCOS_BACKEND=webgpu|wasm|cpu to force one). bench/forward_vs_torch.ts runs the same
 * shapes in PyTorch beside it and prints the ratio.
 */
import { tf } from "../src/tf.ts";
import { initBackend } from "../src/backend/select.ts";
import { FcosModel } from "../src/model/fcos.ts";

const backend = Deno.env.get("FCOS_BACKEND") as "webgpu" | "wasm" | "cpu" | undefined;
const info = await initBackend({ backend, log: () => {} });
const model = FcosModel.create({
  backbone: "resnet18",
  numClasses: 91,
  minSize: 256,
  maxSize: 320,
});

function forwardBench(h: number, w: number) {
  const x = tf.randomNormal([1, h, w, 3]) as tf.Tensor4D;
  return async () => {
    const { features, head } = model.forward(x);
    await Promise.all([head.clsLogits.data(), head.bboxRegression.data(), head.bboxCtrness.data()]);
    tf.dispose([...features, head.clsLogits, head.bboxRegression, head.bboxCtrness]);
  };
}

const image = {
  data: Uint8Array.from({ length: 256 * 320 * 3 }, (_, i) => (i * 2654435761) >>> 24),
  width: 320,
  height: 256,
};

Deno.bench({
  name: `FCOS-R18 forward 1×256×320 (${info.name})`,
  group: "forward",
  baseline: true,
  n: 5,
  warmup: 1,
  fn: forwardBench(256, 320),
});
Deno.bench({
  name: `FCOS-R18 forward 1×512×512 (${info.name})`,
  group: "forward",
  n: 3,
  warmup: 1,
  fn: forwardBench(512, 512),
});
Deno.bench({
  name: `FCOS-R18 detect 256×320 image (${info.name})`,
  group: "forward",
  n: 5,
  warmup: 1,
  async fn() {
    await model.detect([image]);
  },
});
