import type { GroupSpec } from './spec.js';
import { initialDamping, flap, releaseAt, settle, type DampingState } from './damping.js';
import { delayFor, delayName, initialDebounce, step, type Debounce, type Pending, type Step } from './debounce.js';
import { formatDuration } from './duration.js';
import type { SourceHealth } from './health.js';
import type { LinkLookup } from './link-table.js';
import { namePattern, type NamePattern } from './patterns.js';
import { groupHealth, type GroupHealth } from './policy.js';
import { NO_PROBES, type ProbeView } from './probes/health.js';
import type { SourceKind } from './probes/spec.js';
import { SourceSet } from './sources.js';
import type { Decision, Millis } from './types.js';

/** One source whose health changed since the previous evaluation. */
export interface SourceChange {
  readonly name: string;
  readonly kind: SourceKind;
  readonly before: SourceHealth;
  readonly after: SourceHealth;
}

/** Everything one evaluation found: what the destinations should be, and why. */
export interface Evaluation {
  /** What the group's destinations are told, after holds and damping. */
  readonly decision: Decision;
  /** Why, in the operator's words. */
  readonly why: string;
  /** The decision differs from the one before this evaluation. */
  readonly changed: boolean;
  /** The cause is the debounce (sources and delays) rather than a hold or damping. */
  readonly bySources: boolean;
  readonly health: GroupHealth;
  readonly sourceChanges: readonly SourceChange[];
  readonly step: Step;
  /** When the group must be evaluated again even if nothing changes. */
  readonly due?: Millis;
}

/** What overrides the sources, strongest first. */
type Override = { readonly decision: Decision; readonly why: string; readonly until?: Millis };

export interface GroupCounters {
  transitions: number;
  /** Times the sources went from healthy to unhealthy, swallowed flaps included. */
  flaps: number;
  lastTransitionAt?: Millis;
}

const targetOf = (health: GroupHealth): Decision => (health.healthy ? 'up' : 'down');

/**
 * The pure core of one dependency group: given the interfaces the kernel reports and
 * the clock, it decides what every destination should be. Layers, weakest first:
 * the sources' health through the policy and the debounce, flap damping, the
 * start-up hold, and an operator's hold. It does no I/O.
 */
export class GroupWatch {
  readonly sourceSet: SourceSet;
  /** Every interface name a verdict of this group reads: sources and the probes' devices. */
  readonly sourcePatterns: readonly NamePattern[];
  readonly destinationPatterns: readonly NamePattern[];
  private sources: ReadonlyMap<string, SourceHealth>;
  private health: GroupHealth;
  private debounce: Debounce;
  private damping?: DampingState;
  private operatorHold?: Decision;
  /** The operator's hold was set before a restart and read back at start. */
  private holdRestored = false;
  private current: Decision;
  readonly counters: GroupCounters = { transitions: 0, flaps: 0 };

  constructor(
    readonly spec: GroupSpec,
    links: LinkLookup,
    now: Millis,
    private readonly startupHoldUntil: Millis = now,
    /** What the route, address and ping adapters last saw; read at every evaluation. */
    private readonly probes: ProbeView = NO_PROBES,
  ) {
    this.sourceSet = new SourceSet(spec);
    this.sourcePatterns = this.sourceSet.watched;
    this.destinationPatterns = spec.destinations.map(namePattern);
    this.sources = this.readSources(links);
    this.health = groupHealth(spec.policy, this.sources, this.sourceSet.carrierOnly);
    this.debounce = initialDebounce(targetOf(this.health));
    if (spec.damping) this.damping = initialDamping(now);
    this.current = this.override(now)?.decision ?? this.debounce.decision;
  }

  get decision(): Decision {
    return this.current;
  }

  get sourceHealths(): ReadonlyMap<string, SourceHealth> {
    return this.sources;
  }

  get groupHealth(): GroupHealth {
    return this.health;
  }

  get pending(): Pending | undefined {
    return this.debounce.pending;
  }

  get held(): Decision | undefined {
    return this.operatorHold;
  }

  get heldSinceRestart(): boolean {
    return this.holdRestored;
  }

  dampingState(now: Millis): DampingState | undefined {
    return this.damping && this.spec.damping ? settle(this.damping, this.spec.damping, now) : undefined;
  }

  /** Why the decision is what it is, right now. */
  why(now: Millis): string {
    const override = this.override(now);
    if (override !== undefined) return override.why;
    const pending = this.debounce.pending;
    if (pending === undefined) return this.health.reason;
    return `${this.health.reason}; ${pending.target} in ${formatDuration(Math.max(0, pending.due - now))} (${delayName(pending.target)})`;
  }

  startupHoldLeft(now: Millis): Millis {
    return Math.max(0, this.startupHoldUntil - now);
  }

