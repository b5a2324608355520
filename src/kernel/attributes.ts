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

/** The attribute types a walk visits, as a table indexed by type (attributeTypes()). */
export type AttributeTypes = Uint8Array;

export function attributeTypes(...types: readonly number[]): AttributeTypes {
  const table = new Uint8Array(Math.max(...types) + 1);
  for (const t of types) table[t] = 1;
  return table;
}

/**
 * Walks the rtattrs in payload[from, end); false as soon as one is malformed: a header
 * that does not fit, a length running past the end, or a visitor refusing a value (the
 * kernel never sets NLA_F_NET_BYTEORDER on what ifdepd reads: a visitor refuses it). A false never comes with an exception.
 * With `only`, the visitor sees those types alone (the others are still checked for their
 * length): a link message has ~50 attributes of which the link table reads 5.
 */
export function walkAttributes(payload: Buffer, from: number, visit: AttributeVisitor, end = payload.length, only?: AttributeTypes): boolean {
  let at = from;
  while (at < end) {
    const left = end - at;
    if (left < RTA_HEADER_LENGTH) return false;
    // Byte arithmetic rather than readU16: this runs for every attribute of every
    // notification, mostly in V8's interpreter, where each call costs.
    const length = LITTLE_ENDIAN ? payload[at]! | (payload[at + 1]! << 8) : (payload[at]! << 8) | payload[at + 1]!;
    if (length < RTA_HEADER_LENGTH || length > left) return false;
    const rtaType = LITTLE_ENDIAN ? payload[at + 2]! | (payload[at + 3]! << 8) : (payload[at + 2]! << 8) | payload[at + 3]!;
    const type = rtaType & RTA_TYPE_MASK;
    if ((only === undefined || only[type] === 1) && !visit(type, at + RTA_HEADER_LENGTH, at + length, (rtaType & NLA_F_NET_BYTEORDER) !== 0)) return false;
    // Attributes start on 4-byte boundaries; the last one's padding may be missing.
    at += (length + 3) & ~3;
  }
  return true;
}
