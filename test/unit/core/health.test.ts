import { describe, expect, it } from 'vitest';
import { describeLoss, sourceHealth, type SourceHealth } from '../../../src/core/health.js';
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
    expect(sourceHealth(link(3, 'em0', over))).toEqual({ healthy, reason });
  });

  it('a missing source is unhealthy (fail closed)', () => {
    expect(sourceHealth(undefined)).toEqual({ healthy: false, reason: 'missing' });
  });

  it('phrases each loss for the log', () => {
    expect(describeLoss({ healthy: false, reason: 'no carrier' })).toBe('lost carrier');
    expect(describeLoss({ healthy: false, reason: 'missing' })).toBe('is missing');
    expect(describeLoss({ healthy: false, reason: 'admin down' })).toBe('went admin down');
    expect(describeLoss({ healthy: false, reason: 'operstate dormant' })).toBe('is operstate dormant');
  });
});

const ALL = { kind: 'all' } as const;

describe('groupHealth (policy all)', () => {
  const ok = { healthy: true, reason: 'has carrier' } as const;
  const lost = { healthy: false, reason: 'no carrier' } as const;
  const gone = { healthy: false, reason: 'missing' } as const;

  it('is healthy only when every source is', () => {
    expect(groupHealth(ALL, new Map([['em0', ok], ['bge0', ok]]))).toEqual({ healthy: true, reason: 'all sources have carrier' });
  });

  it('one failing source is enough, and the reason names every failing one', () => {
    expect(groupHealth(ALL, new Map<string, SourceHealth>([['em0', lost], ['bge0', ok]]))).toEqual({ healthy: false, reason: 'em0 lost carrier' });
    expect(groupHealth(ALL, new Map<string, SourceHealth>([['em0', lost], ['bge0', gone]])).reason).toBe('em0 lost carrier, bge0 is missing');
  });
});
