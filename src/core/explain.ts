import type { GroupSpec } from './spec.js';
import { delayFor, delayName } from './debounce.js';
import { formatDuration } from './duration.js';
import type { Decision } from './types.js';
import type { Evaluation, SourceChange } from './group.js';
import { nameList } from './name-list.js';

/** syslog(3) severities ifdepd uses, most severe first: how loud an explanation is. */
export type Severity = 'error' | 'warning' | 'notice' | 'info' | 'debug';

export interface LogLine {
  readonly severity: Severity;
  readonly text: string;
}

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
 * What an evaluation means to an operator, one line per fact:
 *   uplink: em0 lost carrier -> destinations vrrp0,vrrp1 down (down-delay 0 ms)
 */
export function describeEvaluation(group: GroupSpec, ev: Evaluation): LogLine[] {
  const lines: LogLine[] = ev.sourceChanges.map(describeSourceChange(group));
  const targets = targetsOf(group);
  const step = ev.step;
  if (ev.changed) {
    const text =
      ev.bySources && step.kind === 'committed'
        ? `${group.name}: ${ev.health.reason} -> ${targets} ${step.to} (${delayName(step.to)} ${formatDuration(step.delay)})`
        : `${group.name}: ${ev.why} -> ${targets} ${ev.decision}`;
    lines.push({ severity: 'notice', text });
    return lines;
  }
  // Under a hold or damping, what the debounce does changes nothing yet: say it quietly.
  const severity: Severity = ev.bySources ? 'info' : 'debug';
  switch (step.kind) {
    case 'started': {
      const { target, due, since } = step.pending;
      lines.push({
        severity,
        text: `${group.name}: ${ev.health.reason}; ${targets} go ${target} in ${formatDuration(due - since)} unless that changes (${delayName(target)})`,
      });
      break;
    }
    case 'swallowed':
      lines.push({
        severity,
        text: `${group.name}: ${ev.health.reason} again after ${formatDuration(step.after)}: flap ignored, ${targets} stay ${ev.decision} (${delayName(step.target)} ${formatDuration(delayFor(step.target, group.delays))})`,
      });
      break;
    case 'waiting':
    case 'steady':
      if (ev.sourceChanges.length > 0) {
        lines.push({ severity: 'debug', text: `${group.name}: ${ev.health.reason}; ${targets} stay ${ev.decision} (${ev.why})` });
      }
      break;
    case 'committed':
      lines.push({ severity: 'debug', text: `${group.name}: sources say ${step.to}, but ${ev.why}` });
      break;
  }
  return lines;
}

/**
 * An interface's change is told by the decision it causes (at -v, this line). A route,
 * address or ping source turning healthy or unhealthy is told at notice, with its evidence,
 * even when the policy keeps the decision:
 *   uplink: ping 192.0.2.1 dev eth0: 3 answers missed -> unhealthy (last reply 12:03:04.512, ...)
 */
const describeSourceChange =
  (group: GroupSpec) =>
  (c: SourceChange): LogLine => {
    if (c.kind === 'interface' || c.before.healthy === c.after.healthy) {
      return { severity: 'debug', text: `${group.name}: source ${c.name}: ${c.before.reason} -> ${c.after.reason}` };
    }
    const evidence = c.after.evidence === undefined ? '' : ` (${c.after.evidence})`;
    return { severity: 'notice', text: `${group.name}: ${c.name}: ${c.after.reason} -> ${c.after.healthy ? 'healthy' : 'unhealthy'}${evidence}` };
  };

/** The first decision, taken from the state found at start, without any delay. */
export function describeStart(group: GroupSpec, decision: Decision, why: string): LogLine {
  return {
    severity: 'notice',
    text: `${group.name}: at start ${why} -> ${targetsOf(group)} ${decision} (delays apply from now on)`,
  };
}

/** A group that waits for its ping sources' first verdicts before it touches its destinations. */
export function describeWait(group: GroupSpec, why: string): LogLine {
  return { severity: 'notice', text: `${group.name}: at start ${why}` };
}

/** The first decision of a group that waited: "uplink: first verdicts in: all sources are healthy -> destinations m0 up". */
export function describeClaim(group: GroupSpec, decision: Decision, why: string): LogLine {
  return { severity: 'notice', text: `${group.name}: first verdicts in: ${why} -> ${targetsOf(group)} ${decision} (delays apply from now on)` };
}
