/**
 * Weight files without tfjs: read and write safetensors, and read PyTorch `torch.save` checkpoints
 * (`.pth`/`.pt`, zip or legacy format, a bare state dict or a training checkpoint around one)
 * without Python. A pickle can run code, so the reader understands only the Python globals a state
 * dict needs and refuses any other one, naming it; it never runs anything from the file. Tensors
 * come back as typed arrays under their PyTorch names (`backbone.body.conv1.weight`, …).
 *
 * To put weights into a model (`loadWeights`, `saveWeights`, `inferConfig`, …), use the package
 * root, which loads tfjs.
 *
 * @example Read a torchvision checkpoint and save it as safetensors
 * ```ts ignore
 * import { readStateDict, toFloat32, writeSafetensors } from "jsr:@fcos/fcos/weights";
 *
 * const { tensors } = await readStateDict("resnet18-f37072fd.pth"); // or a .safetensors file
 * const conv1 = tensors.get("conv1.weight")!;
 * console.log(conv1.dtype, conv1.shape, toFloat32(conv1, "conv1.weight")[0]); // F32 [64, 3, 7, 7] …
 * await writeSafetensors("resnet18.safetensors", tensors);
 * ```
 *
 * @module
 */

export {
  parseSafetensors,
  readSafetensors,
  type Safetensors,
  type SafetensorsDtype,
  serializeSafetensors,
  type TensorData,
  type TensorEntry,
  toFloat32,
  writeSafetensors,
} from "./src/io/safetensors.ts";
export { parseStateDict, parseTorchCheckpoint, readStateDict } from "./src/io/pytorch.ts";
export { FcosError } from "./src/errors.ts";
