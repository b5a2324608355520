import { describe, expect, it } from 'vitest';
import type { Scheduler } from '../../../src/core/clock.js';
import { Deadlines } from '../../../src/act/deadlines.js';

/** A hand-driven clock that counts the timers it was asked for. */
function fakeScheduler() {
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
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const next = pending.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      now = next.at;
      next.live = false;
      next.call();
    }
    now = until;
  };
  return { scheduler, advance, armed: () => armed, live: () => pending.filter((t) => t.live).length };
}

describe('Deadlines', () => {
  it('covers a batch with one timer, and each key gets its full time', () => {
    const clock = fakeScheduler();
    const late: string[][] = [];
    const d = new Deadlines<string>(clock.scheduler, 1000, (keys) => late.push([...keys]));
    for (let i = 0; i < 1024; i++) {
      d.start(`d${i}`);
      if (i % 100 === 0) clock.advance(1);
    }
    for (let i = 0; i < 1024; i++) if (i !== 3 && i !== 900) d.stop(`d${i}`);
    expect(clock.armed()).toBe(1);
    // The starts spread over 11 ms: d3 started at 1 ms, d900 at 9 ms.
    clock.advance(989);
    expect(late).toEqual([]);
    clock.advance(1);
    expect(late).toEqual([['d3']]);
    clock.advance(7);
    expect(late).toEqual([['d3']]);
    clock.advance(1);
    expect(late).toEqual([['d3'], ['d900']]);
    // One for the batch, then one for each late key's own deadline: not one per key.
    expect(clock.armed()).toBe(3);
    expect(d.size).toBe(0);
  });

  it('runs no timer while nothing waits', () => {
    const clock = fakeScheduler();
    const d = new Deadlines<string>(clock.scheduler, 1000, () => undefined);
    d.start('a');
    d.start('b');
    d.stop('a');
    expect(clock.live()).toBe(1);
    d.stop('b');
    expect(clock.live()).toBe(0);
  });

  it('a restarted key is due a full timeout after its restart', () => {
    const clock = fakeScheduler();
    const late: string[][] = [];
    const d = new Deadlines<string>(clock.scheduler, 1000, (keys) => late.push([...keys]));
    d.start('a');
    d.start('b');
    clock.advance(500);
    d.start('a');
    clock.advance(500);
    expect(late).toEqual([['b']]);
    clock.advance(500);
    expect(late).toEqual([['b'], ['a']]);
  });

  it('close drops every deadline', () => {
    const clock = fakeScheduler();
    const late: string[] = [];
    const d = new Deadlines<string>(clock.scheduler, 1000, (keys) => late.push(...keys));
    d.start('a');
    d.close();
    clock.advance(5000);
    expect(late).toEqual([]);
    expect(clock.live()).toBe(0);
  });
});
