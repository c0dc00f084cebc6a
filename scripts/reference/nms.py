"""torchvision reference outputs for src/decode (NMS and FCOS post-processing).

Usage: python3 nms.py OUT_DIR [--small]

Writes JSON files into OUT_DIR (typed arrays as base64 of little-endian float32 / int32 bytes so
that values are bit exact), then an empty DONE file.

  nms_*.json     boxes [N*4] f32, scores [N] f32, labels [N] i32, iou, and torchvision's results:
                 "vanilla" (per-label path of batched_nms, what it runs for > 1000 boxes on CPU),
                 "public" (torchvision.ops.batched_nms as called), "single" (torchvision.ops.nms
                 ignoring labels).
  decode_*.json  one image's head outputs + anchors (from torchvision's AnchorGenerator), options,
                 and FCOS.postprocess_detections' boxes/scores/labels.

--small writes only the small cases that are committed under fixtures/nms/ (then run
`deno fmt fixtures/nms` so that `deno fmt --check` stays clean); without it, larger cases for
.reference/nms/ (made by `deno task test`).

Decode inputs are drawn so that the comparison can be exact: torch's float32 sigmoid (SIMD exp,
<= 2 ulp) differs from the correctly rounded one for ~4% of inputs, so logits are nudged to values
where the two agree; candidates with tied scores are nudged apart (torch.topk / sort order ties
are unspecified). postprocess_detections runs as is (public batched_nms, with its coordinate trick
for <= 1000 candidates); the file records whether the per-label path would have differed.
"""
import base64
import json
import os
import sys
from types import SimpleNamespace

import numpy as np
import torch
import torchvision
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.fcos import FCOS
from torchvision.models.detection.image_list import ImageList
from torchvision.ops import boxes as box_ops

torch.set_num_threads(1)


def b64(a, dtype):
    return base64.b64encode(np.ascontiguousarray(a, dtype=dtype).tobytes()).decode("ascii")


