import { addressFromBytes } from '../core/sources/ip.js';
import type { AddressCondition, AddressEntry } from '../core/sources/address-table.js';
import { ifIndex } from '../core/types.js';
import { readU32, walkAttributes } from './attributes.js';

/**
 * Reads an RTM_NEWADDR / RTM_DELADDR payload (struct ifaddrmsg, then rtattrs).
 * Bounds-checked like link-parser.ts: a malformed message gives undefined, never an exception.
 */

/** ifa_family u8, ifa_prefixlen u8, ifa_flags u8, ifa_scope u8, ifa_index u32. */
const IFADDRMSG_LENGTH = 8;
const AF_INET = 2;
const AF_INET6 = 10;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
/** u32 flags: ifa_flags holds only the low 8 bits. */
const IFA_FLAGS = 8;
const IFA_F_DADFAILED = 0x08;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_TENTATIVE = 0x40;

/** The address, or undefined if it is not IPv4/IPv6 or is malformed. `since` is the caller's clock. */
export function parseAddressMessage(payload: Buffer, since: number): AddressEntry | undefined {
  if (payload.length < IFADDRMSG_LENGTH) return undefined;
  const family = payload[0];
  if (family !== AF_INET && family !== AF_INET6) return undefined;
  const index = readU32(payload, 4);
  if (index < 1) return undefined;
  let local: Buffer | undefined;
  let address: Buffer | undefined;
  let flags = payload[2]!;
  const ok = walkAttributes(payload, IFADDRMSG_LENGTH, (type, start, end) => {
    const size = end - start;
    if (type === IFA_LOCAL || type === IFA_ADDRESS) {
      if (type === IFA_LOCAL) local = payload.subarray(start, end);
      else address = payload.subarray(start, end);
      return size === 4 || size === 16;
    }
    if (type !== IFA_FLAGS) return true;
    if (size !== 4) return false;
    flags = readU32(payload, start);
    return true;
  });
  // On a point-to-point link IFA_ADDRESS is the peer's: IFA_LOCAL is this end.
  const own = ok ? addressFromBytes(local ?? address ?? Buffer.alloc(0)) : undefined;
  const length = payload[1]!;
  if (own === undefined || length > (own.family === 'inet' ? 32 : 128)) return undefined;
  return { index: ifIndex(index), address: own, length, scope: payload[3]!, condition: conditionOf(flags), since };
}

function conditionOf(flags: number): AddressCondition {
  if ((flags & IFA_F_DADFAILED) !== 0) return 'dadfailed';
  if ((flags & IFA_F_TENTATIVE) !== 0) return 'tentative';
  if ((flags & IFA_F_DEPRECATED) !== 0) return 'deprecated';
  return 'usable';
}
