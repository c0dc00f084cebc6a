/**
 * `cli.ts export`: writes a model's network as ONNX (see src/export/onnx.ts) for onnxruntime in
 * Python, C++, C#, mobile or a browser. Weights that do not load and an output that cannot be
 * written are one line each; the output is written atomically (never half a file).
 *
 * @module
 */
import { parseArgs } from "../std.ts";
import { UsageError } from "../errors.ts";
import { initBackend } from "../backend/select.ts";
import type { BackboneName } from "../model/config.ts";
import { exportOnnx, ONNX_OPSET, ONNX_OUTPUTS } from "../export/onnx.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { openModelFile } from "./model_file.ts";

const HELP = `usage: cli.ts export --weights W.safetensors --format onnx --out MODEL.onnx [options]

Exports the FCOS network (input normalisation, backbone, FPN, heads) as ONNX (opset ${ONNX_OPSET})
with dynamic batch, height and width. Decoding and NMS are not in the graph (see the README).

  input   images           float32 [N, 3, H, W], RGB in 0-1, H and W multiples of 32
  outputs ${ONNX_OUTPUTS[0]}       float32 [N, L, C]  class logits
          ${ONNX_OUTPUTS[1]}  float32 [N, L, 4]  (l, t, r, b) in units of the anchor size
          ${ONNX_OUTPUTS[2]}     float32 [N, L]     centerness logits
  (L locations, level by level P3..P7, row-major inside a level)

options:
  --weights FILE        model weights (safetensors: a checkpoint of this project or a
                        torchvision FCOS state dict) [required]
  --format onnx         the output format (onnx, the only one) [required]
  --out FILE            where to write the model [required]
  --backbone NAME       resnet18 | resnet34 | resnet50 (default: read off the weights)
  --num-classes N       class logits (default: read off the weights)
  -h, --help            this help

permissions: --allow-read of the weights, --allow-write of --out.`;

/**
 * Runs `export` with command-line `args`; returns the exit code.
 *
 * @example
 * ```ts ignore
 * import { exportCommand } from "./export.ts";
 * await exportCommand(["--weights", "w.safetensors", "--format", "onnx", "--out", "w.onnx"]);
 * ```
 */
export async function exportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      weights: { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
      backbone: { type: "string" },
      "num-classes": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`export: unexpected argument '${positionals[0]}'`);
  }
  if (!values.weights) throw new UsageError("export: --weights is required");
  if (!values.out) throw new UsageError("export: --out is required");
  if (values.format === undefined) throw new UsageError("export: --format onnx is required");
  if (values.format !== "onnx") {
    throw new UsageError(`export: unknown --format '${values.format}' (onnx is the only one)`);
  }
  let numClasses: number | undefined;
  if (values["num-classes"] !== undefined) {
    numClasses = Number(values["num-classes"]);
    if (!Number.isInteger(numClasses) || numClasses <= 0) {
      throw new UsageError(
        `export: --num-classes must be a positive integer, got '${values["num-classes"]}'`,
      );
    }
  }
  // tfjs only holds the weights while they are read back: the plain JS backend is enough.
  await initBackend({ backend: "cpu", log: () => {} });
  const { model, classNames } = await openModelFile(values.weights, {
    backbone: values.backbone as BackboneName | undefined,
    numClasses,
  });
  let bytes: Uint8Array;
  try {
    bytes = await exportOnnx(model, { classNames });
  } finally {
    model.dispose();
  }
  await writeFileAtomic(values.out, bytes);
  const mb = (bytes.length / 2 ** 20).toFixed(1);
  console.log(
    `${values.out}: ONNX opset ${ONNX_OPSET}, ${model.config.backbone}, ${model.config.numClasses} classes, ${mb} MiB`,
  );
  return 0;
}
