import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as NetlinkPackage from 'netlink';

/** What ifdepd uses of the `netlink` package: the socket, the rtnetlink layer and its structures. */
export type Netlink = Pick<typeof NetlinkPackage, 'AttrStream' | 'putU32' | 'rt' | 'createRtNetlink' | 'FlagsGet' | 'createNetlink' | 'Protocol'>;

/**
 * The parts of the `netlink` package that ifdepd uses, loaded with require() one file
 * each. Why not `import ... from 'netlink'`: the package is CommonJS with large generated
 * structures, and as an ES import Node first runs its export lexer over every file (280 ms
 * of a 650 ms start, measured with --cpu-prof); and its index also loads the nl80211,
 * generic netlink and WireGuard layers, which ifdepd never uses (~19 ms of a start,
 * `node -e "require('netlink')"` against the files below). The package has no exports map:
 * these paths are its published dist/ layout, pinned with the version in package.json.
 */
const DIST = `${dirname(createRequire(import.meta.url).resolve('netlink/package.json'))}/dist/`;
const load = (file: string): unknown => createRequire(DIST)(DIST + file);
const constants = load('constants.js') as typeof NetlinkPackage;
const structs = load('structs.js') as typeof NetlinkPackage;

export const netlink: Netlink = {
  AttrStream: structs.AttrStream,
  putU32: structs.putU32,
  FlagsGet: constants.FlagsGet,
  Protocol: constants.Protocol,
  createNetlink: (load('netlink.js') as typeof NetlinkPackage).createNetlink,
  createRtNetlink: (load('rt/rt.js') as typeof NetlinkPackage).createRtNetlink,
  rt: load('rt/structs.js') as typeof NetlinkPackage.rt,
};
