"""Times torchvision's FCOS-R18 on the CPU at the shapes of bench/forward_bench.ts.

Usage: /usr/bin/python3 bench/torch_forward.py [THREADS]
Prints one JSON line per case: {"case", "threads", "median_ms", "runs"}.
"""
import json
import statistics
import sys
import time

import torch
from torchvision.models import resnet18
from torchvision.models.detection import FCOS
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.ops import misc as misc_nn_ops
from torchvision.ops.feature_pyramid_network import LastLevelP6P7


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
    torch.set_num_threads(threads)
    body = resnet18(weights=None, norm_layer=misc_nn_ops.FrozenBatchNorm2d)
    backbone = _resnet_fpn_extractor(body, 3, returned_layers=[2, 3, 4],
                                     extra_blocks=LastLevelP6P7(256, 256))
    model = FCOS(backbone, num_classes=91, min_size=256, max_size=320, score_thresh=0.05).eval()

    def forward(x):
        feats = list(model.backbone(x).values())
        return model.head(feats)

    def noise(h, w):  # the image of bench/forward_bench.ts
        image = (torch.arange(h * w * 3) * 2654435761 % 2**32 // 2**24).float().reshape(h, w, 3)
        return image.permute(2, 0, 1) / 255

    image, image512 = noise(256, 320), noise(512, 512)
    model512 = FCOS(backbone, num_classes=91, min_size=512, max_size=512,
                    score_thresh=0.05).eval()
    cases = [
        ("forward 1x256x320", lambda: forward(torch.randn(1, 3, 256, 320)), 5),
        ("forward 1x512x512", lambda: forward(torch.randn(1, 3, 512, 512)), 3),
        ("detect 256x320 image", lambda: model([image]), 5),
        ("detect 512x512 image", lambda: model512([image512]), 3),
    ]
    with torch.no_grad():
        for name, fn, runs in cases:
            fn()  # warm-up
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t) * 1000)
            print(json.dumps({"case": name, "threads": threads,
                              "median_ms": round(statistics.median(times), 1), "runs": runs}))


if __name__ == "__main__":
    main()
