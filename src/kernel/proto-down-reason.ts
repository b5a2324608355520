import { endianness } from 'node:os';
import type { ReasonChange } from '../core/kernel-port.js';
import { reasonMask } from '../core/protodown-reason.js';
import { readU32, walkAttributes } from './attributes.js';

/**
 * IFLA_PROTO_DOWN_REASON (Linux >= 5.10): a u32 of reason bits, one per program that holds
 * an interface protodown. The kernel refuses protodown off (EBUSY) while any bit is set, so
 * each program sets and clears only its own bit; protodown stays on until the last one
 * clears its bit and says protodown off. The netlink package knows nothing of it: the
 * attribute is encoded and read here.
 */

export const IFLA_PROTO_DOWN_REASON = 55;
/** Inside the nest: which bits this request changes (0: replace the whole word, never sent). */
const IFLA_PROTO_DOWN_REASON_MASK = 1;
/** Inside the nest: the new value of those bits; in a notification, the whole word. */
const IFLA_PROTO_DOWN_REASON_VALUE = 2;
const NLA_F_NESTED = 0x8000;

/**
 * The whole attribute, header included, 4-byte aligned: a nest holding MASK (only our bit,
 * so that the kernel leaves every other program's bit alone) and VALUE. A mask of 0 would
 * make the kernel replace the whole word: clear everyone's reasons.
 */
export function encodeProtoDownReason(change: ReasonChange): Buffer {
  if (!Number.isInteger(change.bit) || change.bit < 0 || change.bit > 31) throw new RangeError(`protodown reason bit ${change.bit} is not 0-31`);
  const mask = reasonMask(change.bit);
  const out = Buffer.alloc(4 + 8 + 8);
  writeHeader(out, 0, out.length, IFLA_PROTO_DOWN_REASON | NLA_F_NESTED);
  writeHeader(out, 4, 8, IFLA_PROTO_DOWN_REASON_MASK);
  writeU32(out, 8, mask);
  writeHeader(out, 12, 8, IFLA_PROTO_DOWN_REASON_VALUE);
  writeU32(out, 16, change.set ? mask : 0);
  return out;
}

// rtnetlink speaks the host's byte order.
const LITTLE_ENDIAN = endianness() === 'LE';
function writeHeader(out: Buffer, at: number, length: number, type: number): void {
  if (LITTLE_ENDIAN) {
    out.writeUInt16LE(length, at);
    out.writeUInt16LE(type, at + 2);
  } else {
    out.writeUInt16BE(length, at);
    out.writeUInt16BE(type, at + 2);
  }
}
const writeU32 = (out: Buffer, at: number, value: number): number => (LITTLE_ENDIAN ? out.writeUInt32LE(value, at) : out.writeUInt32BE(value, at));

/**
 * The reason word of an IFLA_PROTO_DOWN_REASON nest in payload[start, end): the kernel sends
 * VALUE alone, and the nest only when the word is not 0. Undefined if the nest is malformed.
 */
export function parseProtoDownReason(payload: Buffer, start: number, end: number): number | undefined {
  let value = 0;
  const ok = walkAttributes(
    payload,
    start,
    (type, from, to) => {
      if (type !== IFLA_PROTO_DOWN_REASON_VALUE) return true;
      if (to - from !== 4) return false;
      value = readU32(payload, from);
      return true;
    },
    end,
  );
  return ok ? value : undefined;
}

/**
 * Whether the running kernel knows protodown reasons (5.10 and later), from its release
 * ("6.1.0-18-amd64"). An older kernel ignores the unknown attribute without an error, so
 * asking it tells nothing: the release is the evidence. An unreadable release counts as
 * supporting them (every kernel of the last years does).
 */
export function kernelHasProtoDownReasons(release: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (m === null) return true;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 5 || (major === 5 && minor >= 10);
}
