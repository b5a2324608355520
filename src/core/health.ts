import type { LinkState } from './types.js';

/** Whether one source counts as working, and in words an operator reads why not. */
export interface SourceHealth {
  readonly healthy: boolean;
  /** "has carrier", "no carrier", "missing"; for probes "present", "absent", "answers", "3 answers missed"... */
  readonly reason: string;
  /** A probe's last evidence: "since 12:03:04 via 192.0.2.1 dev eth0", "last reply 12:03:04.512, rtt 0.4 ms, ...". */
  readonly evidence?: string;
}

const HEALTHY: SourceHealth = { healthy: true, reason: 'has carrier' };

/**
 * A source is healthy when it exists, is admin up and has carrier.
 * Carrier means IFF_LOWER_UP and an operstate of UP, or UNKNOWN for the many
 * virtual devices (veth, macvlan, tun) that never report one. DORMANT,
 * LOWERLAYERDOWN, DOWN, TESTING and NOTPRESENT are not healthy: the link
 * cannot carry traffic yet, whatever the flags say.
 * A missing source is not healthy: the watchdog fails closed.
 */
export function sourceHealth(link: LinkState | undefined): SourceHealth {
  if (link === undefined) return { healthy: false, reason: 'missing' };
  if (!link.adminUp) return { healthy: false, reason: 'admin down' };
  if (!link.lowerUp) return { healthy: false, reason: 'no carrier' };
  if (link.operState !== 'up' && link.operState !== 'unknown') {
    return { healthy: false, reason: `operstate ${link.operState}` };
  }
  return HEALTHY;
}

/** "lost carrier", "went admin down": the verb phrase for a source that stopped being healthy. */
export function describeLoss(health: SourceHealth): string {
  switch (health.reason) {
    case 'no carrier':
      return 'lost carrier';
    case 'admin down':
      return 'went admin down';
    case 'missing':
      return 'is missing';
    case 'next hop down':
      return 'has no live next hop';
    case 'no verdict yet':
      return 'has no verdict yet';
    case 'dadfailed':
      return 'failed duplicate address detection';
    default:
      return `is ${health.reason}`;
  }
}

/** "em0 lost carrier", "ping 192.0.2.1 dev eth0: 3 answers missed": one failing source in words. */
export function describeFailure(name: string, health: SourceHealth): string {
  return health.reason.endsWith(' missed') ? `${name}: ${health.reason}` : `${name} ${describeLoss(health)}`;
}
