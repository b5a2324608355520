import type { IfIndex } from '../types.js';
import type { IpAddress } from './ip.js';

/** Why an address that is there cannot be used yet, or any more. */
export type AddressCondition = 'usable' | 'tentative' | 'dadfailed' | 'deprecated';

/** An address as the kernel reports it (RTM_NEWADDR). */
export interface AddressEntry {
  readonly index: IfIndex;
  readonly address: IpAddress;
  readonly length: number;
  /** RT_SCOPE_UNIVERSE (0) is global; link (253) and host (254) are not. */
  readonly scope: number;
  readonly condition: AddressCondition;
  /** Wall-clock time it was first seen (epoch ms). */
  readonly since: number;
}

export const SCOPE_GLOBAL = 0;

export interface AddressLookup {
  of(index: IfIndex): readonly AddressEntry[];
}

const keyOf = (a: AddressEntry): string => `${a.address.text}/${a.length}`;

/** Every interface's addresses as last reported by the kernel. */
export class AddressTable implements AddressLookup {
  private readonly byIndex = new Map<IfIndex, Map<string, AddressEntry>>();

  of(index: IfIndex): readonly AddressEntry[] {
    return [...(this.byIndex.get(index)?.values() ?? [])];
  }

  /** A change of flags (DAD done) keeps the time the address was first seen. */
  add(entry: AddressEntry): void {
    let list = this.byIndex.get(entry.index);
    if (list === undefined) this.byIndex.set(entry.index, (list = new Map()));
    const before = list.get(keyOf(entry));
    list.set(keyOf(entry), before === undefined ? entry : { ...entry, since: before.since });
  }

  delete(entry: AddressEntry): void {
    const list = this.byIndex.get(entry.index);
    list?.delete(keyOf(entry));
    if (list?.size === 0) this.byIndex.delete(entry.index);
  }

  replaceAll(entries: Iterable<AddressEntry>): void {
    const before = new Map([...this.byIndex].map(([i, m]) => [i, new Map(m)]));
    this.byIndex.clear();
    for (const e of entries) {
      const old = before.get(e.index)?.get(keyOf(e));
      this.add(old === undefined ? e : { ...e, since: old.since });
    }
  }
}
