"""Reference FCOS target assignment and losses from torchvision's own code, for tests/loss_test.ts.

Usage: python3 loss.py OUT_DIR
For every case it builds a torchvision FCOS (dummy backbone, default anchor generator and head),
makes the anchors of a padded batch with `model.anchor_generator`, and runs `model.compute_loss`
(FCOS.compute_loss + FCOSHead.compute_loss) on random leaf head outputs, then backpropagates the
sum of the three losses. Outputs in OUT_DIR/CASE/:
  meta.json  paddedSize, levelShapes, numClasses, centerSamplingRadius, targets (boxes as float32
             values, labels), losses, numPositives
  anchors.bin (L*4 f32), matched.bin (N*L i32), cls_logits.bin (N*L*C f32),
  bbox_regression.bin (N*L*4 f32), bbox_ctrness.bin (N*L f32) and grad_<name>.bin for the three
  head outputs (gradients of classification + bbox_regression + bbox_ctrness).
and finally OUT_DIR/DONE (empty).
"""
import json
import os
import sys

import numpy as np
import torch
from torch import nn
from torchvision.models.detection.fcos import FCOS
from torchvision.models.detection.image_list import ImageList

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


class DummyBackbone(nn.Module):
    out_channels = 32  # GroupNorm(32) in the head needs a multiple of 32

    def forward(self, x):  # never called: only the anchor generator and the loss are used
        raise NotImplementedError


def rand_boxes(gen, k, h, w, min_side, max_side):
    """k float32 boxes with log-uniform sides in [min_side, max_side], inside the image."""
    sides = torch.exp(torch.empty(k, 2).uniform_(np.log(min_side), np.log(max_side), generator=gen))
    bw = sides[:, 0].clamp(max=w - 1)
    bh = sides[:, 1].clamp(max=h - 1)
    x0 = torch.rand(k, generator=gen) * (w - bw)
    y0 = torch.rand(k, generator=gen) * (h - bh)
    return torch.stack([x0, y0, x0 + bw, y0 + bh], dim=1).float()


def write_case(name, padded, levels, num_classes, targets, seed, radius=1.5):
    torch.manual_seed(seed)
    n = len(targets)
    model = FCOS(DummyBackbone(), num_classes, center_sampling_radius=radius)
    images = ImageList(torch.zeros(n, 3, *padded), [tuple(padded)] * n)
    feats = [torch.zeros(n, 1, h, w) for h, w in levels]
    anchors = model.anchor_generator(images, feats)
    num_per_level = [h * w for h, w in levels]
    L = sum(num_per_level)
    cls_logits = (torch.randn(n, L, num_classes) * 1.5 - 1.0).requires_grad_()
    bbox_regression = torch.relu(torch.randn(n, L, 4) * 0.8 + 0.4).requires_grad_()
    bbox_ctrness = torch.randn(n, L, 1).requires_grad_()
    head_outputs = {
        "cls_logits": cls_logits,
        "bbox_regression": bbox_regression,
        "bbox_ctrness": bbox_ctrness,
    }
    recorded = {}
    original = model.head.compute_loss

    def spy(targets_, head_outputs_, anchors_, matched_idxs):
        recorded["matched"] = matched_idxs
        return original(targets_, head_outputs_, anchors_, matched_idxs)

    model.head.compute_loss = spy
    losses = model.compute_loss(targets, head_outputs, anchors, num_per_level)
    total = losses["classification"] + losses["bbox_regression"] + losses["bbox_ctrness"]
    total.backward()
    matched = torch.stack(recorded["matched"]).to(torch.int32)

    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)

    def dump(fname, t, dtype=np.float32):
        t.detach().contiguous().numpy().astype(dtype).tofile(os.path.join(d, fname))

    assert all(torch.equal(anchors[0], a) for a in anchors)
    dump("anchors.bin", anchors[0])
    dump("matched.bin", matched, np.int32)
    dump("cls_logits.bin", cls_logits)
    dump("bbox_regression.bin", bbox_regression)
    dump("bbox_ctrness.bin", bbox_ctrness.squeeze(2))
    dump("grad_cls_logits.bin", cls_logits.grad)
    dump("grad_bbox_regression.bin", bbox_regression.grad)
    dump("grad_bbox_ctrness.bin", bbox_ctrness.grad.squeeze(2))
    meta = {
        "paddedSize": list(padded),
        "levelShapes": [list(s) for s in levels],
        "numClasses": num_classes,
        "centerSamplingRadius": radius,
        "targets": [
            {"boxes": t["boxes"].reshape(-1).tolist(), "labels": t["labels"].tolist()}
            for t in targets
        ],
        "losses": {k: v.item() for k, v in losses.items()},
        "numPositives": int((matched >= 0).sum().item()),
    }
    with open(os.path.join(d, "meta.json"), "w") as fh:
        json.dump(meta, fh)
    print(f"loss.py: {name}: N={n} L={L} C={num_classes} positives={meta['numPositives']} "
          f"losses={meta['losses']}")


