import type { Actuator } from '../act/actuator.js';
import type { FrrVrrps, TrackFiles } from './actuators.js';
import { VERSION } from '../base/version.js';
import type { Group } from '../core/group.js';
import type { LinkLookup } from '../core/link-table.js';
import { NAMES_SHOWN } from '../core/name-list.js';
import type { Config } from '../core/spec.js';
import { groupStatus, type DaemonStatus } from '../core/status.js';
import { statusSummary } from '../core/summary.js';
import type { Millis } from '../core/types.js';

/** What the daemon's views are built from, at one instant. */
export interface DaemonView {
  readonly groups: readonly Group[];
  readonly table: LinkLookup;
  readonly actuators: readonly Actuator[];
  readonly trackFiles: TrackFiles;
  readonly frrVrrp: FrrVrrps;
  readonly config: Config;
  readonly dryRun: boolean;
  readonly startedAt: Millis;
  readonly now: Millis;
}

/** `ifdepd status` (--json, SIGUSR1, the monitor's snapshot). */
export function daemonStatus(v: DaemonView): DaemonStatus {
  const files = v.trackFiles.statuses(v.groups);
  const frr = v.frrVrrp.statuses(v.groups);
  return {
    version: VERSION,
    pid: process.pid,
    uptimeMs: Math.round(v.now - v.startedAt),
    dryRun: v.dryRun,
    ...(v.config.file ? { configFile: v.config.file } : {}),
    groups: v.groups.map((g) => groupStatus(g, v.table, v.now)),
    destinations: v.actuators.flatMap((a) => a.destinations()),
    ...(files.length === 0 ? {} : { trackFiles: files }),
    ...(frr.length === 0 ? {} : { frrVrrp: frr }),
  };
}

/** "2 groups: uplink up, inside DOWN (held)": the groups' decisions in one line. */
export function groupsSummary(v: DaemonView): string {
  return statusSummary({ dryRun: v.dryRun, groups: v.groups.map((g) => groupStatus(g, v.table, v.now)) });
}

/** "vrrp0 down, vrrp1 missing": the destinations as the kernel last reported them. */
export function destinationsSummary(actuators: readonly Actuator[]): string {
  const all = actuators.flatMap((a) => a.destinations());
  if (all.length === 0) return 'none';
  // Said in one line at exit: 4,000 VMACs must not make it a 60 KB line.
  const shown = all.slice(0, NAMES_SHOWN).map((d) => `${d.name} ${d.state}`).join(', ');
  return all.length > NAMES_SHOWN ? `${shown} and ${all.length - NAMES_SHOWN} more` : shown;
}
