import type { GroupChange, KernelPort, LinkEvents, ProtoDownChange, RouteAddressEvents, Subscription } from '../core/kernel-port.js';
import type { AddressEntry } from '../core/sources/address-table.js';
import type { RouteEntry } from '../core/sources/route-table.js';
import type { IfIndex, LinkState } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import { parseAddressMessage } from './address-parser.js';
import { NetlinkRequestError } from './errors.js';
import { LinkMonitor } from './monitor.js';
import { LinkRequester } from './requester.js';
import { RouteAddressMonitor } from './route-address-monitor.js';
import { parseRoute } from './route-parser.js';

export interface NetlinkKernelOptions {
  readonly log: Logger;
  /** Wall-clock milliseconds: when a route or address was first seen ("since 12:03:04"). */
  readonly wallClock?: () => number;
}

/**
 * The kernel port over rtnetlink: one socket for requests and dumps, opened at the first
 * request (so that a socket that cannot be opened fails the start, not the construction),
 * and one socket per subscription, apart from it (kernel/notifications.ts says why).
 */
export class NetlinkKernel implements KernelPort {
  private requester?: LinkRequester;
  private readonly subscriptions = new Set<Subscription>();
  private readonly wallClock: () => number;
  private closed = false;

  constructor(private readonly options: NetlinkKernelOptions) {
    this.wallClock = options.wallClock ?? Date.now;
  }

  dumpLinks(): Promise<LinkState[]> {
    return this.request((r) => r.dump());
  }

  link(index: IfIndex): Promise<LinkState | undefined> {
    return this.request((r) => r.get(index));
  }

  linkByName(name: string): Promise<LinkState | undefined> {
    return this.request((r) => r.getByName(name));
  }

  setAdmin(name: string, up: boolean): Promise<void> {
    return this.request((r) => r.setAdmin(name, up));
  }

  setProtoDown(name: string, change: ProtoDownChange): Promise<void> {
    return this.request((r) => r.setProtoDown(name, change));
  }

  setGroup(name: string, group: number): Promise<void> {
    return this.request((r) => r.setGroup(name, group));
  }

  switchGroup(group: number, change: GroupChange): Promise<void> {
    return this.request((r) => r.switchGroup(group, change));
  }

  /** Parsed here, stamped with the time of the dump; what the parser cannot read is left out. */
  async dumpRoutes(): Promise<RouteEntry[]> {
    const parts = await this.request((r) => r.dumpRaw('routes'));
    const now = this.wallClock();
    return parts.map((p) => parseRoute(p, now)).filter((r): r is RouteEntry => typeof r === 'object');
  }

  async dumpAddresses(): Promise<AddressEntry[]> {
    const parts = await this.request((r) => r.dumpRaw('addresses'));
    const now = this.wallClock();
    return parts.map((p) => parseAddressMessage(p, now)).filter((a): a is AddressEntry => a !== undefined);
  }

  subscribeLinks(events: LinkEvents): Subscription {
    return this.track(() => LinkMonitor.open(events));
  }

  subscribeRoutesAndAddresses(events: RouteAddressEvents): Subscription {
    return this.track(() => RouteAddressMonitor.open(events, this.wallClock));
  }

  close(): void {
    this.closed = true;
    for (const s of [...this.subscriptions]) s.close();
    this.requester?.close();
    this.requester = undefined;
  }

  private async request<T>(call: (requester: LinkRequester) => Promise<T>): Promise<T> {
    if (this.closed) throw new NetlinkRequestError('ESHUTDOWN', 'netlink request after close');
    this.requester ??= LinkRequester.open((err) => this.options.log.warning(`netlink request socket: ${err.message}`));
    return call(this.requester);
  }

  private track(open: () => Subscription): Subscription {
    if (this.closed) throw new Error('netlink: subscribing after close');
    const monitor = open();
    const subscription: Subscription = {
      close: () => {
        if (!this.subscriptions.delete(subscription)) return;
        monitor.close();
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }
}
