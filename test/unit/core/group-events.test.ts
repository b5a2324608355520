import { describe, expect, it } from 'vitest';
import { describeEvaluation, describeEvent } from '../../../src/core/explain.js';
import { Group } from '../../../src/core/group.js';
import { evaluationEvents } from '../../../src/core/group-events.js';
import type { GroupSpec } from '../../../src/core/spec.js';
import { link, noCarrier, table } from '../../support/links.js';

const spec: GroupSpec = {
  name: 'uplink',
  sources: ['em0', 'bge0'],
  destinations: ['vrrp0'],
  delays: { down: 0, up: 2000 },
  policy: { kind: 'all' },
  action: { kind: 'admin' },
  hooks: [],
};

describe("a group's events are the record its log lines are said from", () => {
  it('a committed change: the source, then the decision with the delay it waited out', () => {
    const links = table(link(2, 'em0'), link(3, 'bge0'));
    const g = new Group(spec, links, 0);
    links.upsert(link(2, 'em0', noCarrier));
    const ev = g.evaluate(links, 5);
    const events = evaluationEvents(spec, ev);
    expect(events).toEqual([
      { kind: 'source', group: 'uplink', name: 'em0', sourceKind: 'interface', health: { healthy: false, cause: { kind: 'no-carrier' } }, was: { healthy: true, cause: { kind: 'carrier' } } },
      { kind: 'decision', group: 'uplink', decision: 'down', reason: 'em0 lost carrier', cause: 'sources', action: 'admin', destinations: ['vrrp0'], delay: 'down-delay', delayMs: 0 },
    ]);
    expect(describeEvaluation(spec, ev, events).map((l) => l.text)).toEqual([
      'uplink: source em0: has carrier -> no carrier',
      'uplink: em0 lost carrier -> destinations vrrp0 down (down-delay 0 ms)',
    ]);
  });

  it('the lines follow the events they are given, not the evaluation beside them', () => {
    const links = table(link(2, 'em0'), link(3, 'bge0'));
    const g = new Group(spec, links, 0);
    links.upsert(link(2, 'em0', noCarrier));
    const ev = g.evaluate(links, 5);
    const decision = evaluationEvents(spec, ev).find((e) => e.kind === 'decision');
    expect(decision).toBeDefined();
    expect(describeEvaluation(spec, ev, decision ? [{ ...decision, reason: 'something else' }] : []).map((l) => l.text)).toEqual([
      'uplink: something else -> destinations vrrp0 down (down-delay 0 ms)',
    ]);
  });

  it('a change waiting out its delay is a pending event, said at info; under an override at debug', () => {
    const links = table(link(2, 'em0', noCarrier), link(3, 'bge0'));
    const g = new Group(spec, links, 0);
    links.upsert(link(2, 'em0'));
    const ev = g.evaluate(links, 5);
    const events = evaluationEvents(spec, ev);
    expect(events.at(-1)).toEqual({ kind: 'pending', group: 'uplink', decision: 'down', target: 'up', inMs: 2000, delay: 'up-delay', reason: 'all sources have carrier' });
    expect(describeEvent(spec, events.at(-1)!)).toEqual({
      severity: 'info',
      text: 'uplink: all sources have carrier; destinations vrrp0 go up in 2000 ms unless that changes (up-delay)',
    });
    const pending = events.find((e) => e.kind === 'pending');
    expect(pending && describeEvent(spec, { ...pending, overridden: true })?.severity).toBe('debug');
  });

  it('the first decisions: at start, after the first verdicts, added by a reload', () => {
    const at = (cause: 'start' | 'reload', firstVerdicts?: true) =>
      describeEvent(spec, { kind: 'decision', group: 'uplink', decision: 'up', reason: 'all sources have carrier', cause, action: 'admin', destinations: ['vrrp0'], ...(firstVerdicts ? { firstVerdicts } : {}) })?.text;
    expect(at('start')).toBe('uplink: at start all sources have carrier -> destinations vrrp0 up (delays apply from now on)');
    expect(at('start', true)).toBe('uplink: first verdicts in: all sources have carrier -> destinations vrrp0 up (delays apply from now on)');
    expect(at('reload')).toBe('uplink: added by reload: all sources have carrier -> destinations vrrp0 up');
  });
});