def gen_boxes(rng, n, num_classes, size=512.0):
    """Detector-like clustered boxes: objects, jittered copies, some background noise."""
    num_obj = max(1, n // 40)
    cx = rng.uniform(0, size, num_obj)
    cy = rng.uniform(0, size, num_obj)
    w = np.exp(rng.uniform(np.log(8), np.log(size / 2), num_obj))
    h = w * np.exp(rng.normal(0, 0.4, num_obj))
    cls = rng.integers(0, num_classes, num_obj)
    o = rng.integers(0, num_obj, n)
    jit = rng.gamma(2.0, 0.06, n)
    bx = cx[o] + rng.normal(0, 1, n) * jit * w[o]
    by = cy[o] + rng.normal(0, 1, n) * jit * h[o]
    bw = w[o] * np.exp(rng.normal(0, 1, n) * jit)
    bh = h[o] * np.exp(rng.normal(0, 1, n) * jit)
    boxes = np.stack([bx - bw / 2, by - bh / 2, bx + bw / 2, by + bh / 2], 1)
    boxes = np.clip(boxes, 0, size).astype(np.float32)
    scores = (rng.uniform(0.05, 1, n) * np.exp(-3 * jit)).astype(np.float32)
    labels = np.where(rng.uniform(0, 1, n) < 0.85, cls[o], rng.integers(0, num_classes, n))
    return boxes, scores, labels.astype(np.int32)


def nms_case(name, boxes, scores, labels, iou, out):
    bt = torch.from_numpy(np.asarray(boxes, np.float32).reshape(-1, 4))
    st = torch.from_numpy(np.asarray(scores, np.float32))
    lt = torch.from_numpy(np.asarray(labels, np.int32)).long()
    vanilla = box_ops._batched_nms_vanilla(bt, st, lt, iou) if len(st) else torch.zeros(0)
    public = box_ops.batched_nms(bt, st, lt, iou)
    single = torchvision.ops.nms(bt, st, iou)
    rec = {
        "name": name,
        "n": int(len(st)),
        "iou": iou,
        "boxes": b64(bt.numpy(), "<f4"),
        "scores": b64(st.numpy(), "<f4"),
        "labels": b64(lt.numpy(), "<i4"),
        "vanilla": [int(i) for i in vanilla],
        "public": [int(i) for i in public],
        "single": [int(i) for i in single],
        "scoresDistinct": bool(len(np.unique(st.numpy())) == len(st)),
    }
    with open(os.path.join(out, f"nms_{name}.json"), "w") as f:
        json.dump(rec, f)


def cr_sigmoid(x):
    """Correctly rounded float32 of torch's formula 1 / (1 + exp(-x)) (exp rounded to float32)."""
    e = np.exp(-x.astype(np.float64)).astype(np.float32)
    return (np.float32(1) / (np.float32(1) + e)).astype(np.float32)


def agreeing_logits(rng, shape, loc, scale):
    """Random float32 logits for which torch.sigmoid equals the correctly rounded value."""
    x = rng.normal(loc, scale, shape).astype(np.float32)
    for _ in range(100):
        bad = torch.sigmoid(torch.from_numpy(x)).numpy() != cr_sigmoid(x)
        if not bad.any():
            return x
        x[bad] = rng.normal(loc, scale, int(bad.sum())).astype(np.float32)
    raise RuntimeError("could not draw agreeing logits")


def decode_case(name, rng, padded, image_size, num_classes, opts, out, cls_loc=-4.0):
    ph, pw = padded
    strides = [8, 16, 32, 64, 128]
    shapes = [((ph + s - 1) // s, (pw + s - 1) // s) for s in strides]
    counts = [h * w for h, w in shapes]
    L = sum(counts)
    gen = AnchorGenerator(((8,), (16,), (32,), (64,), (128,)), ((1.0,),) * 5)
    feats = [torch.zeros(1, 1, h, w) for h, w in shapes]
    images = ImageList(torch.zeros(1, 3, ph, pw), [image_size])
    anchors = gen(images, feats)[0]  # [L, 4]
    cls = agreeing_logits(rng, (L, num_classes), cls_loc, 2.0)
    ctr = agreeing_logits(rng, (L,), 0.0, 1.5)
    reg = np.abs(rng.normal(0, 1.5, (L, 4))).astype(np.float32)
    reg[rng.uniform(0, 1, (L, 4)) < 0.05] = 0.0  # ReLU zeros
    thresh = np.float32(opts["scoreThresh"])
    for _ in range(100):
        # Candidate scores exactly as torch computes them; redraw logits of tied candidates.
        sc = torch.sqrt(torch.sigmoid(torch.from_numpy(cls)) *
                        torch.sigmoid(torch.from_numpy(ctr))[:, None]).numpy().ravel()
        cand = np.nonzero(sc > thresh)[0]
        _, first = np.unique(sc[cand], return_index=True)
        if len(first) == len(cand):
            break
        dup = np.ones(len(cand), bool)
        dup[first] = False
        flat = cls.reshape(-1)
        flat[cand[dup]] = agreeing_logits(rng, (int(dup.sum()),), cls_loc, 2.0)
    else:
        raise RuntimeError("could not untie candidate scores")
    # Split per level as FCOS.forward does: lists of [N, HW, C] tensors.
    def split(a):
        parts, o = [], 0
        for c in counts:
            parts.append(torch.from_numpy(a[o:o + c])[None])
            o += c
        return parts
    head = {"cls_logits": split(cls), "bbox_regression": split(reg), "bbox_ctrness": split(ctr[:, None])}
    anchors_split = [list(anchors.split(counts))]
    fake = SimpleNamespace(
        box_coder=det_utils.BoxLinearCoder(normalize_by_size=True),
        score_thresh=opts["scoreThresh"],
        topk_candidates=opts["topkCandidates"],
        nms_thresh=opts["nmsThresh"],
        detections_per_img=opts["detectionsPerImg"],
    )
    det = FCOS.postprocess_detections(fake, head, anchors_split, [image_size])[0]
    orig = box_ops.batched_nms
    box_ops.batched_nms = box_ops._batched_nms_vanilla
    try:
        det_vanilla = FCOS.postprocess_detections(fake, head, anchors_split, [image_size])[0]
    finally:
        box_ops.batched_nms = orig
    vanilla_same = bool(torch.equal(det["boxes"], det_vanilla["boxes"]) and
                        torch.equal(det["labels"], det_vanilla["labels"]))
    # Candidates before NMS (for the count in the record)
    rec = {
        "name": name,
        "numClasses": num_classes,
        "numAnchorsPerLevel": counts,
        "imageHeight": image_size[0],
        "imageWidth": image_size[1],
        "options": opts,
        "clsLogits": b64(cls, "<f4"),
        "bboxRegression": b64(reg, "<f4"),
        "bboxCtrness": b64(ctr, "<f4"),
        "anchors": b64(anchors.numpy(), "<f4"),
        "numCandidates": int(len(cand)),
        "vanillaSame": vanilla_same,
        "boxes": b64(det["boxes"].numpy(), "<f4"),
        "scores": b64(det["scores"].numpy(), "<f4"),
        "labels": b64(det["labels"].numpy(), "<i4"),
    }
    with open(os.path.join(out, f"decode_{name}.json"), "w") as f:
        json.dump(rec, f)


def main():
    out = sys.argv[1]
    small = "--small" in sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261125 if small else 7)
    if small:
        for n, c, iou in [(300, 5, 0.5), (900, 20, 0.6), (1500, 20, 0.5), (600, 3, 0.3)]:
            b, s, l = gen_boxes(rng, n, c)
            nms_case(f"clustered_{n}_{c}_{iou}", b, s, l, iou, out)
        # Cases where the coordinate trick (N <= 1000) changes torchvision's kept list (COCO-like
        # 91 labels: float32 shifts up to 90 * 513).
        found = 0
        for attempt in range(400):
            b, s, l = gen_boxes(rng, 600, 91)
            bt, st, lt = torch.from_numpy(b), torch.from_numpy(s), torch.from_numpy(l).long()
            if not torch.equal(box_ops.batched_nms(bt, st, lt, 0.6), box_ops._batched_nms_vanilla(bt, st, lt, 0.6)):
                nms_case(f"trick_sensitive_{found}", b, s, l, 0.6, out)
                found += 1
                if found == 2:
                    break
        # Coarse coordinates (multiples of 0.25) make exact-threshold IoUs and float32 borderline
        # cases common: tests the float32 rounding of the IoU.
        b, s, l = gen_boxes(rng, 800, 4, size=64.0)
        b = np.round(b * 4) / 4
        for iou in [0.0, 0.25, 0.5, 1.0 / 3.0, 0.6, 1.0]:
            nms_case(f"quarter_pixels_{iou:.3f}", b, s, l, iou, out)
        # Large coordinates (float32 spacing 0.5–2 px).
        b, s, l = gen_boxes(rng, 400, 4, size=512.0)
        nms_case("large_coords", b * 30000 + 4e6, s, l, 0.5, out)
        # Many labels.
        b, s, l = gen_boxes(rng, 700, 1)
        nms_case("many_labels", b, s, rng.integers(-5000, 5000, 700).astype(np.int32), 0.5, out)
        b, s, l = gen_boxes(rng, 200, 2)
        nms_case("zero_and_inverted", np.concatenate([b, b[:, [2, 1, 0, 3]], b[:, [0, 1, 0, 3]]]),
                 np.concatenate([s, s * 0.9, s * 0.8]).astype(np.float32),
                 np.concatenate([l, l, l]), 0.3, out)
        # Edge cases straight from torchvision.
        b, s, l = gen_boxes(rng, 300, 5)
        nms_case("all_equal_scores", b, np.full(300, 0.5, np.float32), l, 0.5, out)
        base, _, _ = gen_boxes(rng, 3, 1)
        nms_case("identical_boxes", np.repeat(base, 40, axis=0),
                 (rng.integers(0, 4, 120) / 4 + 0.25).astype(np.float32), rng.integers(0, 2, 120).astype(np.int32), 0.7, out)
        nms_case("empty", np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int32), 0.5, out)
        nms_case("one_box", np.array([[1, 2, 3, 4]], np.float32), np.array([0.3], np.float32), np.array([7], np.int32), 0.5, out)
        decode_case("small_c20", rng, (128, 128), (120, 100), 20,
                    {"scoreThresh": 0.05, "topkCandidates": 1000, "nmsThresh": 0.6,
                     "detectionsPerImg": 100}, out)
        decode_case("topk_c7", rng, (96, 128), (90, 128), 7,
                    {"scoreThresh": 0.2, "topkCandidates": 40, "nmsThresh": 0.5,
                     "detectionsPerImg": 30}, out, cls_loc=-1.0)
    else:
        for n, c in [(5000, 20), (20000, 20)]:
            b, s, l = gen_boxes(rng, n, c)
            nms_case(f"clustered_{n}_{c}", b, s, l, 0.6, out)
        decode_case("512_c91", rng, (512, 512), (512, 480), 91,
                    {"scoreThresh": 0.05, "topkCandidates": 1000, "nmsThresh": 0.6,
                     "detectionsPerImg": 100}, out, cls_loc=-6.0)
        decode_case("512_c20", rng, (512, 512), (500, 512), 20,
                    {"scoreThresh": 0.05, "topkCandidates": 1000, "nmsThresh": 0.6,
                     "detectionsPerImg": 300}, out, cls_loc=-3.0)
    open(os.path.join(out, "DONE"), "w").close()


if __name__ == "__main__":
    main()
