import { formatDuration } from './duration.js';
import { Enforcer } from './enforcer.js';
import { LinkTable } from './links.js';
import type { Logger } from './log.js';
import { LinkMonitor } from './netlink/monitor.js';
import { LinkRequester } from './netlink/requester.js';
import { describeEvaluation, describeStart } from './report.js';
import type { GroupSpec, IfIndex, LinkState, Millis } from './types.js';
import { GroupWatch } from './watchdog.js';

export interface DaemonOptions {
  readonly group: GroupSpec;
  readonly dryRun: boolean;
  readonly log: Logger;
  readonly now: () => Millis;
}

/** One kernel notification, as it is applied to the link table. */
type Change = { readonly kind: 'link'; readonly link: LinkState } | { readonly kind: 'removed'; readonly index: IfIndex };

const RESYNC_RETRY_MS = 1000;

/**
 * Wires the pure core to the kernel: link notifications update the table, the table
 * feeds the group's evaluation, decisions go to the enforcer. A lost notification
 * (receive-queue overrun) or SIGHUP re-reads every link.
 */
export class Daemon {
  private readonly table = new LinkTable();
  private readonly sources: ReadonlySet<string>;
  private readonly destinations: ReadonlySet<string>;
  private readonly enforcer: Enforcer;
  private readonly startedAt: Millis;
  private watch?: GroupWatch;
  private monitor?: LinkMonitor;
  private requester?: LinkRequester;
  private evaluationTimer?: NodeJS.Timeout;
  private resyncTimer?: NodeJS.Timeout;
  private syncing = false;
  private syncAgain = false;
  private backlog: Change[] = [];
  private stopped = false;

  constructor(private readonly options: DaemonOptions) {
    this.sources = new Set(options.group.sources);
    this.destinations = new Set(options.group.destinations);
    this.startedAt = options.now();
    this.enforcer = new Enforcer({
      group: options.group.name,
      destinations: options.group.destinations,
      links: this.table,
      writer: { setAdmin: (index, up) => this.kernel().setAdmin(index, up) },
      verify: (index) => this.verify(index),
      log: options.log,
      now: options.now,
      dryRun: options.dryRun,
    });
  }

  /** Subscribes, reads every link, decides and enforces: resolves when the first decision is sent. */
  async start(): Promise<void> {
    const { log } = this.options;
    this.requester = LinkRequester.open((err) => log.warning(`netlink request socket: ${err.message}`));
    // Subscribe before the dump, so that no change between the two can be missed.
    this.monitor = LinkMonitor.open({
      linkChanged: (link) => this.onChange({ kind: 'link', link }),
      linkRemoved: (index) => this.onChange({ kind: 'removed', index }),
      eventsLost: () => this.onEventsLost(),
      socketError: (err) => log.warning(`netlink event socket: ${err.message}`),
    });
    await this.resync('start');
  }

