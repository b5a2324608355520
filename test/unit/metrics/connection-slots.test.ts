// The slot policy of the /metrics listener (src/metrics/connection-slots.ts): newcomers get
// in, connections that wait too long for their request make room, busy ones are never cut.
import { describe, expect, it } from 'vitest';
import { ConnectionSlots } from '../../../src/metrics/connection-slots.js';

const limits = { soft: 3, hard: 5, graceMs: 500 };

describe('ConnectionSlots', () => {
  it('keeps everyone up to the soft limit, however long they wait', () => {
    const slots = new ConnectionSlots<string>(limits);
    expect(['a', 'b', 'c'].flatMap((c) => slots.admit(c, 0))).toEqual([]);
    expect(slots.sweep(60_000)).toEqual([]);
    expect(slots.size).toBe(3);
  });

  it('over the soft limit, closes the ones that waited past the grace, oldest first, and lets the newcomer in', () => {
    const slots = new ConnectionSlots<string>(limits);
    slots.admit('a', 0);
    slots.admit('b', 100);
    slots.admit('c', 200);
    expect(slots.admit('d', 700)).toEqual(['a']);
    expect(slots.size).toBe(3);
  });

  it('never closes a connection for being fresh while under the hard limit; the sweep does once its grace is over', () => {
    const slots = new ConnectionSlots<string>(limits);
    for (const c of ['a', 'b', 'c', 'd', 'e']) expect(slots.admit(c, 0)).toEqual([]);
    expect(slots.sweep(499)).toEqual([]);
    expect(slots.sweep(500)).toEqual(['a', 'b']);
  });

  it('at the hard limit, the longest waiting goes whatever its age; the newcomer only if all others are busy', () => {
    const slots = new ConnectionSlots<string>(limits);
    for (const [i, c] of ['a', 'b', 'c', 'd', 'e'].entries()) slots.admit(c, i);
    expect(slots.admit('f', 10)).toEqual(['a']);
    const busy = new ConnectionSlots<string>({ soft: 1, hard: 2, graceMs: 500 });
    busy.admit('x', 0);
    busy.admit('y', 0);
    busy.busy('x');
    busy.busy('y');
    expect(busy.admit('z', 1000)).toEqual(['z']);
  });

  it('a connection being answered is never closed; idle again (keep-alive), it waits from then', () => {
    const slots = new ConnectionSlots<string>(limits);
    slots.admit('scrape', 0);
    slots.busy('scrape');
    for (const c of ['a', 'b', 'c']) slots.admit(c, 100);
    expect(slots.sweep(5000)).toEqual(['a']);
    slots.idle('scrape', 5000);
    expect(slots.admit('d', 5100)).toEqual(['b']);
    expect(slots.sweep(6000)).toEqual([]);
    expect(slots.admit('e', 6000)).toEqual(['c']);
    expect(slots.admit('f', 6001)).toEqual(['scrape']);
  });

  it('forgets closed connections', () => {
    const slots = new ConnectionSlots<string>(limits);
    slots.admit('a', 0);
    slots.gone('a');
    slots.busy('a');
    slots.idle('a', 1);
    expect(slots.size).toBe(0);
  });
});
