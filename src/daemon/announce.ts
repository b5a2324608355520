import type { EventBody, EventSink } from '../core/events.js';
import { describeEvaluation, describeEvent, describeWait } from '../core/explain.js';
import type { Evaluation, Group } from '../core/group.js';
import { decisionEvent, evaluationEvents } from '../core/group-events.js';
import type { Millis } from '../core/types.js';
import type { Logger } from '../logging/logger.js';

/**
 * How a group's evaluations are told: as typed events (core/group-events.ts), the one
 * record, which `ifdepd monitor` and the metrics read; and in the log, in lines said from
 * those same events (core/explain.ts).
 */

/** Sent before the writes, so that a monitor reads source, decision, write, confirmation in that order. Returns what it sent. */
export function emitEvaluation(events: EventSink, g: Group, ev: Evaluation): readonly EventBody[] {
  const said = evaluationEvents(g.spec, ev);
  for (const e of said) events.emit(e);
  return said;
}

/** Logged after the writes: the lines of the events `emitEvaluation` sent, and what changed nothing. */
export function logEvaluation(log: Logger, g: Group, ev: Evaluation, said: readonly EventBody[]): void {
  for (const line of describeEvaluation(g.spec, ev, said)) log[line.severity](line.text);
}

/** A first decision: its line logged, then its event sent (no write waits on either). */
function announceDecision(log: Logger, events: EventSink, g: Group, e: EventBody): void {
  const line = describeEvent(g.spec, e);
  if (line !== undefined) log[line.severity](line.text);
  events.emit(e);
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
  announceDecision(log, events, g, decisionEvent(g.spec, g.decision, why, 'start'));
}

/** A group added by a reload: its first decision, as at start; or that it waits for first verdicts. */
export function announceAdded(log: Logger, events: EventSink, g: Group, now: Millis): void {
  const why = g.why(now);
  if (!g.claims) {
    const wait = describeWait(g.spec, why, 'reload');
    return void log[wait.severity](wait.text);
  }
  announceDecision(log, events, g, decisionEvent(g.spec, g.decision, why, 'reload'));
}

/** The first decision of a group that waited for its ping sources' first verdicts. */
export function announceClaim(log: Logger, events: EventSink, g: Group, ev: Evaluation): void {
  announceDecision(log, events, g, decisionEvent(g.spec, ev.decision, ev.why, 'start', { firstVerdicts: true }));
}
