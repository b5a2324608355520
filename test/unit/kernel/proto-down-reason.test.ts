// IFLA_PROTO_DOWN_REASON as ifdepd encodes it (a nest of MASK and VALUE naming only its own
// bit: a mask of 0 would replace every program's bits) and reads it back from link messages.
import { describe, expect, it } from 'vitest';
import { parseReasonBit, reasonBits } from '../../../src/core/protodown-reason.js';
import { parseLink } from '../../../src/kernel/link-parser.js';
import { encodeProtoDownReason, kernelHasProtoDownReasons } from '../../../src/kernel/proto-down-reason.js';
import { cstring, IFLA, linkPayload, rtattr, u32, type Header } from './link-message-builder.js';

const up: Header = { family: 0, type: 1, index: 7, flags: 0x1, change: 0 };
const le = (...words: number[]): number[] => words.flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24]);

describe('encodeProtoDownReason', () => {
  it('sets one bit: a nested attribute 55 holding MASK = VALUE = the bit', () => {
    const bytes = [...encodeProtoDownReason({ bit: 6, set: true })];
    // len 20, type 55 | NLA_F_NESTED; MASK (1) 0x40; VALUE (2) 0x40 (x86: little-endian)
    expect(bytes).toEqual([20, 0, 55, 0x80, 8, 0, 1, 0, ...le(0x40), 8, 0, 2, 0, ...le(0x40)]);
  });

  it('clears one bit: the same MASK, VALUE 0; bit 31 fits a u32', () => {
    expect([...encodeProtoDownReason({ bit: 6, set: false })].slice(12)).toEqual([8, 0, 2, 0, ...le(0)]);
    expect([...encodeProtoDownReason({ bit: 31, set: true })].slice(8, 12)).toEqual(le(0x80000000));
  });

  it('refuses a bit outside 0-31', () => {
    for (const bit of [-1, 32, 1.5]) expect(() => encodeProtoDownReason({ bit, set: true })).toThrow(/not 0-31/);
  });
});

describe('the reason word in a link message', () => {
  const withReason = (members: Buffer[]) =>
    linkPayload(up, [
      { type: IFLA.IFNAME, data: cstring('vrrp0') },
      { type: IFLA.PROTO_DOWN, data: Uint8Array.of(1) },
      { type: IFLA.PROTO_DOWN_REASON | 0x8000, data: Buffer.concat(members) },
    ]);

  it('reads VALUE as the kernel sends it, and what ifdepd encodes', () => {
    expect(parseLink(withReason([rtattr({ type: 2, data: u32(0xc0) })]))?.protoDownReasons).toBe(0xc0);
    const own = encodeProtoDownReason({ bit: 6, set: true }).subarray(4);
    expect(parseLink(withReason([own]))?.protoDownReasons).toBe(0x40);
  });

  it('no nest, or a zero word: no reasons', () => {
    expect(parseLink(linkPayload(up, [{ type: IFLA.IFNAME, data: cstring('vrrp0') }]))).not.toHaveProperty('protoDownReasons');
    expect(parseLink(withReason([rtattr({ type: 2, data: u32(0) })]))).not.toHaveProperty('protoDownReasons');
  });

  it('a VALUE that is not a u32 makes the message malformed', () => {
    expect(parseLink(withReason([rtattr({ type: 2, data: Uint8Array.of(1, 2) })]))).toBeUndefined();
  });

  it('reasonBits lists the bits, lowest first', () => {
    expect(reasonBits(0)).toEqual([]);
    expect(reasonBits(0x800000c0)).toEqual([6, 7, 31]);
  });
});

describe('kernel support and the setting', () => {
  it('reasons from Linux 5.10 on; an unreadable release counts as supporting them', () => {
    const cases: Array<[string, boolean]> = [['5.4.0-150-generic', false], ['5.9.16', false], ['5.10.0-28-amd64', true], ['6.18.44-fc', true], ['4.19.0', false], ['weird', true]];
    for (const [release, has] of cases) expect([release, kernelHasProtoDownReasons(release)]).toEqual([release, has]);
  });

  it('protodown-reason takes 0-31, in decimal', () => {
    expect([parseReasonBit('0'), parseReasonBit('6'), parseReasonBit('31')]).toEqual([0, 6, 31]);
    for (const bad of ['32', '-1', '0x7', '', 'six', '007']) expect(() => parseReasonBit(bad)).toThrow(/is not a reason bit \(0-31\)/);
  });
});
