import { describeLoss, type SourceHealth } from './health.js';

/** The verdict on a whole group of sources, with the words that explain it. */
export interface GroupHealth {
  readonly healthy: boolean;
  /** "em0 lost carrier, bge0 disappeared" or "all sources have carrier". */
  readonly reason: string;
}

/**
 * ifdepd's policy: the group is healthy only while every source is healthy.
 * One failing source is enough to take the destinations down, as with BSD ifdepd(8)
 * and keepalived's track_interface.
 */
export function groupHealth(sources: ReadonlyMap<string, SourceHealth>): GroupHealth {
  const failing = [...sources].filter(([, h]) => !h.healthy);
  if (failing.length === 0) return { healthy: true, reason: 'all sources have carrier' };
  return {
    healthy: false,
    reason: failing.map(([name, h]) => `${name} ${describeLoss(h)}`).join(', '),
  };
}
