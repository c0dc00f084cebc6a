/**
 * Multi-threaded tfjs-backend-wasm in Deno.
 *
 * tfjs 4.22 believes it runs in Node under Deno (`process.versions.node` is set), and there it turns
 * wasm threads off. Forcing them on meets two obstacles, both handled here:
 * - Emscripten's pthread glue creates its workers with `node:worker_threads` from a Blob URL
 *   (`new Worker(URL.createObjectURL(blob))`); Deno's `node:worker_threads` wants a file. The glue
 *   looks `Worker` up on `globalThis` (it stores `node:worker_threads`'s `Worker` there first), so
 *   while the backend starts, `globalThis.Worker` is a small class that starts our own worker file
 *   instead: it defines the few globals Emscripten's Node worker script expects (`require`,
 *   `__filename`, the bundle's `require$$N` and tslib helpers) and then runs that script.
 * - The "load" message hands each worker the Emscripten module source as a Blob; the worker
 *   imports it with `fs.readFileSync`, so the first such message is held back until the Blob has been
 *   written to a file next to the worker script, and the path is sent instead.
 * tfjs sizes XNNPACK's pool at half the CPU count by default (1 on 2 cores); `setThreadsCount` sets
 * it explicitly. Emscripten starts 8 pool workers up front; those running XNNPACK's threads would keep
 * the process alive, so `unrefWasmThreads` releases them from the event loop once the backend runs.
 *
 * @module
 */
import { Worker as NodeWorker } from "node:worker_threads";
import nodeOs from "node:os";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { wasmWorkerContents } from "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js";
import { tf } from "../tf.ts";

/** Globals the Emscripten factory and its Node worker script read, defined in each worker. */
function workerPrelude(factoryFile: string): string {
  return `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
// The worker script assigns "self", "location", … on "global"; read-only ones are kept as they are.
const global = new Proxy(globalThis, {
  set: (target, key, value) => {
    try {
      Reflect.set(target, key, value);
    } catch {
      // a read-only global of the worker (e.g. location)
    }
    return true;
  },
});
Object.assign(globalThis, {
  require,
  global,
  __filename: ${JSON.stringify(factoryFile)},
  __dirname: ${JSON.stringify(factoryFile.replace(/\/[^/]*$/, ""))},
  _scriptDir: ${JSON.stringify(factoryFile)},
  commonjsGlobal: globalThis,
  require$$0: require("fs"),
  require$$1: require("path"),
  require$$3: require("perf_hooks"),
  require$$4: require("os"),
  __values: (o) => o[Symbol.iterator](),
  __read: (o, n) => {
    const it = o[Symbol.iterator]();
    const out = [];
    while (n === undefined || n-- > 0) {
      const r = it.next();
      if (r.done) break;
      out.push(r.value);
    }
    return out;
  },
  __spreadArray: (to, from) => to.concat(Array.prototype.slice.call(from)),
});
`;
}

interface PthreadMessage {
  cmd?: string;
  urlOrBlob?: unknown;
}

/** State of the thread set-up (one per process). */
const state: {
  dir?: string;
  workerFile?: string;
  factoryFile?: string;
  factoryReady?: Promise<void>;
  workers: NodeWorker[];
  threads: number;
} = { workers: [], threads: 1 };

/**
 * A node-style `Worker` for Emscripten's pthread pool: starts our worker file and swaps the Blob in
 * the "load" message for a file path (holding messages back until that file is written).
 */
class PthreadWorker {
  readonly #worker: NodeWorker;
  #queue: [unknown, unknown][] | null = null;

