import type { Delays } from './spec.js';
import type { Decision, Millis } from './types.js';

/**
 * The debounce between what the sources say and what the destinations are told.
 * A wanted change becomes the decision only after it has been wanted without a
 * break for its delay; a flap shorter than the delay leaves no trace at all.
 */
export interface Debounce {
  readonly decision: Decision;
  readonly pending?: Pending;
}

/** A change that is wanted but has not lasted long enough yet. */
export interface Pending {
  readonly target: Decision;
  readonly since: Millis;
  readonly due: Millis;
}

export type Step =
  | { readonly kind: 'steady' }
  | { readonly kind: 'waiting'; readonly pending: Pending }
  | { readonly kind: 'started'; readonly pending: Pending }
  | { readonly kind: 'swallowed'; readonly target: Decision; readonly after: Millis }
  | { readonly kind: 'committed'; readonly to: Decision; readonly waited: Millis; readonly delay: Millis };

/** The setting that times a change towards `target`, by its name in the configuration. */
export type DelayName = 'down-delay' | 'up-delay';

export const delayName = (target: Decision): DelayName => (target === 'down' ? 'down-delay' : 'up-delay');

export function delayFor(target: Decision, delays: Delays): Millis {
  return target === 'down' ? delays.down : delays.up;
}

/** At start the decision is taken from the present state at once: no timer runs before it. */
export function initialDebounce(target: Decision): Debounce {
  return { decision: target };
}

export function step(state: Debounce, target: Decision, now: Millis, delays: Delays): [Debounce, Step] {
  const { decision, pending } = state;
  if (target === decision) {
    if (pending === undefined) return [state, { kind: 'steady' }];
    return [{ decision }, { kind: 'swallowed', target: pending.target, after: now - pending.since }];
  }
  const delay = delayFor(target, delays);
  const since = pending?.target === target ? pending.since : now;
  if (now - since >= delay) {
    return [{ decision: target }, { kind: 'committed', to: target, waited: now - since, delay }];
  }
  if (pending?.target === target) return [state, { kind: 'waiting', pending }];
  const started: Pending = { target, since, due: since + delay };
  return [{ decision, pending: started }, { kind: 'started', pending: started }];
}
