import { describe, expect, it } from 'vitest';
import { AtomicMembership } from '../../../src/act/atomic-group.js';
import { atomicAction } from '../../../src/act/atomic-switch.js';
import type { InterfaceAction } from '../../../src/act/interface-action.js';
import type { GroupChange } from '../../../src/core/kernel-port.js';
import { ATOMIC_RANGE } from '../../../src/core/atomic.js';
import type { Decision, LinkState } from '../../../src/core/types.js';
import type { Wanted } from '../../../src/core/wanted.js';
import { createLogger, type Severity } from '../../../src/logging/logger.js';
import { link, table } from '../../support/links.js';
import { atomicSpec } from '../../support/specs.js';

const N = ATOMIC_RANGE.first;
const spec = atomicSpec('uplink', ['vrrp*']);

function harness(...links: LinkState[]) {
  const t = table(...links);
  const requests: string[] = [];
  const logs: string[] = [];
  const wanted = new Map<string, Decision>();
  const fail = { switch: undefined as Error | undefined };
  const kernel = {
    setGroup(name: string, group: number): Promise<void> {
      requests.push(`${name}=${group}`);
      const l = t.byName(name);
      if (l) t.upsert({ ...l, group });
      return Promise.resolve();
    },
    switchGroup(group: number, change: GroupChange): Promise<void> {
      requests.push(`switch ${group} ${JSON.stringify(change)}`);
      return fail.switch ? Promise.reject(fail.switch) : Promise.resolve();
    },
  };
  const log = createLogger('verbose', { write: (s: Severity, text: string) => logs.push(`${s}: ${text}`) });
  const membership = new AtomicMembership({ links: t, kernel: () => kernel, log, dryRun: false });
  membership.plan([spec]);
  const own: InterfaceAction = {
    kind: 'admin',
    stateWord: 'admin',
    stateOf: (l) => (l.adminUp ? 'up' : 'down'),
    reached: (l, d) => (l.adminUp ? 'up' : 'down') === d,
    heldByOthers: () => [],
    groupChange: (d) => ({ kind: 'admin', up: d === 'up' }),
    describe: (d) => d,
    write: (name, d) => {
      requests.push(`${name} ${d}`);
      return Promise.resolve();
    },
    settle: (name, d) => {
      requests.push(`settle ${name} ${d}`);
      return Promise.resolve();
    },
  };
  const want = (name: string): Wanted | undefined => {
    const decision = wanted.get(name);
    return decision === undefined ? undefined : { decision, because: '', downBecause: decision === 'down' ? ['lan'] : [], named: true };
  };
  const action = atomicAction(own, { membership, kernel: () => kernel, links: t, wanted: want, log });
  return { t, action, requests, logs, wanted, fail };
}

describe('atomicAction', () => {
  it('turns the writes of one decision into joins, then ONE group request, each member settled; every write resolves with it', async () => {
    const h = harness(link(1, 'vrrp0'), link(2, 'vrrp1', { group: N }), link(3, 'eth0'));
    for (const n of ['vrrp0', 'vrrp1']) h.wanted.set(n, 'down');
    await Promise.all([h.action.write('vrrp0', 'down'), h.action.write('vrrp1', 'down'), h.action.write('eth0', 'down')]);
    expect(h.requests).toEqual(['eth0 down', `vrrp0=${N}`, `switch ${N} {"kind":"admin","up":false}`, 'settle vrrp0 down', 'settle vrrp1 down']);
  });

  it('writes one destination on its own: a retry or a single flip needs no group request', async () => {
    const h = harness(link(1, 'vrrp0', { group: N }), link(2, 'vrrp1', { group: N }));
    h.wanted.set('vrrp0', 'up').set('vrrp1', 'up');
    await h.action.write('vrrp0', 'up');
    expect(h.requests).toEqual(['vrrp0 up']);
  });

  it('down wins: a member another group holds down keeps the group from going up as one; each is written', async () => {
    const h = harness(link(1, 'vrrp0', { group: N }), link(2, 'vrrp1', { group: N }), link(3, 'vrrp2', { group: N, adminUp: false }));
    h.wanted.set('vrrp0', 'up').set('vrrp1', 'up').set('vrrp2', 'down');
    await Promise.all([h.action.write('vrrp0', 'up'), h.action.write('vrrp1', 'up')]);
    expect(h.requests).toEqual(['vrrp0 up', 'vrrp1 up']);
    expect(h.logs).toContain('info: uplink: not switched as one (vrrp2 is held down by lan); setting each destination on its own');
  });

  it('sends a decision held back at once when told its writes are all handed over, asking the caller what is wanted, and once', async () => {
    const h = harness(link(1, 'vrrp0', { group: N }), link(2, 'vrrp1', { group: N }));
    const written = [h.action.write('vrrp0', 'down'), h.action.write('vrrp1', 'down')];
    expect(h.requests).toEqual([]);
    // h.wanted is empty: only the caller's answer lets the group go as one.
    h.action.sendHeld?.((name) => ({ decision: 'down', because: '', downBecause: ['uplink'], named: name.startsWith('vrrp') }));
    expect(h.requests).toEqual([`switch ${N} {"kind":"admin","up":false}`]);
    await Promise.all(written);
    expect(h.requests).toEqual([`switch ${N} {"kind":"admin","up":false}`, 'settle vrrp0 down', 'settle vrrp1 down']);
  });

  it("down wins when the decision is sent at once: the caller's answer keeps a member held down out of the group request", async () => {
    const h = harness(link(1, 'vrrp0', { group: N }), link(2, 'vrrp1', { group: N }), link(3, 'vrrp2', { group: N, adminUp: false }));
    const written = [h.action.write('vrrp0', 'up'), h.action.write('vrrp1', 'up')];
    const callers = new Map<string, Decision>([['vrrp0', 'up'], ['vrrp1', 'up'], ['vrrp2', 'down']]);
    h.action.sendHeld?.((name) => {
      const decision = callers.get(name);
      return decision === undefined ? undefined : { decision, because: '', downBecause: decision === 'down' ? ['lan'] : [], named: true };
    });
    await Promise.all(written);
    expect(h.requests).toEqual(['vrrp0 up', 'vrrp1 up']);
    expect(h.logs).toContain('info: uplink: not switched as one (vrrp2 is held down by lan); setting each destination on its own');
  });

  it('never switches a group an interface that is not a destination was put in', async () => {
    const h = harness(link(1, 'vrrp0', { group: N }), link(2, 'vrrp1', { group: N }), link(3, 'eth0', { group: N }));
    h.wanted.set('vrrp0', 'down').set('vrrp1', 'down');
    await Promise.all([h.action.write('vrrp0', 'down'), h.action.write('vrrp1', 'down')]);
    expect(h.requests).toEqual(['vrrp0 down', 'vrrp1 down']);
  });

  it('a group request the kernel refuses falls back to each destination, which resolves with its own write', async () => {
    const h = harness(link(1, 'vrrp0', { group: N }), link(2, 'vrrp1', { group: N }));
    h.wanted.set('vrrp0', 'down').set('vrrp1', 'down');
    h.fail.switch = new Error('switch group: EINVAL');
    await Promise.all([h.action.write('vrrp0', 'down'), h.action.write('vrrp1', 'down')]);
    expect(h.requests).toEqual([`switch ${N} {"kind":"admin","up":false}`, 'vrrp0 down', 'vrrp1 down']);
    expect(h.logs.some((l) => l.startsWith(`warning: uplink: switching kernel group ${N} down failed (switch group: EINVAL)`))).toBe(true);
  });
});
