"""torchvision's own ONNX export of an FCOS network, for tests/onnx_export_test.ts.

Usage: /usr/bin/python3 scripts/reference/onnx.py OUT_DIR

Builds a compact torchvision FCOS — torchvision's ResNet-18 (BasicBlock, FrozenBatchNorm2d) at a
quarter of the width (this project's backboneWidth 0.25), torchvision's BackboneWithFPN with 32
channels and LastLevelP6P7, torchvision's FCOSHead (4 convs, GroupNorm(32, 32)) — perturbs the
frozen-BN statistics, GroupNorm affines and biases so no layer is an identity, and exports with
Debian's torch 1.13 `torch.onnx.export` (opset 17, dynamic batch, height and width) the network
this project exports: normalisation, backbone, FPN and head, with the head outputs flattened and
concatenated as torchvision's head returns them (not its postprocess). Writes to OUT_DIR:
  weights.safetensors   the FCOS state dict (torchvision names, OIHW)
  torchvision.onnx      torch.onnx.export of that network
  outputs.safetensors   for each input size k: input_k (N×3×H×W, RGB 0-1) and torch's
                        cls_logits_k [N, L, C], bbox_regression_k [N, L, 4], bbox_ctrness_k [N, L]
  meta.json             config and sizes
  DONE                  written last
"""
import json
import os
import sys
import warnings

import numpy as np
import torch
from torch import nn
from torchvision.models.detection import FCOS
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.resnet import BasicBlock, ResNet
from torchvision.ops import misc as misc_nn_ops
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import randomize_frozen_bn, write_safetensors  # noqa: E402

NUM_CLASSES = 5
FPN_CHANNELS = 32  # torchvision's FCOSHead has GroupNorm(32, C): C = 32 is the narrowest
WIDTH = 0.25
SIZES = [(1, 128, 160), (2, 96, 64)]  # (N, H, W) of the two inputs


def narrow(c):
    return max(8, round(c * WIDTH))


class NarrowResNet(ResNet):
    """torchvision's ResNet-18 with every width scaled by WIDTH (the stem included)."""

    def __init__(self):
        super().__init__(BasicBlock, [2, 2, 2, 2], norm_layer=misc_nn_ops.FrozenBatchNorm2d)
        self.conv1 = nn.Conv2d(3, narrow(64), kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = misc_nn_ops.FrozenBatchNorm2d(narrow(64))

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        if planes == 64:  # layer1: its input is the narrow stem
            self.inplanes = narrow(64)
        return super()._make_layer(block, narrow(planes), blocks, stride, dilate)


def build_model():
    torch.manual_seed(0)
    body = NarrowResNet()
    for name, p in body.named_parameters():  # torchvision's trainable_backbone_layers=3
        if not name.startswith(("layer2", "layer3", "layer4")):
            p.requires_grad_(False)
    in_channels = [narrow(128), narrow(256), narrow(512)]
    backbone = BackboneWithFPN(body, {"layer2": "0", "layer3": "1", "layer4": "2"}, in_channels,
                               FPN_CHANNELS,
                               extra_blocks=LastLevelP6P7(FPN_CHANNELS, FPN_CHANNELS))
    model = FCOS(backbone, num_classes=NUM_CLASSES, min_size=128, max_size=160)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        randomize_frozen_bn(model, g)
        for name, p in model.named_parameters():
            if name.startswith("head.") and p.dim() == 1:
                if ".conv." in name and name.endswith("weight"):  # GroupNorm affine
                    p.copy_(torch.rand(p.shape, generator=g) * 0.8 + 0.6)
                else:
                    p.copy_(torch.randn(p.shape, generator=g) * 0.1)
            elif name.startswith("head.") and p.dim() == 4:
                p.copy_(torch.randn(p.shape, generator=g) * 0.1)
    return model.eval()


class Network(nn.Module):
    """Normalisation, backbone and head of a torchvision FCOS: what this project exports."""

    def __init__(self, fcos):
        super().__init__()
        self.fcos = fcos
        t = fcos.transform
        self.register_buffer("mean", torch.tensor(t.image_mean).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(t.image_std).view(1, 3, 1, 1))

    def forward(self, images):
        x = (images - self.mean) / self.std
        features = list(self.fcos.backbone(x).values())
        out = self.fcos.head(features)
        return out["cls_logits"], out["bbox_regression"], out["bbox_ctrness"].flatten(1)


def main():
    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    model = build_model()
    state = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    write_safetensors(os.path.join(out_dir, "weights.safetensors"), state)
    net = Network(model).eval()
    g = torch.Generator().manual_seed(2)
    out = {}
    with torch.no_grad():
        for k, (n, h, w) in enumerate(SIZES):
            x = torch.rand((n, 3, h, w), generator=g)
            cls, reg, ctr = net(x)
            out[f"input_{k}"] = x.numpy()
            out[f"cls_logits_{k}"] = cls.numpy()
            out[f"bbox_regression_{k}"] = reg.numpy()
            out[f"bbox_ctrness_{k}"] = ctr.numpy()
        torch.onnx.export(
            net, torch.rand((1, 3, 128, 160), generator=g), os.path.join(out_dir, "torchvision.onnx"),
            input_names=["images"], output_names=["cls_logits", "bbox_regression", "bbox_ctrness"],
            opset_version=17,
            dynamic_axes={"images": {0: "N", 2: "H", 3: "W"}, "cls_logits": {0: "N", 1: "L"},
                          "bbox_regression": {0: "N", 1: "L"}, "bbox_ctrness": {0: "N", 1: "L"}})
    write_safetensors(os.path.join(out_dir, "outputs.safetensors"), out)
    meta = {"num_classes": NUM_CLASSES, "fpn_channels": FPN_CHANNELS, "backbone_width": WIDTH,
            "sizes": SIZES}
    with open(os.path.join(out_dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    open(os.path.join(out_dir, "DONE"), "w").close()
    print(f"onnx reference: torchvision.onnx of {sum(p.numel() for p in model.parameters())} "
          "parameters")


if __name__ == "__main__":
    main()
