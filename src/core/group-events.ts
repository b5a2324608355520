import { delayName } from './debounce.js';
import type { DecisionCause, EventBody } from './events.js';
import type { Evaluation } from './group.js';
import { describeAction, type GroupSpec } from './spec.js';
import type { Decision } from './types.js';

type DecisionEvent = Extract<EventBody, { kind: 'decision' }>;
type DecisionDetail = Pick<DecisionEvent, 'delay' | 'delayMs' | 'firstVerdicts'>;

/** A group's decision as an event: `reason` is its why ("em0 lost carrier", "held down by operator"). */
export function decisionEvent(spec: GroupSpec, decision: Decision, reason: string, cause: DecisionCause, detail: DecisionDetail = {}): DecisionEvent {
  return { kind: 'decision', group: spec.name, decision, reason, cause, action: describeAction(spec.action), destinations: spec.destinations, ...detail };
}

/**
 * What one evaluation did, as events: each source that changed, then the decision if it
 * changed, or else the change the debounce started or the flap it swallowed. The log says
 * the same from these (core/explain.ts), the monitor and the metrics read them.
 */
export function evaluationEvents(spec: GroupSpec, ev: Evaluation): EventBody[] {
  const group = spec.name;
  const events: EventBody[] = ev.sourceChanges.map((c) => ({ kind: 'source', group, name: c.name, sourceKind: c.kind, health: c.after, was: c.before }));
  const { step } = ev;
  if (ev.changed) {
    const delay = ev.bySources && step.kind === 'committed' ? { delay: delayName(step.to), delayMs: step.delay } : {};
    events.push(decisionEvent(spec, ev.decision, ev.why, ev.bySources ? 'sources' : 'override', delay));
    return events;
  }
  const [decision, reason] = [ev.decision, ev.health.reason];
  const overridden = ev.bySources ? {} : { overridden: true as const };
  if (step.kind === 'started') {
    const { target, due, since } = step.pending;
    events.push({ kind: 'pending', group, decision, target, inMs: due - since, delay: delayName(target), reason, ...overridden });
  } else if (step.kind === 'swallowed') {
    events.push({ kind: 'flap', group, decision, target: step.target, afterMs: step.after, reason, ...overridden });
  }
  return events;
}
