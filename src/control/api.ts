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
  | { readonly ok: true; readonly message?: string; readonly status?: StatusReport }
  | { readonly ok: false; readonly error: string };

/** The daemon side of the control socket. Methods throw Error(message) to refuse. */
export interface ControlHandler {
  status(): StatusReport;
  hold(group: string, state: Decision): string;
  release(group: string): string;
  reload(): Promise<string>;
}

export interface SourceStatus {
  readonly name: string;
  readonly healthy: boolean;
  /** "has carrier", "no carrier", "missing", "operstate dormant", ... */
  readonly reason: string;
  readonly ifindex?: number;
}

export interface GroupStatus {
  readonly name: string;
  /** "all", "any", "min 2" */
  readonly policy: string;
  /** "admin", "protodown", "keepalived-track-file /run/ifdepd/uplink.track" */
  readonly action: string;
  /** What the destinations of this group are told. */
  readonly decision: Decision;
  /** Why: "em0 lost carrier", "held down by operator", "start-up hold (12 s left)", "flap damping ..." */
  readonly why: string;
  readonly health: { readonly healthy: boolean; readonly reason: string };
  readonly pending?: { readonly target: Decision; readonly inMs: number; readonly delay: 'down-delay' | 'up-delay' };
  readonly damping?: { readonly penalty: number; readonly suppressed: boolean; readonly reuseInMs?: number };
  readonly hold?: { readonly kind: 'startup' | 'operator'; readonly decision: Decision; readonly remainingMs?: number };
  readonly transitions: number;
  readonly flaps: number;
  readonly lastTransitionAgoMs?: number;
  readonly sources: readonly SourceStatus[];
  /** The destination patterns as configured. */
  readonly destinations: readonly string[];
}

export interface DestinationStatus {
  readonly name: string;
  readonly action: 'admin' | 'protodown';
  readonly ifindex?: number;
  /** As the kernel last reported it. */
  readonly state: Decision | 'missing';
  readonly wanted: Decision;
  /** The groups that say down (down wins). */
  readonly downBecause: readonly string[];
  /** "request in flight", "retrying after 3 failures", "awaiting kernel confirmation" */
  readonly activity?: string;
}

export interface StatusReport {
  readonly version: string;
  readonly pid: number;
  readonly uptimeMs: number;
  readonly dryRun: boolean;
  readonly configFile?: string;
  readonly groups: readonly GroupStatus[];
  readonly destinations: readonly DestinationStatus[];
}
