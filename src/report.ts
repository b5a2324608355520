import { delayFor } from './debounce.js';
import { formatDuration } from './duration.js';
import type { Severity } from './log.js';
import type { Evaluation } from './watchdog.js';
import type { Decision, GroupSpec } from './types.js';

export interface LogLine {
  readonly severity: Severity;
  readonly text: string;
}

const delayName = (d: Decision): string => (d === 'down' ? 'down-delay' : 'up-delay');

/**
 * What an evaluation means to an operator, one line per fact:
 *   default: em0 lost carrier -> destinations vrrp0,vrrp1 down (down-delay 0 ms)
 */
export function describeEvaluation(group: GroupSpec, ev: Evaluation): LogLine[] {
  const lines: LogLine[] = ev.sourceChanges.map((c) => ({
    severity: 'debug',
    text: `${group.name}: source ${c.name}: ${c.before.reason} -> ${c.after.reason}`,
  }));
  const dests = group.destinations.join(',');
  const step = ev.step;
  switch (step.kind) {
    case 'committed':
      lines.push({
        severity: 'notice',
        text: `${group.name}: ${ev.health.reason} -> destinations ${dests} ${step.to} (${delayName(step.to)} ${formatDuration(step.delay)})`,
      });
      break;
    case 'started': {
      const { target, due, since } = step.pending;
      lines.push({
        severity: 'info',
        text: `${group.name}: ${ev.health.reason}; destinations ${dests} go ${target} in ${formatDuration(due - since)} unless that changes (${delayName(target)})`,
      });
      break;
    }
    case 'swallowed':
      lines.push({
        severity: 'info',
        text: `${group.name}: ${ev.health.reason} again after ${formatDuration(step.after)}: flap ignored, destinations stay ${ev.decision} (${delayName(step.target)} ${formatDuration(delayFor(step.target, group.delays))})`,
      });
      break;
    case 'waiting':
    case 'steady':
      if (ev.sourceChanges.length > 0) {
        lines.push({ severity: 'debug', text: `${group.name}: ${ev.health.reason}; destinations stay ${ev.decision}` });
      }
      break;
  }
  return lines;
}

/** The first decision, taken from the state found at start, without any delay. */
export function describeStart(group: GroupSpec, decision: Decision, reason: string): LogLine {
  return {
    severity: 'notice',
    text: `${group.name}: at start ${reason} -> destinations ${group.destinations.join(',')} ${decision} (delays apply from now on)`,
  };
}
