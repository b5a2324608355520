import { describe, expect, it } from 'vitest';
import { ATOMIC_RANGE, AtomicConflict, atomicGroupOf, planAtomic } from '../../../src/core/atomic.js';
import type { LinkState } from '../../../src/core/types.js';
import { link } from '../../support/links.js';
import { atomicSpec } from '../../support/specs.js';


describe('planAtomic', () => {
  it('chooses the lowest free number of the range, in configuration order, and skips non-atomic groups', () => {
    const plan = planAtomic([atomicSpec('a', ['vrrp0']), atomicSpec('plain', ['x'], { atomic: undefined }), atomicSpec('b', ['vrrp1'])], []);
    expect(plan.map((g) => [g.name, g.number])).toEqual([
      ['a', ATOMIC_RANGE.first],
      ['b', ATOMIC_RANGE.first + 1],
    ]);
  });

  it('skips a number in use by an interface that is not a destination, and keeps one holding only its own', () => {
    const links = [link(5, 'lan0', { group: ATOMIC_RANGE.first }), link(6, 'vrrp0', { group: ATOMIC_RANGE.first + 1 })];
    const plan = planAtomic([atomicSpec('a', ['vrrp*'])], links);
    expect(plan[0]!.number).toBe(ATOMIC_RANGE.first + 1);
  });

  it('gives configured numbers first, so that a chosen one never takes them', () => {
    const plan = planAtomic([atomicSpec('auto', ['v0']), atomicSpec('fixed', ['v1'], { atomic: { group: ATOMIC_RANGE.first } })], []);
    expect(plan.map((g) => [g.name, g.number])).toEqual([
      ['auto', ATOMIC_RANGE.first + 1],
      ['fixed', ATOMIC_RANGE.first],
    ]);
  });

  it('refuses a configured number in use by an interface that is not a destination, naming it', () => {
    const links = [link(5, 'lan0', { group: 7 }), link(6, 'vrrp0', { group: 7 })];
    expect(() => planAtomic([atomicSpec('a', ['vrrp0'], { atomic: { group: 7 } })], links)).toThrow(
      new AtomicConflict('group a: atomic group 7 is in use by lan0, not destinations of this group'),
    );
    expect(planAtomic([atomicSpec('a', ['vrrp0', 'lan0'], { atomic: { group: 7 } })], links)[0]!.number).toBe(7);
  });

  it('refuses one number for two groups, and a range with no free number', () => {
    expect(() => planAtomic([atomicSpec('a', ['v0'], { atomic: { group: 7 } }), atomicSpec('b', ['v1'], { atomic: { group: 7 } })], [])).toThrow(
      /atomic group 7 is also another group's/,
    );
    const full: LinkState[] = [];
    for (let n: number = ATOMIC_RANGE.first; n <= ATOMIC_RANGE.last; n++) full.push(link(n, `x${n}`, { group: n }));
    expect(() => planAtomic([atomicSpec('a', ['v0'])], full)).toThrow(/no free kernel group between/);
  });
});

describe('planAtomic on reload', () => {
  it('keeps a group the number it had, rather than moving its members', () => {
    const before = planAtomic([atomicSpec('b', ['v1'], { atomic: { group: ATOMIC_RANGE.first + 5 } })], []);
    const kept = planAtomic([atomicSpec('b', ['v1'])], [], before.map((g) => ({ ...g, number: ATOMIC_RANGE.first + 5 })));
    expect(kept[0]!.number).toBe(ATOMIC_RANGE.first + 5);
  });
});

describe('atomicGroupOf', () => {
  it('puts an interface claimed by two atomic groups in the first one: a link has one kernel group', () => {
    const plan = planAtomic([atomicSpec('a', ['vrrp*']), atomicSpec('b', ['vrrp1'], { action: { kind: 'protodown' } })], []);
    expect(atomicGroupOf('vrrp1', plan)?.name).toBe('a');
    expect(atomicGroupOf('eth0', plan)).toBeUndefined();
  });
});
