// The reference the lean link parser (src/kernel/link-parser.ts) is tested against:
// the netlink package's full parser (rt.parseMessage) followed by the mapping ifdepd
// used before it had its own parser (src/kernel/link-message.ts until the lean parser),
// plus IFLA_GROUP.
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
  return parsed.kind === 'link' ? toLinkState(parsed) : undefined;
}
