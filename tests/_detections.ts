/** Comparing detection lists with torchvision's (reference outputs of scripts/reference). */
import { assertEquals } from "../src/std.ts";
import { type TensorEntry, toFloat32 } from "../src/io/safetensors.ts";

export type Dets = { boxes: Float32Array; scores: Float32Array; labels: Int32Array };

/** torchvision's detections `p` (from the reference), optionally without empty boxes. */
export function referenceDetections(
  ref: Map<string, TensorEntry>,
  p: string,
  dropEmpty: boolean,
): Dets {
  const boxes = toFloat32(ref.get(`${p}_boxes`)!, p),
    scores = toFloat32(ref.get(`${p}_scores`)!, p);
  const labels = ref.get(`${p}_labels`)!.data as Int32Array;
  const keep = [...scores.keys()].filter((i) =>
    !dropEmpty || (boxes[4 * i + 2] > boxes[4 * i] && boxes[4 * i + 3] > boxes[4 * i + 1])
  );
  return {
    boxes: Float32Array.from(keep.flatMap((i) => [...boxes.subarray(4 * i, 4 * i + 4)])),
    scores: Float32Array.from(keep.map((i) => scores[i])),
    labels: Int32Array.from(keep.map((i) => labels[i])),
  };
}

/**
 * Same detections in the same order; with `prefix`, `want` may be a prefix of `got`. Detections
 * whose scores tie within float error (≤ 1e-5 apart) may swap places, as float32 rounding in
 * either library can order them either way; everything else must be in place.
 */
export function assertSameDetections(got: Dets, want: Dets, what: string, prefix = false) {
  const n = want.scores.length;
  if (!prefix) assertEquals(got.scores.length, n, `${what}: detection count`);
  const used = new Set<number>();
  for (let i = 0; i < n; i++) {
    const matches = (j: number) =>
      !used.has(j) && j < got.scores.length && got.labels[j] === want.labels[i] &&
      Math.abs(got.scores[j] - want.scores[i]) <= 1e-5 &&
      [0, 1, 2, 3].every((k) => Math.abs(got.boxes[4 * j + k] - want.boxes[4 * i + k]) <= 1e-3);
    let j = i;
    if (!matches(j)) {
      // Only a float tie may move a detection.
      j = [...Array(9).keys()].map((d) =>
        i + d - 4
      ).find((c) => c >= 0 && matches(c) && Math.abs(got.scores[i] - want.scores[i]) <= 1e-5) ?? -1;
    }
    if (j < 0) {
      const at = (d: Dets, k: number) =>
        `${d.labels[k]} ${d.scores[k]} [${Array.from(d.boxes.subarray(4 * k, 4 * k + 4))}]`;
      throw new Error(`${what}[${i}]: got ${at(got, i)}, want ${at(want, i)}`);
    }
    used.add(j);
  }
}
