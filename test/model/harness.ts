import type { ReferenceModel } from './reference.js';
import { RealCore } from './real.js';
import { destinationKey, type Decision, type Millis, type Scenario, type Step, type Verdict } from './types.js';

/** What the invariants remember of a group between two observations. */
interface Track {
  decision: Decision;
  /** Some override (operator hold, start-up hold, possible suppression) was in force. */
  overridden: boolean;
  healthy: boolean;
  healthSince: Millis;
  /** When the sources alone last changed the decision. */
  lastBySources?: Millis;
}

/**
 * How often the model left a comparison open (kept small by a test), and what the
 * sequences covered: decision changes by the sources and by overrides, steps at which
 * a group was suppressed, held by an operator, or in the start-up hold.
 */
export const stats = { comparisons: 0, open: 0, bySources: 0, byOverrides: 0, suppressed: 0, held: 0, startup: 0 };

const accepts = (verdict: Verdict | undefined, actual: Decision | undefined): boolean =>
  verdict === actual || (verdict === 'either' && actual !== undefined);

/**
 * Drives the real core next to the model and checks, after every step, that
 *  1. they agree: every group's decision and every destination's wanted state;
 *  2. holds: under an operator hold a group's decision is the hold; during the start-up
 *     hold it is down unless an operator hold says up;
 *  3. delays: when the decision of a group changes while no override is in force, nor
 *     was at the previous step (hold, start-up hold, suppression), the change goes the
 *     way of the group's health, which has lasted at least the delay of that direction
 *     (the delay in force now), and it comes at least that delay after the previous
 *     change the sources made;
 *  4. a destination's wanted state changes only at a step where the decision of a group
 *     claiming it changed, or the set of groups claiming it changed (a reload).
 * Together, 3 and 4 say that no destination changes twice within its delays unless a
 * hold, the start-up hold or damping says so.
 * Clock advances stop at every instant where the model says a decision may change, so
 * the comparisons see every change, not only the state at the end of a long advance.
 */
export class Harness {
  readonly real: RealCore;
  private readonly tracks = new Map<string, Track>();
  private destinations: ReadonlyMap<string, Decision>;
  private claims: ReadonlyMap<string, string>;

  constructor(scenario: Scenario, model: ReferenceModel) {
    this.real = new RealCore(scenario);
    this.destinations = this.real.destinations();
    this.claims = this.claimsOf(model);
    this.check(model, 'start');
  }

  step(model: ReferenceModel, step: Step): void {
    model.apply(step);
    this.real.apply(step);
    this.check(model, describe(step));
  }

  advance(model: ReferenceModel, to: Millis): void {
    for (;;) {
      const next = model.boundaries().find((t) => t < to);
      if (next === undefined) break;
      this.step(model, { kind: 'advance', to: next });
    }
    this.step(model, { kind: 'advance', to });
  }

  private check(model: ReferenceModel, what: string): void {
    const at = `at ${model.clock} ms after ${what}`;
    this.agree(model, at);
    this.holdsRule(model, at);
    const changed = this.delaysRule(model, at);
    this.destinationsRule(model, changed, at);
  }

  private agree(model: ReferenceModel, at: string): void {
    const pairs: Array<[string, ReadonlyMap<string, Verdict>, ReadonlyMap<string, Decision>]> = [
      ['group', model.groupDecisions(), this.real.groupDecisions()],
      ['destination', model.destinations(), this.real.destinations()],
    ];
    for (const [kind, expected, actual] of pairs) {
      const names = new Set([...expected.keys(), ...actual.keys()]);
      for (const name of names) {
        stats.comparisons += 1;
        if (expected.get(name) === 'either') stats.open += 1;
        if (!accepts(expected.get(name), actual.get(name))) {
          throw new Error(`${at}: ${kind} ${name}: model says ${expected.get(name)}, core says ${actual.get(name)}`);
        }
      }
    }
  }

  private holdsRule(model: ReferenceModel, at: string): void {
    const decisions = this.real.groupDecisions();
    for (const [name, view] of model.views()) {
      const held = view.hold ?? (view.startupHold ? 'down' : undefined);
      if (held !== undefined && decisions.get(name) !== held) {
        throw new Error(`${at}: group ${name} is ${decisions.get(name)} under a hold ${held}`);
      }
    }
  }

  /** Returns the groups whose decision changed at this step. */
  private delaysRule(model: ReferenceModel, at: string): Set<string> {
    const now = model.clock;
    const decisions = this.real.groupDecisions();
    const changed = new Set<string>();
    const views = model.views();
    for (const name of this.tracks.keys()) if (!views.has(name)) this.tracks.delete(name);
    for (const [name, view] of views) {
      const decision = decisions.get(name)!;
      const overridden = view.hold !== undefined || view.startupHold || view.suppression !== 'no';
      if (view.suppression === 'yes') stats.suppressed += 1;
      if (view.hold !== undefined) stats.held += 1;
      if (view.startupHold) stats.startup += 1;
      const track = this.tracks.get(name);
      if (track === undefined) {
        this.tracks.set(name, { decision, overridden, healthy: view.healthy, healthSince: now });
        changed.add(name);
        continue;
      }
      if (view.healthy !== track.healthy) [track.healthy, track.healthSince] = [view.healthy, now];
      if (decision !== track.decision) {
        changed.add(name);
        if (!overridden && !track.overridden) {
          const delay = decision === 'up' ? view.conf.delays.up : view.conf.delays.down;
          const wanted = track.healthy ? 'up' : 'down';
          if (wanted !== decision || now - track.healthSince < delay) {
            throw new Error(`${at}: group ${name} went ${decision} with health ${wanted} since ${track.healthSince} (delay ${delay})`);
          }
          if (track.lastBySources !== undefined && now - track.lastBySources < delay) {
            throw new Error(`${at}: group ${name} went ${decision} ${now - track.lastBySources} ms after its last change (delay ${delay})`);
          }
          track.lastBySources = now;
          stats.bySources += 1;
        } else {
          stats.byOverrides += 1;
          delete track.lastBySources;
        }
      }
      [track.decision, track.overridden] = [decision, overridden];
    }
    return changed;
  }

  private destinationsRule(model: ReferenceModel, changedGroups: Set<string>, at: string): void {
    const now = this.real.destinations();
    const claims = this.claimsOf(model);
    for (const [key, decision] of now) {
      const before = this.destinations.get(key);
      if (before === undefined || before === decision || claims.get(key) !== this.claims.get(key)) continue;
      const claimers = claims.get(key)!.split(',');
      if (!claimers.some((g) => changedGroups.has(g))) {
        throw new Error(`${at}: destination ${key} went ${decision} though no group claiming it (${claimers.join(', ')}) changed`);
      }
    }
    this.destinations = now;
    this.claims = claims;
  }

  /** Destination key -> the groups claiming it, as one comparable string. */
  private claimsOf(model: ReferenceModel): ReadonlyMap<string, string> {
    const claims = new Map<string, string[]>();
    for (const [name, view] of model.views()) {
      for (const d of view.conf.destinations) {
        const key = destinationKey(view.conf.action, d);
        claims.set(key, [...(claims.get(key) ?? []), name]);
      }
    }
    return new Map([...claims].map(([k, v]) => [k, v.sort().join(',')]));
  }
}

function describe(step: Step): string {
  switch (step.kind) {
    case 'link':
      return `link ${step.name} ${step.to}`;
    case 'advance':
      return `advance to ${step.to}`;
    case 'hold':
      return `hold ${step.group} ${step.decision}`;
    case 'release':
      return `release ${step.group}`;
    case 'reload':
      return 'reload';
  }
}
