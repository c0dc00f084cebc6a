/**
 * Side by side in one run: our training step (bench/train_bench.ts via `deno bench --json`) and
 * torchvision's on the CPU (bench/torch_train_step.py, 1 thread and all cores), with the ratio;
 * then the CPU time per step (all threads; bench/train_cpu.ts and torch's process_time), a
 * measure of work that a shared machine's load barely changes.
 * Usage: deno run -A bench/train_vs_torch.ts   (FCOS_BENCH_FULL=1 adds 4×512×512)
 */
import { output } from "./_run.ts";
const deno = Deno.execPath();
const full = Deno.env.get("FCOS_BENCH_FULL") === "1";

const ours = JSON.parse(await output(deno, ["bench", "-A", "--json", "bench/train_bench.ts"]));
// deno bench --json reports avg/min/max/p75… (no median) in nanoseconds, and `n` runs.
const oursMs = new Map<string, { avg: number; min: number; n: number }>();
for (const b of ours.benches) {
  const ok = b.results[0]?.ok;
  if (ok) oursMs.set(b.name, { avg: ok.avg / 1e6, min: ok.min / 1e6, n: ok.n });
  else console.log(`${b.name}: ${JSON.stringify(b.results[0])}`);
}
const threads = navigator.hardwareConcurrency;
// PyTorch with 1 thread and with all cores: on a machine shared with other work, OpenMP's threads
// wait on each other and 2 threads can be several times slower than 1, so both are shown and the
// ratio is taken against the faster.
const torch = new Map<string, Map<number, number>>();
const torchCpu = new Map<string, Map<number, number>>();
for (const t of [...new Set([1, threads])]) {
  const lines = (await output("/usr/bin/python3", [
    "bench/torch_train_step.py",
    String(t),
    ...(full ? ["full"] : []),
  ])).trim().split("\n").map((l) => JSON.parse(l));
  for (const l of lines) {
    if (!torch.has(l.case)) torch.set(l.case, new Map());
    torch.get(l.case)!.set(t, l.median_ms);
    if (!torchCpu.has(l.case)) torchCpu.set(l.case, new Map());
    torchCpu.get(l.case)!.set(t, l.cpu_ms);
  }
}
const oursCpu = (await output(deno, ["run", "-A", "bench/train_cpu.ts", ...(full ? ["full"] : [])]))
  .trim().split("\n").map((l) =>
    JSON.parse(l) as { case: string; cpu_ms: number; wall_ms: number }
  );
console.log(
  `machine: ${Deno.osRelease()} ${threads} cores; load ${
    Deno.loadavg().map((v) => v.toFixed(2)).join(" ")
  }; ${new Date().toISOString()}`,
);
console.log(
  `case | ours (ms, avg; min; runs) | torch 1 thread (ms, median) | torch ${threads} threads | ` +
    `ours / fastest torch`,
);
for (const [name, { avg, min, n }] of oursMs) {
  const t = torch.get(name.replace(/ \(.*\)$/, ""));
  const t1 = t?.get(1), tn = t?.get(threads);
  const best = Math.min(t1 ?? Infinity, tn ?? Infinity);
  console.log(
    `${name} | ${avg.toFixed(0)}; ${min.toFixed(0)}; ${n} | ${t1?.toFixed(0) ?? "-"} | ${
      tn?.toFixed(0) ?? "-"
    } | ${Number.isFinite(best) ? (avg / best).toFixed(2) : "-"}`,
  );
}
console.log(
  `\nCPU time per step, all threads (ms, median) | ours | torch 1 thread | torch ${threads} threads | ` +
    `ours / torch 1 thread`,
);
for (const o of oursCpu) {
  const t = torchCpu.get(o.case);
  const t1 = t?.get(1), tn = t?.get(threads);
  console.log(
    `${o.case} | ${o.cpu_ms.toFixed(0)} (wall ${o.wall_ms.toFixed(0)}) | ${
      t1?.toFixed(0) ?? "-"
    } | ${tn?.toFixed(0) ?? "-"} | ${t1 ? (o.cpu_ms / t1).toFixed(2) : "-"}`,
  );
}
console.log(`load at the end ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")}`);
