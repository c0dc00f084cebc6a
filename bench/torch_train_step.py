"""Times one training step of torchvision's FCOS-R18 on the CPU at the shapes of bench/train_bench.ts.

Usage: /usr/bin/python3 bench/torch_train_step.py [THREADS] [full]
The model is built as the seed's (ResNet-18 FPN, frozen BatchNorm, LastLevelP6P7(256, 256),
trainable_backbone_layers=3); a step is model(images, targets) (transform, forward, FCOS loss),
backward and torch.optim.SGD(lr, momentum 0.9, weight decay 1e-4).step(). Images are random with
three random boxes each (the data only changes the target assignment, a small part of a step).
Prints one JSON line per case: {"case", "threads", "median_ms", "cpu_ms", "runs"} (cpu_ms: CPU
time of all threads per step, median).
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


def build(size):
    torch.manual_seed(0)
    body = resnet18(weights=None, norm_layer=misc_nn_ops.FrozenBatchNorm2d)
    backbone = _resnet_fpn_extractor(body, 3, returned_layers=[2, 3, 4],
                                     extra_blocks=LastLevelP6P7(256, 256))
    return FCOS(backbone, num_classes=5, min_size=size, max_size=size).train()


def batch(n, size, g):
    images = [torch.rand(3, size, size, generator=g) for _ in range(n)]
    targets = []
    for _ in range(n):
        xy = torch.rand(3, 2, generator=g) * size * 0.6
        wh = torch.rand(3, 2, generator=g) * size * 0.3 + size * 0.05
        targets.append({"boxes": torch.cat([xy, xy + wh], 1),
                        "labels": torch.randint(0, 5, (3,), generator=g)})
    return images, targets


def main():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else torch.get_num_threads()
    torch.set_num_threads(threads)
    cases = [("FCOS-R18 train step 1×512×512", 1, 512, 3),
             ("FCOS-R18 train step 4×256×256", 4, 256, 3)]
    if len(sys.argv) > 2 and sys.argv[2] == "full":
        cases.insert(0, ("FCOS-R18 train step 4×512×512", 4, 512, 3))
    g = torch.Generator().manual_seed(0)
    for name, n, size, runs in cases:
        model = build(size)
        opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.001,
                              momentum=0.9, weight_decay=1e-4)
        images, targets = batch(n, size, g)

        def step():
            losses = model(images, targets)
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            opt.step()

        step()  # warm-up
        times = []
        cpu = []
        for _ in range(runs):
            t = time.perf_counter()
            c = time.process_time()
            step()
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        # cpu_ms: CPU time of all the process's threads (a measure of work that load barely
        # changes, unlike the wall time on a shared machine).
        print(json.dumps({"case": name, "threads": threads,
                          "median_ms": round(statistics.median(times), 1),
                          "cpu_ms": round(statistics.median(cpu), 1), "runs": runs}),
              flush=True)


if __name__ == "__main__":
    main()
