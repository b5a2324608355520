import { joinLines } from '../base/errors.js';
import { describeCause } from '../core/cause.js';
import { describeReread, EVENT_SCHEMA_VERSION, resyncCause, type DaemonEvent, type EventBody } from '../core/events.js';
import type { DaemonStatus } from '../core/status.js';
import type { Millis } from '../core/types.js';
import { formatStatus } from './format.js';
import type { MonitorWording } from './monitor-queue.js';

/** Wall-clock and daemon-clock time of a line the monitor itself says (a marker, a cut). */
export interface Stamp {
  readonly at: Millis;
  readonly wallMs: number;
}

/** The daemon's clock, in ms with µs kept: `at` differences are latencies. */
const ms = (at: Millis): number => Math.round(at * 1000) / 1000;

const iso = (wallMs: number): string => new Date(wallMs).toISOString();

/**
 * `ifdepd monitor --json`, one JSON object a line (JSON Lines), documented in ifdepd(8):
 *   {"v":1,"seq":7,"kind":"decision","at":1234.567,"time":"2026-...Z","group":"uplink",...}
 * v: the schema version; seq: 1, 2, 3... for the events of this connection (a gap is a
 * loss, and a "lost" line says so); at: the daemon's monotonic clock in ms; time: the
 * wall clock; then the event's own fields (core/events.ts).
 */
export function eventJson(event: DaemonEvent, seq: number): string {
  return `{"v":${EVENT_SCHEMA_VERSION},"seq":${seq},${eventFields(event)}\n`;
}

/**
 * Every monitor gets the same event object (daemon/event-bus.ts): its fields are encoded
 * once for all of them, only the connection's seq differs. (Measured, 10 monitors each
 * encoding every event: +0.4 ms on a one-destination failover.)
 */
const encoded = new WeakMap<DaemonEvent, string>();

/** `"kind":...,"at":...,"time":...,...}`: the line after `{"v":1,"seq":N,`. */
function eventFields(event: DaemonEvent): string {
  let tail = encoded.get(event);
  if (tail === undefined) {
    const { kind, at, wallMs } = event;
    tail = JSON.stringify({ kind, at: ms(at), time: iso(wallMs), ...wireFields(event) }).slice(1);
    encoded.set(event, tail);
  }
  return tail;
}

/**
 * An event's own fields as ifdepd(8) documents them. Causes are values in the daemon and
 * words on the wire, the words the log and the status use: a source's `reason` and `was`,
 * a re-read's `why` (its category) and `detail`.
 */
function wireFields(event: DaemonEvent): object {
  const e: EventBody = event;
  switch (e.kind) {
    case 'source': {
      const { health, was } = e;
      return {
        group: e.group,
        name: e.name,
        sourceKind: e.sourceKind,
        healthy: health.healthy,
        ...(health.evidence ? { evidence: health.evidence } : {}),
        reason: describeCause(health.cause),
        was: describeCause(was.cause),
        wasHealthy: was.healthy,
      };
    }
    case 'resync':
      return { why: resyncCause(e.reread), detail: describeReread(e.reread), links: e.links };
    default: {
      const { kind: _kind, at: _at, wallMs: _wallMs, ...fields } = event;
      return fields;
    }
  }
}

/** The first line of the stream: what `ifdepd status --json` says, at the instant the events start. */
export function snapshotJson(status: DaemonStatus, stamp: Stamp): string {
  return `${JSON.stringify({ v: EVENT_SCHEMA_VERSION, seq: 0, kind: 'snapshot', at: ms(stamp.at), time: iso(stamp.wallMs), status })}\n`;
}

/** Without --json: a log event as the log shows it, with its time (the other kinds are not said). */
export function eventText(event: DaemonEvent): string | undefined {
  if (event.kind !== 'log') return undefined;
  const label = event.severity === 'error' || event.severity === 'warning' ? `${event.severity}: ` : '';
  return `${iso(event.wallMs)} ${label}${joinLines(event.text)}\n`;
}

/** Without --json, the snapshot is `ifdepd status`, headed by its time. */
export function snapshotText(status: DaemonStatus, stamp: Stamp): string {
  return `${iso(stamp.wallMs)} status:\n${formatStatus(status)}\n`;
}

/** What the monitor itself says when a reader falls behind. */
export function wording(json: boolean, now: () => Stamp): MonitorWording {
  if (json) {
    const line = (kind: string, fields: object) => {
      const { at, wallMs } = now();
      return `${JSON.stringify({ v: EVENT_SCHEMA_VERSION, kind, at: ms(at), time: iso(wallMs), ...fields })}\n`;
    };
    return {
      lost: (count, firstSeq, lastSeq) => line('lost', { count, firstSeq, lastSeq }),
      cut: (lost, behindMs) => line('disconnected', { reason: 'too slow', lost, behindMs }),
    };
  }
  return {
    lost: (count, firstSeq, lastSeq) => `${iso(now().wallMs)} monitor: lost ${count} events (${firstSeq}-${lastSeq}): reading too slowly\n`,
    cut: (lost, behindMs) =>
      `${iso(now().wallMs)} monitor: disconnected: still behind ${behindMs} ms after losing events (${lost} lost)\n`,
  };
}

