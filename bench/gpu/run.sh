#!/bin/sh
# The device run (see bench/gpu/README.md): run on the GPU machine from the repository root, with
# .gpu and .gl carried (made by bench/gpu/build.sh). Writes into $OUT (at most 8 files come back):
#   env.txt            nvidia-smi, Vulkan ICD, Deno version
#   fcos_webgpu.jsonl  our cases on WebGPU (bench/gpu/entry.ts), one JSON line each
#   fcos_webgpu.err    its stderr
#   torch_cuda.jsonl   the same cases in PyTorch CUDA (bench/gpu/torch_ref.py)
#   torch_cuda.err     its stderr
# Time limits: ours 330 s, PyTorch 150 s (a device command may run 600 s). FCOS_GPU_CASES /
# --cases narrow the cases; FCOS_GPU_SMOKE=1 runs the tiny shapes (for a first check).
set -u
export PATH="$PATH:/usr/sbin:/sbin"  # ldconfig
OUT=${OUT:-/tmp/fcos-gpu-out}
mkdir -p "$OUT"
# The Vulkan loader: the device image has none (the recipe of the device notes); a machine that
# has one keeps its own.
if ! ldconfig -p | grep -q libvulkan.so.1; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$egl"
export DENO_WEBGPU_BACKEND=${DENO_WEBGPU_BACKEND:-vulkan}
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp/xdg}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
# Deno, unpacked with Python's lzma (xz may be missing there).
mkdir -p /tmp/fcos-gpu && python3 -c "import lzma, shutil; shutil.copyfileobj(lzma.open('.gpu/deno.xz'), open('/tmp/fcos-gpu/deno', 'wb'))"
chmod +x /tmp/fcos-gpu/deno
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
  /tmp/fcos-gpu/deno --version
  python3 -c "import torch, torchvision; print('torch', torch.__version__, 'torchvision', torchvision.__version__)"
} > "$OUT/env.txt" 2>&1
echo "== ours (WebGPU)"
timeout 330 /tmp/fcos-gpu/deno run -A .gpu/fcos_gpu.js > "$OUT/fcos_webgpu.jsonl" 2> "$OUT/fcos_webgpu.err"
echo "exit $?"
cat "$OUT/fcos_webgpu.jsonl"
tail -5 "$OUT/fcos_webgpu.err"
echo "== PyTorch CUDA"
smoke=""
[ "${FCOS_GPU_SMOKE:-}" = 1 ] && smoke="--smoke"
PYTHONUNBUFFERED=1 timeout 150 python3 bench/gpu/torch_ref.py $smoke \
  --cases "${FCOS_GPU_CASES:-}" > "$OUT/torch_cuda.jsonl" 2> "$OUT/torch_cuda.err"
echo "exit $?"
cat "$OUT/torch_cuda.jsonl"
tail -5 "$OUT/torch_cuda.err"
