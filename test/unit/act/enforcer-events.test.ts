// The `destination` events of the enforcer (ifdepd monitor, metrics): each write sent,
// the kernel's confirmation of it with the time it took, each failure; a confirmation
// that no write of ours caused says nothing.
import { describe, expect, it } from 'vitest';
import { Enforcer } from '../../../src/act/enforcer.js';
import type { InterfaceAction } from '../../../src/act/interface-action.js';
import type { EventBody } from '../../../src/core/events.js';
import type { Wanted } from '../../../src/core/wanted.js';
import { createLogger } from '../../../src/logging/logger.js';
import { kernelError } from '../../support/errors.js';
import { fakeScheduler } from '../../support/fake-scheduler.js';
import { link, table } from '../../support/links.js';

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function setup(fail: () => Error | undefined) {
  const clock = fakeScheduler();
  const links = table(link(5, 'vrrp0'), link(6, 'vrrp1', { protoDown: true }));
  const events: EventBody[] = [];
  const action: InterfaceAction = {
    kind: 'protodown',
    stateWord: 'protodown-state',
    describe: (d) => d,
    stateOf: (l) => (l.protoDown ? 'down' : 'up'),
    reached: (l, d) => (l.protoDown ? 'down' : 'up') === d,
    heldByOthers: () => [],
    groupChange: (d) => ({ kind: 'protodown', on: d === 'down' }),
    settle: () => Promise.resolve(),
    write: () => {
      const err = fail();
      return err === undefined ? Promise.resolve() : Promise.reject(err);
    },
  };
  const down: Wanted = { decision: 'down', because: 'em0 lost carrier', downBecause: ['uplink'], named: true };
  const enforcer = new Enforcer({
    action,
    links,
    wanted: () => down,
    verify: async () => undefined,
    log: createLogger('verbose', { write: () => undefined }),
    scheduler: clock.scheduler,
    dryRun: false,
    events: { emit: (e) => events.push(e) },
  });
  return { clock, links, events, enforcer };
}

describe('Enforcer, destination events', () => {
  it('a write, then its confirmation with the time the kernel took; none for a destination already as wanted', async () => {
    const h = setup(() => undefined);
    h.enforcer.reconcileAll(['vrrp0', 'vrrp1']);
    expect(h.events).toEqual([{ kind: 'destination', name: 'vrrp0', action: 'protodown', wanted: 'down', outcome: 'write' }]);
    await flush();
    h.clock.advance(2.5);
    h.links.upsert(link(5, 'vrrp0', { protoDown: true }));
    h.enforcer.reconcile('vrrp0');
    expect(h.events.slice(1)).toEqual([{ kind: 'destination', name: 'vrrp0', action: 'protodown', wanted: 'down', outcome: 'confirmed', latencyMs: 2.5 }]);
    // Said once: a later notification of the same state is not a confirmation of a write.
    h.enforcer.reconcile('vrrp0');
    expect(h.events).toHaveLength(2);
  });

  it('each failure, and no confirmation for the failed write', async () => {
    let failing = true;
    const h = setup(() => (failing ? kernelError('set protodown on', 'ENOBUFS') : undefined));
    h.enforcer.reconcileAll(['vrrp0']);
    await flush();
    expect(h.events).toEqual([
      { kind: 'destination', name: 'vrrp0', action: 'protodown', wanted: 'down', outcome: 'write' },
      { kind: 'destination', name: 'vrrp0', action: 'protodown', wanted: 'down', outcome: 'failed', error: 'set protodown on: ENOBUFS' },
    ]);
    failing = false;
    h.clock.advance(100);
    await flush();
    h.clock.advance(1);
    h.links.upsert(link(5, 'vrrp0', { protoDown: true }));
    h.enforcer.reconcile('vrrp0');
    expect(h.events.slice(2)).toEqual([
      { kind: 'destination', name: 'vrrp0', action: 'protodown', wanted: 'down', outcome: 'write' },
      { kind: 'destination', name: 'vrrp0', action: 'protodown', wanted: 'down', outcome: 'confirmed', latencyMs: 1 },
    ]);
  });
});
