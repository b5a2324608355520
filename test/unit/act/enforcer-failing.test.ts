// The enforcer when writes keep failing (permanent errors, status) and when one of its
// callbacks throws (the daemon's fault handling), on vitest's virtual clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Enforcer, type EnforcerDeps } from '../../../src/act/enforcer.js';
import type { InterfaceAction } from '../../../src/act/interface-action.js';
import type { Wanted } from '../../../src/core/wanted.js';
import type { Decision } from '../../../src/core/types.js';
import { timers } from '../../../src/daemon/timers.js';
import { createLogger } from '../../../src/logging/logger.js';
import { kernelError } from '../../support/errors.js';
import { link, table } from '../../support/links.js';

const DOWN: Wanted = { decision: 'down', because: 'em0 lost carrier', downBecause: ['uplink'], named: true };

function setup(write: (name: string, decision: Decision) => Promise<void>, over: Partial<EnforcerDeps> = {}) {
  const logs: string[] = [];
  const faults: Array<[string, string]> = [];
  const links = table(link(5, 'vrrp0'));
  const action: InterfaceAction = {
    kind: 'protodown',
    stateWord: 'protodown-state',
    describe: (d) => `${d} (protodown ${d === 'down' ? 'on' : 'off'})`,
    stateOf: (l) => (l.protoDown ? 'down' : 'up'),
    reached: (l, d) => (l.protoDown ? 'down' : 'up') === d,
    heldByOthers: () => [],
    groupChange: (d) => ({ kind: 'protodown', on: d === 'down' }),
    write,
    settle: () => Promise.resolve(),
  };
  const enforcer = new Enforcer({
    action,
    links,
    wanted: (name) => (name === 'vrrp0' ? DOWN : undefined),
    verify: async () => undefined,
    log: createLogger('verbose', { write: (s, t) => logs.push(`${s}: ${t}`) }),
    scheduler: timers,
    dryRun: false,
    fault: (where, err) => faults.push([where, (err as Error).message]),
    ...over,
  });
  return { enforcer, links, logs, faults };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Enforcer, failing writes', () => {
  it('a permanent error is an error at once, retried every 5 s, and shown in the status until a write passes', async () => {
    let failing = true;
    const writes: number[] = [];
    const h = setup(async () => {
      writes.push(Date.now());
      if (failing) throw kernelError('set protodown on', 'EOPNOTSUPP');
    });
    h.enforcer.reconcileAll(['vrrp0']);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(writes).toHaveLength(5);
    expect(h.logs.filter((l) => /^(warning|error)/.test(l))).toEqual([
      'error: vrrp0: cannot set it down (set protodown on: EOPNOTSUPP); permanent error, retrying every 5000 ms',
    ]);
    const [status] = h.enforcer.statuses();
    expect(status).toMatchObject({
      name: 'vrrp0',
      wanted: 'down',
      state: 'up',
      activity: 'retrying after 5 failure(s)',
      failing: { error: 'set protodown on: EOPNOTSUPP', permanent: true, attempts: 5, forMs: 20_000 },
    });
    failing = false;
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.logs).toContain('notice: vrrp0: set down after 6 attempts');
    expect(h.enforcer.statuses()[0]!.failing).toBeUndefined();
  });
});

describe('Enforcer, faults in its callbacks', () => {
  it('reports a throw in a write completion to the daemon, naming the action and the destination', async () => {
    const h = setup(async () => undefined, {
      onConfirmed: () => {
        throw new TypeError('boom');
      },
    });
    h.enforcer.reconcileAll(['vrrp0']);
    // The kernel applied it before the ACK was processed: the confirmation runs inside the completion.
    h.links.upsert(link(5, 'vrrp0', { protoDown: true }));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.faults).toEqual([['protodown enforcer: vrrp0: write completion', 'boom']]);
  });

  it('recover() unblocks a destination whose write never completed: the next reconcile writes again', async () => {
    let writes = 0;
    const h = setup(() => {
      writes += 1;
      return new Promise<void>(() => undefined); // its completion is lost
    });
    h.enforcer.reconcileAll(['vrrp0']);
    await vi.advanceTimersByTimeAsync(60_000);
    h.enforcer.reconcileAll(['vrrp0']);
    expect(writes).toBe(1);
    expect(h.enforcer.statuses()[0]!.activity).toBe('request in flight');
    h.enforcer.recover();
    h.enforcer.reconcileAll(['vrrp0']);
    expect(writes).toBe(2);
  });
});
