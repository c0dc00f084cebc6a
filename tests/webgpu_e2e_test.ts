/**
 * The whole user path on `--backend webgpu` (the software adapter here, so the compact model, a few
 * images and steps): `synth`, `train` with a checkpoint per epoch, Ctrl-C (SIGINT) mid-epoch and
 * `--resume`, the NaN stop, `eval --weights` and `detect` — each compared with the same command
 * on wasm. Every command runs in its own process, as a user runs it.
 */
import { assert, assertEquals, path } from "../src/std.ts";
import { readMetrics, type StepRecord } from "../src/train/metrics.ts";
import { readSafetensors } from "../src/io/safetensors.ts";
import { hasWebGpuAdapter } from "./_webgpu.ts";

const ignore = !(await hasWebGpuAdapter());
const cli = new URL("../cli.ts", import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function fcos(args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs `train`, sends SIGINT once metrics.jsonl holds a record of step `step`. */
async function trainInterrupted(args: string[], runDir: string, step: number): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli, "train", ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  const metrics = path.join(runDir, "metrics.jsonl");
  let sent = false;
  for (let i = 0; i < 1200 && !sent; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const text = await Deno.readTextFile(metrics).catch(() => "");
    if (
      text.split("\n").some((l) => l.includes(`"step":${step},`) && l.includes('"type":"step"'))
    ) {
      child.kill("SIGINT");
      sent = true;
    }
  }
  const out = await output;
  assert(sent, "the run never reached the step to interrupt");
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function steps(runDir: string): Promise<StepRecord[]> {
  return (await readMetrics(path.join(runDir, "metrics.jsonl"))).filter((r): r is StepRecord =>
    r.type === "step"
  );
}

function assertRelClose(got: number, want: number, tol: number, what: string) {
  const rel = Math.abs(got - want) / Math.max(Math.abs(want), 1e-6);
  assert(rel <= tol, `${what}: webgpu ${got} vs wasm ${want} (relative ${rel.toExponential(2)})`);
}

interface DetectRecord {
  file: string;
  detections: { box: number[]; score: number; label: number }[];
}

Deno.test({
  name: "webgpu end to end: train, Ctrl-C, resume, NaN stop, eval and detect agree with wasm",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "fcos-webgpu-" });
    // 8 training images in batches of 2: 4 steps per epoch, 2 epochs; 4 validation images.
    const common = [
      "--data",
      "synthetic:8",
      "--compact",
      "--batch-size",
      "2",
      "--epochs",
      "2",
      "--val-images",
      "4",
      "--seed",
      "3",
    ];

    // wasm, uninterrupted: the reference.
    const wasmDir = path.join(root, "wasm");
    const ref = await fcos(["train", ...common, "--backend", "wasm", "--out", wasmDir]);
    assertEquals(ref.code, 0, ref.stderr);

    // webgpu, interrupted mid-epoch 1 (after step 1 of 0..3), then resumed to the end.
    const gpuDir = path.join(root, "webgpu");
    const trainArgs = [...common, "--backend", "webgpu", "--out", gpuDir];
    const first = await trainInterrupted(trainArgs, gpuDir, 1);
    assertEquals(first.code, 130, first.stderr);
    assert(first.stderr.includes("backend: webgpu on "), first.stderr);
    assert(/interrupted at step \d\/8; checkpoint saved/.test(first.stderr), first.stderr);
    const state = JSON.parse(
      await Deno.readTextFile(path.join(gpuDir, "checkpoint", "state.json")),
    );
    assert(state.step >= 2 && state.step < 8, `checkpoint at step ${state.step}`);
    const resumed = await fcos(["train", "--resume", gpuDir, "--backend", "webgpu"]);
    assertEquals(resumed.code, 0, resumed.stderr);
    assert(!resumed.stderr.includes("    at "), resumed.stderr); // no stack trace

    // Per-step losses (each term and the total) and gradient norms match wasm's.
    const want = await steps(wasmDir), got = await steps(gpuDir);
    assertEquals(got.map((r) => r.step), want.map((r) => r.step));
    for (const [i, g] of got.entries()) {
      const w = want[i];
      assertEquals(g.num_positives, w.num_positives, `step ${g.step} positives`);
      for (const key of ["classification", "bbox_regression", "bbox_ctrness", "loss"] as const) {
        assert(g[key] > 0, `step ${g.step}: ${key} is ${g[key]}`);
        assertRelClose(g[key], w[key], 1e-3, `step ${g.step} ${key}`);
      }
      assertRelClose(g.grad_norm, w.grad_norm, 1e-3, `step ${g.step} gradient norm`);
    }
    // The run folder is complete: final weights, drawings, a checkpoint of the last epoch.
    const final = JSON.parse(
      await Deno.readTextFile(path.join(gpuDir, "checkpoint", "state.json")),
    );
    assertEquals([final.epoch, final.step], [2, 8]);
    const drawn = [...Deno.readDirSync(path.join(gpuDir, "detections"))];
    assert(drawn.length > 0 && drawn.every((e) => e.name.endsWith(".png")));
    const weights = path.join(gpuDir, "model.safetensors");
    const st = await readSafetensors(weights);
    assert(st.tensors.size > 50);

    // eval --weights on both backends: the same detections give the same metrics.
    const evalArgs = ["eval", "--weights", weights, "--data", "synthetic:6", "--batch-size", "3"];
    const evalWasm = await fcos([...evalArgs, "--backend", "wasm", "--json", `${root}/ew.json`]);
    const evalGpu = await fcos([...evalArgs, "--backend", "webgpu", "--json", `${root}/eg.json`]);
    assertEquals(evalWasm.code, 0, evalWasm.stderr);
    assertEquals(evalGpu.code, 0, evalGpu.stderr);
    const statsW = JSON.parse(await Deno.readTextFile(`${root}/ew.json`)).stats as number[];
    const statsG = JSON.parse(await Deno.readTextFile(`${root}/eg.json`)).stats as number[];
    statsG.forEach((s, i) =>
      assert(Math.abs(s - statsW[i]) < 1e-3, `stat ${i}: ${s} vs ${statsW[i]}`)
    );

    // synth writes images; detect on them with both backends gives the same detections.
    const data = path.join(root, "data");
    const synth = await fcos(["synth", "--out", data, "--count", "2", "--val", "1"]);
    assertEquals(synth.code, 0, synth.stderr);
    const images = [...Deno.readDirSync(path.join(data, "JPEGImages"))].map((e) =>
      path.join(data, "JPEGImages", e.name)
    ).sort();
    assert(images.length === 3, `${images}`);
    const detectArgs = ["detect", "--weights", weights, "--score-thresh", "0.01", ...images];
    const detW = await fcos([...detectArgs, "--backend", "wasm", "--json", `${root}/dw.json`]);
    const detG = await fcos([...detectArgs, "--backend", "webgpu", "--json", `${root}/dg.json`]);
    assertEquals(detW.code, 0, detW.stderr);
    assertEquals(detG.code, 0, detG.stderr);
    const recW = JSON.parse(await Deno.readTextFile(`${root}/dw.json`)) as DetectRecord[];
    const recG = JSON.parse(await Deno.readTextFile(`${root}/dg.json`)) as DetectRecord[];
    assertEquals(recG.length, recW.length);
    // The same detections; float ties between backends (scores within 1e-6) may swap places.
    let compared = 0;
    for (const [i, g] of recG.entries()) {
      const w = recW[i];
      assertEquals(g.detections.length, w.detections.length, g.file);
      const unmatched = new Set(w.detections.keys());
      for (const d of g.detections) {
        const k = [...unmatched].find((k) => {
          const e = w.detections[k];
          return e.label === d.label && Math.abs(e.score - d.score) < 1e-4 &&
            e.box.every((v, j) => Math.abs(v - d.box[j]) < 1e-2);
        });
        assert(k !== undefined, `${g.file}: webgpu detection ${JSON.stringify(d)} not on wasm`);
        unmatched.delete(k);
        compared++;
      }
    }
    assert(compared > 0, "no detections to compare");

    // The NaN stop on webgpu: one line naming the step, the last good checkpoint kept intact.
    const nanDir = path.join(root, "nan");
    const nan = await fcos([
      "train",
      "--data",
      "synthetic:4",
      "--compact",
      "--batch-size",
      "4",
      "--epochs",
      "4",
      "--lr",
      "1e12",
      "--warmup-iters",
      "0",
      "--val-data",
      "none",
      "--backend",
      "webgpu",
      "--out",
      nanDir,
    ]);
    assertEquals(nan.code, 1, nan.stderr);
    const lastLine = nan.stderr.trim().split("\n").at(-1)!;
    assert(/training diverged at step \d+: .*last good checkpoint/.test(lastLine), nan.stderr);
    assert(!nan.stderr.includes("    at "), nan.stderr);
    const kept = await readSafetensors(path.join(nanDir, "checkpoint", "model.safetensors"));
    for (const [name, e] of kept.tensors) {
      assert((e.data as Float32Array).every(Number.isFinite), `${name} has non-finite values`);
    }
    await Deno.remove(root, { recursive: true });
  },
});
