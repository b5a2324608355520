import type { GroupSpec } from './spec.js';
import { initialDamping, flap, releaseAt, settle, type DampingState } from './damping.js';
import { delayFor, delayName, initialDebounce, step, type Debounce, type Pending, type Step } from './debounce.js';
import { formatDuration } from './duration.js';
import { healthChanged, type SourceHealth } from './health.js';
import type { LinkLookup } from './link-table.js';
import { namePattern, type NamePattern } from './patterns.js';
import { groupHealth, type GroupHealth } from './policy.js';
import { NO_OTHER_SOURCES, type SourceView } from './sources/health.js';
import type { SourceKind } from './sources/spec.js';
import { SourceSet, type AwaitedVerdict } from './sources/source-set.js';
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
  /**
   * The group's first decision, taken once its ping sources' first verdicts came (or their
   * wait ended): from now on its destinations are its own, as every group's are from start.
   */
  readonly claimed: boolean;
  readonly health: GroupHealth;
  readonly sourceChanges: readonly SourceChange[];
  readonly step: Step;
  /** When the group must be evaluated again even if nothing changes. */
  readonly due?: Millis;
}

/** What overrides the sources, strongest first. `waiting`: the first verdicts of ping sources are awaited. */
type Override = { readonly decision: Decision; readonly why: string; readonly until?: Millis; readonly waiting?: true };

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
export class Group {
  readonly sourceSet: SourceSet;
  /** Every interface name a verdict of this group reads: sources and the probes' devices. */
  readonly sourcePatterns: readonly NamePattern[];
  readonly destinationPatterns: readonly NamePattern[];
  private sources: ReadonlyMap<string, SourceHealth>;
  /** Ping sources whose first verdict is awaited: they neither take the group down nor bring it up. */
  private awaited: readonly AwaitedVerdict[];
  private health: GroupHealth;
  private debounce: Debounce;
  private damping?: DampingState;
  private operatorHold?: Decision;
  /** The operator's hold was set before a restart and read back at start. */
  private holdRestored = false;
  private current: Decision;
  /**
   * Whether the destinations are the group's to set. A group that starts (or is added by a
   * reload) with ping sources awaiting their first verdict, and no other source failing,
   * leaves its destinations as they are until then: a restart must not bounce them.
   */
  private claiming = false;
  readonly counters: GroupCounters = { transitions: 0, flaps: 0 };

  constructor(
    readonly spec: GroupSpec,
    links: LinkLookup,
    now: Millis,
    private readonly startupHoldUntil: Millis = now,
    /** What the route, address and ping adapters last saw; read at every evaluation. */
    private readonly probes: SourceView = NO_OTHER_SOURCES,
  ) {
    this.sourceSet = new SourceSet(spec);
    this.sourcePatterns = this.sourceSet.watched;
    this.destinationPatterns = spec.destinations.map(namePattern);
    this.sources = this.readSources(links);
    this.awaited = this.sourceSet.awaited(probes, now);
    this.health = this.healthOf(this.sources, this.awaited);
    this.debounce = initialDebounce(targetOf(this.health));
    if (spec.damping) this.damping = initialDamping(now);
    // The wait keeps the decision it finds: here, the sources' own.
    this.current = this.debounce.decision;
    const override = this.override(now);
    this.current = override?.decision ?? this.current;
    this.claiming = override?.waiting !== true;
  }

  get decision(): Decision {
    return this.current;
  }

  /** Ping sources whose first verdict was still awaited at the last evaluation. */
  get awaitedVerdicts(): readonly AwaitedVerdict[] {
    return this.awaited;
  }

