/**
 * `fcos synth --out DIR [--count N] [--val N] [--seed S] [--size PX] [--format png|jpg]`: writes
 * the built-in synthetic data set as a PASCAL VOC folder, so users can see the format that
 * `--data voc:DIR` reads (the files are the images `--data synthetic` generates in memory).
 *
 * @module
 */
import { FcosError, UsageError } from "../errors.ts";
import { parseArgs } from "../std.ts";
import { SYNTHETIC_CLASSES, SYNTHETIC_IMAGE_SIZE, SyntheticDataset } from "../data/synthetic.ts";
import { writeVoc } from "../data/write.ts";

const HELP = `Usage: fcos synth --out DIR [options]

Writes the built-in synthetic data set (${SYNTHETIC_CLASSES.join(", ")}) as a PASCAL VOC folder:
  DIR/JPEGImages/*.png  DIR/Annotations/*.xml  DIR/ImageSets/Main/{train,val,trainval}.txt
  DIR/classes.txt
Read it back with --data voc:DIR:train (or :val). The images are exactly those of
--data synthetic with the same seed (train_000000… and val_000000…).

Options:
  --out DIR        output folder (created; files in it are overwritten)
  --count N        training images (default 200)
  --val N          validation images (default count / 4)
  --seed S         seed (default 0, the seed of --data synthetic)
  --size PX        image side in pixels (default ${SYNTHETIC_IMAGE_SIZE})
  --format FMT     png (lossless, the default) or jpg (needs deno run --allow-ffi --allow-env:
                   imagescript's JPEG encoder is a native addon)
  -h, --help       show this help
`;

function intArg(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < min) {
    throw new UsageError(`synth: --${name} must be an integer ≥ ${min}, got '${v}'`);
  }
  return n;
}

/**
 * Runs `fcos synth`; returns the exit code (0 ok, 1 failed, 2 usage error).
 *
 * @example
 * ```ts
 * import { synthCommand } from "./synth.ts";
 * const code = await synthCommand(["--out", "/tmp/synth", "--count", "20"]);
 * ```
 */
export async function synthCommand(args: string[]): Promise<number> {
  try {
    let values;
    try {
      ({ values } = parseArgs({
        args,
        allowPositionals: false,
        options: {
          out: { type: "string" },
          count: { type: "string" },
          val: { type: "string" },
          seed: { type: "string" },
          size: { type: "string" },
          format: { type: "string" },
          help: { type: "boolean", short: "h" },
        },
      }));
    } catch (e) {
      throw new UsageError(`synth: ${e instanceof Error ? e.message : e}`);
    }
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (values.out === undefined) throw new UsageError("synth: --out DIR is required");
    const count = intArg("count", values.count, 200, 1);
    const val = intArg("val", values.val, Math.max(1, Math.round(count / 4)), 0);
    const seed = intArg("seed", values.seed, 0, 0);
    const size = intArg("size", values.size, SYNTHETIC_IMAGE_SIZE, 32);
    const format = values.format ?? "png";
    if (format !== "jpg" && format !== "png") {
      throw new UsageError(`synth: --format must be jpg or png, got '${format}'`);
    }
    const splits: Record<string, SyntheticDataset> = {
      train: new SyntheticDataset({ split: "train", length: count, seed, size }),
    };
    if (val > 0) splits.val = new SyntheticDataset({ split: "val", length: val, seed, size });
    const t0 = performance.now();
    const n = await writeVoc(values.out, splits, { format });
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(
      `synth: wrote ${n} images (${count} train, ${val} val) to ${values.out} in ${secs} s; ` +
        `read them with --data voc:${values.out}:train`,
    );
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}\n(see fcos synth --help)`);
      return 2;
    }
    if (e instanceof FcosError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
