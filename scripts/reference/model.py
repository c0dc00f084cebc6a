"""Reference outputs of torchvision's FCOS-R18 for the parity tests (tests/model_parity_test.ts).

Usage: /usr/bin/python3 scripts/reference/model.py OUT_DIR

Builds torchvision's FCOS with a ResNet-18 FPN backbone (frozen BatchNorm, LastLevelP6P7(256, 256),
trainable_backbone_layers=3) with fixed seeds, perturbs the frozen-BN statistics, GroupNorm affines
and biases so that no layer is an identity and detections exist, and writes to OUT_DIR:
  weights.safetensors  the FCOS state dict (torchvision names, OIHW)
  body.safetensors     the ResNet body alone (torchvision ResNet names) for the backbone loader
  outputs.safetensors  image (uint8 H×W×3), FPN features P3..P7 (NHWC), head outputs, anchors,
                       detections in original-image pixels, losses and every trainable gradient
  meta.json            sizes, config and detection counts
  DONE                 written last
"""
import json
import os
import struct
import sys

import numpy as np
import torch
from torchvision.models import resnet18
from torchvision.models.detection import FCOS
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.ops import misc as misc_nn_ops
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

NUM_CLASSES = 7
MIN_SIZE, MAX_SIZE = 256, 320


def write_safetensors(path, tensors):
    """Writes {name: np.ndarray} as safetensors (header JSON + raw little-endian bytes)."""
    dtypes = {np.dtype("float32"): "F32", np.dtype("uint8"): "U8", np.dtype("int32"): "I32",
              np.dtype("int64"): "I64"}
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        arr = np.ascontiguousarray(arr)
        raw = arr.tobytes()
        header[name] = {"dtype": dtypes[arr.dtype], "shape": list(arr.shape),
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


def randomize_frozen_bn(model, g):
    """Gives every FrozenBatchNorm2d buffer non-trivial values (so that folding BN is tested)."""
    with torch.no_grad():
        for name, buf in model.named_buffers():
            if name.endswith("running_mean"):
                buf.copy_(torch.randn(buf.shape, generator=g) * 0.1)
            elif name.endswith("running_var"):
                buf.copy_(torch.rand(buf.shape, generator=g) * 1.5 + 0.5)
            elif name.endswith(".weight"):  # FrozenBatchNorm2d weight is a buffer
                buf.copy_(torch.rand(buf.shape, generator=g) * 0.8 + 0.6)
            elif name.endswith(".bias"):
                buf.copy_(torch.randn(buf.shape, generator=g) * 0.1)


def build_model():
    torch.manual_seed(0)
    body = resnet18(weights=None, norm_layer=misc_nn_ops.FrozenBatchNorm2d)
    backbone = _resnet_fpn_extractor(body, 3, returned_layers=[2, 3, 4],
                                     extra_blocks=LastLevelP6P7(256, 256))
    model = FCOS(backbone, num_classes=NUM_CLASSES, min_size=MIN_SIZE, max_size=MAX_SIZE,
                 score_thresh=0.05, nms_thresh=0.6, detections_per_img=100, topk_candidates=1000)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        randomize_frozen_bn(model, g)
        for name, p in model.named_parameters():
            if ".conv." in name and name.startswith("head.") and p.dim() == 1:
                if name.endswith("weight"):  # GroupNorm affine
                    p.copy_(torch.rand(p.shape, generator=g) * 0.8 + 0.6)
                else:
                    p.copy_(torch.randn(p.shape, generator=g) * 0.1)
            elif name.endswith("cls_logits.bias"):
                p.copy_(-2.5 + torch.randn(p.shape, generator=g) * 0.3)
            elif name.endswith(".bias"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.05)
            elif name.startswith("head.") and p.dim() == 4:
                # A larger spread than the 0.01 init, so scores are well separated.
                p.copy_(torch.randn(p.shape, generator=g) * 0.03)
    return model


def make_image(h, w, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([(xx * 255 // w), (yy * 255 // h), ((xx + yy) * 127 // (h + w))], -1)
    img = img.astype(np.float64)
    for _ in range(6):  # a few flat rectangles, like objects
        y0, x0 = rng.integers(0, h - 20), rng.integers(0, w - 20)
        y1, x1 = y0 + rng.integers(10, h // 2), x0 + rng.integers(10, w // 2)
        img[y0:y1, x0:x1] = rng.integers(0, 256, 3)
    img += rng.normal(0, 8, img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    model = build_model()
    state = {k: v.detach().numpy().astype(np.float32) for k, v in model.state_dict().items()}
    write_safetensors(os.path.join(out_dir, "weights.safetensors"), state)
    body = {k[len("backbone.body."):]: v for k, v in state.items() if k.startswith("backbone.body.")}
    write_safetensors(os.path.join(out_dir, "body.safetensors"), body)

    out = {}
    meta = {"num_classes": NUM_CLASSES, "min_size": MIN_SIZE, "max_size": MAX_SIZE}
    # Image A alone: 190×270 → resized 225×320 → padded 256×320 (resize and padding both exercised).
    # Image B joins it in a batch of two for the detection check.
    img_a = make_image(190, 270, 2)
    img_b = make_image(240, 180, 3)
    out["image_a"], out["image_b"] = img_a, img_b
    to_t = lambda im: torch.from_numpy(im).permute(2, 0, 1).float() / 255

    model.eval()
    feats = {}
    model.backbone.register_forward_hook(lambda m, i, o: feats.update(o))
    head_out = {}
    model.head.register_forward_hook(lambda m, i, o: head_out.update(o))
    with torch.no_grad():
        det_a = model([to_t(img_a)])[0]
        for i, (k, v) in enumerate(feats.items()):
            out[f"feature_{i}"] = v.permute(0, 2, 3, 1).numpy()  # NHWC
        out["cls_logits"] = head_out["cls_logits"].numpy()
        out["bbox_regression"] = head_out["bbox_regression"].numpy()
        out["bbox_ctrness"] = head_out["bbox_ctrness"][..., 0].numpy()
        images, _ = model.transform([to_t(img_a)])
        meta["a_padded"] = list(images.tensors.shape[-2:])
        meta["a_resized"] = list(images.image_sizes[0])
        anchors = model.anchor_generator(images, list(feats.values()))
        out["anchors"] = anchors[0].numpy()
        out["image_a_normalized"] = images.tensors[0].permute(1, 2, 0).numpy()
        for key, val in det_a.items():
            out[f"det_a_{key}"] = val.numpy().astype(np.float32 if key != "labels" else np.int32)
        dets = model([to_t(img_a), to_t(img_b)])
        for j, d in enumerate(dets):
            for key, val in d.items():
                out[f"det_batch{j}_{key}"] = val.numpy().astype(
                    np.float32 if key != "labels" else np.int32)
    meta["det_a_count"] = int(det_a["boxes"].shape[0])
    meta["det_batch_counts"] = [int(d["boxes"].shape[0]) for d in dets]

    # Training losses and gradients of every trainable parameter (image A, three boxes).
    model.train()
    boxes = torch.tensor([[20.0, 30.0, 120.0, 150.0], [100.0, 20.0, 260.0, 100.0],
                          [40.0, 60.0, 70.0, 90.0]])
    labels = torch.tensor([1, 4, 6])
    losses = model([to_t(img_a)], [{"boxes": boxes, "labels": labels}])
    total = sum(losses.values())
    total.backward()
    out["target_boxes"] = boxes.numpy()
    out["target_labels"] = labels.numpy().astype(np.int32)
    for k, v in losses.items():
        out[f"loss_{k}"] = np.array([v.item()], dtype=np.float32)
    for name, p in model.named_parameters():
        if p.requires_grad:
            out[f"grad/{name}"] = p.grad.numpy()
    meta["trainable"] = [n for n, p in model.named_parameters() if p.requires_grad]
    write_safetensors(os.path.join(out_dir, "outputs.safetensors"), out)
    with open(os.path.join(out_dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    open(os.path.join(out_dir, "DONE"), "w").close()
    print(f"model reference: {meta['det_a_count']} detections, losses "
          + ", ".join(f"{k}={v.item():.5f}" for k, v in losses.items()))


if __name__ == "__main__":
    main()
