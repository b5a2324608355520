import { messageOf } from '../base/errors.js';
import type { Scheduler, Timer } from '../core/clock.js';
import { describeReread, type EventSink, type Reread } from '../core/events.js';
import type { KernelPort, Subscription } from '../core/kernel-port.js';
import { describeChange, sameLink } from '../core/link-change.js';
import type { LinkTable } from '../core/link-table.js';
import { keeps, keepsAll, unionOf, type LinkWatch } from '../core/link-watch.js';
import type { IfIndex, LinkState } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import { guard } from './guard.js';
import { readLinks, type LinkRead } from './link-read.js';

/** One kernel notification, as it is applied to the link table. */
type Change = { readonly kind: 'link'; readonly link: LinkState } | { readonly kind: 'removed'; readonly index: IfIndex };

/**
 * Which read filled the table: `named`, the literal names read before the dump a glob
 * needs (their groups decide first); `first`, the read that completes the start; `again`,
 * any later one (SIGHUP, overrun, fault, reload).
 */
export type SyncPhase = 'named' | 'first' | 'again';

export interface LinkSyncEvents {
  /** Whether any group watches this name: only those changes are passed on. */
  watches(name: string): boolean;
  /** A notification changed these watched names; the table already has it. */
  changed(names: ReadonlySet<string>): void;
  /** A read replaced the table: the groups it concerns must look (again). */
  synced(phase: SyncPhase): void;
  /** A handler threw (a bug): the daemon logs it and reads everything again. */
  fault(where: string, err: unknown): void;
}

const RESYNC_RETRY_MS = 1000;

/**
 * Keeps the link table equal to the kernel's, for the interfaces the configuration
 * watches (core/link-watch.ts): notifications update it one by one; at start, on SIGHUP
 * and after a lost notification (receive-queue overrun) a read replaces it (each
 * watched name asked for by name, or a dump when a glob, an atomic group or a route
 * source needs every interface), and what arrived during the read is applied on top, in
 * order. Notifications about an interface nobody watches are not kept.
 */
export class LinkSync {
  private subscription?: Subscription;
  private retry?: Timer;
  /** The first decisions were taken: changes are passed on. */
  private started = false;
  /** The start's reads are done: a failed read is retried, no longer thrown. */
  private complete = false;
  private reading = false;
  private syncing?: Promise<void>;
  private syncAgain = false;
  private backlog: Change[] = [];
  private stopped = false;
  /** What the last read that succeeded covered: a reload waits for its new names to be in it. */
  private covered?: LinkWatch;

  constructor(
    private readonly table: LinkTable,
    private readonly kernel: KernelPort,
    private readonly log: Logger,
    private readonly scheduler: Scheduler,
    private readonly bus: EventSink,
    private readonly events: LinkSyncEvents,
    private watch: LinkWatch,
  ) {}

