import type { DampingSpec } from './spec.js';
import type { Millis } from './types.js';

/**
 * Flap damping as switches' IP event dampening does it: every flap adds a penalty
 * that halves every half-life; at the suppress threshold the group is held down
 * until the penalty has decayed to the reuse threshold. The penalty is capped so
 * that no suppression outlasts max-suppress.
 */
export interface DampingState {
  readonly penalty: number;
  /** When `penalty` was last brought up to date. */
  readonly at: Millis;
  readonly suppressed: boolean;
}

export const initialDamping = (now: Millis): DampingState => ({ penalty: 0, at: now, suppressed: false });

export function decayed(state: DampingState, spec: DampingSpec, now: Millis): number {
  return state.penalty * 2 ** (-(now - state.at) / spec.halfLife);
}

/** The penalty that decays to the reuse threshold in exactly max-suppress. */
export const ceiling = (spec: DampingSpec): number => spec.reuse * 2 ** (spec.maxSuppress / spec.halfLife);

export function flap(state: DampingState, spec: DampingSpec, now: Millis): DampingState {
  // Settled first: a suppression that ran out while nothing evaluated the group (under a
  // hold) is over, and this flap alone must reach the suppress threshold to start another.
  const settled = settle(state, spec, now);
  const penalty = Math.min(settled.penalty + spec.penalty, ceiling(spec));
  return { penalty, at: now, suppressed: settled.suppressed || penalty >= spec.suppress };
}

/** Decays the penalty to `now` and lifts a suppression that has run its course. */
export function settle(state: DampingState, spec: DampingSpec, now: Millis): DampingState {
  const penalty = decayed(state, spec, now);
  return { penalty, at: now, suppressed: state.suppressed && penalty > spec.reuse };
}

/** When a suppression ends, if nothing else flaps. */
export function releaseAt(state: DampingState, spec: DampingSpec): Millis {
  return state.at + Math.ceil(spec.halfLife * Math.log2(Math.max(state.penalty, spec.reuse) / spec.reuse));
}