def target(boxes, labels):
    return {
        "boxes": torch.as_tensor(boxes, dtype=torch.float32).reshape(-1, 4),
        "labels": torch.as_tensor(labels, dtype=torch.int64),
    }


gen = torch.Generator().manual_seed(1234)

# 1. Two 256×320 images, nominal strides; hand-made boxes: tiny, nested (smaller must win),
#    partly overlapping, huge, plus random ones.
hand = [
    [5.0, 6.0, 11.5, 11.0],  # tiny: only P3 can take it
    [40.25, 30.5, 120.75, 150.0],  # medium
    [60.5, 60.5, 100.25, 110.0],  # nested inside the medium one: smaller area wins
    [90.0, 100.0, 200.5, 190.25],  # partly overlapping the medium one
    [2.0, 3.0, 318.0, 250.0],  # huge: P7 only
    [150.0, 20.0, 310.0, 60.0],  # wide and short
    [250.0, 80.0, 270.0, 240.0],  # tall and narrow
]
img0 = target(hand, [0, 1, 2, 3, 4, 1, 2])
img1 = target(rand_boxes(gen, 12, 256, 320, 4, 300), torch.randint(0, 5, (12,), generator=gen))
write_case("basic", (256, 320), [(32, 40), (16, 20), (8, 10), (4, 5), (2, 3)], 5, [img0, img1], 1)

# 2. Odd padded size (non-nominal strides 8/15/28-29/50-54/100-109), the first image without GT.
img1 = target(rand_boxes(gen, 10, 200, 328, 6, 200), torch.randint(0, 3, (10,), generator=gen))
write_case(
    "empty_odd",
    (200, 328),
    [(25, 41), (13, 21), (7, 11), (4, 6), (2, 3)],
    3,
    [target([], []), img1],
    2,
)

# 3. Ties and exact bounds on a 128×128 image: duplicated boxes (first index wins), areas within
#    float32 rounding of 1e8 (tie although the later box is smaller), an anchor centre exactly on a
#    box edge (not inside), max(l,t,r,b) exactly on a level bound (excluded), radius 1.3.
ties = [
    [20.0, 20.0, 60.0, 60.0],
    [20.0, 20.0, 60.0, 60.0],  # duplicate of 0, other label
    [70.0, 10.0, 120.0, 60.0],  # area 2500
    [70.0, 10.0, 119.96, 60.0],  # area 2498: 1e8 − area rounds to the same float32 as box 2
    [8.0, 72.0, 40.0, 120.0],  # edges on anchor centres (multiples of 8)
    [0.0, 64.0, 64.0, 128.0],  # distances exactly 32 / 64 from some centres
]
write_case(
    "ties",
    (128, 128),
    [(16, 16), (8, 8), (4, 4), (2, 2), (1, 1)],
    4,
    [target(ties, [0, 1, 2, 3, 0, 1])],
    3,
    radius=1.3,
)

# 4. No GT anywhere: zero positives, normalizer 1.
write_case(
    "allneg",
    (64, 96),
    [(8, 12), (4, 6), (2, 3), (1, 2), (1, 1)],
    2,
    [target([], []), target([], [])],
    4,
)

# 5. Larger: 512×512, 20 classes, 30 random boxes per image.
imgs = [
    target(rand_boxes(gen, 30, 512, 512, 4, 500), torch.randint(0, 20, (30,), generator=gen))
    for _ in range(2)
]
write_case("big", (512, 512), [(64, 64), (32, 32), (16, 16), (8, 8), (4, 4)], 20, imgs, 5)

open(os.path.join(out, "DONE"), "w").close()
