/**
 * Side-by-side timing of our `batchedNms` and torchvision's CPU `batched_nms` on the same seeded
 * cases (bench/boxgen.ts), in one run: ours, then torchvision (bench/torch_nms.py, one thread and
 * the default thread count), then ours again. Prints medians and the ratio, and checks that the
 * kept lists are identical.
 *
 * `deno run -A bench/nms_vs_torch.ts [REPEATS]`
 *
 * @module
 */
import { batchedNms } from "../src/decode/nms.ts";
import { BENCH_CASES, generateBoxes, writeCases } from "./boxgen.ts";

const repeats = Number(Deno.args[0] ?? 30);
const iou = 0.6;
const dir = Deno.makeTempDirSync({ prefix: "nms_vs_torch_" });
writeCases(dir, iou);

function timeOurs(): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [name, n, c, seed] of BENCH_CASES) {
    const { boxes, scores, labels } = generateBoxes(n, c, seed);
    for (let w = 0; w < 20; w++) batchedNms(boxes, scores, labels, iou); // JIT warm-up
    const t: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      batchedNms(boxes, scores, labels, iou);
      t.push(performance.now() - t0);
    }
    out.set(name, t);
  }
  return out;
}

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const first = timeOurs();
const py = new Deno.Command("/usr/bin/python3", {
  args: [new URL("./torch_nms.py", import.meta.url).pathname, dir, String(repeats)],
  stdout: "piped",
  stderr: "inherit",
}).outputSync();
if (!py.success) throw new Error("bench/torch_nms.py failed");
const second = timeOurs();
const torch = new TextDecoder().decode(py.stdout).trim().split("\n").map((l) => JSON.parse(l));

console.log(
  `machine: ${Deno.osRelease()} ${navigator.hardwareConcurrency} cpus, loadavg ${
    Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
  }`,
);
console.log(
  "| case | ours median ms | torch 1 thread ms | ratio | torch default threads ms | ratio | identical |",
);
console.log("|---|---|---|---|---|---|---|");
for (const [name, n, c, seed] of BENCH_CASES) {
  const ours = median([...first.get(name)!, ...second.get(name)!]);
  const { boxes, scores, labels } = generateBoxes(n, c, seed);
  const keep = batchedNms(boxes, scores, labels, iou);
  const theirs = new Int32Array(Deno.readFileSync(`${dir}/${name}.torch_keep.i32`).buffer);
  // torchvision's final sort in its per-label path is unstable: equal scores may come in either
  // order, so "same" = same kept set and the same score at every rank; "exact" = same order too.
  const exact = keep.length === theirs.length && keep.every((v, i) => v === theirs[i]);
  const sortedA = [...keep].sort((a, b) => a - b), sortedB = [...theirs].sort((a, b) => a - b);
  const same = keep.length === theirs.length && sortedA.every((v, i) => v === sortedB[i]) &&
    keep.every((v, i) => scores[v] === scores[theirs[i]]);
  const t1 = torch.find((r) => r.name === name && r.threads === 1);
  const td = torch.find((r) => r.name === name && r.threads === r.default_threads) ?? t1;
  console.log(
    `| ${name} (${n} boxes, ${c} classes, ${keep.length} kept) | ${ours.toFixed(3)} | ${
      t1.median_ms.toFixed(3)
    } | ${(t1.median_ms / ours).toFixed(1)}× | ${td.median_ms.toFixed(3)} (${td.threads}) | ${
      (td.median_ms / ours).toFixed(1)
    }× | ${same ? (exact ? "yes" : "yes (up to ties)") : "NO"} |`,
  );
}
Deno.removeSync(dir, { recursive: true });
