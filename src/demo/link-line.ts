import { parseIpTimestamp } from './clock.js';

/** One link notification as `ip -o -ts monitor link` prints it. */
export interface LinkLine {
  /** Wall-clock ms, from ip's own time stamp. */
  readonly t: number;
  readonly name: string;
  readonly deleted: boolean;
  /** IFF_UP: the admin state, what ifdepd changes on destinations. */
  readonly up: boolean;
  /** IFF_LOWER_UP: the carrier, what ifdepd watches on sources. */
  readonly lowerUp: boolean;
}

const LINE = /^\[([^\]]+)\]\s+(Deleted )?\d+: ([^:@\s]+)(?:@[^:\s]+)?: <([^>]*)>/;

/**
 * "[2026-11-22T01:16:44.299821] 3: up0@sw-up0: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu ..."
 * Lines of other shapes (ip's "Timestamp:" lines, addresses) give undefined.
 */
export function parseLinkLine(line: string): LinkLine | undefined {
  const m = LINE.exec(line);
  if (m === null) return undefined;
  const t = parseIpTimestamp(m[1]!);
  if (t === undefined) return undefined;
  const flags = m[4]!.split(',');
  return { t, name: m[3]!, deleted: m[2] !== undefined, up: flags.includes('UP'), lowerUp: flags.includes('LOWER_UP') };
}
