/**
 * Line plots of training curves (losses, learning rate) as PNG, drawn by Chart.js on a
 * Skia canvas (`@napi-rs/canvas`), with the Roboto font of the `@fontsource/roboto` package (SIL
 * Open Font License 1.1; its Latin WOFF2 file, which Skia reads as it is), so no system font is
 * needed. The plotting libraries are imported lazily, on the first plot, so they cost nothing at
 * CLI start-up.
 *
 * @module
 */
import { FcosError } from "../errors.ts";

/** One line of a plot: y against x, drawn with its name in the legend. */
export interface PlotSeries {
  /** Legend label. */
  name: string;
  /** X values (e.g. steps). */
  x: number[];
  /** Y values, same length as `x`; non-finite values (and ≤ 0 ones on a log axis) leave gaps. */
  y: number[];
}

/** Options of {@linkcode plotLines}. */
export interface PlotOptions {
  /** Title above the plot. */
  title: string;
  /** X axis label. */
  xLabel: string;
  /** Y axis label. */
  yLabel: string;
  /** Logarithmic y axis (default false). */
  logY?: boolean;
  /** Image width in pixels (default 900). */
  width?: number;
  /** Image height in pixels (default 500). */
  height?: number;
  /**
   * Exponential smoothing weight in [0, 1) as in TensorBoard (default 0: none). When > 0 each
   * series is drawn faintly as is, with its smoothed curve (debiased EMA over the finite points)
   * on top — readable curves from noisy per-step losses.
   */
  smoothing?: number;
}

/** Line colours (Tableau 10). */
const COLORS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

const FONT_FAMILY = "FcosRoboto";
/** Roboto Regular, Latin subset (ASCII, Latin-1, general punctuation, the minus sign). */
const FONT_FILE = "@fontsource/roboto/files/roboto-latin-400-normal.woff2";

/** The bytes of {@linkcode FONT_FILE}, read from the installed npm package. */
async function readFontFile(): Promise<Uint8Array> {
  // The package holds only CSS and font files, so nothing of it is imported and Deno would not
  // fetch it; importing its package.json puts it in the module graph (fetched, resolvable).
  await import("@fontsource/roboto/package.json", { with: { type: "json" } });
  return await Deno.readFile(new URL(import.meta.resolve(FONT_FILE)));
}

type Libs = {
  createCanvas: typeof import("@napi-rs/canvas").createCanvas;
  Chart: typeof import("chart.js").Chart;
};
let libs: Promise<Libs> | null = null;

/** Loads Chart.js, the canvas and the font once. */
function loadLibs(): Promise<Libs> {
  libs ??= (async () => {
    const [canvasMod, chartMod] = await Promise.all([
      import("@napi-rs/canvas"),
      import("chart.js"),
    ]);
    const { Chart, registerables } = chartMod;
    Chart.register(...registerables);
    try {
      const font = await readFontFile();
      const key = canvasMod.GlobalFonts.register(
        font as unknown as Parameters<typeof canvasMod.GlobalFonts.register>[0],
        FONT_FAMILY,
      );
      if (!key) throw new Error(`${FONT_FILE} is not a font Skia can read`);
      Chart.defaults.font.family = FONT_FAMILY;
    } catch (e) {
      // Without the bundled font, fall back to whatever sans-serif the system has.
      console.warn(`plot: bundled font unavailable (${e instanceof Error ? e.message : e})`);
      Chart.defaults.font.family = "sans-serif";
    }
    return { createCanvas: canvasMod.createCanvas, Chart };
  })();
  libs.catch(() => (libs = null)); // let a later call retry after a failed load
  return libs;
}

function checkSize(v: number | undefined, dflt: number, what: string): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < 64 || n > 8192) {
    throw new FcosError(`plotLines: ${what} must be an integer in 64…8192, got ${v}`);
  }
  return n;
}

/**
 * TensorBoard's smoothing: a debiased exponential moving average over the non-null points
 * (in log space on a log axis, so that the curve follows the geometric trend); gaps stay gaps.
 */
