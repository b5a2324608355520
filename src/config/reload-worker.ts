import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { messageOf } from '../base/errors.js';
import { giveMemoryBackWhenQuiet } from '../base/memory-back.js';
import { EX_DATAERR, EX_SOFTWARE, Fatal } from '../base/sysexits.js';
import type { Config } from '../core/spec.js';
import { loadConfig } from './load.js';
import type { FixedPaths } from './written-paths.js';

/**
 * A reload reads and checks the file in a worker thread, so that the event loop, which
 * carries every failover, never waits for it, however large or strange the file. This
 * module is also the worker's entry point: the same file, started with workerData.
 */

/** The largest file the limits allow is checked in about a second; this is a runaway. */
export const RELOAD_TIMEOUT_MS = 10_000;
/** A parse of the largest allowed file needs a few tens of MB. */
const WORKER_HEAP_MB = 256;

interface Request {
  readonly ifdepdReload: string;
  readonly fixed: FixedPaths;
}

type Outcome = { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly message: string; readonly exitCode: number };

/** loadConfig(file, fixed) off the event loop; rejects with the same Fatal, or when it takes too long. */
export function loadConfigOffThread(file: string, fixed: FixedPaths = {}, timeoutMs: number = RELOAD_TIMEOUT_MS): Promise<Config> {
  return new Promise((resolve, reject) => {
    const request: Request = { ifdepdReload: file, fixed };
    const worker = new Worker(new URL(import.meta.url), {
      workerData: request,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      stdout: true,
      stderr: true,
    });
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      // A burst of reloads leaves its garbage in this thread's heap (bench/README.md, "A burst of reloads").
      giveMemoryBackWhenQuiet();
      if (outcome.ok) resolve(outcome.config);
      else reject(new Fatal(outcome.message, outcome.exitCode));
    };
    const timer = setTimeout(
      () => settle({ ok: false, message: `${file}: reading and checking took more than ${timeoutMs / 1000} s; stopped`, exitCode: EX_DATAERR }),
      timeoutMs,
    );
    worker.once('message', (outcome: Outcome) => settle(outcome));
    worker.once('error', (err) => settle({ ok: false, message: `${file}: the check failed: ${messageOf(err)}`, exitCode: EX_SOFTWARE }));
    worker.once('exit', (code) => settle({ ok: false, message: `${file}: the check ended without an answer (exit ${code})`, exitCode: EX_SOFTWARE }));
  });
}

function answer(file: string, fixed: FixedPaths): Outcome {
  try {
    return { ok: true, config: loadConfig(file, fixed) };
  } catch (err) {
    return { ok: false, message: messageOf(err), exitCode: err instanceof Fatal ? err.exitCode : EX_SOFTWARE };
  }
}

const isRequest = (data: unknown): data is Request =>
  typeof data === 'object' && data !== null && typeof (data as Partial<Request>).ifdepdReload === 'string' && typeof (data as Partial<Request>).fixed === 'object';

if (!isMainThread && isRequest(workerData)) parentPort?.postMessage(answer(workerData.ifdepdReload, workerData.fixed));
