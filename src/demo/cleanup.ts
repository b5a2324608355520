// The lab must not outlive the demo, whatever ends it: Ctrl-C, kill, a thrown error,
// or process.exit() from elsewhere. Everything here is synchronous, because an 'exit'
// handler cannot wait.
const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

export interface Guard {
  /** The demo ended normally: the handlers are no longer needed. */
  release(): void;
}

/** Runs `teardown` once, on a signal (then exits 128+n) or at exit, unless released first. */
export function guard(teardown: (why: string) => void): Guard {
  let done = false;
  const once = (why: string) => {
    if (done) return;
    done = true;
    teardown(why);
  };
  const handlers = Object.entries(SIGNALS).map(([signal, code]) => {
    const handler = () => {
      once(signal);
      process.exit(code);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  const atExit = () => once('exit');
  process.on('exit', atExit);
  return {
    release() {
      done = true;
      for (const [signal, handler] of handlers) process.off(signal, handler);
      process.off('exit', atExit);
    },
  };
}
