import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../../src/act/deadlines.js';
import { fakeScheduler } from '../../support/fake-scheduler.js';

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
