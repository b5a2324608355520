// A ping source's first verdict is awaited by its own group only: the group leaves its
// destinations as they are meanwhile (a restart must not bounce them), except that a
// group whose other sources fail goes down at once (down wins). Other groups decide at
// once. Issue 19, defect 1: one slow probe held every group's first decision.
import { describe, expect, it } from 'vitest';
import { Group } from '../../../src/core/group.js';
import { Groups } from '../../../src/core/groups.js';
import { utcClockText } from '../../../src/core/sources/evidence.js';
import type { SourceView } from '../../../src/core/sources/health.js';
import { parseAddress } from '../../../src/core/sources/ip.js';
import { FIRST_VERDICT_SLACK_MS, firstVerdictDue, INITIAL_PING, type PingState } from '../../../src/core/sources/ping-state.js';
import { sourceName, type PingSource } from '../../../src/core/sources/spec.js';
import { DEFAULT_DAMPING, type GroupSpec } from '../../../src/core/spec.js';
import { groupStatus } from '../../../src/core/status.js';
import { wantedState } from '../../../src/core/wanted.js';
import { fakeScheduler } from '../../support/fake-scheduler.js';
import { link, noCarrier, table } from '../../support/links.js';

const PING: PingSource = { kind: 'ping', target: parseAddress('192.0.2.1')!, interval: 1000, timeout: 1000, down: 3, up: 3 };
const NAME = sourceName(PING);
/** 3 × 1 s + 1 s timeout + the slack, from configuredAt 0. */
const WINDOW = 3 * 1000 + 1000 + FIRST_VERDICT_SLACK_MS;

function spec(name: string, over: Partial<GroupSpec> = {}): GroupSpec {
  return {
    name,
    sources: ['s0'],
    destinations: [`${name}-m`],
    policy: { kind: 'all' },
    delays: { down: 0, up: 2000 },
    action: { kind: 'admin' },
    hooks: [],
    ...over,
  };
}
const withPing = (name: string, over: Partial<GroupSpec> = {}) => spec(name, { otherSources: [PING], ...over });

/** The ping states the adapter (daemon/source-sync.ts) keeps: configured at 0, no verdict. */
function pings(state: PingState = { ...INITIAL_PING, configuredAt: 0 }) {
  const states = new Map<string, PingState>([[NAME, state]]);
  const view: SourceView = { routes: { to: () => [] }, addresses: { of: () => [] }, ping: (n) => states.get(n), clockText: utcClockText };
  return { view, set: (s: Partial<PingState>) => states.set(NAME, { ...states.get(NAME)!, ...s }) };
}

describe('the first-verdict window', () => {
  it('runs from configuration for as long as the probe needs for a verdict either way, and ends with one', () => {
    expect(firstVerdictDue(PING, { ...INITIAL_PING, configuredAt: 500 })).toBe(500 + WINDOW);
    expect(firstVerdictDue({ ...PING, up: 5, interval: 200 }, { ...INITIAL_PING, configuredAt: 0 })).toBe(5 * 200 + 1000 + FIRST_VERDICT_SLACK_MS);
    expect(firstVerdictDue(PING, { ...INITIAL_PING, configuredAt: 0, verdict: false })).toBeUndefined();
    expect(firstVerdictDue(PING, undefined)).toBeUndefined();
  });
});

