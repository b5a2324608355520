import { namePattern, type NamePattern } from './patterns.js';
import type { GroupSpec, InterfaceActionKind } from './spec.js';
import type { LinkState } from './types.js';

/**
 * Kernel interface groups (IFLA_GROUP) for `atomic` groups: ifdepd puts a group's
 * destinations in one kernel group and switches them with one request, which the
 * kernel applies to every member inside one rtnl critical section.
 */

/** The numbers ifdepd chooses from when the configuration names none (documented in ifdepd.conf(5)). */
export const ATOMIC_RANGE = { first: 64900, last: 64999 } as const;

/** The kernel's default group: an interface in no group. */
export const NO_GROUP = 0;

/** One atomic group as the kernel sees it: its number and which interfaces belong to it. */
export interface AtomicGroup {
  readonly name: string;
  readonly action: InterfaceActionKind;
  readonly number: number;
  readonly patterns: readonly NamePattern[];
}

/** Why the configuration cannot have its atomic groups here: exit EX_CONFIG at start, a refused reload later. */
export class AtomicConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AtomicConflict';
  }
}

/**
 * The kernel group of every atomic group, in configuration order. A number is refused if
 * an interface that is not one of the group's destinations is in it: ifdepd would switch
 * that interface too. A number is chosen as the lowest of ATOMIC_RANGE that no other atomic
 * group has and that holds nothing but this group's destinations (those left there by an
 * ifdepd killed with -9, for instance).
 */
export function planAtomic(
  specs: readonly GroupSpec[],
  links: readonly LinkState[],
  /** The numbers before a reload: a group keeps its own rather than moving its members. */
  before: readonly AtomicGroup[] = [],
): AtomicGroup[] {
  const planned: AtomicGroup[] = [];
  const taken = new Set<number>();
  const atomic = specs.filter((s) => s.atomic !== undefined && (s.action.kind === 'admin' || s.action.kind === 'protodown'));
  for (const spec of atomic.filter((s) => s.atomic?.group !== undefined)) {
    const number = spec.atomic!.group!;
    if (taken.has(number)) throw new AtomicConflict(`group ${spec.name}: atomic group ${number} is also another group's`);
    const strangers = strangersIn(number, spec, links);
    if (strangers.length > 0) {
      throw new AtomicConflict(`group ${spec.name}: atomic group ${number} is in use by ${strangers.join(',')}, not destinations of this group`);
    }
    taken.add(number);
    planned.push(atomicGroup(spec, number));
  }
  for (const spec of atomic.filter((s) => s.atomic?.group === undefined)) {
    const number = freeNumber(spec, links, taken, before.find((b) => b.name === spec.name)?.number);
    if (number === undefined) {
      throw new AtomicConflict(`group ${spec.name}: no free kernel group between ${ATOMIC_RANGE.first} and ${ATOMIC_RANGE.last}; set one with 'atomic group N'`);
    }
    taken.add(number);
    planned.push(atomicGroup(spec, number));
  }
  const order = new Map(specs.map((s, i) => [s.name, i]));
  return planned.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
}

/**
 * The atomic group an interface belongs to: the first in configuration order whose
 * destinations name it (an interface can be in one kernel group only).
 */
export function atomicGroupOf(name: string, groups: readonly AtomicGroup[]): AtomicGroup | undefined {
  return groups.find((g) => g.patterns.some((p) => p.matches(name)));
}

function atomicGroup(spec: GroupSpec, number: number): AtomicGroup {
  return { name: spec.name, action: spec.action.kind as InterfaceActionKind, number, patterns: spec.destinations.map(namePattern) };
}

function strangersIn(number: number, spec: GroupSpec, links: readonly LinkState[]): string[] {
  const patterns = spec.destinations.map(namePattern);
  return links.filter((l) => l.group === number && !patterns.some((p) => p.matches(l.name))).map((l) => l.name);
}

function freeNumber(spec: GroupSpec, links: readonly LinkState[], taken: ReadonlySet<number>, own?: number): number | undefined {
  const free = (n: number) => !taken.has(n) && strangersIn(n, spec, links).length === 0;
  if (own !== undefined && free(own)) return own;
  for (let n: number = ATOMIC_RANGE.first; n <= ATOMIC_RANGE.last; n++) if (free(n)) return n;
  return undefined;
}
