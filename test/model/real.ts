/**
 * The real decision core behind the model's small interface. This is the ONLY file of
 * the model test that imports from src/: when src/ moves, fix the imports here.
 * It drives the core the way src/daemon.ts does: a source change evaluates the groups
 * that watch it, a group is evaluated again when the clock reaches the `due` of its
 * last evaluation, hold/release evaluate the group, a reload builds new GroupWatches
 * that inherit the old ones and evaluates them all, and the start-up hold ends with an
 * evaluation at its end.
 */
import type { GroupSpec } from '../../src/config/model.js';
import { wantedState } from '../../src/destinations.js';
import { LinkTable } from '../../src/links.js';
import { ifIndex, type LinkState, type OperState } from '../../src/types.js';
import { GroupWatch, type Evaluation } from '../../src/watchdog.js';
import {
  destinationKey,
  type ActionKind,
  type Decision,
  type DecisionSystem,
  type GroupConf,
  type LinkCond,
  type Millis,
  type Scenario,
  type Step,
} from './types.js';

const ACTIONS: readonly ActionKind[] = ['admin', 'protodown'];

/** How each condition looks in the kernel's terms. */
const KERNEL: Record<Exclude<LinkCond, 'missing'>, { adminUp: boolean; lowerUp: boolean; operState: OperState }> = {
  up: { adminUp: true, lowerUp: true, operState: 'up' },
  unknown: { adminUp: true, lowerUp: true, operState: 'unknown' },
  nocarrier: { adminUp: true, lowerUp: false, operState: 'lowerlayerdown' },
  dormant: { adminUp: true, lowerUp: true, operState: 'dormant' },
  admindown: { adminUp: false, lowerUp: false, operState: 'down' },
};

export function toSpec(conf: GroupConf): GroupSpec {
  return {
    name: conf.name,
    sources: conf.sources,
    destinations: conf.destinations,
    policy: conf.policy,
    delays: conf.delays,
    ...(conf.damping ? { damping: conf.damping } : {}),
    action: { kind: conf.action },
    hooks: [],
  };
}

export class RealCore implements DecisionSystem {
  private now: Millis = 0;
  private readonly table = new LinkTable();
  private nextIndex = 1;
  private groups: GroupWatch[];
  /** The pending timer of each group, as the daemon's setTimeout would have it. */
  private readonly timers = new Map<string, Millis>();
  private readonly startupHoldUntil: Millis;

  constructor(scenario: Scenario) {
    for (const [name, cond] of scenario.links) if (cond !== 'missing') this.table.upsert(this.linkState(name, cond));
    this.startupHoldUntil = scenario.startupHold;
    this.groups = scenario.groups.map((c) => new GroupWatch(toSpec(c), this.table, 0, this.startupHoldUntil));
    for (const g of this.groups) if (g.startupHoldLeft(0) > 0) this.timers.set(g.spec.name, this.startupHoldUntil);
  }

  apply(step: Step): void {
    switch (step.kind) {
      case 'link':
        return this.linkChanged(step.name, step.to);
      case 'advance':
        return this.advance(step.to);
      case 'hold':
        return this.hold(step.group, step.decision);
      case 'release':
        return this.release(step.group);
      case 'reload':
        return this.reload(step.groups);
    }
  }

  groupDecisions(): ReadonlyMap<string, Decision> {
    return new Map(this.groups.map((g) => [g.spec.name, g.decision]));
  }

  destinations(): ReadonlyMap<string, Decision> {
    const wanted = new Map<string, Decision>();
    for (const action of ACTIONS) {
      const mine = this.groups.filter((g) => g.spec.action.kind === action);
      for (const name of new Set(mine.flatMap((g) => g.spec.destinations))) {
        const w = wantedState(name, action, this.groups, this.now);
        if (w !== undefined) wanted.set(destinationKey(action, name), w.decision);
      }
    }
    return wanted;
  }

  private linkState(name: string, cond: Exclude<LinkCond, 'missing'>, index = this.nextIndex++): LinkState {
    return { index: ifIndex(index), name, protoDown: false, ...KERNEL[cond] };
  }

  /** As the daemon's apply + react: only a real change of a watched source evaluates. */
  private linkChanged(name: string, to: LinkCond): void {
    const before = this.table.byName(name);
    if (to === 'missing') {
      if (before === undefined) return;
      this.table.remove(before.index);
    } else {
      const after = this.linkState(name, to, before?.index);
      if (before && before.adminUp === after.adminUp && before.lowerUp === after.lowerUp && before.operState === after.operState) return;
      this.table.upsert(after);
    }
    for (const g of this.groups) if (g.sourcePatterns.some((p) => p.matches(name))) this.evaluate(g);
  }

  /** Fires the groups' timers in the order they are due, each at its instant. */
  private advance(to: Millis): void {
    for (;;) {
      const next = this.groups
        .filter((g) => (this.timers.get(g.spec.name) ?? Infinity) <= to)
        .sort((a, b) => this.timers.get(a.spec.name)! - this.timers.get(b.spec.name)!)[0];
      if (next === undefined) break;
      this.now = Math.max(this.now, this.timers.get(next.spec.name)!);
      this.timers.delete(next.spec.name);
      this.evaluate(next);
    }
    this.now = Math.max(this.now, to);
  }

  private hold(name: string, decision: Decision): void {
    const g = this.groups.find((x) => x.spec.name === name);
    if (g) this.handle(g, g.hold(decision, this.table, this.now));
  }

  /** The daemon refuses to release a group that is not held: nothing happens. */
  private release(name: string): void {
    const g = this.groups.find((x) => x.spec.name === name);
    if (g?.held !== undefined) this.handle(g, g.release(this.table, this.now));
  }

  private reload(confs: readonly GroupConf[]): void {
    const previous = new Map(this.groups.map((g) => [g.spec.name, g]));
    this.groups = confs.map((conf) => {
      const watch = new GroupWatch(toSpec(conf), this.table, this.now, this.startupHoldUntil);
      const old = previous.get(conf.name);
      if (old !== undefined) watch.inherit(old);
      return watch;
    });
    for (const name of previous.keys()) if (!confs.some((c) => c.name === name)) this.timers.delete(name);
    for (const g of this.groups) this.evaluate(g);
  }

  private evaluate(g: GroupWatch): void {
    this.handle(g, g.evaluate(this.table, this.now));
  }

  private handle(g: GroupWatch, ev: Evaluation): void {
    // A due at or before now would have the daemon's timer fire again at once, for ever.
    if (ev.due !== undefined && ev.due <= this.now) throw new Error(`${g.spec.name}: core asks to be evaluated at ${ev.due}, not after now (${this.now})`);
    if (ev.due === undefined) this.timers.delete(g.spec.name);
    else this.timers.set(g.spec.name, ev.due);
  }
}
