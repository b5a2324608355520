import type { Millis } from './types.js';
import type { ListenAddress } from './listen-address.js';
import type { SourceSpec } from './sources/spec.js';

/** How many healthy sources a group needs. */
export type Policy =
  /** Every source healthy: BSD ifdepd, keepalived track_interface. */
  | { readonly kind: 'all' }
  /** At least one source healthy: systemd-networkd BindCarrier=. */
  | { readonly kind: 'any' }
  /** At least `count` sources healthy: switches' N-of-M link-state tracking. */
  | { readonly kind: 'min'; readonly count: number };

/** Exponential flap damping, as switches' IP event dampening. */
export interface DampingSpec {
  /** Added at every flap (a healthy group turning unhealthy). */
  readonly penalty: number;
  readonly halfLife: Millis;
  /** At or above this penalty the group is held down... */
  readonly suppress: number;
  /** ...until the penalty has decayed below this. */
  readonly reuse: number;
  /** No suppression lasts longer than this: the penalty is capped accordingly. */
  readonly maxSuppress: Millis;
}

/** How a group's decision reaches the world. */
export type ActionSpec =
  /** IFF_UP on every destination: BSD ifdepd. */
  | { readonly kind: 'admin' }
  /** IFLA_PROTO_DOWN on every destination: carrier off, admin state and IPv6 addresses kept. */
  | { readonly kind: 'protodown' }
  /** A file keepalived's track_file reads: 0 when up, 1 when down. No interface is touched. */
  | { readonly kind: 'track-file'; readonly path: string }
  /** FRRouting's vrrpd, told over its vty socket: no interface is touched (act/frr-vrrp.ts). */
  | FrrVrrpAction;

/** What a group tells one FRR VRRP instance: shut it down, or lower its priority, while down. */
export type FrrVrrpMode = { readonly kind: 'shutdown' } | { readonly kind: 'priority'; readonly up: number; readonly down: number };

export interface FrrVrrpAction {
  readonly kind: 'frr-vrrp';
  /** The interface of the `vrrp VRID` lines in vrrpd's configuration (lan0), not the macvlan. */
  readonly interface: string;
  readonly vrid: number;
  readonly mode: FrrVrrpMode;
  /** vrrpd's vty socket. */
  readonly socket: string;
}

/** Debian's frr: --localstatedir=/var/run/frr. */
export const FRR_VRRPD_SOCKET = '/var/run/frr/vrrpd.vty';

/** "frr-vrrp lan0 5 priority 200 150", with " socket PATH" when not the default. */
export function describeFrrVrrp(a: FrrVrrpAction): string {
  const mode = a.mode.kind === 'shutdown' ? 'shutdown' : `priority ${a.mode.up} ${a.mode.down}`;
  return `frr-vrrp ${a.interface} ${a.vrid} ${mode}${a.socket === FRR_VRRPD_SOCKET ? '' : ` socket ${a.socket}`}`;
}

export type InterfaceActionKind = 'admin' | 'protodown';

/** `atomic`: the destinations switched with one kernel request, through a kernel interface group. */
export interface AtomicSpec {
  /** IFLA_GROUP; chosen from ATOMIC_RANGE (core/atomic.ts) when not given. */
  readonly group?: number;
}

export interface HookSpec {
  readonly path: string;
  readonly args: readonly string[];
  readonly timeoutMs: Millis;
}

export interface Delays {
  /** How long the group must stay unhealthy before its destinations go down. */
  readonly down: Millis;
  /** How long the group must stay healthy before its destinations come up. */
  readonly up: Millis;
}

export interface GroupSpec {
  readonly name: string;
  /** Interface names or glob patterns (vrrp.*, eth[0-3]). */
  readonly sources: readonly string[];
  /** Routes, addresses and pings (`route`, `address`, `ping` lines); none with -S. */
  readonly otherSources?: readonly SourceSpec[];
  readonly destinations: readonly string[];
  readonly policy: Policy;
  readonly delays: Delays;
  readonly damping?: DampingSpec;
  readonly action: ActionSpec;
  readonly hooks: readonly HookSpec[];
  readonly atomic?: AtomicSpec;
}

/** Where the metrics go (`metrics-listen`, `metrics-file`); neither by default. */
export interface MetricsSettings {
  readonly listen?: ListenAddress;
  readonly file?: string;
}

export interface Config {
  readonly groups: readonly GroupSpec[];
  /** Destinations are held down this long after ifdepd starts. */
  readonly startupHold: Millis;
  readonly controlSocket?: string;
  readonly metrics?: MetricsSettings;
  /** ifdepd's protodown reason bit (`protodown-reason`); DEFAULT_PROTODOWN_REASON when absent. */
  readonly protodownReason?: number;
  /** The file this came from, if any. */
  readonly file?: string;
}

/** Group names as the configuration, the control protocol and the logs accept them. */
export const GROUP_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export const DEFAULT_DOWN_DELAY = '0';
export const DEFAULT_UP_DELAY = '2s';
export const DEFAULT_HOOK_TIMEOUT = '10s';
export const DEFAULT_CONTROL_SOCKET = '/run/ifdepd/ifdepd.sock';

/** Cisco's IP event dampening defaults (max-suppress 20 s): familiar to network operators. */
export const DEFAULT_DAMPING: DampingSpec = {
  penalty: 1000,
  halfLife: 5000,
  suppress: 2000,
  reuse: 1000,
  maxSuppress: 20_000,
};

export function describePolicy(p: Policy): string {
  return p.kind === 'min' ? `min ${p.count}` : p.kind;
}

export function describeAction(a: ActionSpec): string {
  if (a.kind === 'track-file') return `keepalived-track-file ${a.path}`;
  return a.kind === 'frr-vrrp' ? describeFrrVrrp(a) : a.kind;
}
