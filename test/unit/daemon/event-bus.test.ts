import { describe, expect, it } from 'vitest';
import type { DaemonEvent } from '../../../src/core/events.js';
import { EventBus } from '../../../src/daemon/event-bus.js';

const hold = { kind: 'hold', group: 'uplink', decision: 'down' } as const;

function bus(failures: unknown[] = []) {
  let now = 100;
  const b = new EventBus({ now: () => now }, (err) => failures.push(err), () => 1_700_000_000_000);
  return { b, tick: (ms: number) => (now += ms) };
}

describe('EventBus', () => {
  it('stamps each event with the daemon clock and the wall clock, and hands the same object to every subscriber in order', () => {
    const { b, tick } = bus();
    const seen: [string, DaemonEvent][] = [];
    b.subscribe((e) => seen.push(['a', e]));
    b.subscribe((e) => seen.push(['b', e]));
    tick(5.5);
    b.emit(hold);
    expect(seen.map(([who]) => who)).toEqual(['a', 'b']);
    expect(seen[0]![1]).toEqual({ ...hold, at: 105.5, wallMs: 1_700_000_000_000 });
    expect(seen[1]![1]).toBe(seen[0]![1]);
  });

  it('stops calling a subscriber once it unsubscribes, even from inside a call', () => {
    const { b } = bus();
    const seen: string[] = [];
    let stopB = (): void => undefined;
    b.subscribe(() => {
      seen.push('a');
      stopB();
    });
    stopB = b.subscribe(() => seen.push('b'));
    b.emit(hold); // b was already in this round's list
    b.emit(hold);
    expect(seen).toEqual(['a', 'b', 'a']);
    expect(b.subscribers).toBe(1);
  });

  it('drops a subscriber that throws and reports it; the others and the emitter carry on', () => {
    const failures: unknown[] = [];
    const { b } = bus(failures);
    const seen: string[] = [];
    b.subscribe(() => {
      throw new TypeError('bug in a subscriber');
    });
    b.subscribe(() => seen.push('ok'));
    expect(() => b.emit(hold)).not.toThrow();
    b.emit(hold);
    expect(seen).toEqual(['ok', 'ok']);
    expect(failures).toHaveLength(1);
    expect(b.subscribers).toBe(1);
  });

  it('builds nothing without a subscriber: the clock is not even read', () => {
    let reads = 0;
    const b = new EventBus({ now: () => ++reads });
    b.emit(hold);
    expect(reads).toBe(0);
  });

  it('a subscriber that emits (a log line said inside it) is not a loop: its event goes out after the current one', () => {
    const { b } = bus();
    const kinds: string[] = [];
    b.subscribe((e) => {
      kinds.push(e.kind);
      if (e.kind === 'hold') b.emit({ kind: 'log', severity: 'warning', text: 'x' });
    });
    b.emit(hold);
    expect(kinds).toEqual(['hold', 'log']);
  });
});
