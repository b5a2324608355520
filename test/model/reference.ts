import { decayed, flapped, freshDamping, releaseWindow, released, suppression, type DampingTrack, type Tri } from './damping-model.js';
import {
  destinationKey,
  healthyCond,
  type Decision,
  type DecisionSystem,
  type GroupConf,
  type LinkCond,
  type Millis,
  type Scenario,
  type Step,
  type Verdict,
} from './types.js';

/**
 * The reference model of ifdepd's decisions, from ifdepd(8) and ifdepd.conf(5), event
 * by event on an integer millisecond clock. Per group it remembers only the group's
 * health and since when, the decision the delays have let through, an operator hold
 * and the flap damping. Everything else follows from the documented rules:
 *
 *  - health: all / any / min N of the sources healthy; a missing source is unhealthy;
 *  - delays: the decision becomes the health once the health has lasted, unbroken, for
 *    the delay of that direction (at since + delay exactly); the first decision, at
 *    start or when a reload adds a group, is the health at once;
 *  - a reload keeps a group's decision, hold and damping; a pending change keeps its
 *    start and takes the new delay; a health change caused by the reload itself (a new
 *    policy or source list) starts a new wait but is not a flap;
 *  - overrides, strongest first: operator hold, start-up hold (down while now < start +
 *    hold), damping suppression (down); the layers below keep running underneath;
 *  - down wins: a destination is down if any group of its action claiming it says down.
 */

interface Group {
  conf: GroupConf;
  healthy: boolean;
  healthSince: Millis;
  /** The decision the sources and delays have reached, before any override. */
  debounced: Decision;
  hold?: Decision;
  damping?: DampingTrack;
}

/** What the invariants need to know about a group, besides its decision. */
export interface GroupView {
  readonly conf: GroupConf;
  readonly healthy: boolean;
  readonly hold?: Decision;
  readonly startupHold: boolean;
  readonly suppression: Tri;
}

const decisionOf = (healthy: boolean): Decision => (healthy ? 'up' : 'down');

export class ReferenceModel implements DecisionSystem {
  private now: Millis = 0;
  private readonly links: Map<string, LinkCond>;
  private readonly startupUntil: Millis;
  private groups = new Map<string, Group>();

  constructor(scenario: Scenario) {
    this.links = new Map(scenario.links);
    this.startupUntil = scenario.startupHold;
    for (const conf of scenario.groups) this.groups.set(conf.name, this.newGroup(conf));
  }

  get clock(): Millis {
    return this.now;
  }

  apply(step: Step): void {
    if (step.kind === 'advance') this.now = Math.max(this.now, step.to);
    this.catchUp();
    if (step.kind === 'link') this.linkChanged(step.name, step.to);
    if (step.kind === 'hold') this.hold(step.group, step.decision);
    if (step.kind === 'release') this.release(step.group);
    if (step.kind === 'reload') this.reload(step.groups);
    this.catchUp();
  }

  groupDecisions(): ReadonlyMap<string, Verdict> {
    return new Map([...this.groups].map(([name, g]) => [name, this.verdict(g)]));
  }

  destinations(): ReadonlyMap<string, Verdict> {
    const claims = new Map<string, Verdict[]>();
    for (const g of this.groups.values()) {
      for (const name of g.conf.destinations) {
        const key = destinationKey(g.conf.action, name);
        claims.set(key, [...(claims.get(key) ?? []), this.verdict(g)]);
      }
    }
    const downWins = (vs: Verdict[]): Verdict => (vs.includes('down') ? 'down' : vs.includes('either') ? 'either' : 'up');
    return new Map([...claims].map(([key, vs]) => [key, downWins(vs)]));
  }

  views(): ReadonlyMap<string, GroupView> {
    return new Map(
      [...this.groups].map(([name, g]) => [
        name,
        {
          conf: g.conf,
          healthy: g.healthy,
          ...(g.hold ? { hold: g.hold } : {}),
          startupHold: this.now < this.startupUntil,
          suppression: this.suppressionOf(g),
        },
      ]),
    );
  }

