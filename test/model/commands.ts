import fc from 'fast-check';
import type { Harness } from './harness.js';
import type { ReferenceModel } from './reference.js';
import type { DampingConf, Decision, GroupConf, LinkCond, Millis, PolicyConf, Scenario } from './types.js';

/**
 * The random command sequences of the model-based test. A handful of literal names,
 * shared between up to three groups so that down-wins and overlapping sources are
 * exercised; sources and destinations never overlap (the configuration refuses a
 * cycle, and the kernel's feedback from destinations to sources is not the core's).
 */
export const SOURCES = ['s0', 's1', 's2', 's3'] as const;
export const DESTINATIONS = ['d0', 'd1', 'd2'] as const;
export const GROUP_NAMES = ['g0', 'g1', 'g2'] as const;

// Healthy most of the time, so that failures are transitions rather than the norm.
const condArb: fc.Arbitrary<LinkCond> = fc.constantFrom<LinkCond>(
  'up', 'up', 'up', 'unknown', 'nocarrier', 'nocarrier', 'dormant', 'admindown', 'missing',
);

const policyArb = (sources: number): fc.Arbitrary<PolicyConf> =>
  fc.oneof(
    fc.constant<PolicyConf>({ kind: 'all' }),
    fc.constant<PolicyConf>({ kind: 'any' }),
    fc.integer({ min: 1, max: sources }).map((count): PolicyConf => ({ kind: 'min', count })),
  );

// Cisco's defaults often, and others; max-suppress at least twice the half-life keeps
// the cap (at least 4 x reuse) away from the suppress threshold.
const dampingArb: fc.Arbitrary<DampingConf> = fc
  .record({
    penalty: fc.constantFrom(1000, 1000, 700),
    halfLife: fc.constantFrom(5000, 1000, 2000),
    suppress: fc.constantFrom(2000, 2000, 1500, 2500),
    reuse: fc.constantFrom(1000, 750),
  })
  .chain((d) =>
    fc.constantFrom(20_000, 2 * d.halfLife, 3 * d.halfLife + 500).map((maxSuppress) => ({ ...d, maxSuppress: Math.max(maxSuppress, 2 * d.halfLife) })),
  );

export const groupArb = (name: string): fc.Arbitrary<GroupConf> =>
  fc
    .record({
      sources: fc.subarray([...SOURCES], { minLength: 1 }),
      destinations: fc.subarray([...DESTINATIONS], { minLength: 1 }),
      down: fc.constantFrom(0, 0, 100, 250, 1000, 2000),
      up: fc.constantFrom(0, 100, 1000, 2000, 2000, 5000),
      damping: fc.option(dampingArb, { freq: 2 }),
      action: fc.constantFrom('admin', 'admin', 'admin', 'protodown' as const),
    })
    .chain((g) =>
      policyArb(g.sources.length).map(
        (policy): GroupConf => ({
          name,
          sources: g.sources,
          destinations: g.destinations,
          policy,
          delays: { down: g.down, up: g.up },
          ...(g.damping ? { damping: g.damping } : {}),
          action: g.action,
        }),
      ),
    );

export const groupsArb: fc.Arbitrary<GroupConf[]> = fc
  .subarray([...GROUP_NAMES], { minLength: 1 })
  .chain((names) => fc.tuple(...names.map(groupArb)));

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  groups: groupsArb,
  startupHold: fc.constantFrom(0, 0, 0, 500, 1000, 3000),
  links: fc.tuple(...SOURCES.map(() => condArb)).map((conds) => new Map(SOURCES.map((s, i) => [s, conds[i]!]))),
});

type Cmd = fc.Command<ReferenceModel, Harness>;

class LinkCmd implements Cmd {
  constructor(readonly name: string, readonly to: LinkCond) {}
  check = (): boolean => true;
  run(model: ReferenceModel, h: Harness): void {
    h.step(model, { kind: 'link', name: this.name, to: this.to });
  }
  toString = (): string => `link ${this.name} ${this.to}`;
}

