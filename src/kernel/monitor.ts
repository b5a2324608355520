import type { NetlinkMessage } from 'netlink';
import type { LinkEvents } from '../core/kernel-port.js';
import { AF_UNSPEC, parseLink, parseLinkHeader, parseLinkName } from './link-parser.js';
import { netlink } from './netlink-package.js';
import { NotificationSocket } from './notifications.js';

// Read once: through the bundle's module interop, each `rt.MessageType` is a getter call per message.
const { NEWLINK: RTM_NEWLINK, DELLINK: RTM_DELLINK } = netlink.rt.MessageType;
/** RTNLGRP_LINK: the multicast group of link notifications. */
const RTNLGRP_LINK = 1;

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
    const removed = m.type === RTM_DELLINK;
    if (m.type !== RTM_NEWLINK && !removed) continue;
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
    if (!concerned(m.data, events)) continue;
    const link = parseLink(m.data);
    if (link === undefined) events.socketError(malformed(m));
    else events.linkChanged(link);
  }
}

/**
 * Whether a new link message is worth reading in full: most of what a burst brings is about
 * interfaces nobody watches (a veth's peer), and the index, then the name, say so. A
 * message whose header cannot be read is read in full, which reports it.
 */
function concerned(payload: Buffer, events: LinkEvents): boolean {
  if (events.concerns === undefined) return true;
  const header = parseLinkHeader(payload);
  return header === undefined || events.concerns(header.index, () => parseLinkName(payload));
}

const malformed = (m: NetlinkMessage): Error =>
  new Error(
    `ignored a malformed ${m.type === RTM_DELLINK ? 'RTM_DELLINK' : 'RTM_NEWLINK'} notification (${m.data.length} bytes)`,
  );
