"""PyTorch checkpoints (torch.save, zip and legacy formats) for tests/pytorch_test.ts.

Usage: /usr/bin/python3 scripts/reference/pth.py OUT_DIR

Writes to OUT_DIR:
  tensors_zip.pth, tensors_legacy.pth
                       one state dict, both formats: every float dtype (F32, F16, BF16, F64), I64 and
                       other integer/bool storages, a transposed view, a slice with a storage offset
                       and strides, two tensors sharing one storage, a scalar and an empty tensor
  wrapped_model.pth    {"model": state dict, "optimizer": …, "args": argparse.Namespace, "epoch": 7}
                       (torchvision's reference scripts save checkpoints like this)
  wrapped_state_dict_legacy.pth   {"state_dict": …, "epoch": 2}, legacy format
  ddp.pth              the state dict with every name prefixed by "module."
  expected.json        {name: {dtype, shape, values}} of the state dict (values as float64)
  evil_system.pth      a state dict with an entry whose __reduce__ calls os.system (zip)
  evil_eval_legacy.pth an object whose __reduce__ calls builtins.eval (legacy format)
  no_tensors.pth       {"epoch": 3, "note": "…"}
  plain.pkl            a pickle of a dict of lists, not written by torch.save
  fcos.pth             a compact torchvision-layout FCOS state dict (ResNet-18 at width 0.25, FPN
                       32 channels, 1 head conv, 3 classes; BatchNorm with num_batches_tracked)
  fcos.safetensors     the same tensors as safetensors, for the detections comparison
  resnet_body_legacy.pth  its body as a torchvision ResNet state dict (with fc.*), legacy format
  DONE                 written last
"""
import argparse
import collections
import json
import os
import pickle
import struct
import sys

import torch
from torchvision.models import resnet18
from torchvision.models.detection import FCOS
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.fcos import FCOSHead
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)

NAMES = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def state_dict():
    base = torch.randn(4, 6)
    shared = torch.arange(12, dtype=torch.float32) * 0.5 - 2.0
    sd = collections.OrderedDict()
    sd["conv.weight"] = torch.randn(3, 2, 3, 3)
    sd["half"] = torch.tensor([0.0, -1.5, 65504.0, 6.1e-5, 1e-7, float("inf")],
                              dtype=torch.float16)
    sd["bfloat"] = torch.tensor([[1.0, -2.5], [3.0e38, 1e-3]], dtype=torch.bfloat16)
    sd["double"] = torch.tensor([1.0 / 3.0, -2.0, 1e-300], dtype=torch.float64)
    sd["bn.num_batches_tracked"] = torch.tensor(1234, dtype=torch.int64)
    sd["int32"] = torch.tensor([-7, 0, 2**31 - 1], dtype=torch.int32)
    sd["int16"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["int8"] = torch.tensor([-128, 127, 1], dtype=torch.int8)
    sd["uint8"] = torch.tensor([0, 255, 7], dtype=torch.uint8)
    sd["flag"] = torch.tensor([True, False, True])
    sd["transposed"] = base.t()  # strides (1, 6)
    sd["sliced"] = base[1:, ::2]  # storage offset 6, strides (6, 2)
    sd["half_transposed"] = torch.randn(3, 5).half().t()
    sd["shared_a"] = shared[:6].view(2, 3)  # both views of one storage
    sd["shared_b"] = shared[6:]  # offset 6
    sd["scalar"] = torch.tensor(2.5)
    sd["empty"] = torch.zeros(0, 3)
    assert not sd["transposed"].is_contiguous() and sd["sliced"].storage_offset() == 6
    assert sd["shared_a"].storage().data_ptr() == sd["shared_b"].storage().data_ptr()
    return sd


def expected(sd):
    res = {}
    for name, t in sd.items():
        values = t.double().flatten().tolist()
        res[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape),
                     "values": [v if v == v and abs(v) != float("inf") else str(v)
                                for v in values]}
    return res


sd = state_dict()
torch.save(sd, os.path.join(out, "tensors_zip.pth"))
torch.save(sd, os.path.join(out, "tensors_legacy.pth"), _use_new_zipfile_serialization=False)
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected(sd), f)

