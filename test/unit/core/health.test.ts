import { describe, expect, it } from 'vitest';
import { describeCause, describeLoss } from '../../../src/core/cause.js';
import { sourceHealth, type SourceHealth } from '../../../src/core/health.js';
import { groupHealth } from '../../../src/core/policy.js';
import type { OperState } from '../../../src/core/types.js';
import { link } from '../../support/links.js';

describe('sourceHealth', () => {
  it.each<[string, Parameters<typeof link>[2], boolean, string]>([
    ['admin up, carrier, operstate up', {}, true, 'has carrier'],
    ['operstate unknown (veth, tun)', { operState: 'unknown' }, true, 'has carrier'],
    ['admin down', { adminUp: false, lowerUp: false, operState: 'down' }, false, 'admin down'],
    ['no carrier', { lowerUp: false, operState: 'lowerlayerdown' }, false, 'no carrier'],
    ['dormant (802.1X, 802.11 not associated)', { operState: 'dormant' }, false, 'operstate dormant'],
    ['lower layer down', { operState: 'lowerlayerdown' }, false, 'operstate lowerlayerdown'],
    ['operstate down with LOWER_UP', { operState: 'down' as OperState }, false, 'operstate down'],
    ['testing', { operState: 'testing' }, false, 'operstate testing'],
  ])('%s', (_label, over, healthy, reason) => {
    const health = sourceHealth(link(3, 'em0', over));
    expect({ healthy: health.healthy, reason: describeCause(health.cause) }).toEqual({ healthy, reason });
  });

  it('a missing source is unhealthy (fail closed)', () => {
    expect(sourceHealth(undefined)).toEqual({ healthy: false, cause: { kind: 'missing' } });
  });

  it('phrases each loss for the log', () => {
    expect(describeLoss({ kind: 'no-carrier' })).toBe('lost carrier');
    expect(describeLoss({ kind: 'missing' })).toBe('is missing');
    expect(describeLoss({ kind: 'admin-down' })).toBe('went admin down');
    expect(describeLoss({ kind: 'operstate', state: 'dormant' })).toBe('is operstate dormant');
  });
});

const ALL = { kind: 'all' } as const;

describe('groupHealth (policy all)', () => {
  const ok: SourceHealth = { healthy: true, cause: { kind: 'carrier' } };
  const lost: SourceHealth = { healthy: false, cause: { kind: 'no-carrier' } };
  const gone: SourceHealth = { healthy: false, cause: { kind: 'missing' } };

  it('is healthy only when every source is', () => {
    expect(groupHealth(ALL, new Map([['em0', ok], ['bge0', ok]]))).toEqual({ healthy: true, reason: 'all sources have carrier' });
  });

  it('one failing source is enough, and the reason names every failing one', () => {
    expect(groupHealth(ALL, new Map<string, SourceHealth>([['em0', lost], ['bge0', ok]]))).toEqual({ healthy: false, reason: 'em0 lost carrier' });
    expect(groupHealth(ALL, new Map<string, SourceHealth>([['em0', lost], ['bge0', gone]])).reason).toBe('em0 lost carrier, bge0 is missing');
  });
});
