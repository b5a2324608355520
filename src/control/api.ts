import type { DaemonStatus } from '../core/status.js';
import type { Decision } from '../core/types.js';

/**
 * What the control socket speaks: one JSON object per line each way.
 * Request:  {"cmd":"status"} | {"cmd":"hold","group":"uplink","state":"down"} |
 *           {"cmd":"release","group":"uplink"} | {"cmd":"reload"}
 * Reply:    {"ok":true,"message"?:...,"status"?:...} | {"ok":false,"error":"..."}
 */
export type ControlRequest =
  | { readonly cmd: 'status' }
  | { readonly cmd: 'hold'; readonly group: string; readonly state: Decision }
  | { readonly cmd: 'release'; readonly group: string }
  | { readonly cmd: 'reload' };

export type ControlReply =
  | { readonly ok: true; readonly message?: string; readonly status?: DaemonStatus }
  | { readonly ok: false; readonly error: string };

/** The daemon side of the control socket. Methods throw Error(message) to refuse. */
export interface ControlHandler {
  status(): DaemonStatus;
  hold(group: string, state: Decision): string;
  release(group: string): string;
  reload(): Promise<string>;
}
