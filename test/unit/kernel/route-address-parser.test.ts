// The route and address parsers, on messages the netlink package formats (as the kernel
// would send them) and on garbage: a malformed message is undefined, never an exception.
import fc from 'fast-check';
import { AttrStream, rt } from 'netlink';
import { describe, expect, it } from 'vitest';
import { parseAddressMessage } from '../../../src/kernel/address-parser.js';
import { parseRoute } from '../../../src/kernel/route-parser.js';

const concat = (out: AttrStream): Buffer => Buffer.concat(out.bufs.map((b) => Buffer.from(b)));

function routeMessage(data: rt.Route, attrs: rt.RouteAttrs): Buffer {
  const out = new AttrStream();
  rt.formatRouteMessage({ kind: 'route', data, attrs }, out);
  return concat(out);
}

/** struct rtnexthop + RTA_GATEWAY (IPv4), in host byte order. */
function nexthop(ifindex: number, gateway: number[], flags = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(16, 0);
  b.writeUInt8(flags, 2);
  b.writeInt32LE(ifindex, 4);
  b.writeUInt16LE(8, 8);
  b.writeUInt16LE(5, 10);
  Buffer.from(gateway).copy(b, 12);
  return b;
}

describe('route messages', () => {
  it('reads a default route with a gateway, in a table above 255', () => {
    const m = routeMessage({ family: 2, dstLen: 0, table: 252, type: rt.RouteType.UNICAST }, { gateway: Buffer.from([192, 0, 2, 1]), oif: 3, table: 1000, priority: 5 });
    expect(parseRoute(m, 7)).toEqual({
      family: 'inet', dst: '0.0.0.0', length: 0, table: 1000, type: 1, priority: 5, tos: 0, since: 7,
      nexthops: [{ index: 3, gateway: { family: 'inet', text: '192.0.2.1' }, dead: false }],
    });
  });

  it('reads IPv6 destinations, linkdown flags and multipath next hops', () => {
    const six = routeMessage({ family: 10, dstLen: 32, table: 254, type: 1 }, { dst: Buffer.from('20010db8000000000000000000000000', 'hex'), oif: 2 });
    // rtm_flags carries a single next hop's RTNH_F_LINKDOWN (16).
    six.writeUInt32LE(16, 8);
    expect(parseRoute(six, 0)).toMatchObject({ family: 'inet6', dst: '2001:db8::', length: 32, nexthops: [{ index: 2, dead: true }] });
    const multi = routeMessage({ family: 2, dstLen: 24, table: 254, type: 1 }, { dst: Buffer.from([203, 0, 113, 0]), multipath: Buffer.concat([nexthop(2, [10, 0, 0, 1]), nexthop(3, [10, 0, 1, 1], 1)]) });
    expect(parseRoute(multi, 0)).toMatchObject({
      nexthops: [
        { index: 2, gateway: { text: '10.0.0.1' }, dead: false },
        { index: 3, gateway: { text: '10.0.1.1' }, dead: true },
      ],
    });
  });

  it('leaves out other families and cached clones, and refuses malformed ones', () => {
    expect(parseRoute(routeMessage({ family: 28 }, {}), 0)).toBe('ignored');
    expect(parseRoute(routeMessage({ family: 10, flags: { cloned: true } }, { oif: 2 }), 0)).toBe('ignored');
    expect(parseRoute(Buffer.alloc(5), 0)).toBeUndefined();
    const m = routeMessage({ family: 2, dstLen: 24 }, { dst: Buffer.from([1, 2, 3]) });
    expect(parseRoute(m, 0)).toBeUndefined();
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(2, 10), (bytes, family) => {
        const b = Buffer.from(bytes);
        if (b.length > 0) b[0] = family;
        parseRoute(b, 0);
        parseAddressMessage(Buffer.concat([Buffer.from([family]), b]), 0);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('address messages', () => {
  const message = (data: rt.Address, attrs: rt.AddressAttrs): Buffer => {
    const out = new AttrStream();
    rt.formatAddressMessage({ kind: 'address', data, attrs }, out);
    return concat(out);
  };

  it('reads the local address, its prefix length and scope, and DAD from IFA_FLAGS', () => {
    const v4 = message({ family: 2, prefixlen: 24, index: 4, scope: 0 }, { local: Buffer.from([192, 0, 2, 7]), address: Buffer.from([192, 0, 2, 9]) });
    expect(parseAddressMessage(v4, 3)).toEqual({ index: 4, address: { family: 'inet', text: '192.0.2.7' }, length: 24, scope: 0, condition: 'usable', since: 3 });
    const v6 = message({ family: 10, prefixlen: 64, index: 4, scope: 0 }, { address: Buffer.from('20010db8000000000000000000000007', 'hex'), flags: { tentative: true } });
    expect(parseAddressMessage(v6, 0)).toMatchObject({ address: { text: '2001:db8::7' }, condition: 'tentative' });
    expect(parseAddressMessage(message({ family: 10, prefixlen: 64, index: 4 }, { address: Buffer.alloc(16), flags: { dadfailed: true, tentative: true } }), 0)?.condition).toBe('dadfailed');
    expect(parseAddressMessage(message({ family: 2, prefixlen: 40, index: 4 }, { local: Buffer.from([1, 2, 3, 4]) }), 0)).toBeUndefined();
    expect(parseAddressMessage(message({ family: 2, prefixlen: 8, index: 0 }, { local: Buffer.from([1, 2, 3, 4]) }), 0)).toBeUndefined();
  });
});
