import type { rt } from 'netlink';
import { ifIndex, type LinkState, type OperState } from '../core/types.js';

const OPERSTATES: readonly OperState[] = ['unknown', 'notpresent', 'down', 'lowerlayerdown', 'testing', 'dormant', 'up'];

/** AF_UNSPEC: the message describes the interface itself (bridge ports also send AF_BRIDGE ones). */
const AF_UNSPEC = 0;

/** The part of an RTM_NEWLINK that ifdepd decides on, or undefined for messages about something else. */
export function toLinkState(msg: rt.LinkMessage): LinkState | undefined {
  const { data, attrs } = msg;
  if ((data.family ?? AF_UNSPEC) !== AF_UNSPEC) return undefined;
  if (data.index === undefined || attrs.ifname === undefined) return undefined;
  return {
    index: ifIndex(data.index),
    name: attrs.ifname,
    adminUp: data.flags?.up === true,
    lowerUp: data.flags?.lowerUp === true,
    operState: OPERSTATES[attrs.operstate ?? 0] ?? 'unknown',
    protoDown: attrs.protoDown?.[0] === 1,
  };
}
