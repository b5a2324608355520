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
  const have = carrierOnly ? 'have carrier' : 'are healthy';
  // One pass, no entry arrays: this runs on every flap, mostly in V8's interpreter.
  let healthy = 0;
  let lost = '';
  sources.forEach((h, name) => {
    if (h.healthy) healthy += 1;
    else lost = lost === '' ? describeFailure(name, h.cause) : `${lost}, ${describeFailure(name, h.cause)}`;
  });
  const count = sources.size;
  // A glob may match fewer interfaces than `min N` needs, all of them healthy: not enough.
  const enough = policy.kind !== 'min' || healthy >= policy.count;
  if (healthy === count && count > 0 && enough) return { healthy: true, reason: `all sources ${have}` };
  const tally = `${healthy} of ${count} sources ${have}`;
  switch (policy.kind) {
    case 'all':
      return { healthy: false, reason: lost };
    case 'any':
      return healthy > 0 ? { healthy: true, reason: tally } : { healthy: false, reason: `no source ${carrierOnly ? 'has carrier' : 'is healthy'}: ${lost}` };
    case 'min':
      return healthy >= policy.count
        ? { healthy: true, reason: `${tally} (min ${policy.count})` }
        : { healthy: false, reason: `only ${tally}, ${policy.count} needed${lost === '' ? '' : `: ${lost}`}` };
  }
}
