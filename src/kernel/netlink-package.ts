import type * as NetlinkPackage from 'netlink';
import * as constants from 'netlink/dist/constants.js';
import * as structs from 'netlink/dist/structs.js';
import * as socket from 'netlink/dist/netlink.js';
import * as rtSocket from 'netlink/dist/rt/rt.js';
import * as rt from 'netlink/dist/rt/structs.js';

/** What ifdepd uses of the `netlink` package: the socket, the rtnetlink layer and its structures. */
export type Netlink = Pick<typeof NetlinkPackage, 'AttrStream' | 'putU32' | 'rt' | 'createRtNetlink' | 'FlagsGet' | 'createNetlink' | 'Protocol'>;

/**
 * The parts of the `netlink` package that ifdepd uses, imported file by file: its index
 * also loads the nl80211, generic netlink and WireGuard layers, which ifdepd never uses
 * (~19 ms of a start, `node -e "require('netlink')"` against these files). The package has
 * no exports map: these paths are its published dist/ layout, pinned with the version in
 * package.json. The shipped bundle copies these files in (scripts/bundle.mjs), so that
 * Node neither resolves them one by one nor lexes them for their exports.
 */
export const netlink: Netlink = {
  AttrStream: structs.AttrStream,
  putU32: structs.putU32,
  FlagsGet: constants.FlagsGet,
  Protocol: constants.Protocol,
  createNetlink: socket.createNetlink,
  createRtNetlink: rtSocket.createRtNetlink,
  rt,
};
