/**
 * CPU time (all threads, Linux /proc) per call of wasm's matMul (XNNPACK) at the filter-gradient
 * shapes of an FCOS-R18 step, whole and blocked in K / N (partial products summed), and of a 3×3
 * conv: `deno run -A bench/gemm_cpu.ts [THREADS]`. CPU time measures work, so it holds on a loaded
 * machine. bench/torch_gemm.py measures PyTorch on the same shapes.
 */
import { tf } from "../src/tf.ts";
import { initBackend } from "../src/backend/select.ts";

const threads = Number(Deno.args[0] ?? 2);
const info = await initBackend({ threads, log: () => {} });

/** CPU ms of this process, all threads. */
function cpuMs(): number {
  const t = Deno.readTextFileSync("/proc/self/stat");
  const f = t.slice(t.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function blockedMatMul(a: tf.Tensor3D, b: tf.Tensor3D, kc: number, nb: number) {
  const [, r, k] = a.shape;
  const co = b.shape[2];
  const cols: tf.Tensor[] = [];
  for (let n0 = 0; n0 < co; n0 += nb) {
    const bn = nb >= co ? tf.clone(b) : tf.slice(b, [0, 0, n0], [1, k, nb]);
    let acc: tf.Tensor | undefined;
    for (let k0 = 0; k0 < k; k0 += kc) {
      const ai = kc >= k ? a : tf.slice(a, [0, 0, k0], [1, r, kc]);
      const bi = kc >= k ? bn : tf.slice(bn, [0, k0, 0], [1, kc, bn.shape[2]]);
      const y = tf.matMul(ai as tf.Tensor3D, bi as tf.Tensor3D);
      if (ai !== a) ai.dispose();
      if (bi !== bn) bi.dispose();
      if (acc) {
        const s = tf.add(acc, y);
        tf.dispose([acc, y]);
        acc = s;
      } else acc = y;
    }
    bn.dispose();
    cols.push(acc!);
  }
  const out = cols.length === 1 ? cols[0] : tf.concat(cols, 2);
  await out.data();
  tf.dispose([out, ...cols]);
}

async function measure(fn: () => Promise<void>, runs = 6): Promise<number> {
  await fn();
  const c = cpuMs();
  for (let i = 0; i < runs; i++) await fn();
  return (cpuMs() - c) / runs;
}

console.log(
  `wasm ${info.threads} thread(s), load ${Deno.loadavg()[0].toFixed(2)}, ${
    new Date().toISOString()
  }`,
);
for (
  const [r, k, co] of [[2304, 4096, 256], [1152, 4096, 128], [4608, 256, 512], [2304, 16384, 256]]
) {
  const a = tf.randomNormal([1, r, k]) as tf.Tensor3D;
  const b = tf.randomNormal([1, k, co]) as tf.Tensor3D;
  const gflop = 2 * r * k * co / 1e9;
  const parts: string[] = [];
  for (const [kc, nb] of [[k, co], [1024, co], [512, 128]]) {
    if (kc > k) continue;
    const ms = await measure(() => blockedMatMul(a, b, kc, nb));
    parts.push(
      `${kc === k && nb === co ? "whole" : `K ${kc} × N ${nb} blocks`} ${ms.toFixed(0)} ms ` +
        `(${(gflop / ms * 1e3).toFixed(1)} GFLOP/s)`,
    );
  }
  console.log(`matMul [${r}×${k}]·[${k}×${co}] ${gflop.toFixed(2)} GFLOP: ${parts.join("; ")}`);
  tf.dispose([a, b]);
}
for (const [n, hw] of [[4, 32], [1, 128]]) {
  const x = tf.randomNormal([n, hw, hw, 256]) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 256, 256]) as tf.Tensor4D;
  const gflop = 2 * n * hw * hw * 256 * 256 * 9 / 1e9;
  const ms = await measure(async () => {
    const y = tf.conv2d(x, w, 1, "same");
    await y.data();
    y.dispose();
  }, 3);
  console.log(
    `conv 3×3 256→256 on ${n}×${hw}×${hw}: ${ms.toFixed(0)} ms CPU (${
      (gflop / ms * 1e3).toFixed(1)
    } GFLOP/s)`,
  );
  tf.dispose([x, w]);
}
Deno.exit(0);
