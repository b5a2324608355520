/**
 * The real decision core behind the model's small interface. This is the ONLY file of
 * the model test that imports from src/. It drives src/core/groups.ts, where every
 * decision is made, exactly as the daemon does, with a virtual clock in place of the
 * real timers: a source change goes to sourcesChanged, hold and release to the groups,
 * a reload replaces the groups and evaluates them all, and the groups' own timers
 * (delays, holds, damping) fire when the clock passes them.
 */
import type { Scheduler, Timer } from '../../src/core/clock.js';
import type { Group } from '../../src/core/group.js';
import { Groups } from '../../src/core/groups.js';
import { LinkTable } from '../../src/core/link-table.js';
import type { GroupSpec } from '../../src/core/spec.js';
import { ifIndex, type LinkState, type OperState } from '../../src/core/types.js';
import { wantedState } from '../../src/core/wanted.js';
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

/** Timers on a clock that moves only when told: due times, fired in order. */
class VirtualClock implements Scheduler {
  private time: Millis = 0;
  private seq = 0;
  private readonly pending = new Map<number, { readonly due: Millis; readonly call: () => void }>();

  now(): Millis {
    return this.time;
  }

  after(delay: Millis, call: () => void): Timer {
    // A timer due now would have the daemon evaluate again at once, for ever.
    if (delay <= 0) throw new Error(`core asks to be evaluated at ${this.time + delay}, not after now (${this.time})`);
    const id = this.seq++;
    this.pending.set(id, { due: this.time + delay, call });
    return { cancel: () => this.pending.delete(id) };
  }

  /** Fires every timer due by `to`, each at its own instant, earliest (then oldest) first. */
  advance(to: Millis): void {
    for (;;) {
      let next: [number, { due: Millis; call: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].due <= to && (next === undefined || entry[1].due < next[1].due)) next = entry;
      if (next === undefined) break;
      this.pending.delete(next[0]);
      this.time = Math.max(this.time, next[1].due);
      next[1].call();
    }
    this.time = Math.max(this.time, to);
  }
}

export class RealCore implements DecisionSystem {
  private readonly clock = new VirtualClock();
  private readonly table = new LinkTable();
  private nextIndex = 1;
  private readonly groups: Groups;

  constructor(scenario: Scenario) {
    for (const [name, cond] of scenario.links) if (cond !== 'missing') this.table.upsert(this.linkState(name, cond));
    this.groups = new Groups(this.table, this.clock, scenario.startupHold, () => undefined);
    this.groups.start(scenario.groups.map(toSpec));
  }

  apply(step: Step): void {
    switch (step.kind) {
      case 'link':
        return this.linkChanged(step.name, step.to);
      case 'advance':
        return this.clock.advance(step.to);
      case 'hold':
        // The daemon refuses a hold of a group it does not have, and the release of a
        // group that is not held: nothing happens.
        if (this.has(step.group)) this.groups.hold(step.group, step.decision);
        return;
      case 'release':
        if (this.has(step.group, (g) => g.held !== undefined)) this.groups.release(step.group);
        return;
      case 'reload':
        this.groups.replace(step.groups.map(toSpec));
        this.groups.evaluateAll();
        return;
    }
  }

  groupDecisions(): ReadonlyMap<string, Decision> {
    return new Map(this.groups.all.map((g) => [g.spec.name, g.decision]));
  }

  destinations(): ReadonlyMap<string, Decision> {
    const wanted = new Map<string, Decision>();
    for (const action of ACTIONS) {
      const mine = this.groups.all.filter((g) => g.spec.action.kind === action);
      for (const name of new Set(mine.flatMap((g) => g.spec.destinations))) {
        const w = wantedState(name, action, this.groups.all, this.clock.now());
        if (w !== undefined) wanted.set(destinationKey(action, name), w.decision);
      }
    }
    return wanted;
  }

  private has(name: string, and: (g: Group) => boolean = () => true): boolean {
    return this.groups.all.some((g) => g.spec.name === name && and(g));
  }

  private linkState(name: string, cond: Exclude<LinkCond, 'missing'>, index = this.nextIndex++): LinkState {
    return { index: ifIndex(index), name, protoDown: false, ...KERNEL[cond] };
  }

  /** As link-sync and the daemon: only a real change of a watched source evaluates. */
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
    this.groups.sourcesChanged([name]);
  }
}
