/**
 * Paired timing of our `batchedNms` against torchvision's CPU `batched_nms` on the same seeded
 * cases (bench/boxgen.ts), in one run. torchvision runs in a python process that serves timing
 * requests (bench/torch_nms.py --serve); each repetition times ours, then torchvision with one
 * thread, then with its default thread count, back to back, so that both see the same machine load
 * (the figure that matters is the median of the per-repetition ratios). Also checks that the kept
 * lists are identical.
 *
 * `deno run -A bench/nms_vs_torch.ts [REPEATS]`
 *
 * @module
 */
import { batchedNms, nms } from "../src/decode/nms.ts";
import { BENCH_CASES, generateBoxes, writeCases } from "./boxgen.ts";

const repeats = Number(Deno.args[0] ?? 40);
const iou = 0.6;
const dir = Deno.makeTempDirSync({ prefix: "nms_vs_torch_" });
writeCases(dir, iou);

const child = new Deno.Command("/usr/bin/python3", {
  args: [new URL("./torch_nms.py", import.meta.url).pathname, dir, "--serve"],
  stdin: "piped",
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const writer = child.stdin.getWriter();
const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
let buffered = "";
async function readLine(): Promise<string> {
  while (!buffered.includes("\n")) {
    const { value, done } = await lines.read();
    if (done) throw new Error("bench/torch_nms.py ended early");
    buffered += value;
  }
  const i = buffered.indexOf("\n");
  const line = buffered.slice(0, i);
  buffered = buffered.slice(i + 1);
  return line;
}
async function torchTime(name: string, threads: string, single = false): Promise<number> {
  await writer.write(new TextEncoder().encode(`${name} ${threads}${single ? " single" : ""}\n`));
  return Number(await readLine());
}
const hello = JSON.parse(await readLine());

const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(
  `machine: ${navigator.hardwareConcurrency} cpus, loadavg before ${
    Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
  }; torch default threads = ${hello.default_threads}; ${repeats} paired repetitions`,
);
console.log(
  "| case | kept | ours ms (median) | torchvision 1 thread ms | ratio (median of pairs) | torchvision default threads ms | ratio | identical |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const [name, n, c, seed] of BENCH_CASES) {
  const { boxes, scores, labels } = generateBoxes(n, c, seed);
  for (let w = 0; w < 20; w++) batchedNms(boxes, scores, labels, iou); // JIT warm-up
  for (let w = 0; w < 3; w++) await torchTime(name, "1");
  const ours: number[] = [], t1: number[] = [], td: number[] = [];
  const r1: number[] = [], rd: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    batchedNms(boxes, scores, labels, iou);
    const o = performance.now() - t0;
    const a = await torchTime(name, "1");
    const b = await torchTime(name, "default");
    ours.push(o);
    t1.push(a);
    td.push(b);
    r1.push(a / o);
    rd.push(b / o);
  }
  const keep = batchedNms(boxes, scores, labels, iou);
  const theirs = new Int32Array(Deno.readFileSync(`${dir}/${name}.torch_keep.i32`).buffer);
  // torchvision's final sort in its per-label path is unstable: equal scores may come in either
  // order, so "yes (up to ties)" = same kept set and the same score at every rank.
  const exact = keep.length === theirs.length && keep.every((v, i) => v === theirs[i]);
  const sortedA = [...keep].sort((a, b) => a - b), sortedB = [...theirs].sort((a, b) => a - b);
  const same = keep.length === theirs.length && sortedA.every((v, i) => v === sortedB[i]) &&
    keep.every((v, i) => scores[v] === scores[theirs[i]]);
  console.log(
    `| ${name} (${n} boxes, ${c} classes) | ${keep.length} | ${median(ours).toFixed(3)} | ${
      median(t1).toFixed(3)
    } | ${median(r1).toFixed(2)}× | ${median(td).toFixed(3)} | ${median(rd).toFixed(2)}× | ${
      same ? (exact ? "yes" : "yes (up to ties)") : "NO"
    } |`,
  );
}
// Single-class NMS (labels ignored): our `nms` against torchvision.ops.nms, one thread.
console.log(
  "\n| single-class case | kept | ours ms (median) | torchvision.ops.nms 1 thread ms | ratio |",
);
console.log("|---|---|---|---|---|");
for (const [name, n, c, seed] of BENCH_CASES) {
  if (n < 5000) continue;
  const { boxes, scores } = generateBoxes(n, c, seed);
  const reps = Math.max(5, Math.round(repeats / 4));
  for (let w = 0; w < 3; w++) nms(boxes, scores, iou);
  await torchTime(name, "1", true);
  const ours: number[] = [], theirs: number[] = [], ratio: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    nms(boxes, scores, iou);
    const o = performance.now() - t0;
    const t = await torchTime(name, "1", true);
    ours.push(o);
    theirs.push(t);
    ratio.push(t / o);
  }
  console.log(
    `| ${name} (${n} boxes) | ${nms(boxes, scores, iou).length} | ${median(ours).toFixed(2)} | ${
      median(theirs).toFixed(2)
    } | ${median(ratio).toFixed(2)}× |`,
  );
}
console.log(`loadavg after ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
await writer.close();
await child.status;
Deno.removeSync(dir, { recursive: true });
