import type { NetlinkMessage } from 'netlink';
import { netlink } from './netlink-package.js';

const { AttrStream, putU32, rt } = netlink;
import type { LinkState } from '../core/types.js';
import { AF_UNSPEC, parseLink } from './link-parser.js';

/**
 * RTM_GETLINK as ifdepd asks it: IFLA_EXT_MASK with RTEXT_FILTER_SKIP_STATS, so that
 * the kernel leaves out IFLA_STATS and IFLA_STATS64 (~370 of ~1,450 bytes per link).
 * Not RTEXT_FILTER_VF: that one asks for more (the VF list of SR-IOV devices).
 */
const EXT_MASK = putU32(rt.formatRtExtFilter({ skipStats: true }));

/** The payload of a GETLINK for one ifindex, or for every link (0, with NLM_F_DUMP). */
export function linkQuery(index: number): Uint8Array[] {
  const out = new AttrStream();
  rt.formatLinkMessage({ kind: 'link', data: { index }, attrs: { extMask: EXT_MASK } }, out);
  return out.bufs;
}

/** The payload of a GETLINK for the interface of this name (ifindex 0: the kernel looks the name up). */
export function linkQueryByName(name: string): Uint8Array[] {
  const out = new AttrStream();
  rt.formatLinkMessage({ kind: 'link', data: { index: 0 }, attrs: { ifname: name, extMask: EXT_MASK } }, out);
  return out.bufs;
}

/** An answer the lean parser could not read: the link table cannot be trusted with it. */
export class MalformedLinkReply extends Error {
  constructor(
    readonly malformed: number,
    readonly total: number,
    firstLength: number,
  ) {
    super(`${malformed} of ${total} link messages malformed (the first one ${firstLength} bytes)`);
    this.name = 'MalformedLinkReply';
  }
}


/**
 * The links of a GETLINK answer (the parts of a dump, the DONE already removed).
 * Only AF_UNSPEC messages describe interfaces. Throws MalformedLinkReply if any of
 * them is malformed: a link left out would look deleted to every group watching it.
 */
export function linksOf(parts: readonly NetlinkMessage[]): LinkState[] {
  const links: LinkState[] = [];
  let total = 0;
  let malformed = 0;
  let firstLength = 0;
  for (const part of parts) {
    if (part.type !== rt.MessageType.NEWLINK) continue;
    if (part.data.length > 0 && part.data[0] !== AF_UNSPEC) continue;
    total += 1;
    const link = parseLink(part.data);
    if (link !== undefined) {
      links.push(link);
    } else if (malformed++ === 0) {
      firstLength = part.data.length;
    }
  }
  if (malformed > 0) throw new MalformedLinkReply(malformed, total, firstLength);
  return links;
}