describe('a group waiting for its ping sources', () => {
  it('leaves its destinations alone while its other sources are healthy, and claims them with the verdict', () => {
    const links = table(link(2, 's0'));
    const p = pings();
    const g = new Group(withPing('p'), links, 0, 0, p.view);
    expect(g.claims).toBe(false);
    expect(wantedState('p-m', 'admin', [g], 0)).toBeUndefined();
    expect(g.why(0)).toBe(`waiting for the first verdict of ${NAME}, ${WINDOW} ms at most; destinations left as they are`);
    expect(groupStatus(g, links, 1000).waiting).toEqual({ sources: [NAME], inMs: WINDOW - 1000, claims: false });
    expect(g.due(0)).toBe(WINDOW);

    p.set({ verdict: true, answeredInRow: 3 });
    const ev = g.evaluate(links, 3000);
    expect(ev).toMatchObject({ decision: 'up', claimed: true, changed: false });
    expect(g.claims).toBe(true);
    expect(wantedState('p-m', 'admin', [g], 3000)?.decision).toBe('up');
    // The first decision is not a transition, nor is the wait a flap.
    expect(g.counters).toMatchObject({ transitions: 0, flaps: 0 });
  });

  it('claims down when the first verdict is unhealthy: not counted as a flap', () => {
    const links = table(link(2, 's0'));
    const p = pings();
    const g = new Group(withPing('p', { damping: DEFAULT_DAMPING }), links, 0, 0, p.view);
    p.set({ verdict: false, missedInRow: 3 });
    expect(g.evaluate(links, 4000)).toMatchObject({ decision: 'down', claimed: true, changed: false });
    expect(g.counters.flaps).toBe(0);
    expect(g.dampingState(4000)?.penalty).toBe(0);
  });

  it('goes down at once when another of its sources fails, waiting or not (down wins)', () => {
    const links = table(link(2, 's0', noCarrier));
    const g = new Group(withPing('p'), links, 0, 0, pings().view);
    expect(g.claims).toBe(true);
    expect(g.decision).toBe('down');
    expect(wantedState('p-m', 'admin', [g], 0)?.decision).toBe('down');

    const healthy = table(link(2, 's0'));
    const later = new Group(withPing('q'), healthy, 0, 0, pings().view);
    expect(later.claims).toBe(false);
    healthy.upsert(link(2, 's0', noCarrier));
    expect(later.evaluate(healthy, 100)).toMatchObject({ decision: 'down', claimed: true });
    expect(wantedState('q-m', 'admin', [later], 100)?.decision).toBe('down');
  });

  it('reads no verdict as unhealthy once the window is over (fail closed)', () => {
    const links = table(link(2, 's0'));
    const g = new Group(withPing('p'), links, 0, 0, pings().view);
    expect(g.evaluate(links, WINDOW - 1)).toMatchObject({ claimed: false });
    const ev = g.evaluate(links, WINDOW);
    expect(ev).toMatchObject({ decision: 'down', claimed: true });
    expect(ev.why).toMatch(/no verdict yet/);
  });

  it('under the start-up hold or a restored operator hold, claims at once', () => {
    const links = table(link(2, 's0'));
    expect(new Group(withPing('p'), links, 0, 30_000, pings().view).claims).toBe(true);
    const held = new Group(withPing('p'), links, 0, 0, pings().view);
    held.restoreHold('up');
    expect(held.claims).toBe(true);
    expect(wantedState('p-m', 'admin', [held], 0)?.decision).toBe('up');
  });

  it('added to a running group by a reload: the group keeps its decision until the verdict, then follows it', () => {
    const links = table(link(2, 's0'));
    const p = pings();
    const before = new Group(spec('p'), links, 0, 0, p.view);
    expect(before.decision).toBe('up');
    p.set({ configuredAt: 10_000 });
    const after = new Group(withPing('p'), links, 10_000, 0, p.view);
    after.inherit(before, 10_000);
    const ev = after.evaluate(links, 10_000);
    expect(ev).toMatchObject({ decision: 'up', changed: false, claimed: false });
    expect(after.claims).toBe(true);
    expect(ev.why).toBe(`waiting for the first verdict of ${NAME}, ${WINDOW} ms at most`);
    p.set({ verdict: false, missedInRow: 3 });
    expect(after.evaluate(links, 13_000)).toMatchObject({ decision: 'down', changed: true, claimed: false });
  });
});

describe('Groups: one group waits, the others decide', () => {
  it('a group without ping sources decides at once and follows its sources; the waiting one is evaluated when its window ends', () => {
    const links = table(link(2, 's0'), link(3, 's1'));
    const clock = fakeScheduler();
    const p = pings();
    const decided: Array<{ group: string; decision: string; claimed: boolean }> = [];
    const groups = new Groups(links, clock.scheduler, 0, (g, ev) => decided.push({ group: g.spec.name, decision: ev.decision, claimed: ev.claimed }), p.view);
    const [plain, waiting] = groups.start([spec('up', { sources: ['s1'] }), withPing('p')]);
    expect(plain!.claims).toBe(true);
    expect(waiting!.claims).toBe(false);
    expect(wantedState('up-m', 'admin', groups.all, 0)?.decision).toBe('up');

    clock.advance(100);
    links.upsert(link(3, 's1', noCarrier));
    groups.sourcesChanged(['s1']);
    expect(decided).toEqual([{ group: 'up', decision: 'down', claimed: false }]);
    expect(wantedState('up-m', 'admin', groups.all, 100)?.decision).toBe('down');

    clock.advance(WINDOW);
    expect(decided.at(-1)).toEqual({ group: 'p', decision: 'down', claimed: true });
  });
});
