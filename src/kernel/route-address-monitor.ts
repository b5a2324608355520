import type { NetlinkMessage } from 'netlink';
import { netlink } from './netlink-package.js';

const { rt } = netlink;
import type { RouteAddressEvents } from '../core/kernel-port.js';
import { parseAddressMessage } from './address-parser.js';
import { NotificationSocket } from './notifications.js';
import { parseRoute } from './route-parser.js';

const RTNLGRP_IPV4_IFADDR = 5;
const RTNLGRP_IPV4_ROUTE = 7;
const RTNLGRP_IPV6_IFADDR = 9;
const RTNLGRP_IPV6_ROUTE = 11;
/** NLM_F_APPEND on an RTM_NEWROUTE: IPv6 added a next hop to a multipath route. */
const NLM_F_APPEND = 0x800;

/**
 * Listens to route and address notifications (IPv4 and IPv6) on a socket of its own,
 * apart from the links': a routing daemon's burst of routes must not overrun the link
 * socket and force a re-read of the links. `now` stamps when each was first seen.
 */
export class RouteAddressMonitor {
  private constructor(private readonly socket: NotificationSocket) {}

  static open(events: RouteAddressEvents, now: () => number): RouteAddressMonitor {
    const groups = [RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE];
    return new RouteAddressMonitor(
      NotificationSocket.open(groups, {
        messages: (msgs) => dispatch(msgs, events, now()),
        eventsLost: () => events.eventsLost(),
        socketError: (err) => events.socketError(err),
      }),
    );
  }

  close(): void {
    this.socket.close();
  }
}

function dispatch(msgs: readonly NetlinkMessage[], events: RouteAddressEvents, now: number): void {
  for (const m of msgs) {
    switch (m.type) {
      case rt.MessageType.NEWROUTE:
      case rt.MessageType.DELROUTE: {
        const route = parseRoute(m.data, now);
        if (route === 'ignored') continue;
        if (route === undefined) {
          events.socketError(new Error(`ignored a malformed route notification (${m.data.length} bytes)`));
          continue;
        }
        if (m.type === rt.MessageType.NEWROUTE) events.routeAdded(route, (m.flags & NLM_F_APPEND) !== 0);
        else events.routeDeleted(route);
        continue;
      }
      case rt.MessageType.NEWADDR:
      case rt.MessageType.DELADDR: {
        const address = parseAddressMessage(m.data, now);
        if (address === undefined) {
          events.socketError(new Error(`ignored a malformed address notification (${m.data.length} bytes)`));
          continue;
        }
        if (m.type === rt.MessageType.NEWADDR) events.addressAdded(address);
        else events.addressDeleted(address);
        continue;
      }
      default:
        continue;
    }
  }
}
