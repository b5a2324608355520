import type { NetlinkMessage, NetlinkSocket } from 'netlink';
import { netlink } from './netlink-package.js';

const { createNetlink, Protocol } = netlink;
import { errnoOf } from '../base/errors.js';

/** What a subscribed rtnetlink socket reports. */
export interface NotificationEvents {
  /** One datagram's messages; may throw (reported as a socket error, never to the native callback). */
  messages(msgs: readonly NetlinkMessage[]): void;
  /** The receive queue overran: some notifications are lost and what was built from them is suspect. */
  eventsLost(): void;
  /** Anything else that went wrong on the socket; the socket keeps working. */
  socketError(err: Error): void;
}

/** Asked for as much as the kernel allows (it caps at 2 x net.core.rmem_max). */
const RECEIVE_BUFFER = 8 << 20;

/**
 * A socket subscribed to rtnetlink multicast groups, on its own: requests and dumps go
 * through another socket, because dump replies on a subscribed socket interleave with
 * events and fail under churn.
 */
export class NotificationSocket {
  private datagrams = 0;
  private draining = false;
  private closed = false;

  private constructor(
    private readonly socket: NetlinkSocket,
    private readonly events: NotificationEvents,
  ) {}

  static open(groups: readonly number[], events: NotificationEvents): NotificationSocket {
    const socket = createNetlink(Protocol.ROUTE, {
      ref: true,
      recvBufferSize: RECEIVE_BUFFER,
      sendBufferSize: 0,
    });
    const subscribed = new NotificationSocket(socket, events);
    // A listener that throws inside the native callback aborts the process: none may.
    socket.on('message', (msgs) =>
      guard(events, () => {
        subscribed.datagrams += 1;
        events.messages(msgs);
      }),
    );
    socket.on('error', (err: Error) =>
      guard(events, () => (errnoOf(err) === 'ENOBUFS' ? subscribed.overrun() : events.socketError(err))),
    );
    socket.on('invalid', (err: unknown) => guard(events, () => events.socketError(asError(err, 'invalid message'))));
    socket.on('truncatedMessage', () => guard(events, () => subscribed.overrun()));
    for (const group of groups) socket.addMembership(group);
    return subscribed;
  }

  close(): void {
    this.closed = true;
    this.socket.close();
  }

  /**
   * After an overrun the kernel drops every notification for this socket, silently,
   * until its queue has been read empty. A re-read before that moment could miss a
   * change made between the dump and the end of the drain, so eventsLost() is reported
   * only once a whole event-loop turn has delivered no datagram: libuv's poll is
   * level-triggered, so the queue was then empty.
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

function guard(events: NotificationEvents, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    try {
      events.socketError(asError(err, 'rtnetlink event handler failed'));
    } catch {
      // Nothing sensible is left to do; above all, do not let it reach the native callback.
    }
  }
}

export const asError = (err: unknown, context: string): Error =>
  err instanceof Error ? err : new Error(`${context}: ${String(err)}`);
