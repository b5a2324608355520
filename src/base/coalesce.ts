/**
 * Runs `task` one at a time. Calls that come while it runs do not start one each: they
 * share one more run, begun when the current one ends, so that requests arriving during
 * a run cost one run more, whatever their number, and that run sees everything asked
 * before it (a SIGHUP burst: the newest file is read once more, not once per signal).
 */
export function coalesced<T>(task: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const run = task().finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  };
  return () => {
    if (running === undefined) return start();
    next ??= running.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      next = undefined;
      return start();
    });
    return next;
  };
}
