import { delayName } from '../core/debounce.js';
import type { DecisionCause, EventSink } from '../core/events.js';
import { describeClaim, describeEvaluation, describeStart, describeWait } from '../core/explain.js';
import type { Evaluation, Group } from '../core/group.js';
import { describeAction } from '../core/spec.js';
import type { Millis } from '../core/types.js';
import type { Logger } from '../logging/logger.js';

/**
 * How a group's evaluations are said: the log lines (core/explain.ts), and beside them
 * the typed events of `ifdepd monitor` (core/events.ts): each source change, each decision.
 */
export function logEvaluation(log: Logger, g: Group, ev: Evaluation): void {
  for (const line of describeEvaluation(g.spec, ev)) log[line.severity](line.text);
}

/** Sent before the writes, so that a monitor reads source, decision, write, confirmation in that order. */
export function emitEvaluation(events: EventSink, g: Group, ev: Evaluation): void {
  for (const c of ev.sourceChanges) {
    events.emit({
      kind: 'source',
      group: g.spec.name,
      name: c.name,
      sourceKind: c.kind,
      healthy: c.after.healthy,
      ...(c.after.evidence ? { evidence: c.after.evidence } : {}),
      reason: c.after.reason,
      was: c.before.reason,
      wasHealthy: c.before.healthy,
    });
  }
  if (ev.changed) return emitDecision(events, g, ev.why, ev.bySources ? 'sources' : 'override');
  const { step } = ev;
  const [group, decision, reason] = [g.spec.name, ev.decision, ev.health.reason];
  if (step.kind === 'started') {
    const { target, due, since } = step.pending;
    events.emit({ kind: 'pending', group, decision, target, inMs: due - since, delay: delayName(target), reason });
  } else if (step.kind === 'swallowed') {
    events.emit({ kind: 'flap', group, decision, target: step.target, afterMs: step.after, reason });
  }
}

/**
 * The first decision of a group, at start, without any delay; or, for a group that waits
 * for its ping sources' first verdicts, that it waits (its decision is announced by announceClaim).
 */
export function announceStart(log: Logger, events: EventSink, g: Group, now: Millis): void {
  const why = g.why(now);
  if (!g.claims) {
    const wait = describeWait(g.spec, why);
    return void log[wait.severity](wait.text);
  }
  const start = describeStart(g.spec, g.decision, why);
  log[start.severity](start.text);
  emitDecision(events, g, why, 'start');
}

/** The first decision of a group that waited for its ping sources' first verdicts. */
export function announceClaim(log: Logger, events: EventSink, g: Group, ev: Evaluation): void {
  const line = describeClaim(g.spec, ev.decision, ev.why);
  log[line.severity](line.text);
  emitDecision(events, g, ev.why, 'start');
}

export function emitDecision(events: EventSink, g: Group, reason: string, cause: DecisionCause): void {
  events.emit({
    kind: 'decision',
    group: g.spec.name,
    decision: g.decision,
    reason,
    cause,
    action: describeAction(g.spec.action),
    destinations: g.spec.destinations,
  });
}
