import { isGlob, namePattern, overlap, type NamePattern } from '../core/patterns.js';
import type { ParsedGroup } from './settings.js';
import { sourceDevices } from '../core/sources/spec.js';

/**
 * Group A feeds group B when a destination of A can be a source of B: a chain, which is
 * allowed. A cycle would make groups hold each other down for ever. Two globs are compared
 * conservatively (see overlap()).
 */
export function findCycle(groups: readonly ParsedGroup[]): ParsedGroup[] | undefined {
  const feeds = feedGraph(groups);
  const state = new Map<number, 'visiting' | 'done'>();
  const path: number[] = [];
  const visit = (g: number): number[] | undefined => {
    if (state.get(g) === 'done') return undefined;
    if (state.get(g) === 'visiting') return path.slice(path.indexOf(g));
    state.set(g, 'visiting');
    path.push(g);
    for (const next of feeds[g]!) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(g, 'done');
    return undefined;
  };
  for (let g = 0; g < groups.length; g += 1) {
    const cycle = visit(g);
    if (cycle !== undefined) return cycle.map((i) => groups[i]!);
  }
  return undefined;
}

/**
 * For each group (by index), the groups it feeds, in file order. Each pattern is compiled
 * once and each distinct destination looked up once: plain names by a map, so the cost is
 * the number of names times the number of globs (both bounded, see limits.ts), not the
 * square of the number of names.
 */
function feedGraph(groups: readonly ParsedGroup[]): number[][] {
  const literalSources = new Map<string, number[]>();
  const globSources = new Map<string, { pattern: NamePattern; groups: number[] }>();
  groups.forEach((g, i) => {
    // A probe through an interface depends on it as a source does.
    for (const s of new Set([...g.sources, ...(g.otherSources ?? []).flatMap(sourceDevices)])) {
      const glob = globSources.get(s);
      if (!isGlob(s)) push(literalSources, s, i);
      else if (glob !== undefined) glob.groups.push(i);
      else globSources.set(s, { pattern: namePattern(s), groups: [i] });
    }
  });
  const globs = [...globSources.values()];
  const fedBy = new Map<string, readonly number[]>();
  const fed = (d: string): readonly number[] => {
    const known = fedBy.get(d);
    if (known !== undefined) return known;
    const found: number[] = [];
    const destination = namePattern(d);
    if (destination.literal) found.push(...(literalSources.get(d) ?? []));
    else for (const [name, owners] of literalSources) if (destination.matches(name)) found.push(...owners);
    for (const glob of globs) if (overlap(destination, glob.pattern)) found.push(...glob.groups);
    fedBy.set(d, found);
    return found;
  };
  return groups.map((g) => {
    const targets = new Set<number>();
    for (const d of g.destinations) for (const t of fed(d)) targets.add(t);
    return [...targets].sort((a, b) => a - b);
  });
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
