import { describe, expect, it } from 'vitest';
import { coalesced } from '../../../src/base/coalesce.js';

/** A task whose runs are ended by hand: what a reload's check in its worker is. */
function controlled() {
  const runs: Array<{ resolve: (v: number) => void; reject: (e: Error) => void }> = [];
  let started = 0;
  const task = () =>
    new Promise<number>((resolve, reject) => {
      started += 1;
      runs.push({ resolve, reject });
    });
  return { task, runs, started: () => started };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesced', () => {
  it('runs one at a time: a burst during a run is one more run, whose outcome every caller of the burst gets', async () => {
    const c = controlled();
    const run = coalesced(c.task);
    const first = run();
    const burst = Array.from({ length: 100 }, () => run());
    expect(c.started()).toBe(1);
    c.runs[0]!.resolve(1);
    await expect(first).resolves.toBe(1);
    await tick();
    expect(c.started()).toBe(2);
    // Asked during the second run: a third, not joined to the second.
    const late = run();
    c.runs[1]!.resolve(2);
    await expect(Promise.all(burst)).resolves.toEqual(Array.from({ length: 100 }, () => 2));
    await tick();
    expect(c.started()).toBe(3);
    c.runs[2]!.resolve(3);
    await expect(late).resolves.toBe(3);
    expect(c.started()).toBe(3);
  });

  it('a failed run does not stop the one after it, and each caller hears its own run fail', async () => {
    const c = controlled();
    const run = coalesced(c.task);
    const first = run();
    const second = run();
    c.runs[0]!.reject(new Error('refused'));
    await expect(first).rejects.toThrow('refused');
    await tick();
    c.runs[1]!.resolve(7);
    await expect(second).resolves.toBe(7);
    // Idle again: the next call starts at once.
    const third = run();
    expect(c.started()).toBe(3);
    c.runs[2]!.resolve(8);
    await expect(third).resolves.toBe(8);
  });
});
