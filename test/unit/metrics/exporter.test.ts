// The exporter: gauges read from status at each rendering, counters moved by events, the
// textfile without process metrics. A metric renamed or dropped fails here and in
// test/unit/metrics/contrib.test.ts (the alert rules and the dashboard use them).
import { describe, expect, it } from 'vitest';
import type { DaemonEvent, EventBody } from '../../../src/core/events.js';
import type { DaemonStatus, GroupStatus } from '../../../src/core/status.js';
import { MetricsExporter } from '../../../src/metrics/exporter.js';

function group(name: string, over: Partial<GroupStatus> = {}): GroupStatus {
  return {
    name,
    policy: 'all',
    action: 'admin',
    decision: 'up',
    why: 'em0 has carrier',
    health: { healthy: true, reason: 'em0 has carrier' },
    transitions: 0,
    flaps: 0,
    sources: [
      { name: 'em0', kind: 'interface', healthy: true, reason: 'has carrier', ifindex: 2 },
      { name: 'route default dev em0', kind: 'route', healthy: false, reason: 'absent' },
    ],
    destinations: ['vrrp0'],
    ...over,
  };
}

function harness(groups: GroupStatus[]) {
  let status: DaemonStatus = {
    version: '9.9.9',
    pid: 1,
    uptimeMs: 1000,
    dryRun: false,
    groups,
    destinations: [{ name: 'vrrp0', action: 'admin', ifindex: 5, state: 'up', wanted: 'up', downBecause: [] }],
  };
  const listeners = new Set<(e: DaemonEvent) => void>();
  const exporter = new MetricsExporter(
    {
      status: () => status,
      subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    },
    '9.9.9',
  );
  return {
    exporter,
    listeners,
    set: (s: Partial<DaemonStatus>) => (status = { ...status, ...s }),
    emit: (body: EventBody) => {
      for (const l of listeners) l({ ...body, at: 0, wallMs: 0 } as DaemonEvent);
    },
  };
}

/** The value of one sample line, e.g. `ifdepd_group_up{group="uplink"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('MetricsExporter', () => {
  it('sets the gauges from status, and starts the counters of each group at 0', async () => {
    const h = harness([group('uplink', { lastTransitionAgoMs: 2500, damping: { penalty: 1500, suppressed: false } })]);
    const text = await h.exporter.render('http');
    expect(sample(text, 'ifdepd_group_up{group="uplink"}')).toBe(1);
    expect(sample(text, 'ifdepd_group_healthy{group="uplink"}')).toBe(1);
    expect(sample(text, 'ifdepd_group_damping_penalty{group="uplink"}')).toBe(1500);
    expect(sample(text, 'ifdepd_group_last_transition_age_seconds{group="uplink"}')).toBe(2.5);
    expect(sample(text, 'ifdepd_source_healthy{group="uplink",source="em0",kind="interface"}')).toBe(1);
    expect(sample(text, 'ifdepd_source_healthy{group="uplink",source="route default dev em0",kind="route"}')).toBe(0);
    expect(sample(text, 'ifdepd_group_transitions_total{group="uplink",direction="down"}')).toBe(0);
    expect(sample(text, 'ifdepd_destination_up{destination="vrrp0",action="admin"}')).toBe(1);
    expect(sample(text, 'ifdepd_destination_wanted_up{destination="vrrp0",action="admin"}')).toBe(1);
    expect(sample(text, 'ifdepd_destination_write_failures_total{destination="vrrp0",action="admin"}')).toBe(0);
    expect(sample(text, 'ifdepd_build_info{version="9.9.9"}')).toBe(1);
    expect(text).toMatch(/^process_resident_memory_bytes /m);
  });

  it('counts what the events say, and times the reaction in seconds', async () => {
    const h = harness([group('uplink')]);
    h.emit({ kind: 'decision', group: 'uplink', decision: 'up', reason: 'start', cause: 'start', action: 'admin', destinations: ['vrrp0'] });
    const [carrier, noCarrier, missing] = [{ healthy: true, cause: { kind: 'carrier' } }, { healthy: false, cause: { kind: 'no-carrier' } }, { healthy: false, cause: { kind: 'missing' } }] as const;
    h.emit({ kind: 'source', group: 'uplink', name: 'em0', sourceKind: 'interface', health: noCarrier, was: carrier });
    h.emit({ kind: 'source', group: 'uplink', name: 'em0', sourceKind: 'interface', health: missing, was: noCarrier });
    h.emit({ kind: 'decision', group: 'uplink', decision: 'down', reason: 'em0 lost carrier', cause: 'sources', action: 'admin', destinations: ['vrrp0'] });
    h.emit({ kind: 'destination', name: 'vrrp0', action: 'admin', wanted: 'down', outcome: 'failed', error: 'EPERM' });
    h.emit({ kind: 'destination', name: 'vrrp0', action: 'admin', wanted: 'down', outcome: 'confirmed', latencyMs: 12 });
    h.emit({ kind: 'confirmed', group: 'uplink', decision: 'down', ms: 3, destinations: 1 });
    h.emit({ kind: 'resync', reread: { kind: 'overrun' }, links: 10 });
    h.emit({ kind: 'reload', result: 'refused', reason: 'bad' });
    h.emit({ kind: 'hook', group: 'uplink', decision: 'down', path: '/x', result: 'timeout', ms: 10_000 });
    const text = await h.exporter.render('http');
    expect(sample(text, 'ifdepd_group_transitions_total{group="uplink",direction="down"}')).toBe(1);
    expect(sample(text, 'ifdepd_group_transitions_total{group="uplink",direction="up"}')).toBe(0);
    expect(sample(text, 'ifdepd_source_flaps_total{group="uplink",source="em0",kind="interface"}')).toBe(1);
    expect(sample(text, 'ifdepd_destination_write_failures_total{destination="vrrp0",action="admin"}')).toBe(1);
    expect(sample(text, 'ifdepd_destination_confirmation_seconds{destination="vrrp0",action="admin"}')).toBe(0.012);
    expect(sample(text, 'ifdepd_reaction_seconds_bucket{le="0.005",group="uplink"}')).toBe(1);
    expect(sample(text, 'ifdepd_reaction_seconds_bucket{le="0.0025",group="uplink"}')).toBe(0);
    expect(sample(text, 'ifdepd_netlink_overruns_total')).toBe(1);
    expect(sample(text, 'ifdepd_link_rereads_total{why="overrun"}')).toBe(1);
    expect(sample(text, 'ifdepd_config_reloads_total{result="refused"}')).toBe(1);
    expect(sample(text, 'ifdepd_hook_runs_total{group="uplink",result="timeout"}')).toBe(1);
  });

  it('drops the gauges of a group a reload removed; the textfile has no process metrics', async () => {
    const h = harness([group('uplink'), group('lan')]);
    expect(sample(await h.exporter.render('file'), 'ifdepd_group_up{group="lan"}')).toBe(1);
    h.set({ groups: [group('uplink')] });
    const file = await h.exporter.render('file');
    expect(sample(file, 'ifdepd_group_up{group="lan"}')).toBeUndefined();
    expect(file).not.toMatch(/^(process|nodejs)_/m);
  });

  it('stops listening when closed', () => {
    const h = harness([group('uplink')]);
    expect(h.listeners.size).toBe(1);
    h.exporter.close();
    expect(h.listeners.size).toBe(0);
  });
});
