import { initialDebounce, step, type Debounce, type Step } from './debounce.js';
import { sourceHealth, type SourceHealth } from './health.js';
import type { LinkLookup } from './links.js';
import { groupHealth, type GroupHealth } from './policy.js';
import type { Decision, GroupSpec, Millis } from './types.js';

/** One source whose health changed since the previous evaluation. */
export interface SourceChange {
  readonly name: string;
  readonly before: SourceHealth;
  readonly after: SourceHealth;
}

/** Everything one evaluation found: what the destinations should be, and why. */
export interface Evaluation {
  readonly decision: Decision;
  readonly health: GroupHealth;
  readonly sourceChanges: readonly SourceChange[];
  readonly step: Step;
  /** When the group must be evaluated again even if nothing changes (a delay expiring). */
  readonly due?: Millis;
}

const targetOf = (health: GroupHealth): Decision => (health.healthy ? 'up' : 'down');

/**
 * The pure core of one dependency group: given the interfaces the kernel reports and
 * the clock, it decides what every destination should be. It does no I/O; adapters
 * feed it the link table and the time and act on what it returns.
 */
export class GroupWatch {
  private sources: ReadonlyMap<string, SourceHealth>;
  private debounce: Debounce;

  constructor(
    readonly spec: GroupSpec,
    links: LinkLookup,
  ) {
    this.sources = this.readSources(links);
    this.debounce = initialDebounce(targetOf(groupHealth(this.sources)));
  }

  get decision(): Decision {
    return this.debounce.decision;
  }

  get sourceHealths(): ReadonlyMap<string, SourceHealth> {
    return this.sources;
  }

  get health(): GroupHealth {
    return groupHealth(this.sources);
  }

  get pending(): Debounce['pending'] {
    return this.debounce.pending;
  }

  evaluate(links: LinkLookup, now: Millis): Evaluation {
    const previous = this.sources;
    this.sources = this.readSources(links);
    const health = groupHealth(this.sources);
    const [next, taken] = step(this.debounce, targetOf(health), now, this.spec.delays);
    this.debounce = next;
    return {
      decision: next.decision,
      health,
      sourceChanges: diffSources(previous, this.sources),
      step: taken,
      ...(next.pending ? { due: next.pending.due } : {}),
    };
  }

  private readSources(links: LinkLookup): ReadonlyMap<string, SourceHealth> {
    return new Map(this.spec.sources.map((name) => [name, sourceHealth(links.byName(name))]));
  }
}

function diffSources(
  before: ReadonlyMap<string, SourceHealth>,
  after: ReadonlyMap<string, SourceHealth>,
): SourceChange[] {
  const changes: SourceChange[] = [];
  for (const [name, now] of after) {
    const was = before.get(name);
    if (was !== undefined && was.reason !== now.reason) changes.push({ name, before: was, after: now });
  }
  return changes;
}
