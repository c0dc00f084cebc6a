/**
 * Side by side in one run: our FCOS-R18 forward/detect (bench/forward_bench.ts via `deno bench
 * --json`) and torchvision's on the CPU (bench/torch_forward.py, 1 thread and 2 threads), with
 * the ratio. Usage: deno run -A bench/forward_vs_torch.ts
 */
import { output } from "./_run.ts";
const deno = Deno.execPath();

const ours = JSON.parse(await output(deno, ["bench", "-A", "--json", "bench/forward_bench.ts"]));
const oursMs = new Map<string, number>();
for (const b of ours.benches) {
  const ok = b.results[0]?.ok;
  if (ok) oursMs.set(b.name.replace(/ \(.*\)$/, ""), ok.avg / 1e6);
}
const torch: Record<number, Map<string, number>> = {};
for (const threads of [1, 2]) {
  const lines = (await output("/usr/bin/python3", ["bench/torch_forward.py", String(threads)]))
    .trim().split("\n").map((l) => JSON.parse(l));
  torch[threads] = new Map(lines.map((l) => [l.case.replace(/(\d)x(\d)/g, "$1×$2"), l.median_ms]));
}
console.log(
  `machine: ${Deno.osRelease()} ${navigator.hardwareConcurrency} cores; date ${
    new Date().toISOString()
  }`,
);
console.log("case | ours (ms, mean) | torch 1 thread | torch 2 threads | ours / torch(2 threads)");
for (const [name, ms] of oursMs) {
  const key = name.replace("FCOS-R18 ", "");
  const t1 = torch[1].get(key), t2 = torch[2].get(key);
  console.log(
    `${name} | ${ms.toFixed(0)} | ${t1?.toFixed(0)} | ${t2?.toFixed(0)} | ${
      t2 ? (ms / t2).toFixed(2) : "?"
    }`,
  );
}
