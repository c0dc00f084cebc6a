import { assert, assertEquals, path } from "../src/std.ts";
import { FcosError } from "../src/errors.ts";
import { initBackend } from "../src/backend/select.ts";
import { generateSynthetic } from "../src/data/synthetic.ts";
import { readSafetensors } from "../src/io/safetensors.ts";
import { readCheckpointState } from "../src/train/checkpoint.ts";
import {
  drawValidationImages,
  finishInterrupted,
  finishRun,
  runFailure,
} from "../src/train/report.ts";
import { createRun, type RunState, startRun } from "../src/train/run_state.ts";
import type { Evaluation } from "../src/train/validation.ts";
import { setUp, tinyOptions } from "./_run.ts";

await initBackend({ backend: "wasm", threads: 1, log: () => {} });

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): [number, number] {
  const v = new DataView(png.buffer, png.byteOffset);
  return [v.getUint32(16), v.getUint32(20)];
}

Deno.test("drawValidationImages: the first N images, detections above the threshold, small images enlarged, safe names", async () => {
  const dir = path.join(await Deno.makeTempDir(), "detections");
  const small = { ...generateSynthetic(0, { size: 128 }), id: "val/0 a" };
  const large = { ...generateSynthetic(1, { size: 400 }), id: "val_1" };
  const dets = {
    boxes: new Float32Array([10, 10, 50, 50, 20, 20, 60, 60]),
    scores: new Float32Array([0.9, 0.2]),
    labels: new Int32Array([0, 1]),
  };
  const ev = {
    samples: [small, large, small],
    detections: [dets, dets, dets],
  } as unknown as Evaluation;
  const files = await drawValidationImages(ev, ["a", "b", "c", "d", "e"], dir, 2, 0.3);
  assertEquals(files, [path.join(dir, "00_val_0_a.png"), path.join(dir, "01_val_1.png")]);
  assertEquals(pngSize(await Deno.readFile(files[0])), [384, 384]); // 128 px × 3
  assertEquals(pngSize(await Deno.readFile(files[1])), [400, 400]);
  // The threshold: drawn with both detections differs from drawn with the first only.
  const all = await drawValidationImages(ev, ["a", "b", "c", "d", "e"], `${dir}-all`, 1, 0.1);
  assert(
    (await Deno.readFile(all[0])).join() !== (await Deno.readFile(files[0])).join(),
    "a lower threshold draws more",
  );
  await Deno.remove(path.dirname(dir), { recursive: true });
});

Deno.test("runFailure: without a failed WebGPU device, the error as it is", () => {
  const run = { step: 3, setup: { backend: "wasm" } } as unknown as RunState;
  const bad = new FcosError("x.jpg: broken");
  assertEquals(runFailure(bad, run), bad);
  const other = new Error("disk full");
  assertEquals(runFailure(other, run), other);
});

Deno.test("finishInterrupted and finishRun: the checkpoint or the final weights, the drawings, the closing lines", async () => {
  const root = await Deno.makeTempDir();
  const outDir = path.join(root, "run");
  const lines: string[] = [];
  const { resolved, setup } = await setUp(tinyOptions(outDir, { epochs: 1 }), lines);
  const run = await createRun(setup, { clear: false });
  try {
    await startRun(run, resolved, false);
    lines.length = 0;
    const stopped = await finishInterrupted(run, performance.now());
    assertEquals([stopped.interrupted, stopped.steps, stopped.epochs], [true, 0, 0]);
    assertEquals((await readCheckpointState(path.join(outDir, "checkpoint"))).reason, "interrupt");
    assertEquals(lines, [
      `interrupted at step 0/2; checkpoint saved in ${path.join(outDir, "checkpoint")} ` +
      `(continue with --resume ${outDir})`,
    ]);
    // Finishing without an evaluation of this call: no drawings, unless the run was resumed
    // with nothing left to train (then it is evaluated again for them).
    lines.length = 0;
    const done = await finishRun(run, {}, performance.now());
    assertEquals([done.interrupted, done.modelPath], [
      false,
      path.join(outDir, "model.safetensors"),
    ]);
    const weights = await readSafetensors(done.modelPath!);
    assertEquals([weights.metadata.epoch, weights.metadata.step], ["0", "0"]);
    await Deno.stat(path.join(outDir, "detections")).then(() => assert(false), () => {});
    assertEquals(lines.length, 1);
    assert(lines[0].startsWith("done: 0 epochs, 0 steps in "), lines[0]);
    assert(lines[0].endsWith(`; weights ${done.modelPath}`), lines[0]);
    await finishRun(run, { resumedAtStep: 0, drawImages: 1 }, performance.now());
    assertEquals([...Deno.readDirSync(path.join(outDir, "detections"))].length, 1);
  } finally {
    run.close();
  }
  await Deno.remove(root, { recursive: true });
});
