import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A daemon that is idle between rare bursts of work (a SIGHUP burst: a reload and a
 * re-read of every link, over and over) is a case V8's heuristics serve badly: the
 * garbage of the burst stays in the old generation, and the young generation stays
 * grown, until the next allocation pressure, which may be hours away; its memory
 * reducer only starts after a full collection, which a short burst does not reach.
 * Measured: RSS 13-23 % above before after one burst, ~1.45x after three, garbage all
 * of it (a full collection brings the heap back to its size before). So the burst's
 * end collects, a few times, once the burst is over.
 */

/** After the last piece of a burst: the re-read of all links and the swap come after a check. */
export const QUIET_MS = 2000;
/**
 * V8 shrinks the young generation at a collection only when, over the 5 s before it,
 * little was allocated (under 1 MB/s), and not when as much survived since it last grew
 * as it holds (then it only forgets that count): the collection at QUIET_MS still counts
 * the burst, the next may only forget, the one after shrinks. Each follows the one before
 * by this much, which is more than V8's 5 s.
 */
export const SHRINK_MS = 5500;
export const COLLECTIONS = 3;

/**
 * V8's full collection. Node offers it only behind --expose-gc, which the daemon's
 * command line (a unit file's, a shebang's) cannot be relied on to carry: the flag is
 * set for the moment it takes to fetch the function from a fresh context, the usual
 * way of doing this (as Jest's --logHeapUsage does).
 */
function fullCollection(): () => void {
  const exposed: unknown = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return () => void exposed();
  setFlagsFromString('--expose-gc');
  const fetched: unknown = runInNewContext('gc');
  setFlagsFromString('--no-expose-gc');
  return typeof fetched === 'function' ? () => void fetched() : () => undefined;
}

let collect: (() => void) | undefined;
let pending: NodeJS.Timeout | undefined;

/**
 * Says that a piece of a burst just ended: once nothing more has come for QUIET_MS, the
 * heap is collected, then again every SHRINK_MS, COLLECTIONS times in all (16-37 ms on
 * the event loop each, once per burst, instead of the collections V8 would make anyway
 * later, at a time nobody chose). The timers do not keep the process alive.
 */
export function giveMemoryBackWhenQuiet(quietMs: number = QUIET_MS, shrinkMs: number = SHRINK_MS, collections: number = COLLECTIONS): void {
  if (pending !== undefined) clearTimeout(pending);
  const collectAfter = (ms: number, left: number) => {
    pending = setTimeout(() => {
      pending = undefined;
      collect ??= fullCollection();
      collect();
      if (left > 1) collectAfter(shrinkMs, left - 1);
    }, ms);
    pending.unref();
  };
  collectAfter(quietMs, collections);
}
