// Waiting for a state, never sleeping for it: poll with a deadline, and say what
// was awaited and what was last seen when the deadline passes.
import { setTimeout as delay } from 'node:timers/promises';

export async function waitUntil<T>(
  what: string,
  fn: () => T | Promise<T>,
  { timeout = 5000, interval = 20, context }: { timeout?: number; interval?: number; context?: () => string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${seen})${context ? `\n${context()}` : ''}`);
    }
    await delay(interval);
  }
}
