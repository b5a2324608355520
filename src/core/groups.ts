import { destinationIndex, sourceIndex } from './name-index.js';
import type { Scheduler, Timer } from './clock.js';
import { Group, type Evaluation } from './group.js';
import type { LinkLookup } from './link-table.js';
import { NO_OTHER_SOURCES, type SourceView } from './sources/health.js';
import type { SourceSpec } from './sources/spec.js';
import type { GroupSpec } from './spec.js';
import type { Decision, Millis } from './types.js';

/** Told of every evaluation, changed or not: the daemon explains it and acts on a change. */
export type Decided = (group: Group, evaluation: Evaluation) => void;

/** What a reload did to the set of groups. */
export interface Regrouping {
  /** Groups new in this configuration, in its order. */
  readonly added: readonly Group[];
  /** Names of the groups the configuration no longer has. */
  readonly dropped: readonly string[];
}

/**
 * Every group of the configuration, and when each must be looked at again: where all
 * decisions are made. A group is evaluated when one of its sources changes, when its
 * pending change or hold falls due, on a hold or release, and after a re-read or reload.
 */
export class Groups {
  private list: Group[] = [];
  private readonly timers = new Map<string, Timer>();
  private closed = false;

  constructor(
    private readonly links: LinkLookup,
    private readonly scheduler: Scheduler,
    private readonly startupHoldUntil: Millis,
    private readonly decided: Decided,
    private readonly probes: SourceView = NO_OTHER_SOURCES,
  ) {}

  get all(): readonly Group[] {
    return this.list;
  }

  /**
   * The first decisions, from the state found at start, without delay; operator holds from
   * before a restart (by group name) apply to them. Holds for groups not in `specs` are ignored.
   */
  start(specs: readonly GroupSpec[], restoredHolds: ReadonlyMap<string, Decision> = new Map()): readonly Group[] {
    const now = this.scheduler.now();
    this.list = specs.map((spec) => new Group(spec, this.links, now, this.startupHoldUntil, this.probes));
    for (const g of this.list) {
      const held = restoredHolds.get(g.spec.name);
      if (held !== undefined) g.restoreHold(held);
    }
    for (const g of this.list) this.schedule(g, g.due(now));
    return this.list;
  }

  /** A reload: groups keep their state by name; the caller evaluates them afterwards. */
  replace(specs: readonly GroupSpec[]): Regrouping {
    const now = this.scheduler.now();
    const previous = new Map(this.list.map((g) => [g.spec.name, g]));
    const added: Group[] = [];
    const next = specs.map((spec) => {
      const watch = new Group(spec, this.links, now, this.startupHoldUntil, this.probes);
      const old = previous.get(spec.name);
      if (old !== undefined) watch.inherit(old, now);
      else added.push(watch);
      return watch;
    });
    const dropped = [...previous.keys()].filter((name) => !next.some((g) => g.spec.name === name));
    for (const name of dropped) this.cancel(name);
    this.list = next;
    return { added, dropped };
  }

  /** The groups watching any of these interface names look at their sources again. */
  sourcesChanged(names: Iterable<string>): void {
    const touched = new Set<Group>();
    const index = sourceIndex(this.list);
    for (const name of names) for (const g of index.groupsOf(name)) touched.add(g);
    for (const g of touched) this.evaluate(g);
  }

  /** The groups with a probe that `affected` picks look at their sources again. */
  otherSourcesChanged(affected: (name: string, probe: SourceSpec) => boolean): void {
    for (const g of this.list) if ([...g.sourceSet.probes].some(([name, probe]) => affected(name, probe))) this.evaluate(g);
  }

  evaluateAll(): void {
    for (const g of this.list) this.evaluate(g);
  }

  hold(name: string, decision: Decision): Group {
    const g = this.find(name);
    this.settle(g, g.hold(decision, this.links, this.scheduler.now()));
    return g;
  }

  release(name: string): Group {
    const g = this.find(name);
    if (g.held === undefined) throw new Error(`group ${name} is not held`);
    this.settle(g, g.release(this.links, this.scheduler.now()));
    return g;
  }

  /** The operator holds in force, by group name: what must survive a restart. */
  operatorHolds(): ReadonlyMap<string, Decision> {
    return new Map(this.list.flatMap((g) => (g.held === undefined ? [] : [[g.spec.name, g.held] as const])));
  }

  find(name: string): Group {
    const g = this.list.find((x) => x.spec.name === name);
    if (g === undefined) throw new Error(`no group named '${name}' (groups: ${this.list.map((x) => x.spec.name).join(', ')})`);
    return g;
  }

  /** Whether any group watches this interface name, as a source or a destination. */
  watches(name: string): boolean {
    return sourceIndex(this.list).has(name) || destinationIndex(this.list).has(name);
  }

  close(): void {
    this.closed = true;
    for (const name of [...this.timers.keys()]) this.cancel(name);
  }

  private evaluate(g: Group): void {
    this.settle(g, g.evaluate(this.links, this.scheduler.now()));
  }

  private settle(g: Group, evaluation: Evaluation): void {
    this.decided(g, evaluation);
    this.schedule(g, evaluation.due);
  }

  /** One timer per group, for the earliest moment its decision can change by itself. */
  private schedule(g: Group, due: Millis | undefined): void {
    const name = g.spec.name;
    this.cancel(name);
    if (due === undefined || this.closed) return;
    const timer = this.scheduler.after(Math.max(0, due - this.scheduler.now()), () => {
      this.timers.delete(name);
      if (this.list.includes(g)) this.evaluate(g);
    });
    this.timers.set(name, timer);
  }

  private cancel(name: string): void {
    this.timers.get(name)?.cancel();
    this.timers.delete(name);
  }
}
