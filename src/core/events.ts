import type { DelayName } from './debounce.js';
import type { Severity } from './types.js';
import type { SourceHealth } from './health.js';
import type { Decision, Millis } from './types.js';
import type { SourceKind } from './sources/spec.js';

/**
 * What happens in the daemon, as typed events: one vocabulary for `ifdepd monitor` and
 * whatever else subscribes (metrics). Components emit them where they log; the fields
 * are named as in `ifdepd status --json` (group, name, decision, reason, wanted, action).
 * A new field may be added without a new version; a field renamed, retyped or removed,
 * or a kind whose meaning changes, bumps EVENT_SCHEMA_VERSION. Documented in ifdepd(8).
 * Causes travel as values (core/cause.ts, Reread below): the wire (control/event-encoding.ts)
 * and the log (core/explain.ts) say them in words, the same words.
 */
export const EVENT_SCHEMA_VERSION = 1;

/** Why a group's decision was taken: at start, by its sources (and delays), by a hold or damping, by a reload. */
export type DecisionCause = 'start' | 'sources' | 'override' | 'reload';

/** Why every link was read again, by category: the `why` of a resync event and of its metric. */
export type ResyncCause = 'start' | 'overrun' | 'sighup' | 'fault' | 'confirmation' | 'retry';

/** Why links (or routes and addresses) are read again. A failed re-read is retried with the same value. */
export type Reread =
  | { readonly kind: 'start' }
  /** Route and address sources were configured (at start, on reload). */
  | { readonly kind: 'configured' }
  /** The kernel dropped notifications (receive-queue overrun). */
  | { readonly kind: 'overrun' }
  | { readonly kind: 'sighup' }
  /** A handler threw (`where`: component and callback); what it left half-done is read again. */
  | { readonly kind: 'fault'; readonly where: string }
  /** A write was never confirmed, and reading its interface back failed. */
  | { readonly kind: 'confirmation-failed' }
  /** Notifications arrived during the re-read `after`: it is taken again. */
  | { readonly kind: 'again'; readonly after: Reread };

