/**
 * Paired timing of `decodeDetections` against torchvision's `FCOS.postprocess_detections` (CPU,
 * one thread) on the same synthetic 512×512 head outputs (bench/boxgen.ts, L = 5456, C = 20 and
 * 91, default options), interleaved repetition by repetition (bench/torch_decode.py serves the
 * torch side). Also compares the detections' labels and scores.
 *
 * `deno run -A bench/decode_vs_torch.ts [REPEATS]`
 *
 * @module
 */
import { decodeDetections } from "../src/decode/decode.ts";
import { generateHeadOutputs } from "./boxgen.ts";

const repeats = Number(Deno.args[0] ?? 30);
const dir = Deno.makeTempDirSync({ prefix: "decode_vs_torch_" });
const cases = [20, 91].map((C) => ({ name: `c${C}`, head: generateHeadOutputs(512, C, 7) }));
const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
for (const { name, head } of cases) {
  Deno.writeFileSync(`${dir}/${name}.cls.f32`, bytes(head.clsLogits));
  Deno.writeFileSync(`${dir}/${name}.reg.f32`, bytes(head.bboxRegression));
  Deno.writeFileSync(`${dir}/${name}.ctr.f32`, bytes(head.bboxCtrness));
  Deno.writeFileSync(`${dir}/${name}.anchors.f32`, bytes(head.anchors));
}
Deno.writeTextFileSync(
  `${dir}/cases.json`,
  JSON.stringify(cases.map(({ name, head }) => ({
    name,
    numClasses: head.numClasses,
    numAnchorsPerLevel: head.numAnchorsPerLevel,
    imageHeight: head.imageHeight,
    imageWidth: head.imageWidth,
  }))),
);

const child = new Deno.Command("/usr/bin/python3", {
  args: [new URL("./torch_decode.py", import.meta.url).pathname, dir],
  stdin: "piped",
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const writer = child.stdin.getWriter();
const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
let buffered = "";
async function readLine(): Promise<string> {
  while (!buffered.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("bench/torch_decode.py ended early");
    buffered += value;
  }
  const i = buffered.indexOf("\n");
  const line = buffered.slice(0, i);
  buffered = buffered.slice(i + 1);
  return line;
}
async function torchTime(name: string): Promise<number> {
  await writer.write(new TextEncoder().encode(`${name} 1\n`));
  return Number(await readLine());
}
await readLine();
const median = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

console.log(
  `machine: ${navigator.hardwareConcurrency} cpus, loadavg ${
    Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
  }; ${repeats} paired repetitions`,
);
console.log(
  "| case | detections | ours ms (median) | torchvision 1 thread ms | ratio (median of pairs) | agreement with torchvision |",
);
console.log("|---|---|---|---|---|---|");
for (const { name, head } of cases) {
  for (let w = 0; w < 10; w++) decodeDetections(head);
  for (let w = 0; w < 3; w++) await torchTime(name);
  const ours: number[] = [], theirs: number[] = [], ratio: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    decodeDetections(head);
    const o = performance.now() - t0;
    const t = await torchTime(name);
    ours.push(o);
    theirs.push(t);
    ratio.push(t / o);
  }
  // torchvision keeps empty boxes; compare with dropEmpty off.
  const det = decodeDetections(head, { dropEmpty: false });
  const tl = new Int32Array(Deno.readFileSync(`${dir}/${name}.torch_labels.i32`).buffer);
  const ts = new Float32Array(Deno.readFileSync(`${dir}/${name}.torch_scores.f32`).buffer);
  // Scores may differ by an ulp or two (torch's SIMD exp), which can also swap near-tied ranks.
  let maxRel = 0, labelDiffs = Math.abs(tl.length - det.labels.length);
  for (let i = 0; i < Math.min(tl.length, det.labels.length); i++) {
    maxRel = Math.max(maxRel, Math.abs(ts[i] - det.scores[i]) / ts[i]);
    if (tl[i] !== det.labels[i]) labelDiffs++;
  }
  const same = `${labelDiffs} label differences, max score rel. diff ${maxRel.toExponential(1)}`;
  console.log(
    `| 512×512, L = 5456, C = ${head.numClasses} | ${det.labels.length} | ${
      median(ours).toFixed(3)
    } | ${median(theirs).toFixed(3)} | ${median(ratio).toFixed(2)}× | ${same} |`,
  );
}
await writer.close();
await child.status;
Deno.removeSync(dir, { recursive: true });
