"""Paired timing server for torchvision's FCOS.postprocess_detections (bench/decode_vs_torch.ts).

Usage: /usr/bin/python3 bench/torch_decode.py CASE_DIR
CASE_DIR holds, per case NAME (cases.json lists name, numClasses, numAnchorsPerLevel, image size):
NAME.cls.f32 [L*C], NAME.reg.f32 [L*4], NAME.ctr.f32 [L], NAME.anchors.f32 [L*4].
Reads "NAME THREADS" lines and answers with the time in ms of one postprocess_detections call
(defaults 0.05 / 1000 / 0.6 / 100); writes NAME.torch_labels.i32 and NAME.torch_scores.f32 once.
"""
import json
import os
import sys
import time
from types import SimpleNamespace

import numpy as np
import torch
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.fcos import FCOS


def main():
    case_dir = sys.argv[1]
    default_threads = torch.get_num_threads()
    fake = SimpleNamespace(box_coder=det_utils.BoxLinearCoder(normalize_by_size=True), score_thresh=0.05,
                           topk_candidates=1000, nms_thresh=0.6, detections_per_img=100)
    cases = {}
    for c in json.load(open(os.path.join(case_dir, "cases.json"))):
        name, C, counts = c["name"], c["numClasses"], c["numAnchorsPerLevel"]
        rd = lambda suffix: torch.from_numpy(np.fromfile(os.path.join(case_dir, f"{name}.{suffix}"), "<f4"))
        cls, reg, ctr, anchors = rd("cls.f32").reshape(-1, C), rd("reg.f32").reshape(-1, 4), rd("ctr.f32"), rd("anchors.f32").reshape(-1, 4)
        split = lambda a: [p[None] for p in a.split(counts)]
        head = {"cls_logits": split(cls), "bbox_regression": split(reg), "bbox_ctrness": split(ctr[:, None])}
        args = (head, [list(anchors.split(counts))], [(c["imageHeight"], c["imageWidth"])])
        det = FCOS.postprocess_detections(fake, *args)[0]
        det["labels"].numpy().astype("<i4").tofile(os.path.join(case_dir, f"{name}.torch_labels.i32"))
        det["scores"].numpy().astype("<f4").tofile(os.path.join(case_dir, f"{name}.torch_scores.f32"))
        cases[name] = args
    print(json.dumps({"ready": True, "default_threads": default_threads}), flush=True)
    for line in sys.stdin:
        name, threads = line.split()
        torch.set_num_threads(default_threads if threads == "default" else int(threads))
        t0 = time.perf_counter()
        FCOS.postprocess_detections(fake, *cases[name])
        print((time.perf_counter() - t0) * 1000, flush=True)


if __name__ == "__main__":
    main()
