import type { OperState } from './types.js';

/**
 * Why a source reads as it does, as a value: what decides (did it change? what does the
 * log say?) compares these, never their words. Healthy causes are here too: a source
 * going from "no carrier" to "has carrier" is a change like any other.
 */
export type SourceCause =
  /** An interface that exists, is admin up and has carrier. */
  | { readonly kind: 'carrier' }
  /** An interface (or an address source's device, or a glob matching none) that does not exist. */
  | { readonly kind: 'missing' }
  | { readonly kind: 'admin-down' }
  | { readonly kind: 'no-carrier' }
  /** IFF_LOWER_UP, but an operstate that cannot carry traffic: dormant, lowerlayerdown, down, testing... */
  | { readonly kind: 'operstate'; readonly state: OperState }
  | { readonly kind: 'route-present' }
  | { readonly kind: 'route-absent' }
  /** A fitting route whose next hops are all dead, linkdown or without carrier. */
  | { readonly kind: 'next-hop-down' }
  | { readonly kind: 'address-present' }
  | { readonly kind: 'address-absent' }
  /** Held, but not usable yet (DAD running) or any more. */
  | { readonly kind: 'address-tentative' }
  | { readonly kind: 'dadfailed' }
  | { readonly kind: 'address-deprecated' }
  | { readonly kind: 'answers' }
  /** The verdict of a ping source: `count` (its `down`) answers missed in a row. */
  | { readonly kind: 'answers-missed'; readonly count: number }
  /** A ping source whose probe has not given a verdict (or has not started). */
  | { readonly kind: 'no-verdict-yet' };

export type CauseKind = SourceCause['kind'];

/** Whether two causes are the same: the same kind and the same details. */
export function sameCause(a: SourceCause, b: SourceCause): boolean {
  switch (a.kind) {
    case 'operstate':
      return b.kind === 'operstate' && a.state === b.state;
    case 'answers-missed':
      return b.kind === 'answers-missed' && a.count === b.count;
    default:
      return a.kind === b.kind;
  }
}

/**
 * The cause in words, as status, logs and events say it: "has carrier", "no carrier",
 * "operstate dormant"; for route and address sources "present", "absent", "tentative";
 * for pings "answers", "3 answers missed". The one place these words are made.
 */
export function describeCause(c: SourceCause): string {
  switch (c.kind) {
    case 'carrier':
      return 'has carrier';
    case 'missing':
      return 'missing';
    case 'admin-down':
      return 'admin down';
    case 'no-carrier':
      return 'no carrier';
    case 'operstate':
      return `operstate ${c.state}`;
    case 'route-present':
    case 'address-present':
      return 'present';
    case 'route-absent':
    case 'address-absent':
      return 'absent';
    case 'next-hop-down':
      return 'next hop down';
    case 'address-tentative':
      return 'tentative';
    case 'dadfailed':
      return 'dadfailed';
    case 'address-deprecated':
      return 'deprecated';
    case 'answers':
      return 'answers';
    case 'answers-missed':
      return `${c.count} answers missed`;
    case 'no-verdict-yet':
      return 'no verdict yet';
  }
}

/** "lost carrier", "went admin down": the verb phrase for a source that stopped being healthy. */
export function describeLoss(c: SourceCause): string {
  switch (c.kind) {
    case 'no-carrier':
      return 'lost carrier';
    case 'admin-down':
      return 'went admin down';
    case 'missing':
      return 'is missing';
    case 'next-hop-down':
      return 'has no live next hop';
    case 'no-verdict-yet':
      return 'has no verdict yet';
    case 'dadfailed':
      return 'failed duplicate address detection';
    default:
      return `is ${describeCause(c)}`;
  }
}

/** "em0 lost carrier", "ping 192.0.2.1 dev eth0: 3 answers missed": one failing source in words. */
export function describeFailure(name: string, c: SourceCause): string {
  return c.kind === 'answers-missed' ? `${name}: ${describeCause(c)}` : `${name} ${describeLoss(c)}`;
}
