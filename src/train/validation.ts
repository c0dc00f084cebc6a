/**
 * Evaluation during training (torchvision's `evaluate` of `engine.py`): the model's detections on
 * the validation set, scored with COCO's 12 stats and VOC mAP@0.5 into an `EvalRecord`.
 *
 * @module
 */
import type { FcosModel } from "../model/fcos.ts";
import type { Detections } from "../model/types.ts";
import { BatchLoader } from "../data/loader.ts";
import type { DetectionDataset, Sample } from "../data/types.ts";
import { evaluateDetections } from "../eval/detections.ts";
import type { EvalRecord } from "./metrics.ts";

/** An evaluation: its record, and the images and detections it scored (for the drawings). */
export interface Evaluation {
  /** The `metrics.jsonl` record. */
  record: EvalRecord;
  /** The validation images, in order. */
  samples: Sample[];
  /** The model's detections on each, in the images' pixels. */
  detections: Detections[];
}

/**
 * Detections of `model` on (the first `limit` images of) a data set, with their ground truth.
 *
 * @example
 * ```ts ignore
 * const { samples, detections } = await predictDataset(model, dataset, { batchSize: 8 });
 * ```
 */
export async function predictDataset(
  model: FcosModel,
  dataset: DetectionDataset,
  options: { batchSize?: number; strict?: boolean } = {},
): Promise<{ samples: Sample[]; detections: Detections[] }> {
  const loader = new BatchLoader(dataset, {
    batchSize: options.batchSize ?? 8,
    shuffle: false,
    dropLast: false,
    strict: options.strict,
  });
  const samples: Sample[] = [];
  const detections: Detections[] = [];
  for await (const batch of loader.epoch(0)) {
    const dets = await model.detect(
      batch.samples.map((s) => ({ data: s.image, width: s.width, height: s.height })),
    );
    samples.push(...batch.samples);
    detections.push(...dets);
  }
  return { samples, detections };
}

/**
 * Evaluates `model` on `valSet` (in batches of max(`batchSize`, 8)) after `epoch` epochs and
 * `step` steps: COCO's 12 stats, VOC mAP@0.5 and its per-class APs, and the seconds it took.
 *
 * @example
 * ```ts ignore
 * const ev = await evaluateModel(model, valSet, classNames, { epoch: 1, step: 100, batchSize: 4, strict: false });
 * console.log(ev.record.voc_map50);
 * ```
 */
export async function evaluateModel(
  model: FcosModel,
  valSet: DetectionDataset,
  classNames: string[],
  at: { epoch: number; step: number; batchSize: number; strict: boolean },
): Promise<Evaluation> {
  const te = performance.now();
  const { samples, detections } = await predictDataset(model, valSet, {
    batchSize: Math.max(at.batchSize, 8),
    strict: at.strict,
  });
  const m = evaluateDetections(
    samples.map((s) => ({ boxes: s.boxes, labels: s.labels, difficult: s.difficult })),
    detections,
    classNames.length,
    classNames,
  );
  const record: EvalRecord = {
    type: "eval",
    epoch: at.epoch,
    step: at.step,
    coco: [...m.coco.stats],
    voc_map50: m.vocMap50,
    voc_ap50_per_class: m.vocAp50PerClass,
    images: samples.length,
    seconds: (performance.now() - te) / 1000,
  };
  return { record, samples, detections };
}
