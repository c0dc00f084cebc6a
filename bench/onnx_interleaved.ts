/**
 * `deno run -A bench/onnx_interleaved.ts [ROUNDS]`: the cases of bench/onnx_bench.ts (FCOS-R18,
 * 91 classes, one 512×512 image) interleaved round by round — wasm `detect`, onnx `detect`,
 * onnxruntime's `session.run` alone, our decode alone — so that load from other processes falls on
 * all of them alike. Prints each case's median and mean, and the median over rounds of
 * onnx detect / (run + decode) (the goal: ≤ 1.2).
 */
import { postprocessDetections } from "../src/model/fcos.ts";
import { detector, dims, grid, heads, image, model, nchw, size, threads } from "./_onnx_case.ts";

const rounds = Number(Deno.args[0] ?? 8);

const cases: Record<string, () => Promise<unknown> | unknown> = {
  "wasm detect": () => model.detect([image]),
  "onnx detect": () => detector.detect([image]),
  "onnx session.run": () => detector.run(nchw, dims),
  "decode": () => postprocessDetections(model.config, heads, grid, [[size, size]], [[size, size]]),
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (const fn of Object.values(cases)) await fn(); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(cases)) {
    const t0 = performance.now();
    await fn();
    times[name].push(performance.now() - t0);
  }
}
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
console.log(
  `${rounds} rounds, ${threads} threads, load ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")}`,
);
for (const [name, t] of Object.entries(times)) {
  console.log(
    `${name.padEnd(18)} median ${median(t).toFixed(1).padStart(8)} ms  mean ${
      mean(t).toFixed(1).padStart(8)
    } ms  (min ${Math.min(...t).toFixed(1)}, max ${Math.max(...t).toFixed(1)})`,
  );
}
const ratios = times["onnx detect"].map((t, i) =>
  t / (times["onnx session.run"][i] + times["decode"][i])
);
console.log(
  `onnx detect / (run + decode): median ${median(ratios).toFixed(2)} (per round ${
    ratios.map((r) => r.toFixed(2)).join(" ")
  })`,
);
console.log(
  `wasm detect / onnx detect: median ${
    (median(times["wasm detect"]) / median(times["onnx detect"])).toFixed(2)
  }`,
);
await detector.release();
model.dispose();
Deno.exit(0);
