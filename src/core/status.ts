import { describeCause } from './cause.js';
import { releaseAt } from './damping.js';
import { delayName, type DelayName } from './debounce.js';
import type { Group } from './group.js';
import type { LinkLookup } from './link-table.js';
import type { SourceKind } from './sources/spec.js';
import { describeAction, describePolicy, type GroupSpec } from './spec.js';
import type { Decision, Millis } from './types.js';

/**
 * What `ifdepd status` (and --json, and SIGUSR1) shows: plain data, built here from the
 * core's state so that every view of it says the same thing.
 */
export interface SourceStatus {
  readonly name: string;
  /** interface, route, address or ping */
  readonly kind: SourceKind;
  readonly healthy: boolean;
  /** "has carrier", "no carrier", "missing", "operstate dormant"; "present", "absent", "answers", "3 answers missed"... */
  readonly reason: string;
  /** A probe's last evidence, as of now: "since 12:03:04 via 192.0.2.1 dev eth0". */
  readonly evidence?: string;
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
  readonly pending?: { readonly target: Decision; readonly inMs: number; readonly delay: DelayName };
  readonly damping?: { readonly penalty: number; readonly suppressed: boolean; readonly reuseInMs?: number };
  readonly hold?: {
    readonly kind: 'startup' | 'operator';
    readonly decision: Decision;
    readonly remainingMs?: number;
    /** An operator's hold set before the daemon restarted, read back from the hold file. */
    readonly restored?: boolean;
  };
  /** Ping sources awaiting their first verdict; `claims` false: the destinations are left as they are meanwhile. */
  readonly waiting?: { readonly sources: readonly string[]; readonly inMs: number; readonly claims: boolean };
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
  /** Writes to it keep failing; absent once one goes through. */
  readonly failing?: FailingStatus;
  /**
   * Protodown is on because other programs hold it (their reason bits, e.g. FRR's 7):
   * not ifdepd's doing, and not a failure; absent when none does.
   */
  readonly protodownHeldBy?: readonly number[];
}

/** A destination or track file whose writes fail, as `ifdepd status` shows it. */
export interface FailingStatus {
  /** The last error: "set protodown on: EOPNOTSUPP". */
  readonly error: string;
  /** EPERM, EACCES, EOPNOTSUPP, EINVAL...: will not pass until an operator fixes the cause; retried every 5 s. */
  readonly permanent: boolean;
  /** Failed attempts since the last success. */
  readonly attempts: number;
  /** Wall-clock time of the first failed attempt (ISO 8601, UTC). */
  readonly since: string;
  /** How long it has been failing. */
  readonly forMs: number;
}

/** A group's keepalived track file. */
export interface TrackFileStatus {
  readonly path: string;
  readonly group: string;
  readonly wanted: Decision;
  /** What the file says since ifdepd last wrote it; absent before the first write went through. */
  readonly written?: Decision;
  readonly failing?: FailingStatus;
}

/** A group's FRR VRRP instance (action frr-vrrp). */
export interface FrrVrrpStatus {
  /** "lan0 vrrp 5" */
  readonly instance: string;
  readonly group: string;
  readonly wanted: Decision;
  /** The decision vrrpd was last found in line with; absent before the first success. */
  readonly applied?: Decision;
  /** What vrrpd said at the last check: "Master, priority 200", "shut down". */
  readonly seen?: string;
  readonly failing?: FailingStatus;
}

/** Everything `ifdepd status` shows: the daemon, every group, every destination. */
export interface DaemonStatus {
  readonly version: string;
  readonly pid: number;
  readonly uptimeMs: number;
  readonly dryRun: boolean;
  readonly configFile?: string;
  readonly groups: readonly GroupStatus[];
  readonly destinations: readonly DestinationStatus[];
  /** Absent when no group writes a track file. */
  readonly trackFiles?: readonly TrackFileStatus[];
  /** Absent when no group has the frr-vrrp action. */
  readonly frrVrrp?: readonly FrrVrrpStatus[];
}

/** One group as `ifdepd status` shows it, as of `now`. */
export function groupStatus(g: Group, links: LinkLookup, now: Millis): GroupStatus {
  const spec = g.spec;
  const last = g.counters.lastTransitionAt;
  return {
    name: spec.name,
    policy: describePolicy(spec.policy),
    action: describeAction(spec.action),
    decision: g.decision,
    why: g.why(now),
    health: g.groupHealth,
    ...pendingOf(g, now),
    ...dampingOf(g, now),
    ...holdOf(g, now),
    ...waitingOf(g, now),
    transitions: g.counters.transitions,
    flaps: g.counters.flaps,
    ...(last !== undefined ? { lastTransitionAgoMs: Math.round(now - last) } : {}),
    sources: sourcesOf(g, links),
    destinations: actionTargets(spec),
  };
}

/** As last decided on; a probe's evidence (its last reply) as of now. */
function sourcesOf(g: Group, links: LinkLookup): SourceStatus[] {
  const live = g.sourceSet.carrierOnly ? undefined : g.readNow(links);
  return [...g.sourceHealths].map(([name, h]) => {
    const kind = g.sourceSet.kindOf(name);
    const link = kind === 'interface' ? links.byName(name) : undefined;
    const evidence = live?.get(name)?.evidence ?? h.evidence;
    return { name, kind, healthy: h.healthy, reason: describeCause(h.cause), ...(evidence ? { evidence } : {}), ...(link ? { ifindex: link.index } : {}) };
  });
}

function pendingOf(g: Group, now: Millis): Pick<GroupStatus, 'pending'> {
  const pending = g.pending;
  if (pending === undefined) return {};
  return { pending: { target: pending.target, inMs: Math.max(0, Math.round(pending.due - now)), delay: delayName(pending.target) } };
}

function dampingOf(g: Group, now: Millis): Pick<GroupStatus, 'damping'> {
  const damping = g.dampingState(now);
  const spec = g.spec.damping;
  if (damping === undefined || spec === undefined) return {};
  const reuse = damping.suppressed ? { reuseInMs: Math.max(0, releaseAt(damping, spec) - Math.round(now)) } : {};
  return { damping: { penalty: Math.round(damping.penalty), suppressed: damping.suppressed, ...reuse } };
}

function waitingOf(g: Group, now: Millis): Pick<GroupStatus, 'waiting'> {
  const awaited = g.awaitedVerdicts;
  if (awaited.length === 0) return {};
  const inMs = Math.max(0, Math.round(Math.max(...awaited.map((a) => a.until)) - now));
  return { waiting: { sources: awaited.map((a) => a.name), inMs, claims: g.claims } };
}

function holdOf(g: Group, now: Millis): Pick<GroupStatus, 'hold'> {
  if (g.held !== undefined) return { hold: { kind: 'operator', decision: g.held, ...(g.heldSinceRestart ? { restored: true } : {}) } };
  const left = g.startupHoldLeft(now);
  return left > 0 ? { hold: { kind: 'startup', decision: 'down', remainingMs: Math.round(left) } } : {};
}

/** What a group acts on, for its status: the track file, the FRR instance, or its destinations. */
function actionTargets(spec: GroupSpec): readonly string[] {
  if (spec.action.kind === 'track-file') return [spec.action.path];
  if (spec.action.kind === 'frr-vrrp') return [`${spec.action.interface} vrrp ${spec.action.vrid}`];
  return spec.destinations;
}
