import { createNetlink, Protocol, rt, type NetlinkMessage, type NetlinkSocket } from 'netlink';
import type { IfIndex, LinkState } from '../core/types.js';
import { errorCode } from './errors.js';
import { parseLink, parseLinkHeader } from './link-parser.js';

/** What the kernel's link notifications mean to the daemon. */
export interface LinkEvents {
  linkChanged(link: LinkState): void;
  linkRemoved(index: IfIndex): void;
  /** The receive queue overran: some notifications are lost and the link table is suspect. */
  eventsLost(): void;
  /** Anything else that went wrong on the socket; the socket keeps working. */
  socketError(err: Error): void;
}

/** RTNLGRP_LINK: the multicast group of link notifications. */
const RTNLGRP_LINK = 1;
/** ifinfomsg.ifi_family is the first byte of a link message. */
const AF_UNSPEC = 0;
/** Asked for as much as the kernel allows (it caps at 2 x net.core.rmem_max). */
const RECEIVE_BUFFER = 8 << 20;

/**
 * Listens to the kernel's link notifications on a socket of its own: requests and
 * dumps go through another socket, because dump replies on a subscribed socket
 * interleave with events and fail under churn.
 */
export class LinkMonitor {
  private datagrams = 0;
  private draining = false;
  private closed = false;

  private constructor(
    private readonly socket: NetlinkSocket,
    private readonly events: LinkEvents,
  ) {}

  static open(events: LinkEvents): LinkMonitor {
    const socket = createNetlink(Protocol.ROUTE, {
      ref: true,
      recvBufferSize: RECEIVE_BUFFER,
      sendBufferSize: 0,
    });
    const monitor = new LinkMonitor(socket, events);
    // A listener that throws inside the native callback aborts the process: none may.
    socket.on('message', (msgs) =>
      guard(events, () => {
        monitor.datagrams += 1;
        dispatch(msgs, events);
      }),
    );
    socket.on('error', (err: Error) =>
      guard(events, () => (errorCode(err) === 'ENOBUFS' ? monitor.overrun() : events.socketError(err))),
    );
    socket.on('invalid', (err: unknown) => guard(events, () => events.socketError(asError(err, 'invalid message'))));
    socket.on('truncatedMessage', () => guard(events, () => monitor.overrun()));
    socket.addMembership(RTNLGRP_LINK);
    return monitor;
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }

  /**
   * After an overrun the kernel drops every notification for this socket, silently,
   * until its queue has been read empty. A re-read of the links before that moment
   * could miss a change made between the dump and the end of the drain, so
   * eventsLost() is reported only once a whole event-loop turn has delivered no
   * datagram: libuv's poll is level-triggered, so the queue was then empty.
   */
  private overrun(): void {
    if (this.draining) return;
    this.draining = true;
    const quietTurn = (): void => {
      this.datagrams = 0;
      setImmediate(() => {
        if (this.closed) return;
        if (this.datagrams > 0) return quietTurn();
        this.draining = false;
        guard(this.events, () => this.events.eventsLost());
      });
    };
    // The error is reported in the poll phase instead of a read: let one turn pass first.
    setImmediate(quietTurn);
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

function guard(events: LinkEvents, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    try {
      events.socketError(asError(err, 'link event handler failed'));
    } catch {
      // Nothing sensible is left to do; above all, do not let it reach the native callback.
    }
  }
}

const asError = (err: unknown, context: string): Error =>
  err instanceof Error ? err : new Error(`${context}: ${String(err)}`);