export type EventBody =
  /** A group's decision changed (or was first taken): what its destinations are told, and why. */
  | {
      readonly kind: 'decision';
      readonly group: string;
      readonly decision: Decision;
      readonly reason: string;
      readonly cause: DecisionCause;
      /** As in status --json: "admin", "protodown", "keepalived-track-file PATH". */
      readonly action: string;
      /** The destination patterns as configured. */
      readonly destinations: readonly string[];
      /** By sources, a change the debounce let through: the delay it waited out. */
      readonly delay?: DelayName;
      readonly delayMs?: number;
      /** At start, for a group that waited for its ping sources' first verdicts: they came (or their wait ended). */
      readonly firstVerdicts?: true;
    }
  /** The sources want a change, which waits out its delay (as `pending` in the status); `decision` stays meanwhile. */
  | {
      readonly kind: 'pending';
      readonly group: string;
      readonly decision: Decision;
      readonly target: Decision;
      readonly inMs: number;
      readonly delay: DelayName;
      readonly reason: string;
      /** A hold, damping or a wait decides meanwhile: the change, when due, changes nothing yet. */
      readonly overridden?: true;
    }
  /** A pending change was called off before its delay ended: a flap, ignored. */
  | {
      readonly kind: 'flap';
      readonly group: string;
      readonly decision: Decision;
      readonly target: Decision;
      readonly afterMs: number;
      readonly reason: string;
      /** A hold, damping or a wait decides meanwhile. */
      readonly overridden?: true;
    }
  /**
   * A source of a group changed its health or its cause. On the wire: `healthy`, `evidence`,
   * `reason` (the cause in words: "no carrier", "missing"), `was` and `wasHealthy` (before).
   * A change of cause alone ("no carrier" to "missing") keeps `healthy`.
   */
  | {
      readonly kind: 'source';
      readonly group: string;
      readonly name: string;
      readonly sourceKind: SourceKind;
      /** Its health now; a probe's evidence: "since 12:03:04 via 192.0.2.1", "last reply 12:03:04.512, rtt 0.4 ms, ...". */
      readonly health: SourceHealth;
      readonly was: SourceHealth;
    }
  /** A destination interface: a write sent, the kernel confirming it, or the write failing. */
  | {
      readonly kind: 'destination';
      readonly name: string;
      readonly action: 'admin' | 'protodown';
      readonly wanted: Decision;
      readonly outcome: 'write' | 'confirmed' | 'failed';
      /** confirmed: from the write to the kernel's report of it. */
      readonly latencyMs?: number;
      /** failed: the error. */
      readonly error?: string;
    }
  /** A group's keepalived track file: written (0 for up, 1 for down), or the write failed (it is retried). */
  | {
      readonly kind: 'trackfile';
      readonly group: string;
      readonly path: string;
      readonly wanted: Decision;
      readonly outcome: 'written' | 'failed';
      readonly error?: string;
    }
  /** The kernel confirmed a group's decision on the last of its destinations, `ms` after the decision. */
  | { readonly kind: 'confirmed'; readonly group: string; readonly decision: Decision; readonly ms: number; readonly destinations: number }
  /** An operator hold (`ifdepd hold`); `notStored`: why the hold file could not keep it. */
  | { readonly kind: 'hold'; readonly group: string; readonly decision: Decision; readonly notStored?: string }
  /** A hold released (`ifdepd release`): the decision the group then takes. */
  | { readonly kind: 'release'; readonly group: string; readonly decision: Decision; readonly reason: string; readonly notStored?: string }
  /** A reload: `reason` is the refusal, or the line saying what was loaded. */
  | { readonly kind: 'reload'; readonly result: 'ok' | 'refused'; readonly reason: string; readonly groups?: number }
  /** Every link was read again. On the wire: `why` (its category, resyncCause), `detail` (the log's words), `links`. */
  | { readonly kind: 'resync'; readonly reread: Reread; readonly links: number }
  /** A hook ran (or could not run). */
  | {
      readonly kind: 'hook';
      readonly group: string;
      readonly decision: Decision;
      readonly path: string;
      readonly result: 'ok' | 'failed' | 'timeout';
      readonly exitCode?: number;
      readonly signal?: string;
      readonly ms: number;
      readonly error?: string;
    }
  /** A log line, as the log has it (the text stream of `ifdepd monitor`). */
  | { readonly kind: 'log'; readonly severity: Severity; readonly text: string };

/** An event as subscribers get it: stamped by the daemon's clock (`at`, monotonic) and the wall clock. */
export type DaemonEvent = EventBody & {
  /** The daemon's monotonic clock, ms: only differences matter. */
  readonly at: Millis;
  /** Wall-clock time, ms since the Unix epoch. */
  readonly wallMs: number;
};

/** Where components send their events. Emitting never throws and never waits. */
export interface EventSink {
  emit(event: EventBody): void;
}

/** For components built without a bus (tests, the demo). */
export const NO_EVENTS: EventSink = { emit: () => undefined };

/** The category of a re-read: a re-read taken again because notifications were lost is an overrun. */
export function resyncCause(r: Reread): ResyncCause {
  switch (r.kind) {
    case 'start':
    case 'overrun':
    case 'sighup':
    case 'fault':
      return r.kind;
    case 'configured':
      // Routes and addresses, never a resync event: read as at start, for the sources just configured.
      return 'start';
    case 'confirmation-failed':
      return 'confirmation';
    case 'again':
      return 'overrun';
  }
}

/** A re-read in the log's words: "SIGHUP", "fault in groups: timer", "overrun, again: notifications were lost meanwhile". */
export function describeReread(r: Reread): string {
  switch (r.kind) {
    case 'start':
    case 'configured':
    case 'overrun':
      return r.kind;
    case 'sighup':
      return 'SIGHUP';
    case 'fault':
      return `fault in ${r.where}`;
    case 'confirmation-failed':
      return 'confirmation failed';
    case 'again':
      return `${describeReread(r.after)}, again: notifications were lost meanwhile`;
  }
}
