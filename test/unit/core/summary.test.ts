import { describe, expect, it } from 'vitest';
import type { GroupStatus } from '../../../src/core/status.js';
import { statusSummary } from '../../../src/core/summary.js';

const group = (name: string, over: Partial<GroupStatus> = {}): GroupStatus => ({
  name,
  policy: 'all',
  action: 'admin',
  decision: 'up',
  why: '',
  health: { healthy: true, reason: '' },
  transitions: 0,
  flaps: 0,
  sources: [],
  destinations: [],
  ...over,
});

describe('statusSummary (systemd STATUS=)', () => {
  it('names every group and its decision, DOWN loud, with what holds it', () => {
    expect(statusSummary({ dryRun: false, groups: [group('uplink'), group('inside', { decision: 'down', hold: { kind: 'operator', decision: 'down' } })] })).toBe(
      '2 groups: uplink up, inside DOWN (held)',
    );
    expect(statusSummary({ dryRun: false, groups: [group('default', { decision: 'down', hold: { kind: 'startup', decision: 'down', remainingMs: 5 } })] })).toBe(
      '1 group: default DOWN (start-up hold)',
    );
    expect(
      statusSummary({
        dryRun: true,
        groups: [group('a', { decision: 'down', damping: { penalty: 3000, suppressed: true }, pending: { target: 'up', inMs: 5, delay: 'up-delay' } })],
      }),
    ).toBe('dry-run, 1 group: a DOWN (damped, up pending)');
  });
});
