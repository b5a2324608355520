// Waiting in the lab: polling with a deadline that says what was awaited, sleeping,
// and asking whether a process still exists.
import { performance } from 'node:perf_hooks';

export interface WaitOptions {
  timeout?: number;
  interval?: number;
  /** Extra text for the timeout message, e.g. the daemon's log tail. */
  context?: () => string;
}

/**
 * Polls `fn` until it returns a truthy value (which is returned) or the deadline
 * passes; then throws saying what was awaited, the last result and, if given, the context.
 */
export async function waitFor<T>(
  what: string,
  fn: () => T | Promise<T>,
  { timeout = 5000, interval = 10, context }: WaitOptions = {},
): Promise<NonNullable<T>> {
  const start = performance.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (performance.now() - start > timeout) {
      const lastText = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(
        `timed out after ${Math.round(timeout)} ms waiting for ${what} (last result: ${lastText})` +
          (context ? `\n--- context ---\n${context()}` : ''),
      );
    }
    await sleep(interval);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True if the process exists (signal 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
