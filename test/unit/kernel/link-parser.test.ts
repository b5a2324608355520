import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LinkState } from '../../../src/core/types.js';
import { walkAttributes } from '../../../src/kernel/attributes.js';
import { parseLink, parseLinkHeader, parseLinkName } from '../../../src/kernel/link-parser.js';
import { packageLinkState } from '../../lab/package-link-state.js';
import { cstring, IFLA, linkPayload, rtattr, u32, wellFormedAttr, wellFormedPayload, type Header } from './link-message-builder.js';

const RUNS = { numRuns: 3000 };
const up: Header = { family: 0, type: 1, index: 7, flags: 0x1 | 0x10000, change: 0 };

/**
 * What the lean parser must answer where the package parses the payload: the package's
 * answer, except that an ifindex below 1 (which the kernel never sends) is refused.
 */
function expected(payload: Buffer): LinkState | undefined | 'package threw' {
  const reference = packageLinkState(payload);
  if (reference === 'threw') return 'package threw';
  return reference !== undefined && reference.index < 1 ? undefined : reference;
}

/** Parses without throwing, and agrees with the package wherever the package has an answer. */
function agreesWithPackage(payload: Buffer): void {
  const lean = parseLink(payload);
  const reference = expected(payload);
  if (reference !== 'package threw') expect(lean).toStrictEqual(reference);
}

describe('parseLink', () => {
  it('reads the header, ifname, operstate, protodown and group', () => {
    const payload = linkPayload(up, [
      { type: IFLA.IFNAME, data: cstring('vrrp.51') },
      { type: IFLA.OPERSTATE, data: Uint8Array.of(6) },
      { type: IFLA.PROTO_DOWN, data: Uint8Array.of(1) },
      { type: IFLA.GROUP, data: u32(7) },
    ]);
    expect(parseLink(payload)).toStrictEqual({ index: 7, name: 'vrrp.51', adminUp: true, lowerUp: true, operState: 'up', protoDown: true, group: 7 });
  });

  it('defaults what is missing: operstate unknown, no protodown, no group', () => {
    const payload = linkPayload({ ...up, flags: 0 }, [{ type: IFLA.IFNAME, data: cstring('s0') }]);
    expect(parseLink(payload)).toStrictEqual({ index: 7, name: 's0', adminUp: false, lowerUp: false, operState: 'unknown', protoDown: false });
  });

  it('refuses what is not about an interface itself, or malformed', () => {
    const name = { type: IFLA.IFNAME, data: cstring('s0') };
    const cases: Record<string, Buffer> = {
      'AF_BRIDGE (a bridge port)': linkPayload({ ...up, family: 7 }, [name]),
      'no ifname': linkPayload(up, [{ type: IFLA.MTU, data: u32(1500) }]),
      'ifindex 0': linkPayload({ ...up, index: 0 }, [name]),
      'ifname without its NUL': linkPayload(up, [{ type: IFLA.IFNAME, data: Buffer.from('s0') }]),
      'empty ifname attribute': linkPayload(up, [{ type: IFLA.IFNAME, data: new Uint8Array(0) }]),
      'operstate of 4 bytes': linkPayload(up, [name, { type: IFLA.OPERSTATE, data: u32(6) }]),
      'group of 1 byte': linkPayload(up, [name, { type: IFLA.GROUP, data: Uint8Array.of(7) }]),
      'ifname in network byte order': linkPayload(up, [{ type: IFLA.IFNAME | 0x4000, data: cstring('s0') }]),
      'rta_len 3': linkPayload(up, [name, { type: IFLA.MTU, data: u32(1), length: 3 }]),
      'rta_len past the end': linkPayload(up, [name, { type: IFLA.MTU, data: u32(1), length: 9 }]),
      '2 bytes after the last attribute': Buffer.concat([linkPayload(up, [name]), Buffer.alloc(2)]),
      'a truncated header': linkPayload(up, [name]).subarray(0, 15),
      'nothing at all': Buffer.alloc(0),
    };
    const answers = Object.fromEntries(Object.entries(cases).map(([what, payload]) => [what, parseLink(payload)]));
    expect(answers).toStrictEqual(Object.fromEntries(Object.keys(cases).map((what) => [what, undefined])));
  });

  it('takes an attribute without the padding after it, and the last of duplicates', () => {
    const payload = linkPayload(up, [{ type: IFLA.IFNAME, data: cstring('old') }, { type: IFLA.IFNAME, data: cstring('new') }], false);
    expect(parseLink(payload)?.name).toBe('new');
  });

  it('agrees with the package on every well-formed message', () => {
    fc.assert(
      fc.property(wellFormedPayload, (payload) => {
        // The generator makes what the package parses: if it threw, the test proves nothing.
        expect(packageLinkState(payload)).not.toBe('threw');
        agreesWithPackage(payload);
      }),
      RUNS,
    );
  });

  it('never throws on a truncated message, and agrees where the package does not throw', () => {
    const truncated = wellFormedPayload.chain((p) => fc.nat({ max: p.length }).map((n) => p.subarray(0, n)));
    fc.assert(fc.property(truncated, agreesWithPackage), RUNS);
  });

  it('never throws on corrupted bytes (lengths, types, flags), and agrees where the package does not throw', () => {
    const corrupted = wellFormedPayload.chain((p) =>
      fc.array(fc.record({ at: fc.nat({ max: Math.max(0, p.length - 1) }), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }).map((edits) => {
        const copy = Buffer.from(p);
        for (const { at, value } of edits) if (at < copy.length) copy[at] = value;
        return copy;
      }),
    );
    fc.assert(fc.property(corrupted, agreesWithPackage), RUNS);
  });

  it('never throws on random attribute lengths', () => {
    const lying = fc.array(fc.tuple(wellFormedAttr, fc.integer({ min: 0, max: 0xffff })), { maxLength: 6 }).map((attrs) =>
      Buffer.concat([linkPayload(up, []), ...attrs.map(([a, length]) => rtattr({ ...a, length }))]),
    );
    fc.assert(fc.property(lying, agreesWithPackage), RUNS);
  });

  it('never throws on garbage', () => {
    const garbage = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([linkPayload(up, []), b])),
    );
    fc.assert(fc.property(garbage, agreesWithPackage), RUNS);
  });
});

