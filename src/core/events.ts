import type { DelayName } from './debounce.js';
import type { Severity } from './explain.js';
import type { Decision, Millis } from './types.js';
import type { SourceKind } from './sources/spec.js';

/**
 * What happens in the daemon, as typed events: one vocabulary for `ifdepd monitor` and
 * whatever else subscribes (metrics). Components emit them where they log; the fields
 * are named as in `ifdepd status --json` (group, name, decision, reason, wanted, action).
 * A new field may be added without a new version; a field renamed, retyped or removed,
 * or a kind whose meaning changes, bumps EVENT_SCHEMA_VERSION. Documented in ifdepd(8).
 */
export const EVENT_SCHEMA_VERSION = 1;

/** Why a group's decision was taken: at start, by its sources (and delays), by a hold or damping, by a reload. */
export type DecisionCause = 'start' | 'sources' | 'override' | 'reload';

/** Why every link was read again. */
export type ResyncCause = 'start' | 'overrun' | 'sighup' | 'fault' | 'confirmation' | 'retry';

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
    }
  /** A pending change was called off before its delay ended: a flap, ignored. */
  | {
      readonly kind: 'flap';
      readonly group: string;
      readonly decision: Decision;
      readonly target: Decision;
      readonly afterMs: number;
      readonly reason: string;
    }
  /** A source of a group changed its health; `reason` is the evidence ("no carrier", "missing"). */
  | {
      readonly kind: 'source';
      readonly group: string;
      readonly name: string;
      readonly sourceKind: SourceKind;
      readonly healthy: boolean;
      readonly reason: string;
      /** A probe's evidence: "since 12:03:04 via 192.0.2.1", "last reply 12:03:04.512, rtt 0.4 ms, ...". */
      readonly evidence?: string;
      /** The reason before the change. */
      readonly was: string;
      /** Whether it was healthy before: a change of reason alone ("no carrier" to "missing") keeps it. */
      readonly wasHealthy: boolean;
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
  /** An operator hold (`ifdepd hold`). */
  | { readonly kind: 'hold'; readonly group: string; readonly decision: Decision }
  /** A hold released (`ifdepd release`): the decision the group then takes. */
  | { readonly kind: 'release'; readonly group: string; readonly decision: Decision; readonly reason: string }
  /** A reload: `reason` is the refusal, or the line saying what was loaded. */
  | { readonly kind: 'reload'; readonly result: 'ok' | 'refused'; readonly reason: string; readonly groups?: number }
  /** Every link was read again; `detail` is the log's wording. */
  | { readonly kind: 'resync'; readonly why: ResyncCause; readonly detail: string; readonly links: number }
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

/** The category of a re-read from the words the daemon gives it ("SIGHUP", "overrun", "fault in ..."). */
export function resyncCause(why: string): ResyncCause {
  if (why.includes('notifications were lost')) return 'overrun';
  if (why === 'start') return 'start';
  if (why.startsWith('SIGHUP')) return 'sighup';
  if (why.startsWith('fault')) return 'fault';
  if (why.startsWith('confirmation')) return 'confirmation';
  if (why.startsWith('overrun')) return 'overrun';
  return 'retry';
}
