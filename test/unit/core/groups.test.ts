import { describe, expect, it } from 'vitest';
import { DEFAULT_DAMPING, type GroupSpec, type Policy } from '../../../src/core/spec.js';
import { destinationNames, wantedState, type Wanted } from '../../../src/core/wanted.js';
import type { SourceHealth } from '../../../src/core/health.js';
import { groupHealth } from '../../../src/core/policy.js';
import { describeEvaluation } from '../../../src/core/explain.js';
import { Group } from '../../../src/core/group.js';
import { Groups } from '../../../src/core/groups.js';
import { groupStatus } from '../../../src/core/status.js';
import { link, noCarrier, table } from '../../support/links.js';

function spec(over: Partial<GroupSpec> = {}): GroupSpec {
  return {
    name: 'uplink',
    sources: ['em0', 'bge0'],
    destinations: ['vrrp0'],
    policy: { kind: 'all' },
    delays: { down: 0, up: 0 },
    action: { kind: 'admin' },
    hooks: [],
    ...over,
  };
}

const ok: SourceHealth = { healthy: true, cause: { kind: 'carrier' } };
const lost: SourceHealth = { healthy: false, cause: { kind: 'no-carrier' } };
const sources = (...h: SourceHealth[]) => new Map(h.map((x, i) => [`s${i}`, x] as const));

describe('policies', () => {
  it.each<[string, Policy, SourceHealth[], boolean, string]>([
    ['all, all healthy', { kind: 'all' }, [ok, ok], true, 'all sources have carrier'],
    ['all, one lost', { kind: 'all' }, [ok, lost], false, 's1 lost carrier'],
    ['any, one left', { kind: 'any' }, [lost, ok], true, '1 of 2 sources have carrier'],
    ['any, none left', { kind: 'any' }, [lost, lost], false, 'no source has carrier: s0 lost carrier, s1 lost carrier'],
    ['min 2 of 3, met', { kind: 'min', count: 2 }, [ok, lost, ok], true, '2 of 3 sources have carrier (min 2)'],
    ['min 2 of 3, not met', { kind: 'min', count: 2 }, [ok, lost, lost], false, 'only 1 of 3 sources have carrier, 2 needed: s1 lost carrier, s2 lost carrier'],
  ])('%s', (_label, policy, healths, healthy, reason) => {
    expect(groupHealth(policy, sources(...healths))).toEqual({ healthy, reason });
  });
});

describe('Group layers', () => {
  it('holds destinations down during the start-up hold, then follows the sources at once', () => {
    const links = table(link(2, 'em0'), link(3, 'bge0'));
    const g = new Group(spec({ delays: { down: 0, up: 2000 } }), links, 0, 30_000);
    expect(g.decision).toBe('down');
    expect(g.why(1000)).toBe('start-up hold, 29000 ms left');
    const early = g.evaluate(links, 1000);
    expect(early).toMatchObject({ decision: 'down', changed: false, due: 30_000 });
    const end = g.evaluate(links, 30_000);
    expect(end).toMatchObject({ decision: 'up', changed: true, bySources: true });
  });

  it('an operator hold overrides the sources both ways until released', () => {
    const links = table(link(2, 'em0'), link(3, 'bge0'));
    const g = new Group(spec(), links, 0);
    const held = g.hold('down', links, 10);
    expect(held).toMatchObject({ decision: 'down', changed: true, why: 'held down by operator', bySources: false });
    expect(describeEvaluation(g.spec, held).at(-1)?.text).toBe('uplink: held down by operator -> destinations vrrp0 down');
    links.upsert(link(2, 'em0', noCarrier));
    expect(g.hold('up', links, 20)).toMatchObject({ decision: 'up', why: 'held up by operator' });
    expect(g.release(links, 30)).toMatchObject({ decision: 'down', changed: true, why: 'em0 lost carrier' });
    expect(g.counters.transitions).toBe(3);
  });

  it('damping: flaps hold the group down until the penalty decays, even while the sources are healthy', () => {
    const links = table(link(2, 'em0'), link(3, 'bge0'));
    const g = new Group(spec({ damping: DEFAULT_DAMPING }), links, 0);
    let t = 0;
    for (let i = 0; i < 3; i++) {
      links.upsert(link(2, 'em0', noCarrier));
      g.evaluate(links, (t += 10));
      links.upsert(link(2, 'em0'));
      g.evaluate(links, (t += 10));
    }
    expect(g.counters.flaps).toBe(3);
    expect(g.decision).toBe('down');
    const now = t;
    const held = g.evaluate(links, now);
    expect(held.why).toMatch(/^flap damping: penalty \d+ \(suppress 2000, reuse 1000\), released in \d+ ms$/);
    expect(held.due).toBeGreaterThan(now);
    const released = g.evaluate(links, held.due!);
    expect(released).toMatchObject({ decision: 'up', changed: true });
  });

  it('counts swallowed flaps too', () => {
    const links = table(link(2, 'em0'), link(3, 'bge0'));
    const g = new Group(spec({ delays: { down: 500, up: 0 } }), links, 0);
    links.upsert(link(2, 'em0', noCarrier));
    g.evaluate(links, 10);
    links.upsert(link(2, 'em0'));
    g.evaluate(links, 20);
    expect(g.counters).toMatchObject({ flaps: 1, transitions: 0 });
  });

  it('a glob source stands for every interface it matches, and for a missing one when none does', () => {
    const links = table(link(2, 'eth0'), link(3, 'eth1', noCarrier), link(4, 'wlan0', noCarrier));
    const g = new Group(spec({ sources: ['eth[0-3]'], policy: { kind: 'any' } }), links, 0);
    expect([...g.sourceHealths.keys()]).toEqual(['eth0', 'eth1']);
    expect(g.decision).toBe('up');
    const none = new Group(spec({ sources: ['bond*'] }), links, 0);
    expect([...none.sourceHealths]).toEqual([['bond*', { healthy: false, cause: { kind: 'missing' } }]]);
  });

  it('a reloaded group keeps its decision, pending change, hold and counters', () => {
    const links = table(link(2, 'em0', noCarrier), link(3, 'bge0'));
    const old = new Group(spec({ delays: { down: 0, up: 5000 } }), links, 0);
    links.upsert(link(2, 'em0'));
    old.evaluate(links, 100); // up pending, due 5100
    const fresh = new Group(spec({ delays: { down: 0, up: 1000 } }), links, 200);
    expect(fresh.decision).toBe('up'); // a new group would decide from scratch...
    fresh.inherit(old, 200);
    expect(fresh.decision).toBe('down'); // ...an inherited one does not bounce
    expect(fresh.pending).toEqual({ target: 'up', since: 100, due: 1100 }); // new up-delay, same start
    expect(fresh.evaluate(links, 1100)).toMatchObject({ decision: 'up', changed: true });
  });
});

