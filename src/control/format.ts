import { formatSpan } from '../core/duration.js';
import type { DaemonStatus, DestinationStatus, FailingStatus, FrrVrrpStatus, GroupStatus, SourceStatus, TrackFileStatus } from '../core/status.js';

/**
 * What `ifdepd status` prints. Deterministic: no colours, no clock, so scripts
 * can diff it and tests can read it.
 */
export function formatStatus(s: DaemonStatus): string {
  const blocks = [header(s), ...s.groups.map(group), destinations(s.destinations)];
  if (s.trackFiles !== undefined && s.trackFiles.length > 0) blocks.push(trackFiles(s.trackFiles));
  if (s.frrVrrp !== undefined && s.frrVrrp.length > 0) blocks.push(frrVrrp(s.frrVrrp));
  return `${blocks.join('\n\n')}\n`;
}

function header(s: DaemonStatus): string {
  return [
    `ifdepd ${s.version}, pid ${s.pid}, up ${formatSpan(s.uptimeMs)}`,
    `config: ${s.configFile ?? '(command line)'}`,
    `dry-run: ${s.dryRun ? 'yes, interfaces are not changed' : 'no'}`,
  ].join('\n');
}

function group(g: GroupStatus): string {
  const lines = [
    `group ${g.name}: ${g.decision.toUpperCase()}  (${g.why})`,
    `  policy ${g.policy}, action ${g.action}`,
    `  health: ${g.health.healthy ? 'healthy' : 'unhealthy'} (${g.health.reason})`,
  ];
  if (g.pending !== undefined) {
    lines.push(`  pending: going ${g.pending.target} in ${formatSpan(g.pending.inMs)} (${g.pending.delay})`);
  }
  if (g.damping !== undefined) lines.push(`  damping: ${damping(g.damping)}`);
  if (g.hold !== undefined) lines.push(`  hold: ${hold(g.hold)}`);
  if (g.waiting !== undefined) {
    const alone = g.waiting.claims ? '' : '; destinations left as they are';
    lines.push(`  waiting: first verdict of ${g.waiting.sources.join(', ')}, ${formatSpan(g.waiting.inMs)} at most${alone}`);
  }
  lines.push(`  history: ${history(g)}`);
  lines.push(...g.sources.map((source) => `  source ${sourceLine(source)}`));
  lines.push(`  destinations: ${g.destinations.length === 0 ? 'none' : g.destinations.join(', ')}`);
  return lines.join('\n');
}

function damping(d: NonNullable<GroupStatus['damping']>): string {
  const parts = [`penalty ${Number(d.penalty.toFixed(1))}`, d.suppressed ? 'suppressed' : 'not suppressed'];
  if (d.reuseInMs !== undefined) parts.push(`reuse in ${formatSpan(d.reuseInMs)}`);
  return parts.join(', ');
}

function hold(h: NonNullable<GroupStatus['hold']>): string {
  const who = h.kind === 'startup' ? 'start-up' : 'operator';
  const left = h.remainingMs === undefined ? '' : ` (${formatSpan(h.remainingMs)} left)`;
  const restored = h.restored === true ? ', restored at start' : '';
  return `${who}, held ${h.decision}${left}${restored}`;
}

function history(g: GroupStatus): string {
  const parts = [plural(g.transitions, 'transition'), plural(g.flaps, 'flap')];
  parts.push(g.lastTransitionAgoMs === undefined ? 'never changed' : `last ${formatSpan(g.lastTransitionAgoMs)} ago`);
  return parts.join(', ');
}

function sourceLine(src: SourceStatus): string {
  const index = src.ifindex === undefined ? '' : `  (ifindex ${src.ifindex})`;
  const evidence = src.evidence === undefined ? '' : `; ${src.evidence}`;
  return `${src.name}: ${src.healthy ? 'ok' : 'FAILED'}, ${src.reason}${evidence}${index}`;
}

function destinations(dests: readonly DestinationStatus[]): string {
  if (dests.length === 0) return 'destinations: none';
  const rows = dests.map((d) => [
    d.name,
    d.action,
    d.ifindex === undefined ? '-' : String(d.ifindex),
    d.state,
    d.wanted,
    d.downBecause.length === 0 ? '-' : d.downBecause.join(','),
    d.activity ?? '-',
  ]);
  const head = ['NAME', 'ACTION', 'IFINDEX', 'STATE', 'WANTED', 'DOWN BECAUSE', 'ACTIVITY'];
  return ['destinations:', ...table([head, ...rows]).map((line) => `  ${line}`), ...failures(dests), ...heldByOthers(dests)].join('\n');
}

/** "  vrrp0: protodown held by another program (reason bit 7), not by ifdepd" */
function heldByOthers(dests: readonly DestinationStatus[]): string[] {
  return dests.flatMap((d) =>
    d.protodownHeldBy === undefined || d.protodownHeldBy.length === 0
      ? []
      : [`  ${d.name}: protodown held by another program (reason bit ${d.protodownHeldBy.join(',')}), not by ifdepd`],
  );
}

function trackFiles(files: readonly TrackFileStatus[]): string {
  const rows = files.map((f) => [f.path, f.group, f.wanted, f.written ?? '-']);
  const head = ['PATH', 'GROUP', 'WANTED', 'WRITTEN'];
  const named = files.map((f) => ({ name: f.path, failing: f.failing }));
  return ['track files:', ...table([head, ...rows]).map((line) => `  ${line}`), ...failures(named)].join('\n');
}

function frrVrrp(instances: readonly FrrVrrpStatus[]): string {
  const rows = instances.map((f) => [f.instance, f.group, f.wanted, f.applied ?? '-', f.seen ?? '-']);
  const head = ['FRR INSTANCE', 'GROUP', 'WANTED', 'APPLIED', 'VRRPD SAID'];
  const named = instances.map((f) => ({ name: f.instance, failing: f.failing }));
  return ['frr vrrp:', ...table([head, ...rows]).map((line) => `  ${line}`), ...failures(named)].join('\n');
}

/** "  FAILING vrrp0: set protodown on: EOPNOTSUPP (permanent), 12 attempts since 2026-...Z (1m 0s)" */
function failures(items: readonly { readonly name: string; readonly failing?: FailingStatus | undefined }[]): string[] {
  return items.flatMap(({ name, failing: f }) =>
    f === undefined
      ? []
      : [`  FAILING ${name}: ${f.error}${f.permanent ? ' (permanent)' : ''}, ${plural(f.attempts, 'attempt')} since ${f.since} (${formatSpan(f.forMs)})`],
  );
}

/** Left-aligned columns two spaces apart, no trailing blanks. */
function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) =>
    row
      .map((cell, col) => cell.padEnd(widths[col]!))
      .join('  ')
      .trimEnd(),
  );
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