opt = torch.optim.SGD([torch.nn.Parameter(sd["conv.weight"].clone())], lr=0.1, momentum=0.9)
torch.save({"model": sd, "optimizer": opt.state_dict(),
            "args": argparse.Namespace(lr=0.01, epochs=26, data_path="/data/coco", amp=False),
            "epoch": 7}, os.path.join(out, "wrapped_model.pth"))
torch.save({"state_dict": sd, "epoch": 2}, os.path.join(out, "wrapped_state_dict_legacy.pth"),
           _use_new_zipfile_serialization=False)
torch.save(collections.OrderedDict(("module." + k, v) for k, v in sd.items()),
           os.path.join(out, "ddp.pth"))


class CallsSystem:
    def __reduce__(self):
        return (os.system, ("touch /tmp/fcos-pwned",))


class CallsEval:
    def __reduce__(self):
        return (eval, ("1 + 1",))


torch.save({"conv.weight": sd["conv.weight"], "payload": CallsSystem()},
           os.path.join(out, "evil_system.pth"))
torch.save(CallsEval(), os.path.join(out, "evil_eval_legacy.pth"),
           _use_new_zipfile_serialization=False)
torch.save({"epoch": 3, "note": "no weights here"}, os.path.join(out, "no_tensors.pth"))
with open(os.path.join(out, "plain.pkl"), "wb") as f:
    pickle.dump({"a": [1, 2, 3]}, f, protocol=2)


# A compact FCOS in torchvision's layout: torchvision's ResNet-18 FCOS with the body's channel
# counts cut to a quarter (every tensor sliced), so the file is small and the model fast.
def compact_fcos():
    torch.manual_seed(1)
    body = resnet18(weights=None)
    backbone = BackboneWithFPN(body, {"layer2": "0", "layer3": "1", "layer4": "2"},
                               [128, 256, 512], 32, extra_blocks=LastLevelP6P7(32, 32))
    model = FCOS(backbone, num_classes=91)
    model.head = FCOSHead(32, 1, 3, num_convs=1)
    g = torch.Generator().manual_seed(2)
    sd = collections.OrderedDict()
    for name, t in model.state_dict().items():
        if name.startswith("backbone.body.") and t.dim() > 0:
            t = t[tuple(slice(0, d // 4 if d % 64 == 0 else d) for d in t.shape[:2])]
        elif name.startswith("backbone.fpn.inner_blocks."):
            t = t[:, : t.shape[1] // 4] if t.dim() == 4 else t
        t = t.clone()
        if name.endswith("running_mean"):
            t = torch.randn(t.shape, generator=g) * 0.1
        elif name.endswith("running_var"):
            t = torch.rand(t.shape, generator=g) * 1.5 + 0.5
        elif name.endswith("cls_logits.bias"):
            t = torch.randn(t.shape, generator=g) * 0.3 + 0.5  # scores above 0.05: detections
        elif name.endswith(".bias") and t.dtype == torch.float32:
            t = torch.randn(t.shape, generator=g) * 0.05
        sd[name] = t
    return sd


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


fcos = compact_fcos()
assert fcos["backbone.body.conv1.weight"].shape == (16, 3, 7, 7)
assert fcos["backbone.fpn.inner_blocks.2.0.weight"].shape == (32, 128, 1, 1)
torch.save(fcos, os.path.join(out, "fcos.pth"))
# The body alone as a torchvision ResNet classifier's state dict (with an fc layer), legacy format.
body = collections.OrderedDict((k[len("backbone.body."):], v) for k, v in fcos.items()
                               if k.startswith("backbone.body."))
body["fc.weight"] = torch.randn(10, 128)
body["fc.bias"] = torch.zeros(10)
torch.save(body, os.path.join(out, "resnet_body_legacy.pth"), _use_new_zipfile_serialization=False)
write_safetensors(os.path.join(out, "fcos.safetensors"), fcos)
open(os.path.join(out, "DONE"), "w").close()