  constructor(_url: unknown) {
    this.#worker = new NodeWorker(state.workerFile!);
    state.workers.push(this.#worker);
  }

  on(event: string, listener: (...args: unknown[]) => void): this {
    this.#worker.on(event, listener);
    return this;
  }

  ref(): void {
    this.#worker.ref();
  }

  unref(): void {
    this.#worker.unref();
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }

  postMessage(message: unknown, transfer?: unknown): void {
    if (this.#queue !== null) {
      this.#queue.push([message, transfer]);
      return;
    }
    const msg = message as PthreadMessage;
    if (msg?.cmd === "load" && msg.urlOrBlob instanceof Blob) {
      const blob = msg.urlOrBlob;
      this.#queue = [[{ ...msg, urlOrBlob: state.factoryFile }, transfer]];
      state.factoryReady ??= blob.text().then((text) =>
        Deno.writeTextFile(state.factoryFile!, text)
      );
      state.factoryReady.then(() => {
        const queue = this.#queue!;
        this.#queue = null;
        for (const [m, t] of queue) this.#send(m, t);
      });
      return;
    }
    this.#send(message, transfer);
  }

  #send(message: unknown, transfer: unknown): void {
    // deno-lint-ignore no-explicit-any
    (this.#worker as any).postMessage(message, transfer);
  }
}

/**
 * Prepares tfjs-backend-wasm to start with `threads` XNNPACK threads. Call it before
 * `tf.setBackend("wasm")` (which must then be awaited with {@linkcode withPthreadWorkers}).
 * With `threads <= 1` it only sets the pool size to 1 and the single-threaded SIMD build is used.
 */
export function configureWasmThreads(threads: number): void {
  state.threads = Math.max(1, Math.floor(threads));
  setThreadsCount(state.threads);
  const multi = state.threads > 1;
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", multi);
  if (!multi || state.workerFile !== undefined) return;
  state.dir = Deno.makeTempDirSync({ prefix: "fcos-wasm-threads-" });
  // The files go when the program ends by itself (Deno.exit skips "unload"; shutdownBackend does it).
  globalThis.addEventListener("unload", removeFiles);
  state.workerFile = `${state.dir}/pthread-worker.mjs`;
  state.factoryFile = `${state.dir}/tfjs-backend-wasm-threaded-simd.js`;
  Deno.writeTextFileSync(
    state.workerFile,
    workerPrelude(state.factoryFile) +
      // As tfjs does before making its Blob: newlines inside the script's string literals must stay
      // escaped.
      `(0, eval)(${JSON.stringify(String(wasmWorkerContents).replace(/\n/g, "\\n"))});\n`,
  );
}

/**
 * Runs `start` (the wasm backend's start-up) with `globalThis.Worker` replaced by the pthread worker
 * class, and puts Deno's own `Worker` back afterwards.
 */
export async function withPthreadWorkers<T>(start: () => Promise<T>): Promise<T> {
  const original = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  // tfjs's C++ caps the pool at emscripten_num_logical_cores() / 2 (read from os.cpus() when it
  // believes it runs in Node, once, while the module starts): report twice the wanted count.
  const cpus = nodeOs.cpus;
  if (state.threads > 1) {
    // Only the length is read; the entries need no --allow-sys.
    const fake = { model: "", speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
    nodeOs.cpus = () => Array.from({ length: 2 * state.threads }, () => fake);
  }
  Object.defineProperty(globalThis, "Worker", {
    configurable: true,
    get: () => PthreadWorker,
    set: () => {}, // Emscripten stores node:worker_threads' Worker here; keep ours.
  });
  try {
    return await start();
  } finally {
    nodeOs.cpus = cpus;
    if (original) Object.defineProperty(globalThis, "Worker", original);
    else delete (globalThis as { Worker?: unknown }).Worker;
  }
}

/** The temporary folder holding the worker files, while wasm threads are configured. */
export function wasmThreadFilesDir(): string | undefined {
  return state.dir;
}

/**
 * Lets the process end while the pthread workers idle: Emscripten `ref()`s a worker while a pthread
 * runs on it, and XNNPACK's pool threads run for the life of the module, so without this Deno never
 * exits on its own. wasm kernels run synchronously (the main thread waits on the workers with
 * `Atomics.wait`), so no work is pending when the event loop empties.
 */
export function unrefWasmThreads(): void {
  for (const w of state.workers) w.unref();
}

/** Terminates the pthread workers and removes their files (the wasm backend is unusable after). */
export function stopWasmThreads(): void {
  for (const w of state.workers) w.terminate();
  state.workers = [];
  removeFiles();
}

function removeFiles(): void {
  if (state.dir !== undefined) {
    try {
      Deno.removeSync(state.dir, { recursive: true });
    } catch {
      // already gone
    }
  }
}
