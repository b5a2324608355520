import { describeCause } from './cause.js';
import { delayFor, delayName } from './debounce.js';
import { formatDuration } from './duration.js';
import type { EventBody } from './events.js';
import type { Evaluation } from './group.js';
import { decisionEvent, evaluationEvents } from './group-events.js';
import type { LogLine } from './types.js';
import { nameList } from './name-list.js';
import type { GroupSpec } from './spec.js';
import type { Decision } from './types.js';


/** What a group's decision acts on: "destinations vrrp0,vrrp1" or "track file /run/ifdepd/uplink"; long lists are cut. */
export function targetsOf(group: GroupSpec): string {
  switch (group.action.kind) {
    case 'admin':
      return `destinations ${nameList(group.destinations)}`;
    case 'protodown':
      return `destinations ${nameList(group.destinations)} (protodown)`;
    case 'track-file':
      return `track file ${group.action.path}`;
    case 'frr-vrrp':
      return `FRR VRRP ${group.action.interface} ${group.action.vrid}`;
  }
}

/**
 * What an evaluation means to an operator, one line per fact, said from its events
 * (core/group-events.ts), then what no event records: a change under way or held back.
 *   uplink: em0 lost carrier -> destinations vrrp0,vrrp1 down (down-delay 0 ms)
 */
export function describeEvaluation(group: GroupSpec, ev: Evaluation, events: readonly EventBody[] = evaluationEvents(group, ev)): LogLine[] {
  const lines = events.flatMap((e) => describeEvent(group, e) ?? []);
  const quiet = ev.changed ? undefined : describeUnchanged(group, ev);
  return quiet === undefined ? lines : [...lines, quiet];
}

/**
 * The log line of one of a group's events: the one place a decision, a pending change, a
 * flap or a source's change is put in words. Undefined for the kinds the log says elsewhere.
 */
export function describeEvent(group: GroupSpec, e: EventBody): LogLine | undefined {
  const targets = targetsOf(group);
  switch (e.kind) {
    case 'decision':
      return { severity: 'notice', text: `${group.name}: ${decisionWords(e)} -> ${targets} ${e.decision}${decisionTail(e)}` };
    case 'pending':
      return {
        severity: e.overridden ? 'debug' : 'info',
        text: `${group.name}: ${e.reason}; ${targets} go ${e.target} in ${formatDuration(e.inMs)} unless that changes (${e.delay})`,
      };
    case 'flap':
      return {
        severity: e.overridden ? 'debug' : 'info',
        text: `${group.name}: ${e.reason} again after ${formatDuration(e.afterMs)}: flap ignored, ${targets} stay ${e.decision} (${delayName(e.target)} ${formatDuration(delayFor(e.target, group.delays))})`,
      };
    case 'source':
      return describeSourceChange(group, e);
    default:
      return undefined;
  }
}

type DecisionEvent = Extract<EventBody, { kind: 'decision' }>;

/** What leads to the decision: "at start bge0 is missing", "first verdicts in: ...", "added by reload: ...". */
function decisionWords(e: DecisionEvent): string {
  switch (e.cause) {
    case 'start':
      return e.firstVerdicts ? `first verdicts in: ${e.reason}` : `at start ${e.reason}`;
    case 'reload':
      return `added by reload: ${e.reason}`;
    case 'sources':
    case 'override':
      return e.reason;
  }
}

function decisionTail(e: DecisionEvent): string {
  if (e.cause === 'start') return ' (delays apply from now on)';
  return e.delay !== undefined && e.delayMs !== undefined ? ` (${e.delay} ${formatDuration(e.delayMs)})` : '';
}

/**
 * An interface's change is told by the decision it causes (at -v, this line). A route,
 * address or ping source turning healthy or unhealthy is told at notice, with its evidence,
 * even when the policy keeps the decision:
 *   uplink: ping 192.0.2.1 dev eth0: 3 answers missed -> unhealthy (last reply 12:03:04.512, ...)
 */
function describeSourceChange(group: GroupSpec, e: Extract<EventBody, { kind: 'source' }>): LogLine {
  const [now, was] = [e.health, e.was];
  if (e.sourceKind === 'interface' || was.healthy === now.healthy) {
    return { severity: 'debug', text: `${group.name}: source ${e.name}: ${describeCause(was.cause)} -> ${describeCause(now.cause)}` };
  }
  const evidence = now.evidence === undefined ? '' : ` (${now.evidence})`;
  return { severity: 'notice', text: `${group.name}: ${e.name}: ${describeCause(now.cause)} -> ${now.healthy ? 'healthy' : 'unhealthy'}${evidence}` };
}

/** What an evaluation that changed nothing says besides its events, quietly: sources changed yet the decision stays. */
function describeUnchanged(group: GroupSpec, ev: Evaluation): LogLine | undefined {
  const step = ev.step;
  switch (step.kind) {
    case 'waiting':
    case 'steady':
      if (ev.sourceChanges.length === 0) return undefined;
      return { severity: 'debug', text: `${group.name}: ${ev.health.reason}; ${targetsOf(group)} stay ${ev.decision} (${ev.why})` };
    case 'committed':
      return { severity: 'debug', text: `${group.name}: sources say ${step.to}, but ${ev.why}` };
    default:
      return undefined;
  }
}

/**
 * The line an operator's command leaves in the log (and in its answer): rendered from the
 * event the daemon sends, so that the log and `ifdepd monitor` cannot say different things.
 */
export function describeOperatorEvent(e: Extract<EventBody, { kind: 'hold' | 'release' | 'reload' }>): string {
  const kept = (notStored: string | undefined) => (notStored === undefined ? '' : `; not stored, a restart would forget it: ${notStored}`);
  switch (e.kind) {
    case 'hold':
      return `${e.group}: held ${e.decision} by operator until 'ifdepd release ${e.group}'${kept(e.notStored)}`;
    case 'release':
      return `${e.group}: released by operator; decision ${e.decision} (${e.reason})${kept(e.notStored)}`;
    case 'reload':
      return e.reason;
  }
}

/** "reloaded /etc/ifdepd.conf: 3 group(s)": what a reload loaded, the `reason` of its event. */
export const reloadedLine = (file: string | undefined, groups: number): string => `reloaded ${file ?? 'configuration'}: ${groups} group(s)`;

/** The first decision, taken from the state found at start, without any delay. */
export function describeStart(group: GroupSpec, decision: Decision, why: string): LogLine {
  return describeEvent(group, decisionEvent(group, decision, why, 'start'))!;
}

/** A group that waits for its ping sources' first verdicts before it touches its destinations: at start, or added by a reload. */
export function describeWait(group: GroupSpec, why: string, when: 'start' | 'reload' = 'start'): LogLine {
  return { severity: 'notice', text: `${group.name}: ${when === 'start' ? 'at start' : 'added by reload:'} ${why}` };
}
