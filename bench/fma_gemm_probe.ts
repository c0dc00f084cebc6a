/**
 * How fast one core multiplies matrices in wasm with relaxed-SIMD fused multiply-add, against
 * XNNPACK's matMul in tfjs-backend-wasm 4.22 (128-bit SIMD without FMA), at filter-gradient shapes
 * of an FCOS-R18 step: `deno run -A bench/fma_gemm_probe.ts`. CPU time per call (Linux /proc).
 * The kernel (bench/fma_gemm.wat, embedded here assembled) is a plain 4×8 micro-kernel without
 * cache blocking, one thread, with B packed in JS (counted). A probe of the way forward, not used
 * by the library.
 */
import { tf } from "../src/tf.ts";
import { initBackend } from "../src/backend/select.ts";

const GEMM_WASM =
  "AGFzbQEAAAABCgFgBn9/f39/fwADAgEABQQBAIAgBw4CA21lbQIABGdlbW0AAAqgBAGdBAIHfwt7IARBAnQhC0EAIQYCQANAIAYgA08NAUEAIQcCQANAIAcgBU8NAf0MAAAAAAAAAAAAAAAAAAAAACEN/QwAAAAAAAAAAAAAAAAAAAAAIQ79DAAAAAAAAAAAAAAAAAAAAAAhD/0MAAAAAAAAAAAAAAAAAAAAACEQ/QwAAAAAAAAAAAAAAAAAAAAAIRH9DAAAAAAAAAAAAAAAAAAAAAAhEv0MAAAAAAAAAAAAAAAAAAAAACET/QwAAAAAAAAAAAAAAAAAAAAAIRQgACAGIAtsaiEJIAEgByALbGohCiAEIQgCQANAIAr9AAQAIRUgCv0ABBAhFiAJ/QkCACEXIBcgFSAN/YUCIQ0gFyAWIA79hQIhDiAJIAtq/QkCACEXIBcgFSAP/YUCIQ8gFyAWIBD9hQIhECAJIAtBAXRq/QkCACEXIBcgFSAR/YUCIREgFyAWIBL9hQIhEiAJIAtBA2xq/QkCACEXIBcgFSAT/YUCIRMgFyAWIBT9hQIhFCAJQQRqIQkgCkEgaiEKIAhBAWshCCAIDQALCyACIAYgBWwgB2pBAnRqIQwgDCAN/QsEACAMIA79CwQQIAwgBUECdGohDCAMIA/9CwQAIAwgEP0LBBAgDCAFQQJ0aiEMIAwgEf0LBAAgDCAS/QsEECAMIAVBAnRqIQwgDCAT/QsEACAMIBT9CwQQIAdBCGohBwwACwsgBkEEaiEGDAALCws=";

await initBackend({ threads: 1, log: () => {} });
const bytes = Uint8Array.from(atob(GEMM_WASM), (c) => c.charCodeAt(0));
console.log(`relaxed SIMD available: ${WebAssembly.validate(bytes)} (V8 ${Deno.version.v8})`);
const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
const mem = inst.exports.mem as WebAssembly.Memory;
const gemm = inst.exports.gemm as (
  a: number,
  b: number,
  c: number,
  m: number,
  k: number,
  n: number,
) => void;

function cpuMs(): number {
  const t = Deno.readTextFileSync("/proc/self/stat");
  const f = t.slice(t.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

console.log(`load ${Deno.loadavg()[0].toFixed(2)}, ${new Date().toISOString()}`);
for (const [m, k, n] of [[2304, 4096, 256], [1152, 4096, 128], [4608, 256, 512]]) {
  const gflop = 2 * m * k * n / 1e9;
  const a = Float32Array.from({ length: m * k }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = Float32Array.from({ length: k * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
  const heap = new Float32Array(mem.buffer);
  const [pa, pb, pc] = [0, m * k * 4, (m * k + k * n) * 4];
  heap.set(a, 0);
  const run = () => {
    let o = pb / 4; // pack B: panels of 8 columns, K×8 each
    for (let j = 0; j < n; j += 8) {
      for (let kk = 0; kk < k; kk++) for (let u = 0; u < 8; u++) heap[o++] = b[kk * n + j + u];
    }
    gemm(pa, pb, pc, m, k, n);
  };
  run();
  const c = new Float32Array(mem.buffer, pc, m * n);
  let err = 0;
  for (let t = 0; t < 20; t++) {
    const i = (t * 131) % m, j = (t * 37) % n;
    let s = 0;
    for (let kk = 0; kk < k; kk++) s += a[i * k + kk] * b[kk * n + j];
    err = Math.max(err, Math.abs(s - c[i * n + j]) / Math.max(1, Math.abs(s)));
  }
  let c0 = cpuMs();
  for (let r = 0; r < 4; r++) run();
  const fma = (cpuMs() - c0) / 4;
  const ta = tf.tensor3d(a, [1, m, k]);
  const tb = tf.tensor3d(b, [1, k, n]);
  const xnn = async () => {
    const bb = tf.clone(tb); // a fresh operand, packed every call as in the filter gradient
    const y = tf.matMul(ta, bb);
    await y.data();
    tf.dispose([y, bb]);
  };
  await xnn();
  c0 = cpuMs();
  for (let r = 0; r < 4; r++) await xnn();
  const x = (cpuMs() - c0) / 4;
  tf.dispose([ta, tb]);
  console.log(
    `[${m}×${k}]·[${k}×${n}] ${gflop.toFixed(2)} GFLOP: FMA kernel ${fma.toFixed(0)} ms CPU ` +
      `(${(gflop / fma * 1e3).toFixed(1)} GFLOP/s, rel. error ${err.toExponential(1)}); XNNPACK ` +
      `matMul ${x.toFixed(0)} ms (${(gflop / x * 1e3).toFixed(1)} GFLOP/s)`,
  );
}
Deno.exit(0);
