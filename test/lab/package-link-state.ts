// The reference the lean link parser (src/kernel/link-parser.ts) is tested against:
// the netlink package's full parser (rt.parseMessage) followed by the mapping ifdepd
// used before it had its own parser (src/kernel/link-message.ts until the lean parser),
// plus IFLA_GROUP, and IFLA_PROTO_DOWN_REASON, which the package skips: read here from the
// raw payload by a reference decoder of its own.
import { rt } from 'netlink';
import { ifIndex, type LinkState, type OperState } from '../../src/core/types.js';

const OPERSTATES: readonly OperState[] = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];

const AF_UNSPEC = 0;

/** The part of an RTM_NEWLINK that ifdepd decides on, or undefined for messages about something else. */
export function toLinkState(msg: rt.LinkMessage): LinkState | undefined {
  const { data, attrs } = msg;
  if ((data.family ?? AF_UNSPEC) !== AF_UNSPEC) return undefined;
  if (data.index === undefined || attrs.ifname === undefined) return undefined;
  const link: LinkState = {
    index: ifIndex(data.index),
    name: attrs.ifname,
    adminUp: data.flags?.up === true,
    lowerUp: data.flags?.lowerUp === true,
    operState: OPERSTATES[attrs.operstate ?? 0] ?? 'unknown',
    protoDown: attrs.protoDown?.[0] === 1,
  };
  return attrs.group === undefined ? link : { ...link, group: attrs.group };
}

/** What the package makes of one link payload: a LinkState, undefined, or 'threw'. */
export function packageLinkState(payload: Buffer): LinkState | undefined | 'threw' {
  let parsed: rt.Message;
  try {
    parsed = rt.parseMessage(rt.MessageType.NEWLINK, payload);
  } catch {
    return 'threw';
  }
  if (parsed.kind !== 'link') return undefined;
  const link = toLinkState(parsed);
  if (link === undefined) return undefined;
  const reasons = referenceReasons(payload);
  if (reasons === 'malformed') return undefined;
  return reasons === undefined || reasons === 0 ? link : { ...link, protoDownReasons: reasons };
}

const IFLA_PROTO_DOWN_REASON = 55;
const VALUE = 2;

/** The rtattrs of buf[from, to): [type without flags, flags, value]; 'malformed' if one does not fit. */
function attrsOf(buf: Buffer, from: number, to: number): Array<[number, number, Buffer]> | 'malformed' {
  const out: Array<[number, number, Buffer]> = [];
  for (let at = from; at < to; ) {
    if (to - at < 4) return 'malformed';
    const length = buf.readUInt16LE(at);
    const type = buf.readUInt16LE(at + 2);
    if (length < 4 || at + length > to) return 'malformed';
    out.push([type & 0x3fff, type & 0xc000, buf.subarray(at + 4, at + length)]);
    at += (length + 3) & ~3;
  }
  return out;
}

/** The last IFLA_PROTO_DOWN_REASON's VALUE (0 if it has none), undefined without one (x86: little-endian). */
function referenceReasons(payload: Buffer): number | undefined | 'malformed' {
  const top = attrsOf(payload, 16, payload.length);
  if (top === 'malformed') return 'malformed';
  let word: number | undefined;
  for (const [type, flags, value] of top) {
    if (type !== IFLA_PROTO_DOWN_REASON) continue;
    if ((flags & 0x4000) !== 0) return 'malformed';
    const members = attrsOf(value, 0, value.length);
    if (members === 'malformed') return 'malformed';
    word = 0;
    for (const [t, , v] of members) {
      if (t !== VALUE) continue;
      if (v.length !== 4) return 'malformed';
      word = v.readUInt32LE(0);
    }
  }
  return word;
}
