// Builds RTM_NEWLINK payloads (struct ifinfomsg + rtattrs) byte by byte, and fast-check
// arbitraries of them, for the lean parser's tests.
import { endianness } from 'node:os';
import fc from 'fast-check';

const LE = endianness() === 'LE';

export interface Header {
  readonly family: number;
  readonly type: number;
  readonly index: number;
  readonly flags: number;
  readonly change: number;
}

export interface Attr {
  /** rta_type, flag bits included. */
  readonly type: number;
  readonly data: Uint8Array;
  /** rta_len as written; by default 4 + data length. */
  readonly length?: number;
}

export function ifinfomsg(h: Header): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(h.family, 0);
  if (LE) {
    b.writeUInt16LE(h.type, 2);
    b.writeInt32LE(h.index, 4);
    b.writeUInt32LE(h.flags >>> 0, 8);
    b.writeUInt32LE(h.change >>> 0, 12);
  } else {
    b.writeUInt16BE(h.type, 2);
    b.writeInt32BE(h.index, 4);
    b.writeUInt32BE(h.flags >>> 0, 8);
    b.writeUInt32BE(h.change >>> 0, 12);
  }
  return b;
}

/** One rtattr, padded to 4 bytes unless `pad` is false (the kernel may omit the last one's padding). */
export function rtattr(a: Attr, pad = true): Buffer {
  const head = Buffer.alloc(4);
  const length = a.length ?? 4 + a.data.length;
  if (LE) {
    head.writeUInt16LE(length & 0xffff, 0);
    head.writeUInt16LE(a.type & 0xffff, 2);
  } else {
    head.writeUInt16BE(length & 0xffff, 0);
    head.writeUInt16BE(a.type & 0xffff, 2);
  }
  const padding = pad ? (4 - ((4 + a.data.length) % 4)) % 4 : 0;
  return Buffer.concat([head, a.data, Buffer.alloc(padding)]);
}

export function linkPayload(h: Header, attrs: readonly Attr[], padLast = true): Buffer {
  return Buffer.concat([ifinfomsg(h), ...attrs.map((a, i) => rtattr(a, padLast || i < attrs.length - 1))]);
}

export const u32 = (n: number): Uint8Array => {
  const b = Buffer.alloc(4);
  if (LE) b.writeUInt32LE(n >>> 0);
  else b.writeUInt32BE(n >>> 0);
  return b;
};
export const cstring = (s: string): Uint8Array => Buffer.from(`${s}\0`);

export const IFLA = { IFNAME: 3, MTU: 4, OPERSTATE: 16, GROUP: 27, CARRIER: 33, PROTO_DOWN: 39, PROTO_DOWN_REASON: 55 } as const;
const NESTED = 0x8000;
const NET_BYTEORDER = 0x4000;
/** Link attributes the package keeps as raw bytes, whatever their length. */
const OPAQUE = [1, 2, 5, 8, 9, 11, 14, 18, 29, 34, 36, 42, 44, 45, 52, 54];
/** The package knows types 1..54 and skips the others, flags and all; ifdepd reads 55 itself. */
const FIRST_UNKNOWN = 56;

const bytes = (maxLength: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength });
const nested = fc.constantFrom(0, NESTED);
const attr = (type: number, data: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Attr> =>
  fc.record({ flag: nested, data }).map(({ flag, data: d }) => ({ type: type | flag, data: d }));

/** Attributes of a message the package parses: the ones ifdepd reads, and others. */
export const wellFormedAttr: fc.Arbitrary<Attr> = fc.oneof(
  attr(IFLA.IFNAME, bytes(20).map((b) => Buffer.concat([b, Buffer.from([0])]))),
  attr(IFLA.OPERSTATE, fc.integer({ min: 0, max: 255 }).map((n) => Uint8Array.of(n))),
  attr(IFLA.PROTO_DOWN, bytes(3)),
  attr(IFLA.GROUP, fc.nat({ max: 0xffffffff }).map(u32)),
  attr(IFLA.CARRIER, fc.integer({ min: 0, max: 1 }).map((n) => Uint8Array.of(n))),
  attr(IFLA.MTU, fc.nat({ max: 0xffffffff }).map(u32)),
  // The reason nest as the kernel sends it (VALUE alone), with a MASK or an unknown member at times.
  attr(
    IFLA.PROTO_DOWN_REASON,
    fc
      .array(fc.oneof(fc.nat({ max: 0xffffffff }).map((n) => rtattr({ type: 2, data: u32(n) })), fc.nat({ max: 0xffffffff }).map((n) => rtattr({ type: 1, data: u32(n) })), bytes(8).map((b) => rtattr({ type: 9, data: b }))), { maxLength: 3 })
      .map((members) => Buffer.concat(members)),
  ),
  fc.constantFrom(...OPAQUE).chain((t) => attr(t, bytes(40))),
  fc
    .record({ type: fc.integer({ min: FIRST_UNKNOWN, max: 0x3fff }), flags: fc.constantFrom(0, NESTED, NET_BYTEORDER), data: bytes(40) })
    .map(({ type, flags, data }) => ({ type: type | flags, data })),
);

export const header: fc.Arbitrary<Header> = fc.record({
  family: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 255 }) }),
  type: fc.integer({ min: 0, max: 0xffff }),
  index: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 100_000 }) }, { weight: 1, arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
  flags: fc.nat({ max: 0xffffffff }),
  change: fc.nat({ max: 0xffffffff }),
});

/** A payload the package parses without error: an ifname most of the time, duplicates possible. */
export const wellFormedPayload: fc.Arbitrary<Buffer> = fc
  .record({ h: header, attrs: fc.array(wellFormedAttr, { maxLength: 12 }), name: fc.option(bytes(16)), padLast: fc.boolean() })
  .chain(({ h, attrs, name, padLast }) =>
    fc.nat({ max: attrs.length }).map((at) => {
      const all = [...attrs];
      if (name !== null) all.splice(at, 0, { type: IFLA.IFNAME, data: Buffer.concat([name, Buffer.from([0])]) });
      return linkPayload(h, all, padLast);
    }),
  );
