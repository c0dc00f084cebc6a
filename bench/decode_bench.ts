/**
 * `deno bench -A bench/decode_bench.ts`: the full FCOS post-processing of one 512×512 image's head
 * outputs (L = 64² + 32² + 16² + 8² + 4² = 5456 locations) with the default options, C = 20 and 91 —
 * what the model runs per image after reading the head outputs back.
 */
import { decodeDetections } from "../src/decode/decode.ts";
import { generateHeadOutputs } from "./boxgen.ts";

for (const C of [20, 91]) {
  const head = generateHeadOutputs(512, C, 7);
  const det = decodeDetections(head);
  Deno.bench({
    name: `decode 512×512, C = ${C} (${det.labels.length} detections)`,
    group: `decode C=${C}`,
    baseline: true,
    fn() {
      decodeDetections(head);
    },
  });
}
