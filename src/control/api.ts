import type { DaemonEvent } from '../core/events.js';
import type { DaemonStatus } from '../core/status.js';
import type { Decision, Millis } from '../core/types.js';

/**
 * What the control socket speaks: one JSON object per line each way.
 * Request:  {"cmd":"status"} | {"cmd":"hold","group":"uplink","state":"down"} |
 *           {"cmd":"release","group":"uplink"} | {"cmd":"reload"} | {"cmd":"monitor","json":true}
 * Reply:    {"ok":true,"message"?:...,"status"?:...} | {"ok":false,"error":"..."}
 * monitor:  {"ok":true,"monitor":1} (the schema version), then the stream: a snapshot of the
 *           status, then one line per event, until either side hangs up (monitor-session.ts).
 */
export type ControlRequest =
  | { readonly cmd: 'status' }
  | { readonly cmd: 'hold'; readonly group: string; readonly state: Decision }
  | { readonly cmd: 'release'; readonly group: string }
  | { readonly cmd: 'reload' }
  | { readonly cmd: 'monitor'; readonly json: boolean };

/** The reply to a client beyond the server's limit of connections: the client says "busy" (exit 69). */
export const BUSY = 'too many connections';

export type ControlReply =
  | { readonly ok: true; readonly message?: string; readonly status?: DaemonStatus; readonly monitor?: number }
  /** `exitCode`: the sysexits(3) code the refusal is, where it is not 65 (a configuration's files in conflict: 78). */
  | { readonly ok: false; readonly error: string; readonly exitCode?: number };

/** The daemon side of the control socket. Methods throw Error(message) to refuse. */
export interface ControlHandler {
  status(): DaemonStatus;
  hold(group: string, state: Decision): string;
  release(group: string): string;
  reload(): Promise<string>;
  /**
   * `ifdepd monitor`: the status now (`at`, the daemon's clock) and, from the same instant
   * on, every event, until stop(). The listener must not block or throw.
   */
  watch(listener: (event: DaemonEvent) => void): { readonly status: DaemonStatus; readonly at: Millis; stop(): void };
}
