import { formatDuration } from '../core/duration.js';
import { NO_EVENTS, type EventSink } from '../core/events.js';
import { nameList } from '../core/name-list.js';
import type { Logger } from '../logging/logger.js';
import type { Scheduler } from '../core/clock.js';
import type { Decision, Millis } from '../core/types.js';

/** One group's decision on its way to its destinations. */
interface Transition {
  readonly decision: Decision;
  readonly at: Millis;
  readonly waiting: Set<string>;
  readonly present: readonly string[];
  readonly missing: readonly string[];
  /** A decision the kernel already matched needs no confirmation line. */
  wrote: boolean;
}

/** A decision's writes and confirmations made before its expectation was set. */
export interface SentFirst {
  /** When the decision was handed to the enforcer. */
  readonly at: Millis;
  /** Destinations written. */
  readonly wrote: ReadonlySet<string>;
  /** Destinations found, or confirmed, as this decision wants them. */
  readonly confirmed: ReadonlySet<string>;
}

/**
 * Says, once per decision, how long the kernel took to confirm it on every
 * destination of the group: "uplink: vrrp0,vrrp1 down, confirmed by the kernel after 1.6 ms"
 * (a long list cut: "d0,...,d7 and 1016 more").
 */
export class Confirmations {
  private readonly open = new Map<string, Transition>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Pick<Scheduler, 'now'>,
    private readonly events: EventSink = NO_EVENTS,
  ) {}

  /** `sent`: the decision's writes went first; what they wrote and what was already as wanted then. */
  expect(group: string, decision: Decision, present: readonly string[], missing: readonly string[], sent?: SentFirst): void {
    const waiting = new Set(present);
    for (const name of sent?.confirmed ?? []) waiting.delete(name);
    if (waiting.size === 0) {
      this.open.delete(group);
      return;
    }
    const wrote = sent !== undefined && present.some((name) => sent.wrote.has(name));
    this.open.set(group, { decision, at: sent?.at ?? this.clock.now(), waiting, present, missing, wrote });
  }

  wrote(name: string): void {
    for (const t of this.open.values()) if (t.waiting.has(name)) t.wrote = true;
  }

  confirmed(name: string, decision: Decision): void {
    for (const [group, t] of this.open) {
      if (t.decision !== decision || !t.waiting.delete(name) || t.waiting.size > 0) continue;
      this.open.delete(group);
      if (!t.wrote) continue;
      const ms = this.clock.now() - t.at;
      this.log.info(
        `${group}: ${nameList(t.present)} ${t.decision}, confirmed by the kernel after ${formatDuration(ms)}` +
          (t.missing.length > 0 ? ` (${nameList(t.missing)} missing)` : ''),
      );
      this.events.emit({ kind: 'confirmed', group, decision: t.decision, ms, destinations: t.present.length });
    }
  }

  forget(group: string): void {
    this.open.delete(group);
  }
}
