/**
 * Which /metrics connections to keep when there are too many (http-server.ts).
 *
 * Anyone on the host may connect, and a connection that sends half a request costs its
 * sender nothing; refusing newcomers when full (Node's `server.maxConnections`) let 16 such
 * connections keep every real scrape out. The policy, instead:
 *
 * - a newcomer is always let in, up to `hard` connections: at the moment it connects
 *   nothing tells a scraper from an attacker, and refusing it is what the attack wants;
 * - beyond `soft`, the connections that have waited longest for a request (half-sent
 *   headers, or an idle keep-alive) are closed, oldest first, but only once they have
 *   waited `graceMs`: an honest client sends its request with the connection, so a fresh
 *   connection is never closed for being fresh, and a scraper that got in is answered;
 * - at `hard`, the longest waiting one goes whatever its age (memory and descriptors stay
 *   bounded; a real scrape then still survives `hard` newer arrivals before its request);
 * - a connection whose request is being answered is never closed: it ends by itself, in
 *   milliseconds (answers come from a copy).
 *
 * Time is passed in, so that the policy is tested without a clock.
 */
export interface SlotLimits {
  readonly soft: number;
  readonly hard: number;
  readonly graceMs: number;
}

export class ConnectionSlots<C> {
  /** Since when each connection waits for a request; undefined while one is answered. */
  private readonly waiting = new Map<C, number | undefined>();

  constructor(private readonly limits: SlotLimits) {}

  get size(): number {
    return this.waiting.size;
  }

  /** A new connection, in; the connections to close now (possibly the newcomer itself). */
  admit(conn: C, now: number): C[] {
    this.waiting.set(conn, now);
    const close = this.sweep(now);
    if (this.waiting.size > this.limits.hard) {
      // Every one left is fresh or busy: the longest waiting goes, the newcomer if all are busy.
      const victim = this.longestWaiting(now, 0) ?? conn;
      this.waiting.delete(victim);
      close.push(victim);
    }
    return close;
  }

  /** Its request is complete and being answered. */
  busy(conn: C): void {
    if (this.waiting.has(conn)) this.waiting.set(conn, undefined);
  }

  /** Its answer is written; it waits for another request (keep-alive). */
  idle(conn: C, now: number): void {
    if (this.waiting.has(conn)) this.waiting.set(conn, now);
  }

  /** It closed. */
  gone(conn: C): void {
    this.waiting.delete(conn);
  }

  /** Over `soft`: the connections that have waited `graceMs` or more, oldest first, to close (and forgotten). */
  sweep(now: number): C[] {
    const close: C[] = [];
    while (this.waiting.size > this.limits.soft) {
      const victim = this.longestWaiting(now, this.limits.graceMs);
      if (victim === undefined) break;
      this.waiting.delete(victim);
      close.push(victim);
    }
    return close;
  }

  /** The connection that has waited longest, if it has waited at least `minMs`. */
  private longestWaiting(now: number, minMs: number): C | undefined {
    let oldest: C | undefined;
    let since = Infinity;
    for (const [conn, at] of this.waiting) {
      if (at !== undefined && at < since && now - at >= minMs) {
        oldest = conn;
        since = at;
      }
    }
    return oldest;
  }
}