function smooth(
  data: { x: number; y: number | null }[],
  weight: number,
  logY: boolean,
): { x: number; y: number | null }[] {
  let ema = 0, n = 0;
  return data.map(({ x, y }) => {
    if (y === null) return { x, y };
    const v = logY ? Math.log(y) : y;
    ema = weight * ema + (1 - weight) * v;
    n++;
    const debiased = ema / (1 - weight ** n);
    return { x, y: logY ? Math.exp(debiased) : debiased };
  });
}

/**
 * Plots one or more lines and returns a PNG of `width`×`height` pixels (white background,
 * title, axis labels, legend). Points whose x or y is not finite, or whose y ≤ 0 on a log axis,
 * are left out (the line has a gap there); `smoothing` overlays an EMA of each series; long
 * series are decimated (min/max per pixel) so
 * 100k-step runs plot quickly. Throws {@linkcode FcosError} for no series or mismatched lengths.
 *
 * @example
 * ```ts
 * import { plotLines } from "./plot.ts";
 * const steps = [0, 1, 2, 3];
 * const png = await plotLines(
 *   [{ name: "total", x: steps, y: [2.1, 1.5, 1.2, 1.0] }],
 *   { title: "Training loss", xLabel: "step", yLabel: "loss", logY: true },
 * );
 * await Deno.writeFile("loss.png", png);
 * ```
 */
export async function plotLines(series: PlotSeries[], options: PlotOptions): Promise<Uint8Array> {
  if (!Array.isArray(series) || series.length === 0) {
    throw new FcosError(`plotLines '${options?.title}': no series to plot`);
  }
  const width = checkSize(options.width, 900, "width");
  const height = checkSize(options.height, 500, "height");
  const logY = options.logY ?? false;
  const smoothing = options.smoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1)) {
    throw new FcosError(`plotLines: smoothing must be in [0, 1), got ${options.smoothing}`);
  }
  const datasets = series.flatMap((s, i) => {
    if (!Array.isArray(s.x) || !Array.isArray(s.y) || s.x.length !== s.y.length) {
      throw new FcosError(
        `plotLines '${options.title}': series '${s.name}' has ${s.x?.length} x and ${s.y?.length} y values`,
      );
    }
    // {x, y} objects with a null y for a gap; `parsing: false` needs exactly this shape.
    const data: { x: number; y: number | null }[] = [];
    for (let k = 0; k < s.x.length; k++) {
      const x = s.x[k], y = s.y[k];
      if (!Number.isFinite(x)) continue;
      data.push({ x, y: Number.isFinite(y) && (!logY || y > 0) ? y : null });
    }
    data.sort((a, b) => a.x - b.x); // decimation needs increasing x
    const color = COLORS[i % COLORS.length];
    const line = {
      label: s.name,
      data,
      borderColor: color,
      backgroundColor: color,
      borderWidth: 1.5,
      pointRadius: data.length === 1 ? 3 : 0, // a lone point would be invisible as a line
      spanGaps: false,
    };
    if (smoothing === 0) return [line];
    const faint = color + "40"; // #rrggbbaa: 25 % opacity
    return [
      { ...line, data: smooth(data, smoothing, logY) },
      { ...line, label: "", borderColor: faint, backgroundColor: faint, borderWidth: 1 },
    ];
  });

  const { createCanvas, Chart } = await loadLibs();
  const canvas = createCanvas(width, height);
  const chart = new Chart(canvas as unknown as ConstructorParameters<typeof Chart>[0], {
    type: "line",
    data: { datasets },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      parsing: false,
      normalized: true,
      scales: {
        x: { type: "linear", title: { display: true, text: options.xLabel } },
        y: {
          type: logY ? "logarithmic" : "linear",
          title: { display: true, text: options.yLabel },
        },
      },
      plugins: {
        title: { display: true, text: options.title, font: { size: 16 } },
        legend: {
          display: true,
          labels: { boxHeight: 2, filter: (item) => item.text !== "" }, // hide the faint copies
        },
        decimation: { enabled: true, algorithm: "min-max" },
      },
    },
    plugins: [{
      id: "whiteBackground",
      beforeDraw: (c) => {
        const ctx = c.ctx;
        ctx.save();
        ctx.fillStyle = "white";
        ctx.fillRect(0, 0, c.width, c.height);
        ctx.restore();
      },
    }],
  });
  try {
    return new Uint8Array(await canvas.encode("png"));
  } finally {
    chart.destroy();
  }
}
