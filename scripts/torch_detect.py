"""Runs a model trained with this project in PyTorch: builds the matching torchvision FCOS from a
weights file this project wrote (model.safetensors, best.safetensors, checkpoint/model.safetensors),
loads the weights with load_state_dict(strict=True) and prints its detections as JSON.

Usage: /usr/bin/python3 scripts/torch_detect.py WEIGHTS.safetensors IMAGE [IMAGE ...]

Output (stdout): [{"image": PATH, "boxes": [[x1, y1, x2, y2], ...], "scores": [...],
"labels": [...]}, ...] in original-image pixels, as torchvision's FCOS returns them (it keeps
boxes that are empty after clipping: compare with `model.detect(images, { dropEmpty: false })`).

The architecture and the pre/post-processing settings come from the file's `fcos_config`
metadata. torchvision's ResNet has no width multiplier, so a model with backboneWidth < 1 (the
compact demo) cannot be built here. Needs torch, torchvision, numpy and Pillow (Debian:
python3-torchvision); safetensors files are read with json + numpy (no safetensors package).
To continue training in PyTorch, build the model the same way (`build_model`) and train it.
"""
import json
import struct
import sys
from functools import partial

import numpy as np
import torch
from PIL import Image
from torch import nn
from torchvision.models import resnet18, resnet34, resnet50
from torchvision.models.detection import FCOS
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.fcos import (FCOSClassificationHead, FCOSHead,
                                                FCOSRegressionHead)
from torchvision.ops import misc as misc_nn_ops
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64,
          "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8}


def fail(message):
    print(f"torch_detect: {message}", file=sys.stderr)
    sys.exit(1)


def read_safetensors(path):
    """{name: torch.Tensor} and the metadata of a safetensors file (8-byte little-endian header
    length, JSON header, raw row-major little-endian data)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        fail(f"{path}: not a safetensors file (too short)")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8:
        fail(f"{path}: not a safetensors file (header length {n})")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n:]
    tensors = {}
    for name, spec in header.items():
        if spec["dtype"] not in DTYPES:
            fail(f"{path}: tensor {name} has unsupported dtype {spec['dtype']}")
        b, e = spec["data_offsets"]
        a = np.frombuffer(data[b:e], dtype=np.dtype(DTYPES[spec["dtype"]]).newbyteorder("<"))
        tensors[name] = torch.from_numpy(a.reshape(spec["shape"]).copy())
    return tensors, metadata


def build_model(config):
    """torchvision's FCOS with the architecture and settings of this project's FcosConfig."""
    if config.get("backboneWidth", 1) != 1:
        fail(f"backboneWidth {config['backboneWidth']}: torchvision's ResNet has full width only")
    body = {"resnet18": resnet18, "resnet34": resnet34, "resnet50": resnet50}[config["backbone"]](
        weights=None, norm_layer=misc_nn_ops.FrozenBatchNorm2d)
    # torchvision's _resnet_fpn_extractor fixes 256 FPN channels; this is the same with any width.
    c = config["fpnChannels"]
    stage2 = body.inplanes // 8
    backbone = BackboneWithFPN(body, {"layer2": "0", "layer3": "1", "layer4": "2"},
                               [stage2 * 2, stage2 * 4, stage2 * 8], c,
                               extra_blocks=LastLevelP6P7(c, c))
    k, convs = config["numClasses"], config["headConvs"]
    head = FCOSHead(c, 1, k, num_convs=convs)
    if config["groupNormGroups"] != 32:  # torchvision's FCOSHead hard-codes GroupNorm(32, c)
        norm = partial(nn.GroupNorm, config["groupNormGroups"])
        head.classification_head = FCOSClassificationHead(c, 1, k, convs, norm_layer=norm)
        head.regression_head = FCOSRegressionHead(c, 1, convs, norm_layer=norm)
    anchors = AnchorGenerator(tuple((s,) for s in config["anchorSizes"]), ((1.0,),) * 5)
    return FCOS(backbone, k, min_size=config["minSize"], max_size=config["maxSize"],
                image_mean=config["imageMean"], image_std=config["imageStd"],
                anchor_generator=anchors, head=head,
                center_sampling_radius=config["centerSamplingRadius"],
                score_thresh=config["scoreThresh"], nms_thresh=config["nmsThresh"],
                detections_per_img=config["detectionsPerImg"],
                topk_candidates=config["topkCandidates"])


def main():
    if len(sys.argv) < 3:
        fail("usage: torch_detect.py WEIGHTS.safetensors IMAGE [IMAGE ...]")
    weights, images = sys.argv[1], sys.argv[2:]
    tensors, metadata = read_safetensors(weights)
    if "fcos_config" not in metadata:
        fail(f"{weights}: no fcos_config metadata (not written by this project)")
    model = build_model(json.loads(metadata["fcos_config"]))
    model.load_state_dict(tensors, strict=True)
    model.eval()
    batch = [torch.from_numpy(np.asarray(Image.open(p).convert("RGB"))).permute(2, 0, 1)
             .float() / 255 for p in images]
    with torch.no_grad():
        dets = model(batch)
    print(json.dumps([{"image": p, "boxes": d["boxes"].tolist(), "scores": d["scores"].tolist(),
                       "labels": d["labels"].tolist()} for p, d in zip(images, dets)]))


if __name__ == "__main__":
    main()
