import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { guard, guardedScheduler } from '../../../src/daemon/guard.js';
import { timers } from '../../../src/daemon/timers.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('guarded callbacks', () => {
  it('a timer callback that throws is reported as a fault of its component, and the next timers still run', async () => {
    const faults: Array<[string, unknown]> = [];
    const scheduler = guardedScheduler(timers, 'groups', (where, err) => faults.push([where, err]));
    const ran: string[] = [];
    const bug = new TypeError('boom');
    scheduler.after(10, () => {
      throw bug;
    });
    scheduler.after(20, () => ran.push('later'));
    await vi.advanceTimersByTimeAsync(20);
    expect(faults).toEqual([['groups: timer', bug]]);
    expect(ran).toEqual(['later']);
  });

  it('a cancelled timer does not run, a guarded one passes its arguments through', async () => {
    const scheduler = guardedScheduler(timers, 'x', () => undefined);
    let ran = false;
    scheduler.after(5, () => (ran = true)).cancel();
    await vi.advanceTimersByTimeAsync(10);
    expect(ran).toBe(false);
    const seen: number[] = [];
    guard('y', () => undefined, (a: number, b: number) => seen.push(a + b))(2, 3);
    expect(seen).toEqual([5]);
  });
});
