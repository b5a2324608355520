import { describe, expect, it } from 'vitest';
import { addressFromBytes, parseAddress, parsePrefix, prefixContains } from '../../../../src/core/sources/ip.js';

describe('addresses and prefixes', () => {
  it('reads both families in canonical form, and default as 0.0.0.0/0', () => {
    expect(parseAddress('192.0.2.1')).toEqual({ family: 'inet', text: '192.0.2.1' });
    expect(parseAddress('2001:DB8:0::1')).toEqual({ family: 'inet6', text: '2001:db8::1' });
    expect(parsePrefix('default')).toEqual({ family: 'inet', address: '0.0.0.0', length: 0 });
    expect(parsePrefix('::/0')).toEqual({ family: 'inet6', address: '::', length: 0 });
    expect(parsePrefix('198.51.100.0/24')).toEqual({ family: 'inet', address: '198.51.100.0', length: 24 });
    expect(parsePrefix('192.0.2.9')).toEqual({ family: 'inet', address: '192.0.2.9', length: 32 });
  });

  it('refuses what is not an address, inet_aton shorthands, zones, and host bits', () => {
    for (const bad of ['1.2.3', '0x7f.1', '127.1', 'fe80::1%eth0', 'host', '', '1.2.3.4.5']) expect(parseAddress(bad)).toBeUndefined();
    expect(parsePrefix('10.0.0.1/8')).toBe("'10.0.0.1/8' has host bits set (the network is 10.0.0.0/8)");
    expect(parsePrefix('10.0.0.0/33')).toBe("'10.0.0.0/33': prefix length 33 is above 32");
    expect(parsePrefix('10.0.0.0/x')).toBe("'10.0.0.0/x': the prefix length is not a number");
    expect(parsePrefix('10.0.0.0/8/8')).toBe("'10.0.0.0/8/8' is not an address or prefix");
  });

  it('says whether an address is in a prefix, per family', () => {
    const p = parsePrefix('2001:db8::/32');
    if (typeof p === 'string') throw new Error(p);
    expect(prefixContains(p, parseAddress('2001:db8:1::7')!)).toBe(true);
    expect(prefixContains(p, parseAddress('2001:db9::7')!)).toBe(false);
    expect(prefixContains(p, parseAddress('192.0.2.7')!)).toBe(false);
  });

  it('reads the kernel bytes of either family', () => {
    expect(addressFromBytes(Uint8Array.from([192, 0, 2, 1]))).toEqual({ family: 'inet', text: '192.0.2.1' });
    expect(addressFromBytes(new Uint8Array(16))).toEqual({ family: 'inet6', text: '::' });
    expect(addressFromBytes(new Uint8Array(5))).toBeUndefined();
  });
});
