import type { Timer } from '../core/clock.js';
import type { DestinationStatus } from '../core/status.js';
import type { Decision, IfIndex, LinkState, Millis } from '../core/types.js';
import type { Wanted } from '../core/wanted.js';
import type { InterfaceAction } from './interface-action.js';
import { FailureRecord } from './failure.js';

/** The enforcer's memory of one destination name. */
export interface Slot {
  readonly name: string;
  /** The interface last seen under this name. */
  index?: IfIndex;
  seen: boolean;
  inFlight: boolean;
  /** Writes that failed since the last one that went through. */
  readonly failure: FailureRecord;
  retry?: Timer;
  /** ACKed, waiting for the kernel's notification that confirms it (the enforcer keeps the deadline). */
  awaiting?: { readonly decision: Decision; readonly index: IfIndex };
  /**
   * A write was ACKed but never confirmed, and the link is being read again: until
   * then the table's view of it may be stale (the kernel does not notify every
   * change, e.g. protodown on an interface that is admin down).
   */
  verifying: boolean;
  /** The state the kernel last confirmed under the decision of the time. */
  confirmed?: { readonly index: IfIndex; readonly decision: Decision };
  /** Dry-run: what was last said, so that it is said once. */
  announced?: string;
}

export const newSlot = (name: string): Slot => ({
  name,
  seen: false,
  inFlight: false,
  failure: new FailureRecord(),
  verifying: false,
});

export function clearSlotTimers(slot: Slot): void {
  slot.retry?.cancel();
  slot.retry = undefined;
  slot.awaiting = undefined;
}

/** One destination for `ifdepd status`: what it is, what is wanted, what is being done. */
export function slotStatus(slot: Slot, action: InterfaceAction, link: LinkState | undefined, wanted: Wanted | undefined, now: Millis): DestinationStatus {
  const activity = activityOf(slot);
  const failing = slot.failure.status(now);
  const others = link ? action.heldByOthers(link) : [];
  return {
    name: slot.name,
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

/** What is being done about a destination right now, for `ifdepd status`. */
export function activityOf(slot: Slot): string | undefined {
  if (slot.inFlight) return 'request in flight';
  if (slot.retry !== undefined) return `retrying after ${slot.failure.count} failure(s)`;
  if (slot.awaiting !== undefined) return 'awaiting kernel confirmation';
  if (slot.verifying) return 're-reading it from the kernel';
  return undefined;
}

/**
 * After a fault, nothing a callback left half-done may block the destination: a request
 * whose completion was lost would keep it "in flight" for ever. The next reconcile writes
 * again if needed (a write of the state it already has changes nothing).
 */
export function resetSlot(slot: Slot): void {
  clearSlotTimers(slot);
  slot.inFlight = false;
  slot.verifying = false;
  slot.announced = undefined;
}
