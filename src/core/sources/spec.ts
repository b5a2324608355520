import type { Millis } from '../types.js';
import { describePrefix, type IpAddress, type IpFamily, type IpPrefix } from './ip.js';

/**
 * Sources beyond carrier (ifdepd.conf(5)): a route the kernel holds, an address an
 * interface holds, a gateway that answers ICMP echo. Each is one line of a group, and
 * counts under the group's policy exactly as an interface does.
 */
export type SourceSpec = RouteSource | AddressSource | PingSource;

/** What a source is, for status, events and the metrics' `kind` label. */
export type SourceKind = 'interface' | SourceSpec['kind'];

/** RT_TABLE_MAIN: the table `ip route` shows when none is named. */
export const MAIN_TABLE = 254;

/** `route PREFIX [dev IF] [table N] [via GW]` */
export interface RouteSource {
  readonly kind: 'route';
  readonly prefix: IpPrefix;
  readonly dev?: string;
  readonly table: number;
  readonly via?: IpAddress;
}

/** `address IF [inet|inet6] [PREFIX]` */
export interface AddressSource {
  readonly kind: 'address';
  readonly dev: string;
  readonly family?: IpFamily;
  readonly prefix?: IpPrefix;
}

/** `ping ADDR [dev IF] [interval T] [timeout T] [down N] [up M]` */
export interface PingSource {
  readonly kind: 'ping';
  readonly target: IpAddress;
  readonly dev?: string;
  readonly interval: Millis;
  /** How long a probe waits for its answer before it counts as missed. */
  readonly timeout: Millis;
  /** Answers missed in a row that make the source unhealthy. */
  readonly down: number;
  /** Answers in a row that make it healthy again (and healthy at first). */
  readonly up: number;
}

export const PING_DEFAULTS = { interval: 1000, timeout: 1000, down: 3, up: 3 } as const;
/** Below this a probe is a flood, and one lost packet is a failover. */
export const MIN_PING_INTERVAL: Millis = 100;
export const MAX_PING_COUNT = 100;

/**
 * The source's name in status, logs, events and metrics, as the operator wrote it,
 * with defaults left out: `route default dev eth0`, `address eth0 inet`, `ping 192.0.2.1 dev eth0`.
 * Two probes of a group with the same name are the same probe.
 */
export function sourceName(p: SourceSpec): string {
  switch (p.kind) {
    case 'route':
      return join('route', describePrefix(p.prefix), p.dev && `dev ${p.dev}`, p.table !== MAIN_TABLE && `table ${p.table}`, p.via && `via ${p.via.text}`);
    case 'address':
      return join('address', p.dev, p.family, p.prefix && describePrefix(p.prefix));
    case 'ping':
      return join('ping', p.target.text, p.dev && `dev ${p.dev}`);
  }
}

const join = (...parts: ReadonlyArray<string | false | undefined>): string => parts.filter((x): x is string => typeof x === 'string').join(' ');

/** The interfaces a probe reads from the link table: their changes concern it too. */
export function sourceDevices(p: SourceSpec): readonly string[] {
  return p.dev === undefined ? [] : [p.dev];
}
