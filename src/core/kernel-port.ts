import type { AddressEntry } from './sources/address-table.js';
import type { RouteEntry } from './sources/route-table.js';
import type { IfIndex, LinkState } from './types.js';

/**
 * The kernel as the daemon sees it: its link, route and address tables, the writes
 * ifdepd makes to links, and the notifications of every change. Types only: the daemon
 * and the actuators (act/) are written against this; kernel/netlink-kernel.ts is the
 * rtnetlink implementation, test/support/fake-kernel.ts an in-memory one, so that the
 * daemon is built and tested without root. Here in core/ because act/ may import the
 * core but not kernel/, and it names only the core's own vocabulary.
 *
 * Every request resolves once the kernel has acknowledged it, and rejects with an Error
 * whose `code` is the errno name (ENODEV, EBUSY, EPERM, ETIMEDOUT: act/retry.ts decides
 * on it). A write's own notification arrives apart from its acknowledgement, before or
 * after it. Writes name the interface, never its ifindex: an ifindex freed by a deletion
 * may already belong to another interface before the deletion has been heard of.
 */
export interface KernelPort {
  /** Every interface the kernel has now. */
  dumpLinks(): Promise<LinkState[]>;
  /** One interface as the kernel has it now; undefined if there is none. */
  link(index: IfIndex): Promise<LinkState | undefined>;
  /**
   * The interface of this name now; undefined if there is none. Since Linux 6.8 asking
   * also runs the kernel's pending link-state work for it (see act/protodown-action.ts).
   */
  linkByName(name: string): Promise<LinkState | undefined>;
  /** IFF_UP, no other flag touched. */
  setAdmin(name: string, up: boolean): Promise<void>;
  /** IFLA_PROTO_DOWN and/or one reason bit (the reason is applied first). */
  setProtoDown(name: string, change: ProtoDownChange): Promise<void>;
  /** IFLA_GROUP: puts the interface in kernel interface group `group` (0: none). */
  setGroup(name: string, group: number): Promise<void>;
  /** One request for every member of kernel group `group`, applied at once (act/atomic-switch.ts). */
  switchGroup(group: number, change: GroupChange): Promise<void>;
  /** Link notifications from now on, until the subscription is closed. */
  subscribeLinks(events: LinkEvents): Subscription;
  /** Every IPv4 and IPv6 route the kernel has now (route cache and clones left out). */
  dumpRoutes(): Promise<RouteEntry[]>;
  /** Every IPv4 and IPv6 address the kernel has now. */
  dumpAddresses(): Promise<AddressEntry[]>;
  /** Route and address notifications, apart from the links' (a burst of routes must not cost the links a re-read). */
  subscribeRoutesAndAddresses(events: RouteAddressEvents): Subscription;
  /** Closes every subscription and the request channel: nothing more is read or written. */
  close(): void;
}

/** One program's protodown reason bit (0-31), set or cleared. */
export interface ReasonChange {
  readonly bit: number;
  readonly set: boolean;
}

/**
 * IFLA_PROTO_DOWN (absent: left as it is), and one reason bit (absent: plain protodown, for
 * a kernel without reasons). The kernel refuses protodown off (EBUSY) while any bit is set.
 */
export interface ProtoDownChange {
  readonly on?: boolean;
  readonly reason?: ReasonChange;
}

/** What a group switch sets on every member: IFF_UP, or IFLA_PROTO_DOWN (and a reason bit). */
export type GroupChange = { readonly kind: 'admin'; readonly up: boolean } | ({ readonly kind: 'protodown' } & ProtoDownChange);

/** What the kernel's link notifications mean to the daemon. Listeners must not throw. */
export interface LinkEvents {
  /**
   * Asked before an RTM_NEWLINK is read in full: false drops it (an interface nobody
   * watches, that can change nothing). `name` reads the interface's name from the message
   * (undefined if it cannot), only when the ifindex does not answer. Absent: every one is read.
   */
  concerns?(index: IfIndex, name: () => string | undefined): boolean;
  linkChanged(link: LinkState): void;
  linkRemoved(index: IfIndex): void;
  /** Notifications were lost (a receive-queue overrun): the link table is suspect, read it again. */
  eventsLost(): void;
  /** Anything else that went wrong on the subscription; it keeps working. */
  socketError(err: Error): void;
}

/** What route and address notifications mean to route and address sources. Listeners must not throw. */
export interface RouteAddressEvents {
  /** `append`: IPv6 added a next hop to a multipath route (NLM_F_APPEND). */
  routeAdded(route: RouteEntry, append: boolean): void;
  routeDeleted(route: RouteEntry): void;
  addressAdded(address: AddressEntry): void;
  addressDeleted(address: AddressEntry): void;
  /** Notifications were lost: routes and addresses must be read again. */
  eventsLost(): void;
  socketError(err: Error): void;
}

/** Notifications keep coming until it is closed. */
export interface Subscription {
  close(): void;
}
