import type { DaemonStatus, GroupStatus } from '../core/status.js';
import type { MetricFamilies } from './families.js';

const bit = (b: boolean): number => (b ? 1 : 0);

/**
 * The gauges, set from the same status `ifdepd status --json` shows, at each scrape: what
 * a reload removed disappears. Counters of the groups and sources there are start at 0, so
 * that rate() and increase() see their first change.
 */
export function setFromStatus(m: MetricFamilies, status: DaemonStatus): void {
  for (const gauge of [m.groupHealthy, m.groupUp, m.groupHeld, m.groupSuppressed, m.groupPenalty, m.groupSinceTransition, m.sourceHealthy]) {
    gauge.reset();
  }
  for (const g of status.groups) setGroup(m, g);
  for (const gauge of [m.destinationUp, m.destinationWantedUp, m.destinationFailing]) gauge.reset();
  for (const d of status.destinations) {
    const labels = { destination: d.name, action: d.action };
    m.destinationUp.set(labels, bit(d.state === 'up'));
    m.destinationWantedUp.set(labels, bit(d.wanted === 'up'));
    m.destinationFailing.set(labels, bit(d.failing !== undefined));
    m.destinationWriteFailures.inc(labels, 0);
  }
}

function setGroup(m: MetricFamilies, g: GroupStatus): void {
  const group = { group: g.name };
  m.groupHealthy.set(group, bit(g.health.healthy));
  m.groupUp.set(group, bit(g.decision === 'up'));
  m.groupHeld.set(group, bit(g.hold !== undefined));
  m.groupSuppressed.set(group, bit(g.damping?.suppressed === true));
  m.groupPenalty.set(group, g.damping?.penalty ?? 0);
  if (g.lastTransitionAgoMs !== undefined) m.groupSinceTransition.set(group, g.lastTransitionAgoMs / 1000);
  for (const direction of ['up', 'down']) m.groupTransitions.inc({ group: g.name, direction }, 0);
  m.hookRuns.inc({ group: g.name, result: 'ok' }, 0);
  for (const s of g.sources) {
    const labels = { group: g.name, source: s.name, kind: s.kind };
    m.sourceHealthy.set(labels, bit(s.healthy));
    m.sourceFlaps.inc(labels, 0);
  }
}