  /** False while the group waits for its ping sources' first verdicts and leaves its destinations alone. */
  get claims(): boolean {
    return this.claiming;
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

  /** When the decision may change by itself, with no source changing: a delay, a hold or a wait ending. */
  due(now: Millis): Millis | undefined {
    return earliest(this.debounce.pending?.due, this.override(now)?.until);
  }

  startupHoldLeft(now: Millis): Millis {
    return Math.max(0, this.startupHoldUntil - now);
  }

  /**
   * Takes over the history of the group of the same name from before a reload. Its
   * penalty is brought up to `now` under the old half-life: a new one applies from now on.
   */
  inherit(previous: Group, now: Millis): void {
    this.debounce = previous.debounce;
    const damping = previous.dampingState(now);
    if (this.spec.damping && damping) this.damping = damping;
    this.operatorHold = previous.operatorHold;
    this.holdRestored = previous.holdRestored;
    Object.assign(this.counters, previous.counters);
    this.current = previous.current;
    this.claiming = previous.claiming;
    this.refreshPending();
  }

  evaluate(links: LinkLookup, now: Millis): Evaluation {
    const previous = this.sources;
    const wasHealthy = this.health.healthy;
    // A first verdict that says unhealthy is where the group starts from, not a flap.
    const firstVerdicts = this.awaited.length > 0;
    this.sources = this.readSources(links);
    this.awaited = this.sourceSet.awaited(this.probes, now);
    this.health = this.healthOf(this.sources, this.awaited);
    if (wasHealthy && !this.health.healthy && !firstVerdicts) {
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
    this.claiming = true;
  }

  release(links: LinkLookup, now: Millis): Evaluation {
    this.operatorHold = undefined;
    this.holdRestored = false;
    return this.evaluate(links, now);
  }

  private decide(now: Millis, sourceChanges: SourceChange[]): Evaluation {
    // Indexed, not destructured: array destructuring walks an iterator in V8's interpreter.
    const stepped = step(this.debounce, targetOf(this.health), now, this.spec.delays);
    const next = stepped[0];
    const taken = stepped[1];
    this.debounce = next;
    if (this.damping && this.spec.damping) this.damping = settle(this.damping, this.spec.damping, now);
    const override = this.override(now);
    const decision = override?.decision ?? next.decision;
    const claimed = !this.claiming && override?.waiting !== true;
    if (claimed) this.claiming = true;
    // The first claim is a first decision, as at start: not a transition.
    const changed = decision !== this.current && !claimed;
    if (claimed) this.current = decision;
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
      claimed,
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
    return this.waitingFor(now);
  }

  /**
   * The weakest override: while ping sources await their first verdict and every other
   * source would let the group up, the decision stays what it is (down wins: a group
   * whose other sources fail goes down at once). It ends with the verdicts, or when the
   * first of them is overdue: then no verdict reads unhealthy.
   */
  private waitingFor(now: Millis): Override | undefined {
    if (this.awaited.length === 0 || !this.health.healthy) return undefined;
    const untils = this.awaited.map((a) => a.until);
    const names = this.awaited.map((a) => a.name).join(', ');
    const alone = this.claiming ? '' : '; destinations left as they are';
    const why = `waiting for the first verdict of ${names}, ${formatDuration(Math.max(...untils) - now)} at most${alone}`;
    // Looked at again when the first of them is overdue: it then reads unhealthy.
    return { decision: this.current, why, until: Math.min(...untils), waiting: true };
  }

  /** The policy over the sources, with awaited ping sources counted as healthy: they must not take the group down. */
  private healthOf(sources: ReadonlyMap<string, SourceHealth>, awaited: readonly AwaitedVerdict[]): GroupHealth {
    if (awaited.length === 0) return groupHealth(this.spec.policy, sources, this.sourceSet.carrierOnly);
    const hopeful = new Map(sources);
    for (const { name } of awaited) hopeful.set(name, { healthy: true, cause: { kind: 'no-verdict-yet' } });
    return groupHealth(this.spec.policy, hopeful, this.sourceSet.carrierOnly);
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
  after.forEach((now, name) => {
    const was = before.get(name);
    if (was !== undefined && healthChanged(was, now)) changes.push({ name, kind: set.kindOf(name), before: was, after: now });
  });
  return changes;
}
