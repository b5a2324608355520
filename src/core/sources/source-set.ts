import { sourceHealth, type SourceHealth } from '../health.js';
import type { LinkLookup } from '../link-table.js';
import { namePattern, type NamePattern } from '../patterns.js';
import { specHealth, type SourceView } from './health.js';
import { firstVerdictDue } from './ping-state.js';
import { sourceDevices, sourceName, type SourceSpec, type SourceKind } from './spec.js';
import type { GroupSpec } from '../spec.js';
import type { Millis } from '../types.js';

/** A ping source whose first verdict is still awaited, and until when. */
export interface AwaitedVerdict {
  readonly name: string;
  readonly until: Millis;
}

/**
 * A group's sources as configured: interfaces by name or glob, and probes (routes,
 * addresses, pings) by their names. Reads the health of each from what the adapters saw.
 */
export class SourceSet {
  readonly interfaces: readonly NamePattern[];
  /** Probes by name, in configuration order. */
  readonly probes: ReadonlyMap<string, SourceSpec>;
  /** Every interface name a verdict reads: the sources, and the devices the probes name. */
  readonly watched: readonly NamePattern[];

  constructor(spec: GroupSpec) {
    this.interfaces = spec.sources.map(namePattern);
    this.probes = new Map((spec.otherSources ?? []).map((p) => [sourceName(p), p]));
    const devices = [...new Set([...this.probes.values()].flatMap(sourceDevices))].filter((d) => !spec.sources.includes(d));
    this.watched = [...this.interfaces, ...devices.map(namePattern)];
  }

  /** Whether only interfaces count: the words say "carrier" then. */
  get carrierOnly(): boolean {
    return this.probes.size === 0;
  }

  kindOf(name: string): SourceKind {
    return this.probes.get(name)?.kind ?? 'interface';
  }

  /** Literal interfaces by name; a glob stands for every interface it matches now; then each probe. */
  read(links: LinkLookup, view: SourceView): ReadonlyMap<string, SourceHealth> {
    const sources = new Map<string, SourceHealth>();
    for (const pattern of this.interfaces) {
      if (pattern.literal) {
        sources.set(pattern.text, sourceHealth(links.byName(pattern.text)));
        continue;
      }
      let matched = false;
      for (const link of links.all()) {
        if (!pattern.matches(link.name)) continue;
        matched = true;
        sources.set(link.name, sourceHealth(link));
      }
      if (!matched) sources.set(pattern.text, { healthy: false, cause: { kind: 'missing' } });
    }
    // Interfaces alone (the common case) skip the probes' loop: this runs on every flap.
    if (this.probes.size > 0) for (const [name, probe] of this.probes) sources.set(name, specHealth(probe, name, view, links));
    return sources;
  }

  /** The ping sources whose first verdict is still awaited at `now`. */
  awaited(view: SourceView, now: Millis): AwaitedVerdict[] {
    const awaited: AwaitedVerdict[] = [];
    if (this.probes.size === 0) return awaited;
    for (const [name, probe] of this.probes) {
      if (probe.kind !== 'ping') continue;
      const until = firstVerdictDue(probe, view.ping(name));
      if (until !== undefined && now < until) awaited.push({ name, until });
    }
    return awaited;
  }
}
