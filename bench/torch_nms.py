"""Times torchvision.ops.batched_nms (CPU) on the cases written by bench/boxgen.ts.

Usage:
  /usr/bin/python3 bench/torch_nms.py CASE_DIR [REPEATS]   one JSON line per case and thread count
  /usr/bin/python3 bench/torch_nms.py CASE_DIR --serve     paired timing server (bench/nms_vs_torch.ts):
      reads "NAME THREADS [single]" lines, runs batched_nms (or nms, labels ignored) once, answers
      with the time in ms

Writes CASE_DIR/NAME.torch_keep.i32 (kept indices, for the identity check in bench/nms_vs_torch.ts).
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torchvision


def load(case_dir):
    cases = {}
    for c in json.load(open(os.path.join(case_dir, "cases.json"))):
        name = c["name"]
        boxes = torch.from_numpy(np.fromfile(os.path.join(case_dir, f"{name}.boxes.f32"), "<f4").reshape(-1, 4))
        scores = torch.from_numpy(np.fromfile(os.path.join(case_dir, f"{name}.scores.f32"), "<f4"))
        labels = torch.from_numpy(np.fromfile(os.path.join(case_dir, f"{name}.labels.i32"), "<i4")).long()
        keep = torchvision.ops.batched_nms(boxes, scores, labels, c["iou"])
        keep.numpy().astype("<i4").tofile(os.path.join(case_dir, f"{name}.torch_keep.i32"))
        cases[name] = (boxes, scores, labels, c["iou"])
    return cases


def main():
    case_dir = sys.argv[1]
    default_threads = torch.get_num_threads()
    cases = load(case_dir)
    if len(sys.argv) > 2 and sys.argv[2] == "--serve":
        print(json.dumps({"ready": True, "default_threads": default_threads}), flush=True)
        for line in sys.stdin:
            name, threads, *mode = line.split()
            torch.set_num_threads(default_threads if threads == "default" else int(threads))
            boxes, scores, labels, iou = cases[name]
            t0 = time.perf_counter()
            if mode == ["single"]:
                torchvision.ops.nms(boxes, scores, iou)
            else:
                torchvision.ops.batched_nms(boxes, scores, labels, iou)
            print((time.perf_counter() - t0) * 1000, flush=True)
        return
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    for threads in sorted({1, default_threads}):
        torch.set_num_threads(threads)
        for name, (boxes, scores, labels, iou) in cases.items():
            for _ in range(3):  # warm-up
                keep = torchvision.ops.batched_nms(boxes, scores, labels, iou)
            times = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                keep = torchvision.ops.batched_nms(boxes, scores, labels, iou)
                times.append((time.perf_counter() - t0) * 1000)
            print(json.dumps({
                "name": name, "threads": threads, "default_threads": default_threads,
                "median_ms": float(np.median(times)), "min_ms": float(np.min(times)),
                "kept": int(len(keep)),
            }), flush=True)


if __name__ == "__main__":
    main()
