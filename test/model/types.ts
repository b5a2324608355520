/**
 * The vocabulary shared by the reference model, the wrapper around the real core and
 * the commands. Deliberately defined here, not imported from src/: the model must not
 * lean on the code it checks, and src/ is about to move (only real.ts imports it).
 */

export type Decision = 'up' | 'down';

/** What the model allows: one decision, or either where floating point leaves it open. */
export type Verdict = Decision | 'either';

export type Millis = number;

export type PolicyConf = { readonly kind: 'all' } | { readonly kind: 'any' } | { readonly kind: 'min'; readonly count: number };

export interface DampingConf {
  readonly penalty: number;
  readonly halfLife: Millis;
  readonly suppress: number;
  readonly reuse: number;
  readonly maxSuppress: Millis;
}

export type ActionKind = 'admin' | 'protodown';

/** One dependency group, literal interface names only. */
export interface GroupConf {
  readonly name: string;
  readonly sources: readonly string[];
  readonly destinations: readonly string[];
  readonly policy: PolicyConf;
  readonly delays: { readonly down: Millis; readonly up: Millis };
  readonly damping?: DampingConf;
  readonly action: ActionKind;
}

/**
 * What the kernel says about one source, reduced to the cases that matter:
 * healthy ('up', or 'unknown' operstate of a virtual device) or not, and missing.
 */
export type LinkCond = 'up' | 'unknown' | 'nocarrier' | 'dormant' | 'admindown' | 'missing';

export const healthyCond = (c: LinkCond): boolean => c === 'up' || c === 'unknown';

/** How the daemon starts: the configuration, the start-up hold and the links it finds. */
export interface Scenario {
  readonly groups: readonly GroupConf[];
  readonly startupHold: Millis;
  readonly links: ReadonlyMap<string, LinkCond>;
}

/** One thing that happens to the daemon, with the clock already resolved to an instant. */
export type Step =
  | { readonly kind: 'link'; readonly name: string; readonly to: LinkCond }
  | { readonly kind: 'advance'; readonly to: Millis }
  | { readonly kind: 'hold'; readonly group: string; readonly decision: Decision }
  | { readonly kind: 'release'; readonly group: string }
  | { readonly kind: 'reload'; readonly groups: readonly GroupConf[] };

/** A destination is keyed by action and name: groups of different actions do not combine. */
export const destinationKey = (action: ActionKind, name: string): string => `${action}:${name}`;

/** The small interface both the reference model and the real core are driven through. */
export interface DecisionSystem {
  apply(step: Step): void;
  groupDecisions(): ReadonlyMap<string, Verdict>;
  destinations(): ReadonlyMap<string, Verdict>;
}