  /** Future instants at which a decision may change by itself: where the clock must stop to compare. */
  boundaries(): Millis[] {
    const times: number[] = [this.startupUntil];
    for (const g of this.groups.values()) {
      if (decisionOf(g.healthy) !== g.debounced) times.push(g.healthSince + this.delay(g));
      if (g.damping && g.conf.damping && g.damping.may) {
        const [early, late] = releaseWindow(g.damping, g.conf.damping);
        times.push(Math.ceil(early), Math.ceil(late), Math.ceil(late) + 1);
      }
    }
    return [...new Set(times.filter((t) => t > this.now))].sort((a, b) => a - b);
  }

  private newGroup(conf: GroupConf): Group {
    const healthy = this.healthOf(conf);
    return {
      conf,
      healthy,
      healthSince: this.now,
      debounced: decisionOf(healthy),
      ...(conf.damping ? { damping: freshDamping(this.now) } : {}),
    };
  }

  private healthOf(conf: GroupConf): boolean {
    const healthy = conf.sources.filter((s) => healthyCond(this.links.get(s) ?? 'missing')).length;
    switch (conf.policy.kind) {
      case 'all':
        return healthy === conf.sources.length;
      case 'any':
        return healthy >= 1;
      case 'min':
        return healthy >= conf.policy.count;
    }
  }

  private delay(g: Group): Millis {
    return g.healthy ? g.conf.delays.up : g.conf.delays.down;
  }

  /** Lets through every change whose health has lasted its delay by now. */
  private catchUp(): void {
    for (const g of this.groups.values()) {
      if (decisionOf(g.healthy) !== g.debounced && this.now - g.healthSince >= this.delay(g)) g.debounced = decisionOf(g.healthy);
    }
  }

  private linkChanged(name: string, to: LinkCond): void {
    this.links.set(name, to);
    for (const g of this.groups.values()) {
      if (!g.conf.sources.includes(name)) continue;
      const healthy = this.healthOf(g.conf);
      if (healthy === g.healthy) continue;
      if (!healthy && g.damping && g.conf.damping) {
        g.damping = flapped(g.damping, g.conf.damping, this.now);
      }
      g.healthy = healthy;
      g.healthSince = this.now;
    }
  }

  private hold(name: string, decision: Decision): void {
    const g = this.groups.get(name);
    if (g === undefined) return;
    g.hold = decision;
  }

  private release(name: string): void {
    const g = this.groups.get(name);
    if (g?.hold === undefined) return;
    delete g.hold;
  }

  private reload(confs: readonly GroupConf[]): void {
    const next = new Map<string, Group>();
    for (const conf of confs) {
      const old = this.groups.get(conf.name);
      next.set(conf.name, old ? this.reloaded(old, conf) : this.newGroup(conf));
    }
    this.groups = next;
  }

  private reloaded(g: Group, conf: GroupConf): Group {
    const healthy = this.healthOf(conf);
    const damping = this.reloadDamping(g, conf);
    const { damping: _dropped, ...rest } = g;
    return {
      ...rest,
      conf,
      healthy,
      healthSince: healthy === g.healthy ? g.healthSince : this.now,
      ...(damping ? { damping } : {}),
    };
  }

  /** The penalty is kept when the group keeps damping: decayed under the old settings up to now. */
  private reloadDamping(g: Group, conf: GroupConf): DampingTrack | undefined {
    if (!conf.damping) return undefined;
    if (!g.damping || !g.conf.damping) return freshDamping(this.now);
    const [lo, hi] = decayed(g.damping, g.conf.damping, this.now);
    const old = released(g.damping, g.conf.damping, lo, hi, this.now);
    const settled = released(old, conf.damping, lo, hi, this.now);
    return { ...settled, exact: settled.exact && lo === hi };
  }

  private suppressionOf(g: Group): Tri {
    return g.damping && g.conf.damping ? suppression(g.damping, g.conf.damping, this.now) : 'no';
  }

  private verdict(g: Group): Verdict {
    if (g.hold) return g.hold;
    if (this.now < this.startupUntil) return 'down';
    const suppressed = this.suppressionOf(g);
    if (suppressed === 'yes') return 'down';
    if (suppressed === 'maybe' && g.debounced === 'up') return 'either';
    return g.debounced;
  }
}
