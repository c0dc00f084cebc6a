"""CPU time per call of PyTorch's matmul and 3x3 conv at bench/gemm_cpu.ts's shapes (1 thread).

Usage: /usr/bin/python3 bench/torch_gemm.py [THREADS]
"""
import sys
import time

import torch


def cpu_ms(fn, runs):
    fn()
    t = time.process_time()
    for _ in range(runs):
        fn()
    return (time.process_time() - t) / runs * 1000


def main():
    torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    with torch.no_grad():
        for r, k, co in [(2304, 4096, 256), (1152, 4096, 128), (4608, 256, 512)]:
            a, b = torch.randn(r, k), torch.randn(k, co)
            ms = cpu_ms(lambda: a @ b, 3)
            gflop = 2 * r * k * co / 1e9
            print(f"matmul [{r}x{k}].[{k}x{co}] {gflop:.2f} GFLOP: {ms:.0f} ms CPU "
                  f"({gflop / ms * 1e3:.1f} GFLOP/s)")
        w = torch.randn(256, 256, 3, 3)
        for n, hw in [(4, 32), (1, 128)]:
            x = torch.randn(n, 256, hw, hw)
            ms = cpu_ms(lambda: torch.nn.functional.conv2d(x, w, padding=1), 3)
            gflop = 2 * n * hw * hw * 256 * 256 * 9 / 1e9
            print(f"conv 3x3 256->256 on {n}x{hw}x{hw}: {ms:.0f} ms CPU ({gflop / ms * 1e3:.1f} GFLOP/s)")


if __name__ == "__main__":
    main()
