import { describe, expect, it } from 'vitest';
import { initialDebounce, step, type Debounce } from '../../../src/core/debounce.js';
import type { Decision } from '../../../src/core/types.js';

const delays = { down: 500, up: 2000 };

/** Feeds (time, wanted) pairs and returns the steps taken, for a compact reading of a timeline. */
function run(start: Decision, inputs: Array<[number, Decision]>) {
  let state: Debounce = initialDebounce(start);
  return inputs.map(([now, target]) => {
    const [next, taken] = step(state, target, now, delays);
    state = next;
    return { now, decision: next.decision, kind: taken.kind };
  });
}

describe('debounce', () => {
  it('the first decision needs no delay', () => {
    expect(initialDebounce('down')).toEqual({ decision: 'down' });
  });

  it('commits a change only once it has been wanted for the whole delay', () => {
    expect(run('up', [[0, 'down'], [499, 'down'], [500, 'down']])).toEqual([
      { now: 0, decision: 'up', kind: 'started' },
      { now: 499, decision: 'up', kind: 'waiting' },
      { now: 500, decision: 'down', kind: 'committed' },
    ]);
  });

  it('a flap shorter than the delay causes no transition at all', () => {
    expect(run('up', [[0, 'down'], [120, 'up'], [1000, 'up']])).toEqual([
      { now: 0, decision: 'up', kind: 'started' },
      { now: 120, decision: 'up', kind: 'swallowed' },
      { now: 1000, decision: 'up', kind: 'steady' },
    ]);
  });

  it('a new loss after a swallowed flap starts its delay again', () => {
    const steps = run('up', [[0, 'down'], [400, 'up'], [450, 'down'], [900, 'down'], [950, 'down']]);
    expect(steps.map((s) => s.decision)).toEqual(['up', 'up', 'up', 'up', 'down']);
  });

  it('uses the up-delay to come back and the down-delay to go', () => {
    const steps = run('down', [[0, 'up'], [1999, 'up'], [2000, 'up'], [2001, 'down'], [2501, 'down']]);
    expect(steps.map((s) => [s.decision, s.kind])).toEqual([
      ['down', 'started'],
      ['down', 'waiting'],
      ['up', 'committed'],
      ['up', 'started'],
      ['down', 'committed'],
    ]);
  });

  it('a zero delay commits at once', () => {
    const [next, taken] = step(initialDebounce('up'), 'down', 10, { down: 0, up: 0 });
    expect(next).toEqual({ decision: 'down' });
    expect(taken).toEqual({ kind: 'committed', to: 'down', waited: 0, delay: 0 });
  });

  it('reports when the pending change falls due', () => {
    const [, taken] = step(initialDebounce('up'), 'down', 100, delays);
    expect(taken).toEqual({ kind: 'started', pending: { target: 'down', since: 100, due: 600 } });
  });

  it('reports how long a swallowed flap lasted', () => {
    const [pending] = step(initialDebounce('up'), 'down', 100, delays);
    expect(step(pending, 'up', 220, delays)[1]).toEqual({ kind: 'swallowed', target: 'down', after: 120 });
  });
});
