import { SourceSet } from './sources/source-set.js';
import { namePattern } from './patterns.js';
import type { GroupSpec } from './spec.js';

/**
 * Which interfaces the daemon must read and keep: the names the configuration spells out
 * (sources, the probes' devices, destinations), read one by one, or every interface,
 * dumped, when something can only be answered from all of them.
 */
export interface LinkWatch {
  /** Every literal name a group reads or writes. */
  readonly names: ReadonlySet<string>;
  /** Why every interface must be read and kept; absent when the names are enough. */
  readonly allBecause?: string;
  /**
   * Only globs need every interface: the groups that name theirs literally (and share no
   * destination with a glob) can decide before the dump (core/start-order.ts).
   */
  readonly onlyGlobs?: boolean;
}

/**
 * A glob can match any interface, one that appears later too; an atomic group's kernel
 * group number is chosen among groups no stranger is in (core/atomic.ts); a route or
 * address source reads the interface its next hop or address is on, whichever it is.
 */
export function linkWatchOf(groups: readonly GroupSpec[]): LinkWatch {
  const names = new Set<string>();
  let glob: string | undefined;
  let other: string | undefined;
  for (const spec of groups) {
    for (const p of [...new SourceSet(spec).watched, ...spec.destinations.map(namePattern)]) {
      if (p.literal) names.add(p.text);
      else glob ??= `group ${spec.name} matches ${p.text}`;
    }
    if (spec.atomic !== undefined) other ??= `group ${spec.name} is atomic`;
    if ((spec.otherSources ?? []).some((p) => p.kind === 'route' || p.kind === 'address')) other ??= `group ${spec.name} has route or address sources`;
  }
  const allBecause = other ?? glob;
  if (allBecause === undefined) return { names };
  return other === undefined ? { names, allBecause, onlyGlobs: true } : { names, allBecause };
}

/** What two configurations watch: the table keeps it while a reload moves from one to the other. */
export function unionOf(a: LinkWatch, b: LinkWatch): LinkWatch {
  const names = new Set([...a.names, ...b.names]);
  const allBecause = a.allBecause ?? b.allBecause;
  return allBecause === undefined ? { names } : { names, allBecause };
}

/** Whether every interface is read and kept. */
export const keepsAll = (watch: LinkWatch): boolean => watch.allBecause !== undefined;

/** Whether the table keeps an interface of this name. */
export const keeps = (watch: LinkWatch, name: string): boolean => keepsAll(watch) || watch.names.has(name);
