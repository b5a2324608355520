import { describe, expect, it } from 'vitest';
import { InFlight } from '../../../src/kernel/in-flight.js';

/** A request that settles when the test says so. */
function deferred() {
  let settle!: (ok: boolean) => void;
  const promise = new Promise<string>((resolve, reject) => {
    settle = (ok) => (ok ? resolve('ok') : reject(new Error('ENOBUFS')));
  });
  return { promise, settle };
}

describe('InFlight', () => {
  it('sends a request under the cap at once, inside the caller\'s call', () => {
    const limit = new InFlight(2);
    const sent: number[] = [];
    void limit.run(() => (sent.push(1), deferred().promise));
    expect(sent).toEqual([1]);
  });

  it('holds the rest back until a request settles, then sends them in order; a failure frees its place too', async () => {
    const limit = new InFlight(2);
    const sent: number[] = [];
    const reqs = [deferred(), deferred(), deferred(), deferred()];
    const results = reqs.map((r, i) => limit.run(() => (sent.push(i), r.promise)));
    expect(sent).toEqual([0, 1]);
    reqs[1]!.settle(false);
    await expect(results[1]).rejects.toThrow('ENOBUFS');
    expect(sent).toEqual([0, 1, 2]);
    reqs[0]!.settle(true);
    await expect(results[0]).resolves.toBe('ok');
    expect(sent).toEqual([0, 1, 2, 3]);
    reqs[2]!.settle(true);
    reqs[3]!.settle(true);
    await expect(Promise.all(results.slice(2))).resolves.toEqual(['ok', 'ok']);
  });

  it('a task that throws instead of rejecting is a rejection, and frees its place', async () => {
    const limit = new InFlight(1);
    await expect(limit.run(() => { throw new Error('bad'); })).rejects.toThrow('bad');
    const sent: number[] = [];
    await limit.run(async () => void sent.push(1));
    expect(sent).toEqual([1]);
  });
});
