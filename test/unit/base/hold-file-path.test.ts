import { describe, expect, it } from 'vitest';
import { holdFileFor } from '../../../src/base/hold-file-path.js';

describe('holdFileFor', () => {
  it('names the file after the socket, beside it', () => {
    expect(holdFileFor('/run/ifdepd/ifdepd.sock')).toBe('/run/ifdepd/ifdepd.holds');
    expect(holdFileFor('/run/fw/control')).toBe('/run/fw/control.holds');
    expect(holdFileFor('/run/fw/odd.holds')).toBe('/run/fw/odd.holds.holds');
  });
});
