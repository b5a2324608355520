import { messageOf } from '../base/errors.js';
import type { Scheduler, Timer } from '../core/clock.js';
import { describeReread, type EventSink, type Reread } from '../core/events.js';
import type { KernelPort, Subscription } from '../core/kernel-port.js';
import { describeChange, sameLink } from '../core/link-change.js';
import type { LinkTable } from '../core/link-table.js';
import type { IfIndex, LinkState } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import { guard } from './guard.js';

/** One kernel notification, as it is applied to the link table. */
type Change = { readonly kind: 'link'; readonly link: LinkState } | { readonly kind: 'removed'; readonly index: IfIndex };

export interface LinkSyncEvents {
  /** Whether any group watches this name: only those changes are passed on. */
  watches(name: string): boolean;
  /** A notification changed these watched names; the table already has it. */
  changed(names: ReadonlySet<string>): void;
  /** A dump replaced the table (`first` at start): every group must look again. */
  synced(first: boolean): void;
  /** A handler threw (a bug): the daemon logs it and reads everything again. */
  fault(where: string, err: unknown): void;
}

const RESYNC_RETRY_MS = 1000;

/**
 * Keeps the link table equal to the kernel's: notifications update it one by one; at
 * start, on SIGHUP and after a lost notification (receive-queue overrun) a dump replaces
 * it, and what arrived during the dump is applied on top, in order.
 */
export class LinkSync {
  private subscription?: Subscription;
  private retry?: Timer;
  private started = false;
  private syncing = false;
  private syncAgain = false;
  private backlog: Change[] = [];
  private stopped = false;

  constructor(
    private readonly table: LinkTable,
    private readonly kernel: KernelPort,
    private readonly log: Logger,
    private readonly scheduler: Scheduler,
    private readonly bus: EventSink,
    private readonly events: LinkSyncEvents,
  ) {}

  /** Subscribes, then reads every link: resolves once the first dump is in the table. */
  async start(): Promise<void> {
    // Subscribe before the dump, so that no change between the two can be missed.
    // The monitor would only log what its listeners throw: a lost change must be a fault, and re-read.
    const fault = this.events.fault.bind(this.events);
    this.subscription = this.kernel.subscribeLinks({
      linkChanged: guard('link sync: netlink event', fault, (link: LinkState) => this.onChange({ kind: 'link', link })),
      linkRemoved: guard('link sync: netlink event', fault, (index: IfIndex) => this.onChange({ kind: 'removed', index })),
      eventsLost: guard('link sync: overrun', fault, () => this.onEventsLost()),
      socketError: (err) => this.log.warning(`netlink event socket: ${err.message}`),
    });
    await this.resync({ kind: 'start' });
  }

  /** Re-reads every link (SIGHUP, overrun); throws only if the very first read fails. */
  async resync(why: Reread): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    this.backlog = [];
    let links: LinkState[];
    try {
      links = await this.kernel.dumpLinks();
    } catch (err) {
      this.syncing = false;
      this.pass(this.applyBacklog());
      if (!this.started) throw err;
      this.log.error(`re-reading links (${describeReread(why)}) failed: ${messageOf(err)}; trying again in 1 s`);
      this.scheduleResync(why);
      return;
    }
    if (this.stopped) return;
    this.table.replaceAll(links);
    // Notifications that arrived during the dump are applied on top of it, in order:
    // the last one about a link is at least as new as the dump's view of it.
    this.syncing = false;
    this.applyBacklog();
    this.log.debug(`read ${links.length} links (${describeReread(why)})`);
    this.bus.emit({ kind: 'resync', reread: why, links: links.length });
    const first = !this.started;
    this.started = true;
    this.decideAgain(first);
    if (this.syncAgain) {
      this.syncAgain = false;
      await this.resync({ kind: 'again', after: why });
    }
  }

  /** At start a failure fails the start; later it is a fault, and a re-read. */
  private decideAgain(first: boolean): void {
    try {
      this.events.synced(first);
    } catch (err) {
      if (first) throw err;
      this.events.fault('link sync: decisions after a re-read', err);
    }
  }

  /** Reads one interface again into the table (a write that was never confirmed). */
  reread(index: IfIndex): Promise<void> {
    return this.kernel.link(index).then(
      (link) => this.onChange(link === undefined ? { kind: 'removed', index } : { kind: 'link', link }),
      (err: unknown) => {
        this.log.warning(`re-reading ifindex ${index} failed: ${messageOf(err)}; re-reading all links`);
        this.scheduleResync({ kind: 'confirmation-failed' });
      },
    );
  }

  close(): void {
    this.stopped = true;
    this.retry?.cancel();
    this.subscription?.close();
  }

  private onChange(change: Change): void {
    if (this.stopped) return;
    if (this.syncing) {
      this.backlog.push(change);
      return;
    }
    this.pass(this.apply(change));
  }

  private pass(names: ReadonlySet<string>): void {
    if (this.started && names.size > 0) this.events.changed(names);
  }

  /** Puts the notifications held during a dump into the table; returns the watched names they touched. */
  private applyBacklog(): Set<string> {
    const touched = new Set<string>();
    for (const change of this.backlog) for (const name of this.apply(change)) touched.add(name);
    this.backlog = [];
    return touched;
  }

  /** Updates the table; returns the watched names the change concerns. */
  private apply(change: Change): Set<string> {
    const before = change.kind === 'link' ? this.table.upsert(change.link) : this.table.remove(change.index);
    const after = change.kind === 'link' ? change.link : undefined;
    if (before !== undefined && after !== undefined && sameLink(before, after)) return new Set();
    const names = new Set(
      [before?.name, after?.name].filter((n): n is string => n !== undefined && this.events.watches(n)),
    );
    if (names.size > 0 && this.started) this.log.debug(describeChange(before, after));
    return names;
  }

  private onEventsLost(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.log.warning('netlink: receive queue overrun, notifications were lost: re-reading all links');
    void this.resync({ kind: 'overrun' }).catch((err: unknown) => this.log.error(`re-read failed: ${String(err)}`));
  }

  private scheduleResync(why: Reread): void {
    if (this.retry !== undefined || this.stopped) return;
    this.retry = this.scheduler.after(RESYNC_RETRY_MS, () => {
      this.retry = undefined;
      void this.resync(why).catch((err: unknown) => this.log.error(`re-read failed: ${String(err)}`));
    });
  }
}
