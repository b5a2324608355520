import { LinkTable } from '../../src/core/link-table.js';
import { ifIndex, type LinkState, type OperState } from '../../src/core/types.js';

/** A link as the kernel would report it; healthy (admin up, carrier, operstate up) unless told otherwise. */
export function link(index: number, name: string, over: Partial<Omit<LinkState, 'index'>> = {}): LinkState {
  return { index: ifIndex(index), name, adminUp: true, lowerUp: true, operState: 'up' as OperState, protoDown: false, ...over };
}

export const noCarrier = { lowerUp: false, operState: 'lowerlayerdown' as OperState };

export function table(...links: LinkState[]): LinkTable {
  const t = new LinkTable();
  t.replaceAll(links);
  return t;
}
