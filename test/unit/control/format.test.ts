import { describe, expect, it } from 'vitest';
import type { DaemonStatus, GroupStatus } from '../../../src/core/status.js';
import { formatSpan } from '../../../src/core/duration.js';
import { formatStatus } from '../../../src/control/format.js';

const uplink: GroupStatus = {
  name: 'uplink',
  policy: 'all',
  action: 'admin',
  decision: 'down',
  why: 'em0 lost carrier',
  health: { healthy: false, reason: 'em0 lost carrier' },
  pending: { target: 'up', inMs: 1234, delay: 'up-delay' },
  damping: { penalty: 1500.25, suppressed: true, reuseInMs: 250_000 },
  hold: { kind: 'operator', decision: 'down' },
  transitions: 3,
  flaps: 1,
  lastTransitionAgoMs: 7_380_000,
  sources: [
    { name: 'em0', kind: 'interface', healthy: false, reason: 'no carrier', ifindex: 2 },
    { name: 'em9', kind: 'interface', healthy: false, reason: 'missing' },
  ],
  destinations: ['vlan*', 'carp0'],
};

const quiet: GroupStatus = {
  name: 'mgmt',
  policy: 'min 2',
  action: 'keepalived-track-file /run/ifdepd/mgmt.track',
  decision: 'up',
  why: 'all sources healthy',
  health: { healthy: true, reason: '2 of 2 sources up' },
  transitions: 0,
  flaps: 0,
  sources: [{ name: 'em2', kind: 'interface', healthy: true, reason: 'has carrier', ifindex: 4 }],
  destinations: [],
};

const report: DaemonStatus = {
  version: '0.1.0',
  pid: 812,
  uptimeMs: 250_000,
  dryRun: true,
  configFile: '/etc/ifdepd.conf',
  groups: [uplink, quiet],
  destinations: [
    { name: 'vlan10', action: 'admin', ifindex: 5, state: 'down', wanted: 'down', downBecause: ['uplink'] },
    {
      name: 'carp0',
      action: 'protodown',
      state: 'missing',
      wanted: 'down',
      downBecause: ['uplink', 'mgmt'],
      activity: 'retrying after 3 failures',
    },
  ],
};

const lines = (text: string): string[] => text.split('\n');

describe('formatSpan', () => {
  it.each([
    [0, '0 ms'],
    [-5, '0 ms'],
    [850, '850 ms'],
    [999.4, '999 ms'],
    [999.6, '1.0 s'],
    [1000, '1.0 s'],
    [12_345, '12.3 s'],
    [59_960, '1 min'],
    [250_000, '4 min 10 s'],
    [3_599_999, '59 min 59 s'],
    [3_600_000, '1 h'],
    [7_380_000, '2 h 3 min'],
    [86_400_000, '1 d'],
    [97_200_000, '1 d 3 h'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatSpan(ms)).toBe(text);
  });
});

describe('formatStatus', () => {
  const text = formatStatus(report);

  it('starts with who is answering', () => {
    expect(lines(text).slice(0, 3)).toEqual([
      'ifdepd 0.1.0, pid 812, up 4 min 10 s',
      'config: /etc/ifdepd.conf',
      'dry-run: yes, interfaces are not changed',
    ]);
  });

  it('says when there is no config file and no dry run', () => {
    const plain = formatStatus({ ...report, dryRun: false, configFile: undefined });
    expect(lines(plain)).toContain('config: (command line)');
    expect(lines(plain)).toContain('dry-run: no');
  });

  it('describes a group with everything going on', () => {
    const block = lines(text.split('\n\n')[1]!);
    expect(block).toEqual([
      'group uplink: DOWN  (em0 lost carrier)',
      '  policy all, action admin',
      '  health: unhealthy (em0 lost carrier)',
      '  pending: going up in 1.2 s (up-delay)',
      '  damping: penalty 1500.3, suppressed, reuse in 4 min 10 s',
      '  hold: operator, held down',
      '  history: 3 transitions, 1 flap, last 2 h 3 min ago',
      '  source em0: FAILED, no carrier  (ifindex 2)',
      '  source em9: FAILED, missing',
      '  destinations: vlan*, carp0',
    ]);
  });

  it('leaves out what is not going on', () => {
    const block = lines(text.split('\n\n')[2]!);
    expect(block).toEqual([
      'group mgmt: UP  (all sources healthy)',
      '  policy min 2, action keepalived-track-file /run/ifdepd/mgmt.track',
      '  health: healthy (2 of 2 sources up)',
      '  history: 0 transitions, 0 flaps, never changed',
      '  source em2: ok, has carrier  (ifindex 4)',
      '  destinations: none',
    ]);
  });

  it('shows a start-up hold with its time left', () => {
    const held = formatStatus({
      ...report,
      groups: [{ ...quiet, hold: { kind: 'startup', decision: 'down', remainingMs: 12_000 } }],
    });
    expect(lines(held)).toContain('  hold: start-up, held down (12.0 s left)');
  });

  it('says when an operator hold was restored at start', () => {
    const held = formatStatus({ ...report, groups: [{ ...quiet, hold: { kind: 'operator', decision: 'down', restored: true } }] });
    expect(lines(held)).toContain('  hold: operator, held down, restored at start');
  });

  it('ends with an aligned destinations table', () => {
    const table = lines(text.split('\n\n')[3]!.trimEnd());
    expect(table).toEqual([
      'destinations:',
      '  NAME    ACTION     IFINDEX  STATE    WANTED  DOWN BECAUSE  ACTIVITY',
      '  vlan10  admin      5        down     down    uplink        -',
      '  carp0   protodown  -        missing  down    uplink,mgmt   retrying after 3 failures',
    ]);
  });

  it('names what keeps failing, under its table: error, kind, attempts, since when', () => {
    const failing = { error: 'set protodown on: EOPNOTSUPP', permanent: true, attempts: 61, since: '2026-11-30T03:12:05.000Z', forMs: 300_000 };
    const out = formatStatus({
      ...report,
      destinations: [{ ...report.destinations[1]!, failing }],
      trackFiles: [
        { path: '/run/ifdepd/mgmt.track', group: 'mgmt', wanted: 'up', written: 'up' },
        { path: '/run/x/up.track', group: 'uplink', wanted: 'down', failing: { ...failing, error: 'ENOTDIR: not a directory', attempts: 1, forMs: 0 } },
      ],
    });
    const blocks = out.trimEnd().split('\n\n');
    expect(lines(blocks[3]!).at(-1)).toBe(
      `  FAILING carp0: set protodown on: EOPNOTSUPP (permanent), 61 attempts since 2026-11-30T03:12:05.000Z (${formatSpan(300_000)})`,
    );
    expect(lines(blocks[4]!)).toEqual([
      'track files:',
      '  PATH                    GROUP   WANTED  WRITTEN',
      '  /run/ifdepd/mgmt.track  mgmt    up      up',
      '  /run/x/up.track         uplink  down    -',
      `  FAILING /run/x/up.track: ENOTDIR: not a directory (permanent), 1 attempt since 2026-11-30T03:12:05.000Z (${formatSpan(0)})`,
    ]);
  });

  it('says so when there are no destinations', () => {
    expect(formatStatus({ ...report, groups: [], destinations: [] })).toMatch(/\n\ndestinations: none\n$/);
  });

  it('is deterministic and plain', () => {
    expect(formatStatus(report)).toBe(text);
    expect(text).not.toMatch(/\x1b/);
    expect(text.endsWith('\n')).toBe(true);
    for (const line of lines(text)) expect(line).toBe(line.trimEnd());
  });
});