  /**
   * Takes over the history of the group of the same name from before a reload. Its
   * penalty is brought up to `now` under the old half-life: a new one applies from now on.
   */
  inherit(previous: GroupWatch, now: Millis): void {
    this.debounce = previous.debounce;
    const damping = previous.dampingState(now);
    if (this.spec.damping && damping) this.damping = damping;
    this.operatorHold = previous.operatorHold;
    this.holdRestored = previous.holdRestored;
    Object.assign(this.counters, previous.counters);
    this.current = previous.current;
    this.refreshPending();
  }

  evaluate(links: LinkLookup, now: Millis): Evaluation {
    const previous = this.sources;
    const wasHealthy = this.health.healthy;
    this.sources = this.readSources(links);
    this.health = groupHealth(this.spec.policy, this.sources, this.sourceSet.carrierOnly);
    if (wasHealthy && !this.health.healthy) {
      this.counters.flaps += 1;
      if (this.damping && this.spec.damping) this.damping = flap(this.damping, this.spec.damping, now);
    }
    return this.decide(now, diffSources(previous, this.sources, this.sourceSet));
  }

  /** An operator's hold: the decision is `decision` until release(). */
  hold(decision: Decision, links: LinkLookup, now: Millis): Evaluation {
    this.operatorHold = decision;
    this.holdRestored = false;
    return this.evaluate(links, now);
  }

  /**
   * An operator's hold from before a restart, set before the first decision is acted on:
   * the destinations go straight to the held state, never through the sources' one.
   */
  restoreHold(decision: Decision): void {
    this.operatorHold = decision;
    this.holdRestored = true;
    this.current = decision;
  }

  release(links: LinkLookup, now: Millis): Evaluation {
    this.operatorHold = undefined;
    this.holdRestored = false;
    return this.evaluate(links, now);
  }

  private decide(now: Millis, sourceChanges: SourceChange[]): Evaluation {
    const [next, taken] = step(this.debounce, targetOf(this.health), now, this.spec.delays);
    this.debounce = next;
    if (this.damping && this.spec.damping) this.damping = settle(this.damping, this.spec.damping, now);
    const override = this.override(now);
    const decision = override?.decision ?? next.decision;
    const changed = decision !== this.current;
    if (changed) {
      this.current = decision;
      this.counters.transitions += 1;
      this.counters.lastTransitionAt = now;
    }
    const due = earliest(next.pending?.due, override?.until);
    return {
      decision,
      why: override?.why ?? this.health.reason,
      changed,
      bySources: override === undefined,
      health: this.health,
      sourceChanges,
      step: taken,
      ...(due !== undefined ? { due } : {}),
    };
  }

  /** After a reload the debounce may hold a pending change whose delay has since changed. */
  private refreshPending(): void {
    const pending = this.debounce.pending;
    if (pending === undefined) return;
    const due = pending.since + delayFor(pending.target, this.spec.delays);
    this.debounce = { decision: this.debounce.decision, pending: { ...pending, due } };
  }

  private override(now: Millis): Override | undefined {
    if (this.operatorHold !== undefined) return { decision: this.operatorHold, why: `held ${this.operatorHold} by operator` };
    if (now < this.startupHoldUntil) {
      return {
        decision: 'down',
        why: `start-up hold, ${formatDuration(this.startupHoldUntil - now)} left`,
        until: this.startupHoldUntil,
      };
    }
    const spec = this.spec.damping;
    const damping = this.damping && spec ? settle(this.damping, spec, now) : undefined;
    if (damping?.suppressed && spec) {
      const until = releaseAt(damping, spec);
      return {
        decision: 'down',
        why: `flap damping: penalty ${Math.round(damping.penalty)} (suppress ${spec.suppress}, reuse ${spec.reuse}), released in ${formatDuration(until - now)}`,
        until,
      };
    }
    return undefined;
  }

  /** The sources as they read now, without evaluating: for a probe's live evidence. */
  readNow(links: LinkLookup): ReadonlyMap<string, SourceHealth> {
    return this.readSources(links);
  }

  private readSources(links: LinkLookup): ReadonlyMap<string, SourceHealth> {
    return this.sourceSet.read(links, this.probes);
  }
}

function earliest(a: Millis | undefined, b: Millis | undefined): Millis | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function diffSources(
  before: ReadonlyMap<string, SourceHealth>,
  after: ReadonlyMap<string, SourceHealth>,
  set: SourceSet,
): SourceChange[] {
  const changes: SourceChange[] = [];
  for (const [name, now] of after) {
    const was = before.get(name);
    if (was !== undefined && was.reason !== now.reason) changes.push({ name, kind: set.kindOf(name), before: was, after: now });
  }
  return changes;
}
