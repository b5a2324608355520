import type { Scheduler } from '../../src/core/clock.js';

/** A hand-driven clock: timers run only when advance() passes their time. */
export function fakeScheduler() {
  let now = 0;
  let armed = 0;
  const pending: Array<{ at: number; call: () => void; live: boolean }> = [];
  const scheduler: Scheduler = {
    now: () => now,
    after(delay, call) {
      armed++;
      const t = { at: now + delay, call, live: true };
      pending.push(t);
      return { cancel: () => void (t.live = false) };
    },
  };
  const nextDue = (until: number) => pending.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
  const fire = (t: { at: number; call: () => void; live: boolean }) => {
    now = t.at;
    t.live = false;
    t.call();
  };
  /** Runs every timer due within `ms`, in order. */
  const advance = (ms: number) => {
    const until = now + ms;
    for (let t = nextDue(until); t !== undefined; t = nextDue(until)) fire(t);
    now = until;
  };
  /** The same, letting the promises a timer starts settle before the next one. */
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const advanceAsync = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      await settle();
      const t = nextDue(until);
      if (t === undefined) break;
      fire(t);
    }
    now = until;
    await settle();
  };
  return { scheduler, advance, advanceAsync, armed: () => armed, live: () => pending.filter((t) => t.live).length };
}
