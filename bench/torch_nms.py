"""Times torchvision.ops.batched_nms (CPU) on the cases written by bench/boxgen.ts.

Usage: /usr/bin/python3 bench/torch_nms.py CASE_DIR [REPEATS]

Prints one JSON line per case and thread setting: {"name", "threads", "median_ms", "min_ms",
"kept"} and writes CASE_DIR/NAME.torch_keep.i32 (kept indices, for the identity check in
bench/nms_vs_torch.ts). Run by bench/nms_vs_torch.ts in the same run as our timing.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torchvision


def main():
    case_dir = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    cases = json.load(open(os.path.join(case_dir, "cases.json")))
    default_threads = torch.get_num_threads()
    for threads in sorted({1, default_threads}):
        torch.set_num_threads(threads)
        for c in cases:
            name = c["name"]
            boxes = torch.from_numpy(np.fromfile(os.path.join(case_dir, f"{name}.boxes.f32"), "<f4").reshape(-1, 4))
            scores = torch.from_numpy(np.fromfile(os.path.join(case_dir, f"{name}.scores.f32"), "<f4"))
            labels = torch.from_numpy(np.fromfile(os.path.join(case_dir, f"{name}.labels.i32"), "<i4")).long()
            for _ in range(3):  # warm-up
                keep = torchvision.ops.batched_nms(boxes, scores, labels, c["iou"])
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                keep = torchvision.ops.batched_nms(boxes, scores, labels, c["iou"])
                times.append((time.perf_counter() - t0) * 1000)
            keep.numpy().astype("<i4").tofile(os.path.join(case_dir, f"{name}.torch_keep.i32"))
            print(json.dumps({
                "name": name, "threads": threads, "default_threads": default_threads,
                "median_ms": float(np.median(times)), "min_ms": float(np.min(times)),
                "kept": int(len(keep)),
            }), flush=True)


if __name__ == "__main__":
    main()
