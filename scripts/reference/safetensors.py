"""Writes a safetensors file from PyTorch tensors with a hand-rolled writer (json header +
tensor bytes), for tests/safetensors_test.ts to read back.

Usage: python3 safetensors.py OUT_DIR
Outputs: OUT_DIR/torch.safetensors, OUT_DIR/expected.json ({name: {dtype, shape, values}}),
OUT_DIR/DONE.
"""
import json
import os
import struct
import sys

import torch

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)

tensors = {
    "backbone.body.conv1.weight": torch.randn(4, 3, 2, 2),
    "backbone.body.bn1.num_batches_tracked": torch.tensor(1234, dtype=torch.int64),
    "half": torch.tensor([0.0, -1.5, 65504.0, 6.1e-5, 1e-7, float("inf")], dtype=torch.float16),
    "bfloat": torch.tensor([[1.0, -2.5], [3.0e38, 1e-3]], dtype=torch.bfloat16),
    "double": torch.tensor([1.0 / 3.0, -2.0], dtype=torch.float64),
    "int32": torch.tensor([-7, 0, 2**31 - 1], dtype=torch.int32),
    "int16": torch.tensor([-300, 300], dtype=torch.int16),
    "int8": torch.tensor([-128, 127, 1], dtype=torch.int8),
    "uint8": torch.tensor([0, 255, 7], dtype=torch.uint8),
    "flag": torch.tensor([True, False, True]),
    "empty": torch.zeros(0, 3),
}
names = {
    torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}

header = {"__metadata__": {"format": "pt", "source": "torch " + torch.__version__}}
chunks = []
offset = 0
expected = {}
# Written in insertion order (not aligned), with an unpadded header: readers must cope.
for name, t in tensors.items():
    t = t.contiguous()
    if t.dtype in (torch.bfloat16, torch.float16):
        data = t.view(torch.int16).numpy().tobytes()  # numpy has no bfloat16
    else:
        data = t.numpy().tobytes()
    assert len(data) == t.numel() * t.element_size()
    header[name] = {"dtype": names[t.dtype], "shape": list(t.shape),
                    "data_offsets": [offset, offset + len(data)]}
    chunks.append(data)
    offset += len(data)
    values = t.double().flatten().tolist()
    expected[name] = {"dtype": names[t.dtype], "shape": list(t.shape),
                      "values": [v if v == v and abs(v) != float("inf") else str(v) for v in values]}

h = json.dumps(header).encode("utf-8")
with open(os.path.join(out, "torch.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h)))
    f.write(h)
    for c in chunks:
        f.write(c)
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f)
open(os.path.join(out, "DONE"), "w").close()
