"""PyTorch CUDA side of the device bench: the cases of bench/gpu/entry.ts, same ids and shapes.

Usage (on the device machine, plain python3 holds torch + torchvision):
    python3 bench/gpu/torch_ref.py [--smoke] [--cases id,id] [--runs N]
Prints JSON lines: one {"kind": "env", ...}, then {"kind": "case", "id", ..., "ms": [...],
"median_ms", "min_ms", "images_per_s"} per case (or {"kind": "error", "id", "message"}), and
{"kind": "done"}.

Float32 throughout (TF32 off for matmul and cuDNN, as the issue compares float32), cuDNN's
autotuner off (its default). Every timed run ends with torch.cuda.synchronize(); `detect` starts
from a uint8 image in host memory and ends with the detections in host memory, as ours does.
Models are torchvision's: FCOS-R18 built as bench/torch_forward.py and torch_train_step.py build
it (ResNet-18 with frozen BatchNorm, FPN 256 with P6/P7, 91 classes; 5 classes and trainable
layers 3 for training), FCOS-R50 = fcos_resnet50_fpn(weights=None, weights_backbone=None).
"""
import argparse
import json
import statistics
import sys
import time
import traceback

import torch
import torchvision
from torchvision.models import resnet18
from torchvision.models.detection import FCOS, fcos_resnet50_fpn
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.ops import misc as misc_nn_ops
from torchvision.ops.feature_pyramid_network import LastLevelP6P7


def emit(record):
    print(json.dumps(record), flush=True)


def r18(num_classes, size_min, size_max, trainable=3):
    torch.manual_seed(0)
    body = resnet18(weights=None, norm_layer=misc_nn_ops.FrozenBatchNorm2d)
    backbone = _resnet_fpn_extractor(body, trainable, returned_layers=[2, 3, 4],
                                     extra_blocks=LastLevelP6P7(256, 256))
    return FCOS(backbone, num_classes=num_classes, min_size=size_min, max_size=size_max,
                score_thresh=0.05)


def r50(size_min, size_max):
    torch.manual_seed(0)
    return fcos_resnet50_fpn(weights=None, weights_backbone=None, num_classes=91,
                             min_size=size_min, max_size=size_max, score_thresh=0.05)


def noise_image(h, w, seed=0):
    """The uint8 noise image of bench/gpu/entry.ts (H×W×3, host memory)."""
    i = torch.arange(h * w * 3, dtype=torch.int64) + seed
    return ((i * 2654435761) % 2**32 // 2**24).to(torch.uint8).reshape(h, w, 3)


def forward_case(model, h, w):
    model = model.cuda().eval()
    x = torch.randn(1, 3, h, w, device="cuda")

    def run():
        with torch.no_grad():
            feats = list(model.backbone(x).values())
            out = model.head(feats)
        torch.cuda.synchronize()
        return out
    return run


def detect_case(model, h, w, batch):
    model = model.cuda().eval()
    images = [noise_image(h, w, i) for i in range(batch)]

    def run():
        with torch.no_grad():
            xs = [im.cuda().permute(2, 0, 1).float() / 255 for im in images]
            dets = model(xs)
            out = [{k: v.cpu() for k, v in d.items()} for d in dets]
        torch.cuda.synchronize()
        return out
    return run


def train_case(batch, size):
    model = r18(5, size, size).cuda().train()
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.001,
                          momentum=0.9, weight_decay=1e-4)
    g = torch.Generator().manual_seed(0)
    images = [torch.rand(3, size, size, generator=g).cuda() for _ in range(batch)]
    targets = []
    for _ in range(batch):
        xy = torch.rand(3, 2, generator=g) * size * 0.6
        wh = torch.rand(3, 2, generator=g) * size * 0.3 + size * 0.05
        targets.append({"boxes": torch.cat([xy, xy + wh], 1).cuda(),
                        "labels": torch.randint(0, 5, (3,), generator=g).cuda()})

    def run():
        losses = model(images, targets)
        loss = sum(losses.values())
        opt.zero_grad()
        loss.backward()
        # The same read-back as ours: the losses and the global gradient norm.
        norm = torch.sqrt(sum((p.grad.detach() ** 2).sum() for p in model.parameters()
                              if p.grad is not None))
        values = [v.item() for v in losses.values()] + [norm.item()]
        opt.step()
        torch.cuda.synchronize()
        return values
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true", help="tiny shapes (checks the script)")
    ap.add_argument("--cases", default="")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--case-seconds", type=float, default=60)
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = False
    cuda = torch.cuda.is_available()
    emit({"kind": "env", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
          "torch": torch.__version__, "torchvision": torchvision.__version__,
          "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version() if cuda else None,
          "gpu": torch.cuda.get_device_name(0) if cuda else None, "tf32": False,
          "cudnn_benchmark": False, "smoke": args.smoke})
    if not cuda:
        emit({"kind": "error", "id": "*", "message": "no CUDA device"})
        return 1
    s512 = 64 if args.smoke else 512
    s800, s1333 = (64, 96) if args.smoke else (800, 1333)
    pad = lambda v: (v + 31) // 32 * 32  # noqa: E731
    cases = [
        ("r18_forward_512", "FCOS-R18 forward", [1, s512, s512, 3], 1,
         lambda: forward_case(r18(91, s512, s512), s512, s512)),
        ("r18_detect_512", "FCOS-R18 detect", [1, s512, s512, 3], 1,
         lambda: detect_case(r18(91, s512, s512), s512, s512, 1)),
        ("r18_detect_512_b8", "FCOS-R18 detect", [8, s512, s512, 3], 8,
         lambda: detect_case(r18(91, s512, s512), s512, s512, 8)),
        ("r50_forward_800", "FCOS-R50 forward", [1, pad(s800), pad(s1333), 3], 1,
         lambda: forward_case(r50(s800, s1333), pad(s800), pad(s1333))),
        ("r50_detect_800", "FCOS-R50 detect", [1, s800, s1333, 3], 1,
         lambda: detect_case(r50(s800, s1333), s800, s1333, 1)),
        ("r18_train_4x512", "FCOS-R18 training step", [4, s512, s512, 3], 4,
         lambda: train_case(4, s512)),
    ]
    only = [c for c in args.cases.split(",") if c]
    for cid, what, shape, images, make in cases:
        if only and cid not in only:
            continue
        runs = 5 if "train" in cid and args.runs == 10 else args.runs
        try:
            t0 = time.perf_counter()
            run = make()
            warm = []
            for _ in range(2):
                t = time.perf_counter()
                run()
                warm.append((time.perf_counter() - t) * 1000)
            ms = []
            start = time.perf_counter()
            while len(ms) < runs and time.perf_counter() - start < args.case_seconds:
                t = time.perf_counter()
                run()
                ms.append((time.perf_counter() - t) * 1000)
            med = statistics.median(ms)
            emit({"kind": "case", "id": cid, "what": what, "impl": "torch-cuda", "shape": shape,
                  "images": images, "warmup_ms": [round(v, 1) for v in warm],
                  "ms": [round(v, 2) for v in ms], "median_ms": round(med, 2),
                  "min_ms": round(min(ms), 2), "images_per_s": round(1000 * images / med, 2),
                  "total_s": round(time.perf_counter() - t0, 1)})
        except Exception as e:  # noqa: BLE001 — report and go on with the other cases
            emit({"kind": "error", "id": cid, "message": f"{e!r}\n{traceback.format_exc()[-1500:]}"})
        torch.cuda.empty_cache()
    emit({"kind": "done", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    return 0


if __name__ == "__main__":
    sys.exit(main())
