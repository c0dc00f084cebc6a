/**
 * Side by side in one run: our training step (bench/train_bench.ts via `deno bench --json`) and
 * torchvision's on the CPU (bench/torch_train_step.py, 2 threads), with the ratio.
 * Usage: deno run -A bench/train_vs_torch.ts   (FCOS_BENCH_FULL=1 adds 4×512×512)
 */
const deno = Deno.execPath();
const full = Deno.env.get("FCOS_BENCH_FULL") === "1";

async function output(cmd: string, args: string[]): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, { args }).output();
  const text = new TextDecoder().decode(stdout);
  if (code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(stderr)}`);
  }
  return text;
}

const ours = JSON.parse(await output(deno, ["bench", "-A", "--json", "bench/train_bench.ts"]));
const oursMs = new Map<string, number>();
for (const b of ours.benches) {
  const ok = b.results[0]?.ok;
  if (ok) oursMs.set(b.name, ok.p50 / 1e6);
  else console.log(`${b.name}: ${JSON.stringify(b.results[0])}`);
}
const threads = navigator.hardwareConcurrency;
const lines = (await output("/usr/bin/python3", [
  "bench/torch_train_step.py",
  String(threads),
  ...(full ? ["full"] : []),
])).trim().split("\n").map((l) => JSON.parse(l));
const torch = new Map<string, number>(lines.map((l) => [l.case, l.median_ms]));
console.log(
  `machine: ${Deno.osRelease()} ${threads} cores; load ${Deno.loadavg().join(" ")}; ${
    new Date().toISOString()
  }`,
);
console.log(`case | ours (ms, p50) | torch ${threads} threads (ms, median) | ours / torch`);
for (const [name, ms] of oursMs) {
  const t = torch.get(name.replace(/ \(.*\)$/, ""));
  console.log(
    `${name} | ${ms.toFixed(0)} | ${t?.toFixed(0) ?? "-"} | ${t ? (ms / t).toFixed(2) : "-"}`,
  );
}
