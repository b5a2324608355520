/** Vocabulary shared by the pure core and its adapters. */

/** A kernel interface index. Stable while the interface exists; reused after deletion. */
export type IfIndex = number & { readonly __brand: 'IfIndex' };
export const ifIndex = (n: number): IfIndex => n as IfIndex;

/** RFC 2863 operational state as the kernel reports it in IFLA_OPERSTATE. */
export type OperState =
  | 'unknown'
  | 'notpresent'
  | 'down'
  | 'lowerlayerdown'
  | 'testing'
  | 'dormant'
  | 'up';

/** What the kernel says about one interface, reduced to what a decision needs. */
export interface LinkState {
  readonly index: IfIndex;
  readonly name: string;
  /** IFF_UP: the administrative state, the one ifdepd writes. */
  readonly adminUp: boolean;
  /** IFF_LOWER_UP: carrier, only ever reported while the interface is admin up. */
  readonly lowerUp: boolean;
  readonly operState: OperState;
  /** IFLA_PROTO_DOWN: carrier forced off while the admin state stays up. */
  readonly protoDown: boolean;
  /**
   * IFLA_PROTO_DOWN_REASON: one bit per program holding protodown (ifdepd's own among them);
   * absent when none is set, as the kernel leaves the attribute out then.
   */
  readonly protoDownReasons?: number;
  /** IFLA_GROUP, the interface group (`ip link set X group N`); no decision uses it yet. */
  readonly group?: number;
}

/** What every destination of a group should be. */
export type Decision = 'up' | 'down';

/** Milliseconds since an arbitrary epoch; only differences matter. */
export type Millis = number;

/** syslog(3) severities ifdepd uses, most severe first: how loud an explanation is. */
export type Severity = 'error' | 'warning' | 'notice' | 'info' | 'debug';

/** One line of the log, as the core says it. */
export interface LogLine {
  readonly severity: Severity;
  readonly text: string;
}
