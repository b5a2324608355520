import { describe, expect, it } from 'vitest';
import { NAMES_SHOWN, nameList } from '../../../src/core/name-list.js';

describe('nameList', () => {
  it('gives a short list whole', () => {
    expect(nameList(['vrrp0', 'vrrp1'])).toBe('vrrp0,vrrp1');
    expect(nameList([])).toBe('');
  });

  it(`cuts a long list after ${NAMES_SHOWN} names and counts the rest`, () => {
    const names = Array.from({ length: 1024 }, (_, i) => `d${i}`);
    expect(nameList(names)).toBe('d0,d1,d2,d3,d4,d5,d6,d7 and 1016 more');
    expect(nameList(names.slice(0, NAMES_SHOWN))).toBe('d0,d1,d2,d3,d4,d5,d6,d7');
    expect(nameList(names.slice(0, NAMES_SHOWN + 1))).toBe('d0,d1,d2,d3,d4,d5,d6,d7 and 1 more');
  });
});
