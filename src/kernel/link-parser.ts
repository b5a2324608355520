import { ifIndex, type IfIndex, type LinkState, type OperState } from '../core/types.js';
import { attributeTypes, readS32, readU32, walkAttributes } from './attributes.js';
import { IFLA_PROTO_DOWN_REASON, parseProtoDownReason } from './proto-down-reason.js';

/**
 * Reads the payload of an RTM_NEWLINK / RTM_DELLINK (struct ifinfomsg, then rtattrs)
 * for the few fields the link table keeps, without building an object per attribute:
 * the netlink package's generic parser decodes every attribute and statistics block,
 * which was most of ifdepd's own time with many destinations. Every length is checked
 * against the buffer: a malformed message gives undefined, never an exception.
 */

/** ifi_family u8, pad u8, ifi_type u16, ifi_index s32, ifi_flags u32, ifi_change u32. */
const IFINFOMSG_LENGTH = 16;
/** AF_UNSPEC: the message describes the interface itself (bridge ports also send AF_BRIDGE ones). */
export const AF_UNSPEC = 0;
const IFF_UP = 0x1;
const IFF_LOWER_UP = 0x10000;

const IFLA_IFNAME = 3;
const IFLA_OPERSTATE = 16;
const IFLA_GROUP = 27;
const IFLA_PROTO_DOWN = 39;

/** IF_OPER_* in the kernel's order; unknown values read as 'unknown'. */
const OPERSTATES: readonly OperState[] = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];

/** The ifinfomsg of a message about an interface itself. */
export interface LinkHeader {
  readonly index: IfIndex;
  /** ifi_flags: IFF_UP, IFF_LOWER_UP, ... */
  readonly flags: number;
}

/** The ifinfomsg, or undefined if the payload is too short, not AF_UNSPEC, or has no valid ifindex. */
export function parseLinkHeader(payload: Buffer): LinkHeader | undefined {
  if (payload.length < IFINFOMSG_LENGTH || payload[0] !== AF_UNSPEC) return undefined;
  const index = readS32(payload, 4);
  // The kernel numbers interfaces from 1.
  if (index < 1) return undefined;
  return { index: ifIndex(index), flags: readU32(payload, 8) };
}

/**
 * The link table's view of one RTM_NEWLINK payload; undefined if it is not AF_UNSPEC
 * or is malformed: truncated, an attribute running past the end, an ifname that is
 * missing or not NUL-terminated, an IFLA_OPERSTATE or IFLA_GROUP of the wrong size, an
 * IFLA_PROTO_DOWN_REASON nest that does not hold a u32.
 */
export function parseLink(payload: Buffer): LinkState | undefined {
  const header = parseLinkHeader(payload);
  if (header === undefined) return undefined;
  const attrs = readAttributes(payload);
  if (attrs === undefined || attrs.name === undefined) return undefined;
  const link: Mutable<LinkState> = {
    index: header.index,
    name: attrs.name,
    adminUp: (header.flags & IFF_UP) !== 0,
    lowerUp: (header.flags & IFF_LOWER_UP) !== 0,
    operState: OPERSTATES[attrs.operState ?? 0] ?? 'unknown',
    protoDown: attrs.protoDown ?? false,
  };
  // Set, not spread: spreads are runtime calls in V8's interpreter, and this runs per notification.
  if (attrs.group !== undefined) link.group = attrs.group;
  if (attrs.protoDownReasons) link.protoDownReasons = attrs.protoDownReasons;
  return link;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The interface name alone, for deciding whether a notification matters before reading it
 * all: the kernel puts IFLA_IFNAME first, so the walk stops there. Undefined if the header
 * or an attribute before the name is malformed, or there is no name (parseLink says why).
 */
export function parseLinkName(payload: Buffer): string | undefined {
  if (payload.length < IFINFOMSG_LENGTH || payload[0] !== AF_UNSPEC) return undefined;
  let name: string | undefined;
  walkAttributes(payload, IFINFOMSG_LENGTH, (type, start, end, netOrder) => {
    if (type !== IFLA_IFNAME) return true;
    if (!netOrder && end > start && payload[end - 1] === 0) name = payload.toString('utf8', start, end - 1);
    // Stops the walk: what follows is not read.
    return false;
  });
  return name;
}

/** What the attributes say; the last occurrence of an attribute wins, as in the package. */
interface Found {
  name?: string;
  operState?: number;
  protoDown?: boolean;
  group?: number;
  protoDownReasons?: number;
}

/** What the link table reads of a link message. */
const READ = attributeTypes(IFLA_IFNAME, IFLA_OPERSTATE, IFLA_PROTO_DOWN, IFLA_GROUP, IFLA_PROTO_DOWN_REASON);

/** Walks the rtattrs after the ifinfomsg; undefined as soon as one is malformed. */
function readAttributes(payload: Buffer): Found | undefined {
  const found: Found = {};
  const visit = (type: number, start: number, end: number, netOrder: boolean) => take(found, type, payload, start, end, netOrder);
  return walkAttributes(payload, IFINFOMSG_LENGTH, visit, payload.length, READ) ? found : undefined;
}

/** Records one attribute the link table needs (READ); false if it is malformed. */
function take(found: Found, type: number, payload: Buffer, start: number, end: number, netOrder: boolean): boolean {
  // The kernel never sends these in network byte order.
  if (netOrder) return false;
  const size = end - start;
  switch (type) {
    case IFLA_IFNAME:
      if (size < 1 || payload[end - 1] !== 0) return false;
      found.name = payload.toString('utf8', start, end - 1);
      return true;
    case IFLA_OPERSTATE:
      if (size !== 1) return false;
      found.operState = payload[start];
      return true;
    case IFLA_GROUP:
      if (size !== 4) return false;
      found.group = readU32(payload, start);
      return true;
    case IFLA_PROTO_DOWN_REASON: {
      const word = parseProtoDownReason(payload, start, end);
      if (word === undefined) return false;
      found.protoDownReasons = word;
      return true;
    }
    case IFLA_PROTO_DOWN:
      // A u8.
      found.protoDown = size >= 1 && payload[start] === 1;
      return true;
    default:
      return true;
  }
}
