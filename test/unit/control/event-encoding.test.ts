import { describe, expect, it } from 'vitest';
import { eventJson, eventText, snapshotJson, snapshotText, wording } from '../../../src/control/event-encoding.js';
import type { DaemonEvent } from '../../../src/core/events.js';
import type { DaemonStatus } from '../../../src/core/status.js';

const WALL = Date.parse('2026-11-29T21:00:00.000Z');
const STATUS: DaemonStatus = { version: '0.1.0', pid: 1, uptimeMs: 5, dryRun: false, groups: [], destinations: [] };

const decision: DaemonEvent = {
  kind: 'decision',
  group: 'uplink',
  decision: 'down',
  reason: 'em0 lost carrier',
  cause: 'sources',
  action: 'admin',
  destinations: ['vrrp0'],
  at: 1234.5678912,
  wallMs: WALL,
};

describe('JSON Lines', () => {
  it('one line: v, seq, kind, at (daemon clock, µs kept), time (UTC), then the fields; no wallMs', () => {
    const line = eventJson(decision, 7);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(parsed).slice(0, 5)).toEqual(['v', 'seq', 'kind', 'at', 'time']);
    expect(parsed).toEqual({
      v: 1,
      seq: 7,
      kind: 'decision',
      at: 1234.568,
      time: '2026-11-29T21:00:00.000Z',
      group: 'uplink',
      decision: 'down',
      reason: 'em0 lost carrier',
      cause: 'sources',
      action: 'admin',
      destinations: ['vrrp0'],
    });
  });

  it('a source change carries its causes in the words of the log and the status: reason, was', () => {
    const event: DaemonEvent = {
      kind: 'source',
      group: 'uplink',
      name: 'ping 192.0.2.1',
      sourceKind: 'ping',
      health: { healthy: false, cause: { kind: 'answers-missed', count: 3 }, evidence: 'no reply yet, 3 missed in a row' },
      was: { healthy: true, cause: { kind: 'answers' }, evidence: 'last reply 12:03:04.512, rtt 0.4 ms, 0 missed in a row' },
      at: 2,
      wallMs: WALL,
    };
    expect(JSON.parse(eventJson(event, 3))).toEqual({
      v: 1,
      seq: 3,
      kind: 'source',
      at: 2,
      time: '2026-11-29T21:00:00.000Z',
      group: 'uplink',
      name: 'ping 192.0.2.1',
      sourceKind: 'ping',
      healthy: false,
      evidence: 'no reply yet, 3 missed in a row',
      reason: '3 answers missed',
      was: 'answers',
      wasHealthy: true,
    });
    const plain: DaemonEvent = { ...event, health: { healthy: false, cause: { kind: 'missing' } }, was: { healthy: false, cause: { kind: 'no-carrier' } } };
    expect(JSON.parse(eventJson(plain, 4))).not.toHaveProperty('evidence');
    expect(JSON.parse(eventJson(plain, 4))).toMatchObject({ reason: 'missing', was: 'no carrier', wasHealthy: false });
  });

  it('a re-read carries its category as why, and the log\'s words as detail', () => {
    const event: DaemonEvent = { kind: 'resync', reread: { kind: 'again', after: { kind: 'sighup' } }, links: 12, at: 1, wallMs: WALL };
    expect(JSON.parse(eventJson(event, 1))).toEqual({
      v: 1,
      seq: 1,
      kind: 'resync',
      at: 1,
      time: '2026-11-29T21:00:00.000Z',
      why: 'overrun',
      detail: 'SIGHUP, again: notifications were lost meanwhile',
      links: 12,
    });
  });

  it('a log line with a newline in it stays one JSON line', () => {
    const line = eventJson({ kind: 'log', severity: 'info', text: 'a\nb', at: 1, wallMs: WALL }, 1);
    expect(line.split('\n')).toHaveLength(2);
    expect((JSON.parse(line) as { text: string }).text).toBe('a\nb');
  });

  it('the snapshot is seq 0 and carries status --json object as is', () => {
    const parsed = JSON.parse(snapshotJson(STATUS, { at: 10, wallMs: WALL })) as Record<string, unknown>;
    expect(parsed).toEqual({ v: 1, seq: 0, kind: 'snapshot', at: 10, time: '2026-11-29T21:00:00.000Z', status: STATUS });
  });

  it('lost and disconnected lines carry the version and the clocks, and no seq', () => {
    const say = wording(true, () => ({ at: 50, wallMs: WALL }));
    expect(JSON.parse(say.lost(3, 10, 12))).toEqual({ v: 1, kind: 'lost', at: 50, time: '2026-11-29T21:00:00.000Z', count: 3, firstSeq: 10, lastSeq: 12 });
    expect(JSON.parse(say.cut(40, 10_000))).toEqual({
      v: 1,
      kind: 'disconnected',
      at: 50,
      time: '2026-11-29T21:00:00.000Z',
      reason: 'too slow',
      lost: 40,
      behindMs: 10_000,
    });
  });
});

describe('text', () => {
  it('is the log line after its time, with the log label for warnings and errors; other kinds are not said', () => {
    expect(eventText({ kind: 'log', severity: 'notice', text: 'uplink: held down', at: 1, wallMs: WALL })).toBe('2026-11-29T21:00:00.000Z uplink: held down\n');
    expect(eventText({ kind: 'log', severity: 'warning', text: 'x\ny', at: 1, wallMs: WALL })).toBe('2026-11-29T21:00:00.000Z warning: x y\n');
    expect(eventText(decision)).toBeUndefined();
  });

  it('the snapshot is `ifdepd status` under a timed heading', () => {
    const text = snapshotText(STATUS, { at: 0, wallMs: WALL });
    expect(text.split('\n').slice(0, 2)).toEqual(['2026-11-29T21:00:00.000Z status:', 'ifdepd 0.1.0, pid 1, up 5 ms']);
  });

  it('says a loss and a cut in words', () => {
    const say = wording(false, () => ({ at: 0, wallMs: WALL }));
    expect(say.lost(3, 10, 12)).toBe('2026-11-29T21:00:00.000Z monitor: lost 3 events (10-12): reading too slowly\n');
    expect(say.cut(40, 10_000)).toMatch(/^\S+Z monitor: disconnected: still behind 10000 ms after losing events \(40 lost\)\n$/);
  });
});
