import type { Timer } from '../core/clock.js';
import type { DestinationStatus } from '../core/status.js';
import type { Decision, IfIndex, LinkState, Millis } from '../core/types.js';
import type { Wanted } from '../core/wanted.js';
import { activityOf, type Phase } from './destination-phase.js';
import { FailureRecord } from './failure.js';
import type { InterfaceAction } from './interface-action.js';

/**
 * What the enforcer knows of one destination name: its phase (destination-phase.ts), and
 * what outlives a phase: the interface last seen, failures, the last confirmed state.
 */
export class Destination {
  phase: Phase = { kind: 'idle' };
  /** The retry timer of the `retrying` phase; cancelled when the phase is left. */
  retryTimer?: Timer;
  /** The interface last seen under this name. */
  index?: IfIndex;
  /** Whether it was looked at once: its first sight (or absence) is said once. */
  seen = false;
  /** Writes that failed since the last one that went through. */
  readonly failure = new FailureRecord();
  /** The state the kernel last confirmed under the decision of the time. */
  confirmed?: { readonly index: IfIndex; readonly decision: Decision };
  /** Dry-run: what was last said, so that it is said once. */
  announced?: string;
  /** The last write sent and neither confirmed nor failed: its `destination` confirmed event says how long the kernel took. */
  written?: { readonly at: Millis; readonly decision: Decision };

  constructor(readonly name: string) {}
}

/** One destination for `ifdepd status`: what it is, what is wanted, what is being done. */
export function destinationStatus(
  dest: Destination,
  action: InterfaceAction,
  link: LinkState | undefined,
  wanted: Wanted | undefined,
  now: Millis,
): DestinationStatus {
  const activity = activityOf(dest.phase, dest.failure.count);
  const failing = dest.failure.status(now);
  const others = link ? action.heldByOthers(link) : [];
  return {
    name: dest.name,
    action: action.kind,
    ...(link ? { ifindex: link.index } : {}),
    state: link ? action.stateOf(link) : 'missing',
    wanted: wanted?.decision ?? 'up',
    downBecause: wanted?.downBecause ?? [],
    ...(activity ? { activity } : {}),
    ...(failing === undefined ? {} : { failing }),
    ...(others.length > 0 ? { protodownHeldBy: others } : {}),
  };
}
