import { sameCause, type SourceCause } from './cause.js';
import type { LinkState } from './types.js';

/** Whether one source counts as working, and why (core/cause.ts says it in words). */
export interface SourceHealth {
  readonly healthy: boolean;
  readonly cause: SourceCause;
  /** A probe's last evidence: "since 12:03:04 via 192.0.2.1 dev eth0", "last reply 12:03:04.512, rtt 0.4 ms, ...". */
  readonly evidence?: string;
}

const HEALTHY: SourceHealth = { healthy: true, cause: { kind: 'carrier' } };

/**
 * A source is healthy when it exists, is admin up and has carrier.
 * Carrier means IFF_LOWER_UP and an operstate of UP, or UNKNOWN for the many
 * virtual devices (veth, macvlan, tun) that never report one. DORMANT,
 * LOWERLAYERDOWN, DOWN, TESTING and NOTPRESENT are not healthy: the link
 * cannot carry traffic yet, whatever the flags say.
 * A missing source is not healthy: the watchdog fails closed.
 */
export function sourceHealth(link: LinkState | undefined): SourceHealth {
  if (link === undefined) return { healthy: false, cause: { kind: 'missing' } };
  if (!link.adminUp) return { healthy: false, cause: { kind: 'admin-down' } };
  if (!link.lowerUp) return { healthy: false, cause: { kind: 'no-carrier' } };
  if (link.operState !== 'up' && link.operState !== 'unknown') {
    return { healthy: false, cause: { kind: 'operstate', state: link.operState } };
  }
  return HEALTHY;
}

/** Whether a source reads differently: its health or its cause changed (its evidence alone is no change). */
export function healthChanged(before: SourceHealth, after: SourceHealth): boolean {
  return before.healthy !== after.healthy || !sameCause(before.cause, after.cause);
}

/** Whether a change is a loss (a flap, for the metrics): healthy before, not now. */
export function isLoss(before: SourceHealth, after: SourceHealth): boolean {
  return before.healthy && !after.healthy;
}
