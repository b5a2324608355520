import { messageOf, type FaultReport } from '../base/errors.js';
import type { Scheduler, Timer } from '../core/clock.js';
import type { KernelPort, Subscription } from '../core/kernel-port.js';
import { describeReread, type Reread } from '../core/events.js';
import type { LinkLookup } from '../core/link-table.js';
import { AddressTable } from '../core/sources/address-table.js';
import { RouteTable, type RouteEntry } from '../core/sources/route-table.js';
import type { AddressSource, RouteSource } from '../core/sources/spec.js';
import type { Logger } from '../logging/logger.js';
import { guard } from './guard.js';

export interface RouteAddressDeps {
  readonly log: Logger;
  readonly scheduler: Scheduler;
  readonly kernel: KernelPort;
  readonly links: LinkLookup;
  /** Routes or addresses changed: the route or address sources look again. */
  readonly changed: () => void;
  readonly fault: FaultReport;
}

const RESYNC_RETRY_MS = 1000;

/**
 * Keeps the route and address tables equal to the kernel's, for route and address
 * sources: notifications one by one, a dump at start, on SIGHUP, after a lost or
 * malformed notification, and when the sources change. Idle (no socket) while no group
 * has such a source. Only the routes some route source matches are kept.
 */
export class RouteAddressSync {
  readonly routes = new RouteTable();
  readonly addresses = new AddressTable();
  private monitor?: Subscription;
  private routeSources: readonly RouteSource[] = [];
  private syncing?: Promise<void>;
  private syncAgain = false;
  private retry?: Timer;
  private stopped = false;

  constructor(private readonly deps: RouteAddressDeps) {}

  /** The sources of the configuration (at start and reload): subscribes and reads, or goes idle. */
  async configure(routes: readonly RouteSource[], addresses: readonly AddressSource[]): Promise<void> {
    if (routes.length === 0 && addresses.length === 0) {
      this.routeSources = routes;
      this.monitor?.close();
      this.monitor = undefined;
      this.routes.replaceAll([]);
      this.addresses.replaceAll([]);
      return;
    }
    // Subscribe before the dump, so that no change between the two can be missed.
    this.monitor ??= this.open();
    // Until the new groups are swapped in, the running ones still read their routes: both
    // are kept during the dump, and a failed one leaves the running sources as they were.
    const running = this.routeSources;
    this.routeSources = [...running, ...routes];
    try {
      // A re-read already under way may predate the new sources: wait, then read for them.
      while (this.syncing !== undefined) await this.syncing.catch(() => undefined);
      await this.resync({ kind: 'configured' }, true);
    } catch (err) {
      this.routeSources = running;
      throw err;
    }
    this.routeSources = routes;
  }

  /** Whether a route source with no `dev` exists: every interface's carrier may matter to it. */
  get watchesAllLinks(): boolean {
    return this.routeSources.some((p) => p.dev === undefined);
  }

  get active(): boolean {
    return this.monitor !== undefined;
  }

  /**
   * Interfaces changed. The kernel flushes the IPv4 routes through an interface that goes
   * admin down or away without a word: they are dropped here too.
   */
  linksChanged(): void {
    for (const index of this.routes.devices()) {
      const link = this.deps.links.get(index);
      if (link === undefined || !link.adminUp) this.routes.dropDevice(index);
    }
    if (this.active) this.deps.changed();
  }

  /** Reads every route and address again; `first` failures are thrown, later ones retried. */
  resync(why: Reread, first = false): Promise<void> {
    if (this.syncing !== undefined) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = this.read(why, first).finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async read(why: Reread, first: boolean): Promise<void> {
    try {
      const routes = await this.deps.kernel.dumpRoutes();
      const addresses = await this.deps.kernel.dumpAddresses();
      this.routes.replaceAll(routes.filter((r) => this.wanted(r)));
      this.addresses.replaceAll(addresses);
      this.deps.log.debug(`read ${this.routes.size} watched route(s) and the addresses (${describeReread(why)})`);
    } catch (err) {
      if (first) throw err;
      this.deps.log.error(`re-reading routes and addresses (${describeReread(why)}) failed: ${messageOf(err)}; trying again in 1 s`);
      this.scheduleResync(why);
      return;
    }
    if (!first) this.deps.changed();
    if (this.syncAgain) {
      this.syncAgain = false;
      await this.read({ kind: 'again', after: why }, first);
    }
  }

  close(): void {
    this.stopped = true;
    this.retry?.cancel();
    this.monitor?.close();
    this.monitor = undefined;
  }

  private open(): Subscription {
    const fault = this.deps.fault;
    // A change during a dump may or may not be in it: the dump is taken again.
    const apply = (what: string, fn: () => void): void =>
      guard(`route/address sync: ${what}`, fault, () => {
        if (this.syncing !== undefined) this.syncAgain = true;
        fn();
        this.deps.changed();
      })();
    return this.deps.kernel.subscribeRoutesAndAddresses({
      routeAdded: (r, append) => this.wanted(r) && apply('route event', () => this.routes.add(r, append)),
      routeDeleted: (r) => this.wanted(r) && apply('route event', () => this.routes.delete(r)),
      addressAdded: (a) => apply('address event', () => this.addresses.add(a)),
      addressDeleted: (a) => apply('address event', () => this.addresses.delete(a)),
      eventsLost: guard('route/address sync: overrun', fault, () => this.lost('receive queue overrun, notifications were lost')),
      socketError: (err) => this.lost(err.message),
    });
  }

  /** A route some route source looks at: same family, network and table. */
  private wanted(r: RouteEntry): boolean {
    return this.routeSources.some((p) => p.prefix.family === r.family && p.prefix.address === r.dst && p.prefix.length === r.length && p.table === r.table);
  }

  private lost(why: string): void {
    if (this.stopped) return;
    this.deps.log.warning(`route/address notifications: ${why}: re-reading routes and addresses`);
    void this.resync({ kind: 'overrun' }).catch((err: unknown) => this.deps.log.error(`re-read failed: ${messageOf(err)}`));
  }

  private scheduleResync(why: Reread): void {
    if (this.retry !== undefined || this.stopped) return;
    this.retry = this.deps.scheduler.after(RESYNC_RETRY_MS, () => {
      this.retry = undefined;
      void this.resync(why).catch((err: unknown) => this.deps.log.error(`re-read failed: ${messageOf(err)}`));
    });
  }
}
