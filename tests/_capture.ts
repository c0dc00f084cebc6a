/** Capturing what a CLI command prints, for tests. */

/** Runs `fn` with `console[stream]` captured; returns its result and the printed lines. */
export async function captured<T>(
  stream: "log" | "error",
  fn: () => Promise<T>,
): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const original = console[stream];
  console[stream] = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    return { result: await fn(), lines };
  } finally {
    console[stream] = original;
  }
}