describe('down wins', () => {
  const links = table(link(2, 'a0'), link(3, 'b0', noCarrier), link(7, 'vrrp0'), link(8, 'vrrp.51'));
  const a = new Group(spec({ name: 'a', sources: ['a0'], destinations: ['vrrp0', 'vrrp.*'] }), links, 0);
  const b = new Group(spec({ name: 'b', sources: ['b0'], destinations: ['vrrp0'] }), links, 0);
  const p = new Group(spec({ name: 'p', sources: ['b0'], destinations: ['vrrp.51'], action: { kind: 'protodown' } }), links, 0);

  it('a destination in several groups is down if any says down', () => {
    // Its words are getters, read only when said: compared field by field.
    const fields = (w: Wanted | undefined) => w && { decision: w.decision, because: w.because, downBecause: w.downBecause, named: w.named };
    expect(fields(wantedState('vrrp0', 'admin', [a, b], 0))).toEqual({ decision: 'down', because: 'b: b0 lost carrier', downBecause: ['b'], named: true });
    expect(fields(wantedState('vrrp.51', 'admin', [a, b], 0))).toEqual({ decision: 'up', because: 'all sources have carrier', downBecause: [], named: false });
  });

  it('actions are independent: a protodown group does not take an admin destination down', () => {
    expect(wantedState('vrrp.51', 'admin', [a, b, p], 0)?.decision).toBe('up');
    expect(wantedState('vrrp.51', 'protodown', [a, b, p], 0)?.decision).toBe('down');
  });

  it('an interface no group claims is not ours', () => {
    expect(wantedState('eth9', 'admin', [a, b], 0)).toBeUndefined();
  });

  it('names: literals even when missing, and live matches of globs', () => {
    expect([...destinationNames([a, b], 'admin', ['vrrp.51', 'vrrp.52', 'x'])].sort()).toEqual(['vrrp.51', 'vrrp.52', 'vrrp0']);
  });
});

describe('destinations matched only by a glob', () => {
  it('are waited for only when named literally', () => {
    const links = table(link(2, 'a0'), link(8, 'vrrp.51'));
    const g = new Group(spec({ name: 'a', sources: ['a0'], destinations: ['vrrp0', 'vrrp.*'] }), links, 0);
    expect(wantedState('vrrp.51', 'admin', [g], 0)?.named).toBe(false);
    expect(wantedState('vrrp0', 'admin', [g], 0)?.named).toBe(true);
  });
});

describe('operator holds across a restart', () => {
  const never = { now: () => 0, after: () => ({ cancel: () => undefined }) };

  it('apply before the first decision, say they were restored, and end like any hold', () => {
    const links = table(link(2, 'em0'), link(3, 'bge0'));
    const decided: string[] = [];
    const groups = new Groups(links, never, 0, (g, ev) => decided.push(`${g.spec.name} ${ev.decision}`));
    const [uplink, inside] = groups.start([spec(), spec({ name: 'inside', destinations: ['vrrp1'] })], new Map([['uplink', 'down'], ['gone', 'up']]));
    // The first decision is already the hold: the destinations never see the sources' "up".
    expect([uplink!.decision, inside!.decision]).toEqual(['down', 'up']);
    expect(decided).toEqual([]);
    expect(groupStatus(uplink!, links, 0).hold).toEqual({ kind: 'operator', decision: 'down', restored: true });
    expect(groupStatus(inside!, links, 0).hold).toBeUndefined();
    expect(groups.operatorHolds()).toEqual(new Map([['uplink', 'down']]));
    // Kept through a reload; a new hold by the operator is no longer the restored one.
    groups.replace([spec(), spec({ name: 'inside', destinations: ['vrrp1'] })]);
    expect(groups.find('uplink').heldSinceRestart).toBe(true);
    groups.hold('uplink', 'up');
    expect(groupStatus(groups.find('uplink'), links, 0).hold).toEqual({ kind: 'operator', decision: 'up' });
    groups.release('uplink');
    expect(groups.operatorHolds()).toEqual(new Map());
    expect(decided).toEqual(['uplink up', 'uplink up']);
  });
});
