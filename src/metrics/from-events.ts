import { resyncCause, type DaemonEvent } from '../core/events.js';
import { isLoss } from '../core/health.js';
import type { MetricFamilies } from './families.js';

/** The counters and the reaction histogram, moved by the daemon's events as they happen. */
export function countEvent(m: MetricFamilies, e: DaemonEvent): void {
  switch (e.kind) {
    case 'decision':
      // The first decision at start is a state, not a change.
      if (e.cause !== 'start') m.groupTransitions.inc({ group: e.group, direction: e.decision });
      return;
    case 'source':
      if (isLoss(e.was, e.health)) m.sourceFlaps.inc({ group: e.group, source: e.name, kind: e.sourceKind });
      return;
    case 'destination':
      if (e.outcome === 'failed') m.destinationWriteFailures.inc({ destination: e.name, action: e.action });
      if (e.outcome === 'confirmed' && e.latencyMs !== undefined) {
        m.destinationConfirmation.set({ destination: e.name, action: e.action }, e.latencyMs / 1000);
      }
      return;
    case 'confirmed':
      m.reaction.observe({ group: e.group }, e.ms / 1000);
      return;
    case 'resync': {
      const why = resyncCause(e.reread);
      m.rereads.inc({ why });
      if (why === 'overrun') m.overruns.inc();
      return;
    }
    case 'reload':
      m.reloads.inc({ result: e.result });
      return;
    case 'hook':
      m.hookRuns.inc({ group: e.group, result: e.result });
      return;
    default:
      return;
  }
}
