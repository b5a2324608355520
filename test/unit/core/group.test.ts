import { describe, expect, it } from 'vitest';
import { describeEvaluation, describeStart } from '../../../src/core/explain.js';
import type { GroupSpec } from '../../../src/core/spec.js';
import { Group } from '../../../src/core/group.js';
import { link, noCarrier, table } from '../../support/links.js';

const spec: GroupSpec = {
  name: 'uplink',
  sources: ['em0', 'bge0'],
  destinations: ['vrrp0', 'vrrp1'],
  delays: { down: 0, up: 2000 },
  policy: { kind: 'all' },
  action: { kind: 'admin' },
  hooks: [],
};

describe('Group', () => {
  it('decides from the state found at start, without delay', () => {
    expect(new Group(spec, table(link(2, 'em0'), link(3, 'bge0')), 0).decision).toBe('up');
    expect(new Group(spec, table(link(2, 'em0', noCarrier), link(3, 'bge0')), 0).decision).toBe('down');
    expect(new Group(spec, table(link(2, 'em0')), 0).decision).toBe('down');
  });

  it('a source changes when its cause does, even while it stays unhealthy, and says so quietly from its event', () => {
    const links = table(link(2, 'em0', noCarrier), link(3, 'bge0'));
    const watch = new Group(spec, links, 0);
    links.upsert(link(2, 'em0', { operState: 'dormant' }));
    const ev = watch.evaluate(links, 10);
    expect(ev.sourceChanges).toEqual([
      { name: 'em0', kind: 'interface', before: { healthy: false, cause: { kind: 'no-carrier' } }, after: { healthy: false, cause: { kind: 'operstate', state: 'dormant' } } },
    ]);
    expect(describeEvaluation(spec, ev)).toContainEqual({ severity: 'debug', text: 'uplink: source em0: no carrier -> operstate dormant' });
    // The same reading again is no change.
    expect(watch.evaluate(links, 20).sourceChanges).toEqual([]);
  });

  it('takes the destinations down when one source loses carrier, with the log line operators read', () => {
    const links = table(link(2, 'em0'), link(3, 'bge0'));
    const watch = new Group(spec, links, 0);
    links.upsert(link(2, 'em0', noCarrier));
    const ev = watch.evaluate(links, 1000);
    expect(ev.decision).toBe('down');
    expect(ev.sourceChanges).toEqual([
      { name: 'em0', kind: 'interface', before: { healthy: true, cause: { kind: 'carrier' } }, after: { healthy: false, cause: { kind: 'no-carrier' } } },
    ]);
    expect(describeEvaluation(spec, ev)).toContainEqual({
      severity: 'notice',
      text: 'uplink: em0 lost carrier -> destinations vrrp0,vrrp1 down (down-delay 0 ms)',
    });
  });

  it('comes back up only after the up-delay, and asks to be woken then', () => {
    const links = table(link(2, 'em0', noCarrier), link(3, 'bge0'));
    const watch = new Group(spec, links, 0);
    links.upsert(link(2, 'em0'));
    const ev = watch.evaluate(links, 5000);
    expect(ev.decision).toBe('down');
    expect(ev.due).toBe(7000);
    expect(watch.evaluate(links, 6999).decision).toBe('down');
    const due = watch.evaluate(links, 7000);
    expect(due.decision).toBe('up');
    expect(due.due).toBeUndefined();
    expect(describeEvaluation(spec, due).at(-1)?.text).toBe(
      'uplink: all sources have carrier -> destinations vrrp0,vrrp1 up (up-delay 2000 ms)',
    );
  });

  it('follows a source by name: renamed away it is missing, a new interface under the name is picked up', () => {
    const links = table(link(2, 'em0'), link(3, 'bge0'));
    const watch = new Group(spec, links, 0);
    links.upsert(link(2, 'wan-old'));
    expect(watch.evaluate(links, 10).health.reason).toBe('em0 is missing');
    links.upsert(link(9, 'em0'));
    const ev = watch.evaluate(links, 20);
    expect(ev.step.kind).toBe('started');
    expect(watch.evaluate(links, 2020).decision).toBe('up');
  });

  it('explains a flap it swallowed', () => {
    const slow: GroupSpec = { ...spec, delays: { down: 500, up: 2000 } };
    const links = table(link(2, 'em0'), link(3, 'bge0'));
    const watch = new Group(slow, links, 0);
    links.upsert(link(2, 'em0', noCarrier));
    expect(describeEvaluation(slow, watch.evaluate(links, 100)).at(-1)?.text).toBe(
      'uplink: em0 lost carrier; destinations vrrp0,vrrp1 go down in 500 ms unless that changes (down-delay)',
    );
    links.upsert(link(2, 'em0'));
    expect(describeEvaluation(slow, watch.evaluate(links, 220)).at(-1)?.text).toBe(
      'uplink: all sources have carrier again after 120 ms: flap ignored, destinations vrrp0,vrrp1 stay up (down-delay 500 ms)',
    );
  });

  it('says what it decided at start', () => {
    expect(describeStart(spec, 'down', 'bge0 is missing').text).toBe(
      'uplink: at start bge0 is missing -> destinations vrrp0,vrrp1 down (delays apply from now on)',
    );
  });
});
