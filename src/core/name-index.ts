import type { Group } from './group.js';
import type { NamePattern } from './patterns.js';

/**
 * Which groups name an interface, as a source or as a destination: literal names in a
 * map, globs tried in turn. One link event looks up one name; without this index it
 * compared the name with every pattern of every group (1,024 destinations: 1,024
 * comparisons per event, and per destination on a decision).
 */
export class NameIndex {
  private readonly literal = new Map<string, Group[]>();
  private readonly globs: Array<{ readonly group: Group; readonly pattern: NamePattern }> = [];
  private readonly order = new Map<Group, number>();
  /**
   * What groupsOf found for a name the globs had to be tried on: a decision of an atomic
   * group asks it for each destination several times (enforcer, confirmation, the group
   * switch's safety check). Groups and patterns never change in an index: only its size is bounded.
   */
  private readonly matched = new Map<string, readonly Group[]>();

  constructor(groups: readonly Group[], patternsOf: (g: Group) => readonly NamePattern[]) {
    groups.forEach((group, i) => {
      this.order.set(group, i);
      for (const pattern of patternsOf(group)) {
        if (!pattern.literal) {
          this.globs.push({ group, pattern });
          continue;
        }
        const claimants = this.literal.get(pattern.text);
        if (claimants === undefined) this.literal.set(pattern.text, [group]);
        else if (!claimants.includes(group)) claimants.push(group);
      }
    });
  }

  /** The groups that name it literally (it is waited for when missing). */
  namedBy(name: string): readonly Group[] {
    return this.literal.get(name) ?? [];
  }

  /** Whether any group names or matches it. */
  has(name: string): boolean {
    return this.literal.has(name) || this.globs.some((c) => c.pattern.matches(name));
  }

  /** The groups that name or match it, in configuration order. */
  groupsOf(name: string): readonly Group[] {
    const named = this.literal.get(name);
    if (this.globs.length === 0) return named ?? [];
    let found = this.matched.get(name);
    if (found === undefined) {
      found = this.match(name, named);
      if (this.matched.size >= MATCHED_NAMES_KEPT) this.matched.clear();
      this.matched.set(name, found);
    }
    return found;
  }

  private match(name: string, named: readonly Group[] | undefined): readonly Group[] {
    const found = new Set(named);
    for (const c of this.globs) if (c.pattern.matches(name)) found.add(c.group);
    if (found.size <= 1) return [...found];
    return [...found].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }
}

/** Far more names than a machine has interfaces: the memo is cleared only when names keep coming (interfaces created under new names). */
const MATCHED_NAMES_KEPT = 16384;

const sourceIndexes = new WeakMap<readonly Group[], NameIndex>();
const destinationIndexes = new WeakMap<readonly Group[], NameIndex>();

/**
 * The index of a list of groups, built once per list: the daemon's list is replaced as a
 * whole at start and on reload, and a group's patterns never change.
 */
function cached(cache: WeakMap<readonly Group[], NameIndex>, groups: readonly Group[], patternsOf: (g: Group) => readonly NamePattern[]): NameIndex {
  let index = cache.get(groups);
  if (index === undefined) {
    index = new NameIndex(groups, patternsOf);
    cache.set(groups, index);
  }
  return index;
}

export const sourceIndex = (groups: readonly Group[]): NameIndex => cached(sourceIndexes, groups, (g) => g.sourcePatterns);

export const destinationIndex = (groups: readonly Group[]): NameIndex =>
  cached(destinationIndexes, groups, (g) => g.destinationPatterns);
