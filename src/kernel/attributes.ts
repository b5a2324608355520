import { endianness } from 'node:os';

/** What every rtnetlink message parser here shares: the host's byte order and the rtattr walk. */

const RTA_HEADER_LENGTH = 4;
/** The two top bits of rta_type are NLA_F_NESTED and NLA_F_NET_BYTEORDER. */
const RTA_TYPE_MASK = 0x3fff;
const NLA_F_NET_BYTEORDER = 0x4000;

// rtnetlink speaks the host's byte order.
const LITTLE_ENDIAN = endianness() === 'LE';
export const readU16 = (b: Buffer, at: number): number => (LITTLE_ENDIAN ? b.readUInt16LE(at) : b.readUInt16BE(at));
export const readU32 = (b: Buffer, at: number): number => (LITTLE_ENDIAN ? b.readUInt32LE(at) : b.readUInt32BE(at));
export const readS32 = (b: Buffer, at: number): number => (LITTLE_ENDIAN ? b.readInt32LE(at) : b.readInt32BE(at));

/**
 * One attribute: its type (flags removed), where its value starts and ends. Returns false
 * if the value is malformed for its type: the walk then stops and fails.
 */
export type AttributeVisitor = (type: number, start: number, end: number, netByteOrder: boolean) => boolean;

/**
 * Walks the rtattrs in payload[from, end); false as soon as one is malformed: a header
 * that does not fit, a length running past the end, or a visitor refusing a value (the
 * kernel never sets NLA_F_NET_BYTEORDER on what ifdepd reads: a visitor refuses it). A false never comes with an exception.
 */
export function walkAttributes(payload: Buffer, from: number, visit: AttributeVisitor, end = payload.length): boolean {
  let at = from;
  while (at < end) {
    const left = end - at;
    if (left < RTA_HEADER_LENGTH) return false;
    const length = readU16(payload, at);
    if (length < RTA_HEADER_LENGTH || length > left) return false;
    const rtaType = readU16(payload, at + 2);
    if (!visit(rtaType & RTA_TYPE_MASK, at + RTA_HEADER_LENGTH, at + length, (rtaType & NLA_F_NET_BYTEORDER) !== 0)) return false;
    // Attributes start on 4-byte boundaries; the last one's padding may be missing.
    at += (length + 3) & ~3;
  }
  return true;
}
