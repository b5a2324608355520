import { addressFromBytes, networkOf, type IpAddress, type IpFamily } from '../core/sources/ip.js';
import type { NextHop, RouteEntry } from '../core/sources/route-table.js';
import { ifIndex } from '../core/types.js';
import { readS32, readU16, readU32, walkAttributes } from './attributes.js';

/**
 * Reads an RTM_NEWROUTE / RTM_DELROUTE payload (struct rtmsg, then rtattrs) into what a
 * route source matches: family, destination, table, type and next hops. Bounds-checked
 * like link-parser.ts: a malformed message gives undefined, never an exception.
 */

/** rtm_family, dst_len, src_len, tos, table, protocol, scope, type: u8 each; rtm_flags u32. */
const RTMSG_LENGTH = 12;
/** struct rtnexthop: rtnh_len u16, rtnh_flags u8, rtnh_hops u8, rtnh_ifindex s32. */
const RTNEXTHOP_LENGTH = 8;
const AF_INET = 2;
const AF_INET6 = 10;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_MULTIPATH = 9;
const RTA_TABLE = 15;
const RTNH_F_DEAD = 1;
const RTNH_F_LINKDOWN = 16;
/** A cached clone (IPv6 exceptions, PMTU): not a route anyone configured. */
const RTM_F_CLONED = 0x200;

interface Found {
  dst?: Buffer;
  oif?: number;
  gateway?: Buffer;
  priority?: number;
  table?: number;
  multipath?: NextHop[];
}

const familyOf = (code: number): IpFamily | undefined => (code === AF_INET ? 'inet' : code === AF_INET6 ? 'inet6' : undefined);

/**
 * The route; 'ignored' if it is not IPv4/IPv6 (MPLS) or is a cached clone; undefined if it
 * is malformed. `since` is the caller's clock.
 */
export function parseRoute(payload: Buffer, since: number): RouteEntry | 'ignored' | undefined {
  if (payload.length < RTMSG_LENGTH) return undefined;
  const family = familyOf(payload[0]!);
  if (family === undefined) return 'ignored';
  const flags = readU32(payload, 8);
  if ((flags & RTM_F_CLONED) !== 0) return 'ignored';
  const found: Found = {};
  if (!walkAttributes(payload, RTMSG_LENGTH, (type, start, end) => take(found, type, payload, start, end))) return undefined;
  const length = payload[1]!;
  const dst = found.dst === undefined ? (family === 'inet' ? '0.0.0.0' : '::') : addressFromBytes(found.dst)?.text;
  if (dst === undefined || length > (family === 'inet' ? 32 : 128)) return undefined;
  const single = (): NextHop[] => [hop(found.oif, found.gateway, flags)];
  const nexthops = found.multipath ?? (found.oif !== undefined || found.gateway !== undefined ? single() : []);
  if (nexthops.some((h) => h.gateway === undefined && h.index === undefined)) return undefined;
  return {
    family,
    dst: networkOf(dst, length),
    length,
    // rtm_table holds only 8 bits: RTA_TABLE has the whole number.
    table: found.table ?? payload[4]!,
    type: payload[7]!,
    priority: found.priority ?? 0,
    tos: payload[3]!,
    nexthops,
    since,
  };
}

function hop(oif: number | undefined, gateway: Buffer | undefined, flags: number): NextHop {
  const gw: IpAddress | undefined = gateway === undefined ? undefined : addressFromBytes(gateway);
  return {
    ...(oif !== undefined && oif > 0 ? { index: ifIndex(oif) } : {}),
    ...(gw !== undefined ? { gateway: gw } : {}),
    dead: (flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN)) !== 0,
  };
}

function take(found: Found, type: number, payload: Buffer, start: number, end: number): boolean {
  const size = end - start;
  switch (type) {
    case RTA_DST:
      found.dst = payload.subarray(start, end);
      return size === 4 || size === 16;
    case RTA_GATEWAY:
      found.gateway = payload.subarray(start, end);
      return size === 4 || size === 16;
    case RTA_OIF:
    case RTA_PRIORITY:
    case RTA_TABLE:
      if (size !== 4) return false;
      if (type === RTA_OIF) found.oif = readS32(payload, start);
      else if (type === RTA_PRIORITY) found.priority = readU32(payload, start);
      else found.table = readU32(payload, start);
      return true;
    case RTA_MULTIPATH: {
      const hops = readNextHops(payload, start, end);
      if (hops === undefined) return false;
      found.multipath = hops;
      return true;
    }
    default:
      return true;
  }
}

/** RTA_MULTIPATH: rtnexthops, each with its own rtattrs (RTA_GATEWAY) after it. */
function readNextHops(payload: Buffer, start: number, end: number): NextHop[] | undefined {
  const hops: NextHop[] = [];
  let at = start;
  while (at < end) {
    if (end - at < RTNEXTHOP_LENGTH) return undefined;
    const length = readU16(payload, at);
    if (length < RTNEXTHOP_LENGTH || length > end - at) return undefined;
    const flags = payload[at + 2]!;
    const oif = readS32(payload, at + 4);
    let gateway: Buffer | undefined;
    const ok = walkAttributes(
      payload,
      at + RTNEXTHOP_LENGTH,
      (type, s, e) => {
        if (type !== RTA_GATEWAY) return true;
        gateway = payload.subarray(s, e);
        return e - s === 4 || e - s === 16;
      },
      at + length,
    );
    if (!ok) return undefined;
    hops.push(hop(oif, gateway, flags));
    at += (length + 3) & ~3;
  }
  return hops;
}
