import type { InterfaceActionKind } from './spec.js';
import type { Decision, Millis } from './types.js';
import type { Group } from './group.js';
import { destinationIndex, type NameIndex } from './name-index.js';
import type { NamePattern } from './patterns.js';

/** What one destination interface should be, and which groups say so. */
export interface Wanted {
  readonly decision: Decision;
  /** "em0 lost carrier", or "uplink: em0 lost carrier; lan: ..." when several groups claim it. */
  readonly because: string;
  /** The groups that say down. */
  readonly downBecause: readonly string[];
  /** Some group names it literally: when it is missing, it is waited for. */
  readonly named: boolean;
}

/**
 * Down wins: a destination in several groups (of the same action) is down if any of
 * them says down. Undefined when no group claims the interface: it is not ours.
 */
export function wantedState(
  name: string,
  action: InterfaceActionKind,
  groups: readonly Group[],
  now: Millis,
): Wanted | undefined {
  const index = destinationIndex(groups);
  const claiming: Group[] = [];
  const down: Group[] = [];
  for (const g of index.groupsOf(name)) {
    if (g.spec.action.kind !== action || !g.claims) continue;
    claiming.push(g);
    if (g.decision === 'down') down.push(g);
  }
  if (claiming.length === 0) return undefined;
  return new WantedState(name, action, index, claiming, down, now);
}

/**
 * A class rather than an object literal with getters: a literal's accessors are defined
 * anew on every call (runtime calls, in code that runs once per decision and destination).
 */
class WantedState implements Wanted {
  readonly decision: Decision;
  readonly downBecause: readonly string[];

  constructor(
    private readonly name: string,
    private readonly action: InterfaceActionKind,
    private readonly index: NameIndex,
    private readonly claiming: readonly Group[],
    private readonly down: readonly Group[],
    private readonly now: Millis,
  ) {
    this.decision = down.length > 0 ? 'down' : 'up';
    this.downBecause = down.map((g) => g.spec.name);
  }

  /** Read only when a line says it: on a decision it is computed for every destination. */
  get because(): string {
    const deciding = this.down.length > 0 ? this.down : this.claiming;
    return deciding.length === 1 && this.claiming.length === 1
      ? deciding[0]!.why(this.now)
      : deciding.map((g) => `${g.spec.name}: ${g.why(this.now)}`).join('; ');
  }

  /** Read only when the interface is missing. */
  get named(): boolean {
    return this.index.namedBy(this.name).some((g) => g.spec.action.kind === this.action);
  }
}

/** Every interface name a group's destination patterns stand for: literals, and live matches of globs. */
export function destinationNames(
  groups: readonly Group[],
  action: InterfaceActionKind,
  liveNames: Iterable<string>,
): Set<string> {
  return namesOf(
    groups.filter((g) => g.spec.action.kind === action),
    liveNames,
  );
}

/** The same for one group, whatever its action (a track-file group has no destinations). */
export const groupDestinations = (g: Group, liveNames: Iterable<string>): Set<string> => namesOf([g], liveNames);

/** Live names are read only for globs: a list of plain names costs nothing per interface. */
function namesOf(groups: readonly Group[], liveNames: Iterable<string>): Set<string> {
  const names = new Set<string>();
  const globs: NamePattern[] = [];
  for (const g of groups) {
    for (const p of g.destinationPatterns) {
      if (p.literal) names.add(p.text);
      else globs.push(p);
    }
  }
  if (globs.length === 0) return names;
  for (const name of liveNames) if (globs.some((p) => p.matches(name))) names.add(name);
  return names;
}
