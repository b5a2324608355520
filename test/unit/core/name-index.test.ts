import { describe, expect, it } from 'vitest';
import { destinationIndex, NameIndex, sourceIndex } from '../../../src/core/name-index.js';
import { Group } from '../../../src/core/group.js';
import { namePattern, type NamePattern } from '../../../src/core/patterns.js';
import type { GroupSpec } from '../../../src/core/spec.js';
import { link, table } from '../../support/links.js';

const links = table(link(2, 'em0'));

function group(name: string, destinations: string[], sources = ['em0']): Group {
  const spec: GroupSpec = {
    name,
    sources,
    destinations,
    policy: { kind: 'all' },
    delays: { down: 0, up: 0 },
    action: { kind: 'admin' },
    hooks: [],
  };
  return new Group(spec, links, 0);
}

/** A pattern that counts how often it is asked. */
function counted(text: string, calls: { n: number }): NamePattern {
  const p = namePattern(text);
  return { ...p, matches: (name) => (calls.n++, p.matches(name)) };
}

describe('NameIndex', () => {
  it('finds a literal name without comparing it with the other patterns', () => {
    const calls = { n: 0 };
    const names = Array.from({ length: 1024 }, (_, i) => `d${i}`);
    const g = group('big', names);
    const index = new NameIndex([g], () => names.map((n) => counted(n, calls)));
    expect(index.groupsOf('d1000')).toEqual([g]);
    expect(index.has('d5')).toBe(true);
    expect(index.has('x')).toBe(false);
    expect(index.namedBy('d7')).toEqual([g]);
    expect(calls.n).toBe(0);
  });

  it('tries globs, and gives each group once, in configuration order', () => {
    const a = group('a', ['vrrp.*', 'vrrp.51']);
    const b = group('b', ['vrrp.51']);
    const c = group('c', ['vrrp*']);
    const index = destinationIndex([c, a, b]);
    expect(index.groupsOf('vrrp.51')).toEqual([c, a, b]);
    expect(index.groupsOf('vrrp.52')).toEqual([c, a]);
    expect(index.groupsOf('eth0')).toEqual([]);
    expect(index.namedBy('vrrp.51')).toEqual([a, b]);
    expect(index.namedBy('vrrp.52')).toEqual([]);
  });

  it('is built once per list of groups, and a new list gets its own', () => {
    const list = [group('a', ['d0'])];
    expect(destinationIndex(list)).toBe(destinationIndex(list));
    expect(sourceIndex(list)).not.toBe(destinationIndex(list));
    const next = [group('a', ['d1'])];
    expect(destinationIndex(next).has('d0')).toBe(false);
    expect(destinationIndex(next).has('d1')).toBe(true);
  });

  it('indexes sources as sources', () => {
    const g = group('a', ['d0'], ['em0', 'bond*']);
    expect(sourceIndex([g]).groupsOf('em0')).toEqual([g]);
    expect(sourceIndex([g]).groupsOf('bond3')).toEqual([g]);
    expect(sourceIndex([g]).has('d0')).toBe(false);
  });
});
