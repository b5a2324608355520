import type { IfIndex, LinkState } from './types.js';

/** Read access to the kernel's interfaces as last seen, by name. */
export interface LinkLookup {
  byName(name: string): LinkState | undefined;
  get(index: IfIndex): LinkState | undefined;
  /** Every interface, for glob patterns. */
  all(): Iterable<LinkState>;
}

/**
 * The interfaces as last reported by the kernel, keyed by ifindex so that a rename
 * is seen as a rename: the old name stops existing and the new one appears.
 */
export class LinkTable implements LinkLookup {
  private readonly links = new Map<IfIndex, LinkState>();
  private readonly names = new Map<string, IfIndex>();

  get size(): number {
    return this.links.size;
  }

  get(index: IfIndex): LinkState | undefined {
    return this.links.get(index);
  }

  byName(name: string): LinkState | undefined {
    const index = this.names.get(name);
    return index === undefined ? undefined : this.links.get(index);
  }

  all(): IterableIterator<LinkState> {
    return this.links.values();
  }

  /** Records a link as the kernel now reports it; returns what it was before, if known. */
  upsert(link: LinkState): LinkState | undefined {
    const before = this.links.get(link.index);
    if (before !== undefined && before.name !== link.name) this.names.delete(before.name);
    const holder = this.names.get(link.name);
    // Another index still holding this name is stale (its rename or deletion was in a
    // lost or reordered message): only one interface can carry a name at a time.
    if (holder !== undefined && holder !== link.index) this.links.delete(holder);
    this.links.set(link.index, link);
    this.names.set(link.name, link.index);
    return before;
  }

  remove(index: IfIndex): LinkState | undefined {
    const before = this.links.get(index);
    if (before === undefined) return undefined;
    this.links.delete(index);
    if (this.names.get(before.name) === index) this.names.delete(before.name);
    return before;
  }

  /** Forgets every interface `kept` says no to (a reload stopped watching it). */
  retain(kept: (link: LinkState) => boolean): void {
    for (const link of [...this.links.values()]) if (!kept(link)) this.remove(link.index);
  }

  replaceAll(links: Iterable<LinkState>): void {
    this.links.clear();
    this.names.clear();
    for (const link of links) this.upsert(link);
  }
}
