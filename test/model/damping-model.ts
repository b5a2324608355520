import type { DampingConf, Millis } from './types.js';

/**
 * Flap damping as ifdepd.conf(5) documents it, written from the manual:
 *   P = P * 2^(-t / half-life) + penalty, capped at reuse * 2^(max-suppress / half-life),
 *   suppressed from a flap that brings P to suppress until P has decayed to reuse.
 *
 * The penalty is kept as an interval [lo, hi] rather than a number, for two reasons:
 * the core's floating point may land on either side of a threshold that the exact
 * arithmetic hits on the nose (two flaps at one instant reach exactly 2000, a capped
 * penalty decays to exactly reuse after max-suppress). Suppression is a pair of flags: `must` (suppressed whichever way the rounding goes) and `may`.
 */
export interface DampingTrack {
  readonly lo: number;
  readonly hi: number;
  /** The instant lo and hi are as of: the last flap or reload. */
  readonly at: Millis;
  readonly must: boolean;
  readonly may: boolean;
  /**
   * lo === hi bit for bit as the core computes it: true from zero through flaps at a
   * single instant (no decay, no rounding), so that 1000 + 1000 >= 2000 is decided
   * exactly as the core decides it rather than left open.
   */
  readonly exact: boolean;
}

export type Tri = 'no' | 'maybe' | 'yes';

/** Relative tolerance for "exactly on a threshold": far below what a millisecond of decay changes. */
const EPS = 1e-9;
const above = (x: number, threshold: number): boolean => x > threshold * (1 + EPS);
const notBelow = (x: number, threshold: number): boolean => x >= threshold * (1 - EPS);

export const freshDamping = (now: Millis): DampingTrack => ({ lo: 0, hi: 0, at: now, must: false, may: false, exact: true });

export function decayed(d: DampingTrack, spec: DampingConf, now: Millis): [number, number] {
  const factor = 2 ** (-(now - d.at) / spec.halfLife);
  return [d.lo * factor, d.hi * factor];
}

/** The suppression as of `now`, the penalty decayed to `now` under `spec`. */
export function released(d: DampingTrack, spec: DampingConf, lo: number, hi: number, now: Millis): DampingTrack {
  const must = d.must && above(lo, spec.reuse);
  const may = d.may && notBelow(hi, spec.reuse);
  const exact = d.exact && (d.lo === 0 || now === d.at);
  return { lo, hi, at: now, must, may, exact };
}

/** A flap at `now`: the suppression first ends if P has decayed to reuse, then the penalty is added. */
export function flapped(d: DampingTrack, spec: DampingConf, now: Millis): DampingTrack {
  const [lo, hi] = decayed(d, spec, now);
  const settled = released(d, spec, lo, hi, now);
  const cap = spec.reuse * 2 ** (spec.maxSuppress / spec.halfLife);
  const nlo = Math.min(lo + spec.penalty, cap);
  const nhi = Math.min(hi + spec.penalty, cap);
  return {
    lo: nlo,
    hi: nhi,
    at: now,
    must: settled.must || above(nlo, spec.suppress) || (settled.exact && nlo >= spec.suppress),
    may: settled.may || notBelow(nhi, spec.suppress),
    exact: settled.exact && nlo < cap,
  };
}

/** Whether the group is suppressed at `now`. */
export function suppression(d: DampingTrack, spec: DampingConf, now: Millis): Tri {
  const [lo, hi] = decayed(d, spec, now);
  if (d.must && above(lo, spec.reuse)) return 'yes';
  if (d.may && notBelow(hi, spec.reuse)) return 'maybe';
  return 'no';
}

/** When the bounds decay to reuse: [earliest, latest] release instant, exact arithmetic. */
export function releaseWindow(d: DampingTrack, spec: DampingConf): [number, number] {
  const when = (p: number): number => (p <= spec.reuse ? d.at : d.at + spec.halfLife * Math.log2(p / spec.reuse));
  return [when(d.lo), when(d.hi)];
}
