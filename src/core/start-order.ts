import { SourceSet } from './sources/source-set.js';
import { namePattern, overlap, type NamePattern } from './patterns.js';
import type { GroupSpec } from './spec.js';

/** The groups that decide before the dump a glob needs, and the names read for them. */
export interface NamedFirst {
  readonly groups: readonly GroupSpec[];
  readonly names: ReadonlySet<string>;
}

const patternsOf = (spec: GroupSpec): NamePattern[] => [...new SourceSet(spec).watched, ...spec.destinations.map(namePattern)];

/**
 * A group can decide from its interfaces read by name, before the dump, when it names every
 * source and destination literally. Not when one of its destinations may be another
 * group's that waits for the dump: down wins across groups, and deciding without that
 * group could bring the interface up for the length of the dump. (Only globs may make
 * the dump needed here: an atomic group or a route source reads every link first.)
 */
export function namedFirst(specs: readonly GroupSpec[]): NamedFirst {
  const literal = (spec: GroupSpec) => patternsOf(spec).every((p) => p.literal);
  const late = new Set(specs.filter((s) => !literal(s)));
  // Waiting spreads through shared destinations: to a fixed point.
  for (let grew = true; grew; ) {
    grew = false;
    for (const spec of specs) {
      if (late.has(spec)) continue;
      const mine = spec.destinations.map(namePattern);
      const shares = [...late].some((other) => other.destinations.map(namePattern).some((p) => mine.some((m) => overlap(m, p))));
      if (shares) {
        late.add(spec);
        grew = true;
      }
    }
  }
  const groups = specs.filter((s) => !late.has(s));
  return { groups, names: new Set(groups.flatMap((s) => patternsOf(s).map((p) => p.text))) };
}
