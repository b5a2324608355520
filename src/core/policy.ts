import type { Policy } from './spec.js';
import { describeFailure } from './cause.js';
import type { SourceHealth } from './health.js';

/** The verdict on a whole group of sources, with the words that explain it. */
export interface GroupHealth {
  readonly healthy: boolean;
  /** "em0 lost carrier, bge0 is missing" or "all sources have carrier". */
  readonly reason: string;
}

/**
 * all: every source healthy (BSD ifdepd, keepalived track_interface);
 * any: one healthy source is enough (systemd-networkd BindCarrier=);
 * min N: N healthy sources (switches' N-of-M link-state tracking).
 */
export function groupHealth(policy: Policy, sources: ReadonlyMap<string, SourceHealth>, carrierOnly = true): GroupHealth {
  const [have, has] = carrierOnly ? ['have carrier', 'has carrier'] : ['are healthy', 'is healthy'];
  const all = [...sources];
  const failing = all.filter(([, h]) => !h.healthy);
  const lost = failing.map(([name, h]) => describeFailure(name, h.cause)).join(', ');
  const healthy = all.length - failing.length;
  // A glob may match fewer interfaces than `min N` needs, all of them healthy: not enough.
  const enough = policy.kind !== 'min' || healthy >= policy.count;
  if (failing.length === 0 && all.length > 0 && enough) return { healthy: true, reason: `all sources ${have}` };
  const tally = `${healthy} of ${all.length} sources ${have}`;
  switch (policy.kind) {
    case 'all':
      return { healthy: false, reason: lost };
    case 'any':
      return healthy > 0 ? { healthy: true, reason: tally } : { healthy: false, reason: `no source ${has}: ${lost}` };
    case 'min':
      return healthy >= policy.count
        ? { healthy: true, reason: `${tally} (min ${policy.count})` }
        : { healthy: false, reason: `only ${tally}, ${policy.count} needed${lost === '' ? '' : `: ${lost}`}` };
  }
}