describe('parseLinkHeader', () => {
  it('reads the ifindex and flags of an AF_UNSPEC message (a deletion needs nothing else)', () => {
    expect(parseLinkHeader(linkPayload(up, []))).toStrictEqual({ index: 7, flags: 0x10001 });
    expect(parseLinkHeader(linkPayload({ ...up, family: 7 }, []))).toBeUndefined();
    expect(parseLinkHeader(linkPayload({ ...up, index: -1 }, []))).toBeUndefined();
    expect(parseLinkHeader(Buffer.alloc(15))).toBeUndefined();
  });

  it('never throws, and reads the index the package reads', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const b = Buffer.from(bytes);
        const header = parseLinkHeader(b);
        if (header !== undefined) expect(header.index).toBe(b.readInt32LE(4));
      }),
      RUNS,
    );
  });
});

describe('parseLinkName', () => {
  it('reads the name alone, stopping there', () => {
    const payload = linkPayload(up, [{ type: IFLA.IFNAME, data: cstring('bp7') }, { type: IFLA.GROUP, data: Uint8Array.of(7) }]);
    // The group attribute after the name is malformed: parseLink refuses it, the name is still read.
    expect(parseLink(payload)).toBeUndefined();
    expect(parseLinkName(payload)).toBe('bp7');
  });

  it('has no name for what parseLink refuses before or at the name', () => {
    const name = { type: IFLA.IFNAME, data: cstring('s0') };
    expect(parseLinkName(linkPayload({ ...up, family: 7 }, [name]))).toBeUndefined();
    expect(parseLinkName(linkPayload(up, [{ type: IFLA.MTU, data: u32(1500) }]))).toBeUndefined();
    expect(parseLinkName(linkPayload(up, [{ type: IFLA.IFNAME, data: Buffer.from('s0') }]))).toBeUndefined();
    expect(parseLinkName(linkPayload(up, [{ type: IFLA.IFNAME | 0x4000, data: cstring('s0') }]))).toBeUndefined();
    expect(parseLinkName(linkPayload(up, [{ type: IFLA.MTU, data: u32(1), length: 3 }, name]))).toBeUndefined();
  });

  it('reads the name parseLink reads, on every well-formed message with one name', () => {
    fc.assert(
      fc.property(wellFormedPayload, (payload) => {
        const link = parseLink(payload);
        const names: string[] = [];
        walkAttributes(payload, 16, (type, start, end) => {
          if (type === IFLA.IFNAME) names.push(payload.toString('utf8', start, end - 1));
          return true;
        });
        if (link !== undefined && names.length === 1) expect(parseLinkName(payload)).toBe(link.name);
      }),
      RUNS,
    );
  });
});
