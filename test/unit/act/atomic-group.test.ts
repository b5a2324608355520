import { describe, expect, it } from 'vitest';
import { AtomicMembership } from '../../../src/act/atomic-group.js';
import { ATOMIC_RANGE } from '../../../src/core/atomic.js';
import type { LinkTable } from '../../../src/core/link-table.js';
import type { LinkState } from '../../../src/core/types.js';
import { createLogger, type Severity } from '../../../src/logging/logger.js';
import { link, table } from '../../support/links.js';
import { atomicSpec } from '../../support/specs.js';

const N = ATOMIC_RANGE.first;

const spec = (destinations: string[]) => atomicSpec('uplink', destinations);

/** The kernel: requests are recorded and ACKed; the table follows, as the notification would. */
function harness(...links: LinkState[]) {
  const t: LinkTable = table(...links);
  const requests: string[] = [];
  const logs: string[] = [];
  const kernel = {
    fail: undefined as Error | undefined,
    setGroup(name: string, group: number): Promise<void> {
      requests.push(`${name}=${group}`);
      if (kernel.fail) return Promise.reject(kernel.fail);
      const l = t.byName(name);
      if (l) t.upsert({ ...l, group });
      return Promise.resolve();
    },
  };
  const log = createLogger('verbose', { write: (s: Severity, text: string) => logs.push(`${s}: ${text}`) });
  const m = new AtomicMembership({ links: t, kernel: () => kernel, log, dryRun: false });
  return { t, m, kernel, requests, logs };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('AtomicMembership', () => {
  it('puts every present destination in the group, once, and leaves other interfaces alone', async () => {
    const h = harness(link(1, 'vrrp0'), link(2, 'vrrp1', { group: N }), link(3, 'eth0'));
    h.m.plan([spec(['vrrp*'])]);
    h.m.reassert();
    h.m.reassert();
    await settle();
    expect(h.requests).toEqual([`vrrp0=${N}`]);
    expect(h.m.holds(h.t.byName('vrrp0')!, h.m.memberOf(h.t.byName('vrrp0')!)!)).toBe(true);
    expect(h.logs).toContain(`info: uplink: atomic, switched through kernel interface group ${N}`);
  });

  it('puts a re-created destination (new ifindex, group 0) back before the next switch', async () => {
    const h = harness(link(1, 'vrrp0', { group: N }), link(2, 'vrrp1', { group: N }));
    h.m.plan([spec(['vrrp0', 'vrrp1'])]);
    h.m.reassert();
    h.t.remove(h.t.byName('vrrp1')!.index);
    h.t.upsert(link(9, 'vrrp1'));
    const g = h.m.memberOf(h.t.byName('vrrp1')!)!;
    expect(g.number).toBe(N);
    await h.m.joined(g);
    expect(h.requests).toEqual([`vrrp1=${N}`]);
    expect(h.m.holds(h.t.byName('vrrp1')!, g)).toBe(true);
  });

  it('never moves a destination the operator put in another group; says so once', async () => {
    const h = harness(link(1, 'vrrp0', { group: 5 }));
    h.m.plan([spec(['vrrp0'])]);
    h.m.reassert();
    h.m.linkChanged('vrrp0');
    await settle();
    expect(h.requests).toEqual([]);
    expect(h.m.memberOf(h.t.byName('vrrp0')!)).toBeUndefined();
    expect(h.logs.filter((l) => l.includes('kernel group 5, not ifdepd'))).toHaveLength(1);
  });

  it('takes out, on reload, what no atomic group claims any more, but not what someone else put in', async () => {
    const h = harness(link(1, 'vrrp0'), link(2, 'vrrp1'), link(3, 'eth0'));
    h.m.plan([spec(['vrrp0', 'vrrp1'])]);
    h.m.reassert();
    await settle();
    h.m.plan([spec(['vrrp0'])]);
    h.m.reassert();
    await settle();
    expect(h.requests).toEqual([`vrrp0=${N}`, `vrrp1=${N}`, 'vrrp1=0']);
    h.t.upsert(link(3, 'eth0', { group: N }));
    h.m.reassert();
    await settle();
    expect(h.requests).toHaveLength(3);
  });

  it('never takes out a destination it found in the group, even when it is no longer claimed', async () => {
    const h = harness(link(1, 'vrrp0', { group: N }), link(2, 'vrrp1'));
    h.m.plan([spec(['vrrp*'])]);
    h.m.reassert();
    await settle();
    h.t.upsert(link(1, 'other0', { group: N }));
    h.m.linkChanged('vrrp0');
    await settle();
    expect(h.requests).toEqual([`vrrp1=${N}`]);
    // Now a stranger in the group: a plan (reload) with this number is refused.
    expect(() => h.m.plan([spec(['vrrp*'])])).not.toThrow();
    expect(() => h.m.plan([{ ...spec(['vrrp*']), atomic: { group: N } }])).toThrow(/in use by other0/);
  });

  it('lets go of a destination renamed out of its patterns: the new name is no group\'s to report', async () => {
    const h = harness(link(1, 'vrrp0'), link(2, 'vrrp1'));
    h.m.plan([spec(['vrrp*'])]);
    h.m.reassert();
    await settle();
    h.t.upsert(link(2, 'other1', { group: N }));
    h.m.linkChanged('vrrp1');
    await settle();
    expect(h.requests).toEqual([`vrrp0=${N}`, `vrrp1=${N}`, 'other1=0']);
  });

  it('release at exit puts back to group 0 exactly what this process put in and still is there', async () => {
    const h = harness(link(1, 'vrrp0'), link(2, 'vrrp1'), link(3, 'vrrp2', { group: N }));
    h.m.plan([spec(['vrrp*'])]);
    h.m.reassert();
    await settle();
    h.t.upsert(link(2, 'vrrp1', { group: 5 }));
    await h.m.release();
    // vrrp1: the operator moved it; vrrp2: found in the group (the operator's, or a killed ifdepd's).
    expect(h.requests).toEqual([`vrrp0=${N}`, `vrrp1=${N}`, 'vrrp0=0']);
    h.m.linkChanged('vrrp0');
    await settle();
    expect(h.requests).toHaveLength(3);
  });

  it('a join the kernel refuses is said, and the destination is not counted in the group', async () => {
    const h = harness(link(1, 'vrrp0'));
    h.m.plan([spec(['vrrp0'])]);
    h.kernel.fail = new Error('set group: EPERM');
    const g = h.m.memberOf(h.t.byName('vrrp0')!)!;
    await h.m.joined(g);
    expect(h.m.holds(h.t.byName('vrrp0')!, g)).toBe(false);
    expect(h.logs).toContain(`warning: vrrp0: cannot put it in kernel group ${N} (set group: EPERM); it is switched on its own`);
  });
});