  /**
   * Subscribes, then reads: resolves once the table holds what the configuration watches.
   * `namedFirst`: names read by name before a dump, whose groups decide before it.
   */
  async start(namedFirst?: ReadonlySet<string>): Promise<void> {
    // Subscribe before reading, so that no change between the two can be missed.
    // The monitor would only log what its listeners throw: a lost change must be a fault, and re-read.
    const fault = this.events.fault.bind(this.events);
    this.subscription = this.kernel.subscribeLinks({
      concerns: (index, name) => this.concerns(index, name),
      linkChanged: guard('link sync: netlink event', fault, (link: LinkState) => this.onChange({ kind: 'link', link })),
      linkRemoved: guard('link sync: netlink event', fault, (index: IfIndex) => this.onChange({ kind: 'removed', index })),
      eventsLost: guard('link sync: overrun', fault, () => this.onEventsLost()),
      socketError: (err) => this.log.warning(`netlink event socket: ${err.message}`),
    });
    this.syncing = this.startReads(namedFirst).finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async startReads(namedFirst: ReadonlySet<string> | undefined): Promise<void> {
    const why: Reread = { kind: 'start' };
    if (namedFirst !== undefined && namedFirst.size > 0) {
      const links = await this.read({ kind: 'names', names: namedFirst }, why);
      if (this.stopped || links === undefined) return;
      this.replaced(links, why, 'named');
    }
    await this.readUntilQuiet(why);
  }

  /**
   * The configuration changes (a reload): the names it adds are read before its groups
   * decide. Until settle(), the table keeps what both configurations watch.
   */
  async watchFor(next: LinkWatch): Promise<void> {
    const before = this.watch;
    const added = [...next.names].filter((n) => !keeps(before, n));
    const widened = keepsAll(next) && !keepsAll(before);
    this.watch = unionOf(before, next);
    if (added.length === 0 && !widened) return;
    await this.resync({ kind: 'configured' });
    const covered = this.covered;
    if (covered === undefined || (widened && !keepsAll(covered)) || added.some((n) => !keeps(covered, n))) {
      throw new Error(`reading the interfaces the new configuration names failed`);
    }
  }

  /** The new configuration is in force: what it no longer watches leaves the table. */
  settle(next: LinkWatch): void {
    this.watch = next;
    if (!keepsAll(next)) this.table.retain((link) => next.names.has(link.name));
  }

  /** Re-reads what is watched (SIGHUP, overrun); throws only if a read of the start fails. */
  resync(why: Reread): Promise<void> {
    if (this.syncing !== undefined) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = this.readUntilQuiet(why).finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /** Reads, then once more for every request (or loss) that came during the read. */
  private async readUntilQuiet(why: Reread): Promise<void> {
    let reason = why;
    for (;;) {
      this.syncAgain = false;
      const links = await this.read(this.plan(), reason);
      if (this.stopped) return;
      if (links !== undefined) this.replaced(links, reason, this.complete ? 'again' : 'first');
      if (!this.syncAgain) return;
      reason = { kind: 'again', after: why };
    }
  }

  private plan(): LinkRead {
    return keepsAll(this.watch) ? { kind: 'all' } : { kind: 'names', names: this.watch.names };
  }

  /** One read; notifications meanwhile are held (and applied at once once started). Undefined: it failed, a retry is set. */
  private async read(plan: LinkRead, why: Reread): Promise<LinkState[] | undefined> {
    this.reading = true;
    this.backlog = [];
    const watch = this.watch;
    try {
      const links = await readLinks(this.kernel, plan);
      this.covered = plan.kind === 'all' ? watch : { names: plan.names };
      return links;
    } catch (err) {
      this.reading = false;
      this.pass(this.applyBacklog());
      if (!this.complete) throw err;
      this.log.error(`re-reading links (${describeReread(why)}) failed: ${messageOf(err)}; trying again in 1 s`);
      this.scheduleResync(why);
      return undefined;
    }
  }

  /** The table becomes the read's answer, with the notifications that came during it on top. */
  private replaced(links: readonly LinkState[], why: Reread, phase: SyncPhase): void {
    this.table.replaceAll(links);
    // Applied on top, in order: the last notification about a link is at least as new as the read's view of it.
    this.reading = false;
    this.applyBacklog();
    this.log.debug(`read ${links.length} links (${describeReread(why)})`);
    this.bus.emit({ kind: 'resync', reread: why, links: links.length });
    if (phase !== 'named') this.complete = true;
    this.started = true;
    this.decideAgain(phase);
  }

  /** At start a failure fails the start; later it is a fault, and a re-read. */
  private decideAgain(phase: SyncPhase): void {
    try {
      this.events.synced(phase);
    } catch (err) {
      if (phase !== 'again') throw err;
      this.events.fault('link sync: decisions after a re-read', err);
    }
  }

  /** Reads one interface again into the table (a write that was never confirmed). */
  reread(index: IfIndex): Promise<void> {
    return this.kernel.link(index).then(
      (link) => this.onChange(link === undefined ? { kind: 'removed', index } : { kind: 'link', link }),
      (err: unknown) => {
        this.log.warning(`re-reading ifindex ${index} failed: ${messageOf(err)}; re-reading all watched links`);
        this.scheduleResync({ kind: 'confirmation-failed' });
      },
    );
  }

  close(): void {
    this.stopped = true;
    this.retry?.cancel();
    this.subscription?.close();
  }

  /**
   * Whether a notification about this interface can change anything: one whose name is not
   * watched, about an ifindex not in the table, would be dropped by apply() anyway. The
   * name is read only when nothing else answers: not for an ifindex in the table, not when
   * every interface is kept, not during a read. During a read every notification is kept:
   * it is applied again on top of the read's answer, which may hold that ifindex under a
   * watched name (renamed away since).
   */
  private concerns(index: IfIndex, nameOf: () => string | undefined): boolean {
    if (this.reading || keepsAll(this.watch) || this.table.get(index) !== undefined) return true;
    const name = nameOf();
    // No name: a malformed message, read in full so that the monitor reports it.
    return name === undefined || keeps(this.watch, name);
  }

  private onChange(change: Change): void {
    if (this.stopped) return;
    if (this.reading) {
      this.backlog.push(change);
      // Once the groups decide, a change is not kept from them for the length of a read
      // (a 4,000-link dump): applied now, and again on top of the read's answer.
      if (!this.started) return;
    }
    this.pass(this.apply(change));
  }

  private pass(names: ReadonlySet<string>): void {
    if (this.started && names.size > 0) this.events.changed(names);
  }

  /** Puts the notifications held during a read into the table; returns the watched names they touched. */
  private applyBacklog(): Set<string> {
    const touched = new Set<string>();
    for (const change of this.backlog) for (const name of this.apply(change)) touched.add(name);
    this.backlog = [];
    return touched;
  }

  /** Updates the table; returns the watched names the change concerns. */
  private apply(change: Change): Set<string> {
    const reported = change.kind === 'link' ? change.link : undefined;
    const after = reported !== undefined && keeps(this.watch, reported.name) ? reported : undefined;
    // Renamed to a name nobody watches: as far as the table knows, it went away.
    const index = change.kind === 'link' ? change.link.index : change.index;
    const before = after !== undefined ? this.table.upsert(after) : this.table.remove(index);
    const names = new Set<string>();
    if (before !== undefined && after !== undefined && sameLink(before, after)) return names;
    if (before !== undefined && this.events.watches(before.name)) names.add(before.name);
    if (after !== undefined && after.name !== before?.name && this.events.watches(after.name)) names.add(after.name);
    // Said before the decision it leads to, and described only if it is said at all.
    if (names.size > 0 && this.started && this.log.shows?.('debug') !== false) this.log.debug(describeChange(before, reported));
    return names;
  }

  private onEventsLost(): void {
    if (this.syncing !== undefined) {
      this.syncAgain = true;
      return;
    }
    this.log.warning('netlink: receive queue overrun, notifications were lost: re-reading all watched links');
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