  /** Re-reads every link and brings every destination in line (SIGHUP, overrun). */
  async resync(why: string): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = true;
    this.backlog = [];
    let links: LinkState[];
    try {
      links = await this.kernel().dump();
    } catch (err) {
      this.syncing = false;
      this.flushBacklog();
      if (this.watch === undefined) throw err;
      this.options.log.error(`re-reading links (${why}) failed: ${(err as Error).message}; trying again in 1 s`);
      this.scheduleResync(why);
      return;
    }
    if (this.stopped) return;
    this.table.replaceAll(links);
    // Notifications that arrived during the dump are applied on top of it, in order:
    // the last one about a link is at least as new as the dump's view of it.
    this.syncing = false;
    this.flushBacklog();
    this.options.log.debug(`read ${links.length} links (${why})`);
    if (this.watch === undefined) this.firstDecision();
    else {
      this.evaluate();
      this.enforcer.reconcileAll();
    }
    if (this.syncAgain) {
      this.syncAgain = false;
      await this.resync(`${why}, again: notifications were lost meanwhile`);
    }
  }

  /** Lines for SIGUSR1: the whole state, and why. */
  describe(): string[] {
    const watch = this.watch;
    if (watch === undefined) return ['starting: links not read yet'];
    const { group } = this.options;
    const pending = watch.pending;
    const lines = [
      `${group.name}: decision ${watch.decision}: ${watch.health.reason}` +
        (pending ? `; going ${pending.target} in ${formatDuration(pending.due - this.options.now())}` : '') +
        ` (down-delay ${formatDuration(group.delays.down)}, up-delay ${formatDuration(group.delays.up)}${this.options.dryRun ? ', dry-run' : ''})`,
    ];
    for (const [name, health] of watch.sourceHealths) {
      const link = this.table.byName(name);
      lines.push(`source ${name}: ${health.reason}${link ? ` (ifindex ${link.index}, operstate ${link.operState})` : ''}`);
    }
    lines.push(...this.enforcer.describe());
    lines.push(`${this.table.size} links known, up ${formatDuration(this.options.now() - this.startedAt)}`);
    return lines;
  }

  /** "vrrp0 down, vrrp1 missing": the destinations as the kernel last reported them. */
  destinationSummary(): string {
    return this.options.group.destinations
      .map((name) => {
        const link = this.table.byName(name);
        return `${name} ${link === undefined ? 'missing' : link.adminUp ? 'up' : 'down'}`;
      })
      .join(', ');
  }

  /** Stops watching. Destinations are left exactly as they are. */
  stop(): void {
    this.stopped = true;
    this.enforcer.close();
    if (this.evaluationTimer !== undefined) clearTimeout(this.evaluationTimer);
    if (this.resyncTimer !== undefined) clearTimeout(this.resyncTimer);
    this.monitor?.close();
    this.requester?.close();
  }

  private kernel(): LinkRequester {
    if (this.requester === undefined) throw new Error('netlink request socket not open');
    return this.requester;
  }

  private firstDecision(): void {
    const { group, log } = this.options;
    const watch = new GroupWatch(group, this.table);
    this.watch = watch;
    for (const [name, health] of watch.sourceHealths) {
      if (health.reason === 'missing') log.info(`source ${name} does not exist (yet); waiting for it`);
    }
    const start = describeStart(group, watch.decision, watch.health.reason);
    log[start.severity](start.text);
    this.enforcer.decide(watch.decision, watch.health.reason);
  }

  private onChange(change: Change): void {
    if (this.stopped) return;
    if (this.syncing) {
      this.backlog.push(change);
      return;
    }
    this.react(this.apply(change));
  }

  private flushBacklog(): void {
    const touched = new Set<string>();
    for (const change of this.backlog) for (const name of this.apply(change)) touched.add(name);
    this.backlog = [];
    this.react(touched);
  }

  /** Updates the table; returns the watched names the change concerns. */
  private apply(change: Change): Set<string> {
    const before = change.kind === 'link' ? this.table.upsert(change.link) : this.table.remove(change.index);
    const after = change.kind === 'link' ? change.link : undefined;
    // The kernel also notifies for changes ifdepd does not look at (MTU, statistics, ...).
    if (before !== undefined && after !== undefined && sameLink(before, after)) return new Set();
    const names = new Set([before?.name, after?.name].filter((n): n is string => n !== undefined && this.watched(n)));
    if (names.size > 0 && this.watch !== undefined) this.options.log.debug(describeChange(before, after));
    return names;
  }

  private react(names: Iterable<string>): void {
    if (this.watch === undefined) return;
    let sourceTouched = false;
    for (const name of names) {
      if (this.sources.has(name)) sourceTouched = true;
      else if (this.destinations.has(name)) this.enforcer.reconcile(name);
    }
    if (sourceTouched) this.evaluate();
  }

  private evaluate(): void {
    const { watch } = this;
    if (watch === undefined) return;
    const now = this.options.now();
    const ev = watch.evaluate(this.table, now);
    for (const line of describeEvaluation(this.options.group, ev)) this.options.log[line.severity](line.text);
    if (ev.step.kind === 'committed') this.enforcer.decide(ev.decision, ev.health.reason);
    if (this.evaluationTimer !== undefined) clearTimeout(this.evaluationTimer);
    this.evaluationTimer = undefined;
    if (ev.due !== undefined) {
      this.evaluationTimer = setTimeout(() => {
        this.evaluationTimer = undefined;
        this.evaluate();
      }, Math.max(0, ev.due - now));
    }
  }

  private onEventsLost(): void {
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.options.log.warning('netlink: receive queue overrun, notifications were lost: re-reading all links');
    void this.resync('overrun').catch((err: unknown) => this.options.log.error(`re-read failed: ${String(err)}`));
  }

  private scheduleResync(why: string): void {
    if (this.resyncTimer !== undefined || this.stopped) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      void this.resync(why).catch((err: unknown) => this.options.log.error(`re-read failed: ${String(err)}`));
    }, RESYNC_RETRY_MS);
  }

  private verify(index: IfIndex): void {
    this.kernel()
      .get(index)
      .then(
        (link) => this.onChange(link === undefined ? { kind: 'removed', index } : { kind: 'link', link }),
        (err: unknown) => {
          this.options.log.warning(`re-reading ifindex ${index} failed: ${(err as Error).message}; re-reading all links`);
          this.scheduleResync('confirmation failed');
        },
      );
  }

  private watched(name: string): boolean {
    return this.sources.has(name) || this.destinations.has(name);
  }
}

const sameLink = (a: LinkState, b: LinkState): boolean =>
  a.index === b.index && a.name === b.name && a.adminUp === b.adminUp && a.lowerUp === b.lowerUp && a.operState === b.operState;

function describeLink(link: LinkState): string {
  return `${link.name} (ifindex ${link.index}): admin ${link.adminUp ? 'up' : 'down'}, ${link.lowerUp ? 'carrier' : 'no carrier'}, operstate ${link.operState}`;
}

function describeChange(before: LinkState | undefined, after: LinkState | undefined): string {
  if (after === undefined) return `link ${before?.name ?? '?'} (ifindex ${before?.index ?? '?'}) deleted`;
  if (before === undefined) return `link appeared: ${describeLink(after)}`;
  if (before.name !== after.name) return `link ${before.name} renamed to ${describeLink(after)}`;
  return `link ${describeLink(after)}`;
}
