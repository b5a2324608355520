import { describe, expect, it } from 'vitest';
import { describeCause, describeFailure, describeLoss, sameCause, type CauseKind, type SourceCause } from '../../../src/core/cause.js';
import { healthChanged, isLoss, type SourceHealth } from '../../../src/core/health.js';

/** Every kind, with the words status, events and the log use for it, and for its loss. */
const EVERY: Record<CauseKind, [SourceCause, string, string]> = {
  carrier: [{ kind: 'carrier' }, 'has carrier', 'is has carrier'],
  missing: [{ kind: 'missing' }, 'missing', 'is missing'],
  'admin-down': [{ kind: 'admin-down' }, 'admin down', 'went admin down'],
  'no-carrier': [{ kind: 'no-carrier' }, 'no carrier', 'lost carrier'],
  operstate: [{ kind: 'operstate', state: 'dormant' }, 'operstate dormant', 'is operstate dormant'],
  'route-present': [{ kind: 'route-present' }, 'present', 'is present'],
  'route-absent': [{ kind: 'route-absent' }, 'absent', 'is absent'],
  'next-hop-down': [{ kind: 'next-hop-down' }, 'next hop down', 'has no live next hop'],
  'address-present': [{ kind: 'address-present' }, 'present', 'is present'],
  'address-absent': [{ kind: 'address-absent' }, 'absent', 'is absent'],
  'address-tentative': [{ kind: 'address-tentative' }, 'tentative', 'is tentative'],
  dadfailed: [{ kind: 'dadfailed' }, 'dadfailed', 'failed duplicate address detection'],
  'address-deprecated': [{ kind: 'address-deprecated' }, 'deprecated', 'is deprecated'],
  answers: [{ kind: 'answers' }, 'answers', 'is answers'],
  'answers-missed': [{ kind: 'answers-missed', count: 3 }, '3 answers missed', 'is 3 answers missed'],
  'no-verdict-yet': [{ kind: 'no-verdict-yet' }, 'no verdict yet', 'has no verdict yet'],
};

describe('causes in words', () => {
  it.each(Object.values(EVERY))('%j is said %j, its loss %j', (cause, words, loss) => {
    expect(describeCause(cause)).toBe(words);
    expect(describeLoss(cause)).toBe(loss);
  });

  it('a failing source is named with its loss; a ping source with its missed answers', () => {
    expect(describeFailure('em0', { kind: 'no-carrier' })).toBe('em0 lost carrier');
    expect(describeFailure('address eth0', { kind: 'dadfailed' })).toBe('address eth0 failed duplicate address detection');
    expect(describeFailure('ping 192.0.2.1 dev eth0', { kind: 'answers-missed', count: 3 })).toBe('ping 192.0.2.1 dev eth0: 3 answers missed');
  });
});

describe('a change of health is a change of value, not of words', () => {
  const h = (healthy: boolean, cause: SourceCause, evidence?: string): SourceHealth => ({ healthy, cause, ...(evidence ? { evidence } : {}) });

  it('causes with the same words are different causes', () => {
    // A route and an address are both "present" and "absent": different kinds all the same.
    expect(describeCause({ kind: 'route-absent' })).toBe(describeCause({ kind: 'address-absent' }));
    expect(sameCause({ kind: 'route-absent' }, { kind: 'address-absent' })).toBe(false);
  });

  it('details count: another operstate or another count of missed answers is another cause', () => {
    expect(sameCause({ kind: 'operstate', state: 'dormant' }, { kind: 'operstate', state: 'dormant' })).toBe(true);
    expect(sameCause({ kind: 'operstate', state: 'dormant' }, { kind: 'operstate', state: 'down' })).toBe(false);
    expect(sameCause({ kind: 'answers-missed', count: 3 }, { kind: 'answers-missed', count: 5 })).toBe(false);
    expect(sameCause({ kind: 'answers-missed', count: 3 }, { kind: 'no-carrier' })).toBe(false);
  });

  it('evidence alone is no change; the cause or the health is', () => {
    expect(healthChanged(h(true, { kind: 'answers' }, 'rtt 0.4 ms'), h(true, { kind: 'answers' }, 'rtt 9 ms'))).toBe(false);
    expect(healthChanged(h(false, { kind: 'no-carrier' }), h(false, { kind: 'missing' }))).toBe(true);
    expect(healthChanged(h(false, { kind: 'no-verdict-yet' }), h(true, { kind: 'no-verdict-yet' }))).toBe(true);
  });

  it('a loss is healthy before and not after', () => {
    expect(isLoss(h(true, { kind: 'carrier' }), h(false, { kind: 'no-carrier' }))).toBe(true);
    expect(isLoss(h(false, { kind: 'no-carrier' }), h(false, { kind: 'missing' }))).toBe(false);
    expect(isLoss(h(false, { kind: 'missing' }), h(true, { kind: 'carrier' }))).toBe(false);
  });
});
