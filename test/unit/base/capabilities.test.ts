import { describe, expect, it } from 'vitest';
import { CAP_NET_ADMIN, hasCapability } from '../../../src/base/capabilities.js';

const status = (capEff: string) => `Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t${capEff}\nCapBnd:\t000001ffffffffff\n`;

describe('hasCapability', () => {
  it('reads CAP_NET_ADMIN (bit 12) from CapEff', () => {
    expect(hasCapability(CAP_NET_ADMIN, status('000001ffffffffff'))).toBe(true);
    expect(hasCapability(CAP_NET_ADMIN, status('0000000000001000'))).toBe(true);
    expect(hasCapability(CAP_NET_ADMIN, status('0000000000000fff'))).toBe(false);
    expect(hasCapability(CAP_NET_ADMIN, status('0000000000000000'))).toBe(false);
  });

  it('fails closed when the status has no CapEff line', () => {
    expect(hasCapability(CAP_NET_ADMIN, 'Name:\tnode\n')).toBe(false);
  });
});
