import type { NetlinkMessage } from 'netlink';
import { netlink } from './netlink-package.js';

const { rt } = netlink;
import type { LinkEvents } from '../core/kernel-port.js';
import { AF_UNSPEC, parseLink, parseLinkHeader } from './link-parser.js';
import { NotificationSocket } from './notifications.js';

/** RTNLGRP_LINK: the multicast group of link notifications. */
const RTNLGRP_LINK = 1;
/** ifinfomsg.ifi_family is the first byte of a link message. */

/** Listens to the kernel's link notifications on a socket of its own. */
export class LinkMonitor {
  private constructor(private readonly socket: NotificationSocket) {}

  static open(events: LinkEvents): LinkMonitor {
    return new LinkMonitor(
      NotificationSocket.open([RTNLGRP_LINK], {
        messages: (msgs) => dispatch(msgs, events),
        eventsLost: () => events.eventsLost(),
        socketError: (err) => events.socketError(err),
      }),
    );
  }

  close(): void {
    this.socket.close();
  }
}

function dispatch(msgs: readonly NetlinkMessage[], events: LinkEvents): void {
  for (const m of msgs) {
    const removed = m.type === rt.MessageType.DELLINK;
    if (m.type !== rt.MessageType.NEWLINK && !removed) continue;
    // Bridge ports also report as AF_BRIDGE, including a DELLINK when they merely leave
    // the bridge: only AF_UNSPEC messages describe the interface itself.
    if (m.data.length > 0 && m.data[0] !== AF_UNSPEC) continue;
    if (removed) {
      // A deletion needs only the ifindex.
      const header = parseLinkHeader(m.data);
      if (header === undefined) events.socketError(malformed(m));
      else events.linkRemoved(header.index);
      continue;
    }
    const link = parseLink(m.data);
    if (link === undefined) events.socketError(malformed(m));
    else events.linkChanged(link);
  }
}

const malformed = (m: NetlinkMessage): Error =>
  new Error(
    `ignored a malformed ${m.type === rt.MessageType.DELLINK ? 'RTM_DELLINK' : 'RTM_NEWLINK'} notification (${m.data.length} bytes)`,
  );