/** A source bounces `times` times: down and back up at the same instant, the fastest flaps there are. */
class BounceCmd implements Cmd {
  constructor(readonly name: string, readonly to: LinkCond, readonly times: number) {}
  check = (): boolean => true;
  run(model: ReferenceModel, h: Harness): void {
    for (let i = 0; i < this.times; i++) {
      h.step(model, { kind: 'link', name: this.name, to: this.to });
      h.step(model, { kind: 'link', name: this.name, to: 'up' });
    }
  }
  toString = (): string => `bounce ${this.name} ${this.to} x${this.times}`;
}

class AdvanceCmd implements Cmd {
  constructor(readonly ms: Millis) {}
  check = (): boolean => true;
  run(model: ReferenceModel, h: Harness): void {
    h.advance(model, model.clock + this.ms);
  }
  toString = (): string => `advance +${this.ms}`;
}

/** Lands on (or 1 ms either side of) an instant where a delay, a hold or a suppression ends. */
class BoundaryCmd implements Cmd {
  constructor(readonly pick: number, readonly offset: -1 | 0 | 1) {}
  check = (): boolean => true;
  run(model: ReferenceModel, h: Harness): void {
    const times = model.boundaries();
    if (times.length === 0) return;
    const at = times[this.pick % times.length]! + this.offset;
    h.advance(model, at > model.clock ? at : times[0]!);
  }
  toString = (): string => `to boundary #${this.pick}${this.offset === 0 ? '' : this.offset > 0 ? ' +1' : ' -1'}`;
}

class HoldCmd implements Cmd {
  constructor(readonly group: string, readonly decision: Decision) {}
  check = (): boolean => true;
  run(model: ReferenceModel, h: Harness): void {
    h.step(model, { kind: 'hold', group: this.group, decision: this.decision });
  }
  toString = (): string => `hold ${this.group} ${this.decision}`;
}

class ReleaseCmd implements Cmd {
  constructor(readonly group: string) {}
  check = (): boolean => true;
  run(model: ReferenceModel, h: Harness): void {
    h.step(model, { kind: 'release', group: this.group });
  }
  toString = (): string => `release ${this.group}`;
}

class ReloadCmd implements Cmd {
  constructor(readonly groups: readonly GroupConf[]) {}
  check = (): boolean => true;
  run(model: ReferenceModel, h: Harness): void {
    h.step(model, { kind: 'reload', groups: this.groups });
  }
  toString = (): string => `reload ${JSON.stringify(this.groups)}`;
}

const groupNameArb = fc.constantFrom(...GROUP_NAMES);

export const commandArbs: fc.Arbitrary<Cmd>[] = [
  fc.tuple(fc.constantFrom(...SOURCES), condArb).map(([n, c]) => new LinkCmd(n, c)),
  fc.tuple(fc.constantFrom(...SOURCES), condArb).map(([n, c]) => new LinkCmd(n, c)),
  fc.tuple(fc.constantFrom(...SOURCES), condArb).map(([n, c]) => new LinkCmd(n, c)),
  fc.tuple(fc.constantFrom(...SOURCES), condArb, fc.constantFrom(1, 1, 2, 6)).map(([n, c, k]) => new BounceCmd(n, c, k)),
  fc.integer({ min: 1, max: 60 }).map((ms) => new AdvanceCmd(ms)),
  fc.integer({ min: 100, max: 3000 }).map((ms) => new AdvanceCmd(ms)),
  fc.integer({ min: 5000, max: 60_000 }).map((ms) => new AdvanceCmd(ms)),
  fc.tuple(fc.nat(4), fc.constantFrom<-1 | 0 | 1>(0, 0, -1, 1)).map(([p, o]) => new BoundaryCmd(p, o)),
  fc.tuple(fc.nat(4), fc.constantFrom<-1 | 0 | 1>(0, 0, -1, 1)).map(([p, o]) => new BoundaryCmd(p, o)),
  fc.tuple(groupNameArb, fc.constantFrom<Decision>('up', 'down')).map(([g, d]) => new HoldCmd(g, d)),
  groupNameArb.map((g) => new ReleaseCmd(g)),
  groupsArb.map((gs) => new ReloadCmd(gs)),
];
