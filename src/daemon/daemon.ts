import type { Config, GroupSpec, InterfaceActionKind } from '../core/spec.js';
import { describeAction, describePolicy } from '../core/spec.js';
import { Confirmations } from '../act/confirmations.js';
import type { ControlHandler, GroupStatus, StatusReport } from '../control/api.js';
import { destinationNames, wantedState } from '../core/wanted.js';
import { releaseAt } from '../core/damping.js';
import { Enforcer, type InterfaceAction } from '../act/enforcer.js';
import { HookRunner } from '../act/hooks.js';
import { LinkTable } from '../core/link-table.js';
import type { Logger } from '../logging/logger.js';
import { LinkMonitor } from '../kernel/monitor.js';
import { LinkRequester } from '../kernel/requester.js';
import { describeEvaluation, describeStart, targetsOf } from '../core/explain.js';
import { TrackFile } from '../act/track-file.js';
import type { Decision, IfIndex, LinkState, Millis } from '../core/types.js';
import { VERSION } from '../base/version.js';
import { GroupWatch, type Evaluation } from '../core/group.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly dryRun: boolean;
  readonly log: Logger;
  readonly now: () => Millis;
}

/** One kernel notification, as it is applied to the link table. */
type Change = { readonly kind: 'link'; readonly link: LinkState } | { readonly kind: 'removed'; readonly index: IfIndex };

const RESYNC_RETRY_MS = 1000;
const ACTIONS: readonly InterfaceActionKind[] = ['admin', 'protodown'];

/**
 * Wires the pure core to the kernel: link notifications update the table, the table
 * feeds every group's evaluation, decisions go to the enforcers (down wins), the
 * track files and the hooks. A lost notification (receive-queue overrun) or SIGHUP
 * re-reads every link; a reload swaps groups without touching what did not change.
 */
export class Daemon implements ControlHandler {
  private readonly table = new LinkTable();
  private readonly enforcers: ReadonlyMap<InterfaceActionKind, Enforcer>;
  private readonly confirmations: Confirmations;
  private readonly hooks: HookRunner;
  private readonly startedAt: Millis;
  private readonly startupHoldUntil: Millis;
  private config: Config;
  private groups: GroupWatch[] = [];
  private trackFiles = new Map<string, TrackFile>();
  private timers = new Map<string, NodeJS.Timeout>();
  private monitor?: LinkMonitor;
  private requester?: LinkRequester;
  private resyncTimer?: NodeJS.Timeout;
  private started = false;
  private syncing = false;
  private syncAgain = false;
  private backlog: Change[] = [];
  private stopped = false;
  /** Set by the process adapter: reads the configuration file again. */
  reloader?: () => Config;

  constructor(private readonly options: DaemonOptions) {
    this.config = options.config;
    this.startedAt = options.now();
    this.startupHoldUntil = this.startedAt + options.config.startupHold;
    this.confirmations = new Confirmations(options.log, options.now);
    this.hooks = new HookRunner(options.log);
    this.enforcers = new Map(ACTIONS.map((kind) => [kind, this.enforcerFor(kind)]));
  }

  /** Subscribes, reads every link, decides and enforces: resolves when the first decisions are sent. */
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
      this.react(this.applyBacklog());
      if (!this.started) throw err;
      this.options.log.error(`re-reading links (${why}) failed: ${(err as Error).message}; trying again in 1 s`);
      this.scheduleResync(why);
      return;
    }
    if (this.stopped) return;
    this.table.replaceAll(links);
    // Notifications that arrived during the dump are applied on top of it, in order:
    // the last one about a link is at least as new as the dump's view of it.
    this.syncing = false;
    this.applyBacklog();
    this.options.log.debug(`read ${links.length} links (${why})`);
    if (!this.started) {
      this.firstDecisions();
    } else {
      // What the lost notifications said is only in the dump: every group looks again,
      // and every destination (what the backlog touched included) is reconciled once.
      for (const g of this.groups) this.evaluate(g);
      this.reassert();
    }
    if (this.syncAgain) {
      this.syncAgain = false;
      await this.resync(`${why}, again: notifications were lost meanwhile`);
    }
  }

  /** Swaps in a new configuration; groups keep their state, unchanged destinations are not touched. */
  async reload(): Promise<string> {
    if (this.reloader === undefined) throw new Error('no configuration file to reload (started with -S/-D)');
    if (!this.started) throw new Error('still starting: the interfaces have not been read yet');
    const config = this.reloader();
    const now = this.options.now();
    const previous = new Map(this.groups.map((g) => [g.spec.name, g]));
    const groups = config.groups.map((spec) => {
      const watch = new GroupWatch(spec, this.table, now, this.startupHoldUntil);
      const old = previous.get(spec.name);
      if (old !== undefined) watch.inherit(old);
      else this.options.log.notice(`${spec.name}: added by reload: ${watch.why(now)} -> ${targetsOf(spec)} ${watch.decision}`);
      return watch;
    });
    for (const old of previous.keys()) if (!groups.some((g) => g.spec.name === old)) this.dropGroup(old);
    if (config.startupHold !== this.config.startupHold || config.controlSocket !== this.config.controlSocket) {
      this.options.log.notice('reload: startup-hold and control-socket changes take effect at the next start');
    }
    this.config = config;
    this.groups = groups;
    this.syncTrackFiles();
    for (const g of groups) this.evaluate(g);
    this.reassert();
    const message = `reloaded ${config.file ?? 'configuration'}: ${groups.length} group(s)`;
    this.options.log.notice(message);
    return message;
  }

  hold(group: string, state: Decision): string {
    const g = this.group(group);
    this.handle(g, g.hold(state, this.table, this.options.now()));
    const message = `${group}: held ${state} by operator until 'ifdepd release ${group}'`;
    this.options.log.notice(message);
    return message;
  }

  release(group: string): string {
    const g = this.group(group);
    if (g.held === undefined) throw new Error(`group ${group} is not held`);
    this.handle(g, g.release(this.table, this.options.now()));
    const message = `${group}: released by operator; decision ${g.decision} (${g.why(this.options.now())})`;
    this.options.log.notice(message);
    return message;
  }

  status(): StatusReport {
    const now = this.options.now();
    return {
      version: VERSION,
      pid: process.pid,
      uptimeMs: Math.round(now - this.startedAt),
      dryRun: this.options.dryRun,
      ...(this.config.file ? { configFile: this.config.file } : {}),
      groups: this.groups.map((g) => this.groupStatus(g, now)),
      destinations: [...this.enforcers.values()].flatMap((e) => e.statuses()),
    };
  }

  /** "vrrp0 down, vrrp1 missing": the destinations as the kernel last reported them. */
  destinationSummary(): string {
    const all = [...this.enforcers.values()].flatMap((e) => e.statuses());
    return all.length === 0 ? 'none' : all.map((d) => `${d.name} ${d.state}`).join(', ');
  }

  /** Stops watching. Destinations are left exactly as they are. */
  stop(): void {
    this.stopped = true;
    for (const e of this.enforcers.values()) e.close();
    for (const t of this.trackFiles.values()) t.close();
    for (const timer of this.timers.values()) clearTimeout(timer);
    if (this.resyncTimer !== undefined) clearTimeout(this.resyncTimer);
    this.hooks.close();
    this.monitor?.close();
    this.requester?.close();
  }

  private enforcerFor(kind: InterfaceActionKind): Enforcer {
    const action: InterfaceAction =
      kind === 'admin'
        ? {
            kind,
            stateOf: (link) => (link.adminUp ? 'up' : 'down'),
            write: (name, decision) => this.kernel().setAdmin(name, decision === 'up'),
          }
        : {
            kind,
            stateOf: (link) => (link.protoDown ? 'down' : 'up'),
            write: (name, decision) => this.kernel().setProtoDown(name, decision === 'down'),
          };
    return new Enforcer({
      action,
      links: this.table,
      wanted: (name) => wantedState(name, kind, this.groups, this.options.now()),
      verify: (index) => this.verify(index),
      log: this.options.log,
      dryRun: this.options.dryRun,
      onWrite: (name) => this.confirmations.wrote(name),
      onConfirmed: (name, decision) => this.confirmations.confirmed(name, decision),
    });
  }

  private kernel(): LinkRequester {
    if (this.requester === undefined) throw new Error('netlink request socket not open');
    return this.requester;
  }

  private group(name: string): GroupWatch {
    const g = this.groups.find((x) => x.spec.name === name);
    if (g === undefined) throw new Error(`no group named '${name}' (groups: ${this.groups.map((x) => x.spec.name).join(', ')})`);
    return g;
  }

  private firstDecisions(): void {
    const { log } = this.options;
    const now = this.options.now();
    this.groups = this.config.groups.map((spec) => new GroupWatch(spec, this.table, now, this.startupHoldUntil));
    this.started = true;
    this.syncTrackFiles();
    for (const g of this.groups) {
      for (const [name, health] of g.sourceHealths) {
        if (health.reason === 'missing') log.info(`${g.spec.name}: source ${name} does not exist (yet); waiting for it`);
      }
      const start = describeStart(g.spec, g.decision, g.why(now));
      log[start.severity](start.text);
      this.expectConfirmation(g);
      this.scheduleEvaluation(g, g.startupHoldLeft(now) > 0 ? this.startupHoldUntil : undefined);
    }
    this.reassert();
  }

  /** Every destination and track file brought in line with the current decisions. */
  private reassert(): void {
    for (const [kind, enforcer] of this.enforcers) enforcer.reconcileAll(this.destinationsOf(kind));
    for (const g of this.groups) this.trackFiles.get(g.spec.name)?.set(g.decision);
  }

  private destinationsOf(kind: InterfaceActionKind, groups: readonly GroupWatch[] = this.groups): Set<string> {
    return destinationNames(groups, kind, [...this.table.all()].map((l) => l.name));
  }

  private syncTrackFiles(): void {
    const next = new Map<string, TrackFile>();
    for (const g of this.groups) {
      const action = g.spec.action;
      if (action.kind !== 'track-file') continue;
      const existing = this.trackFiles.get(g.spec.name);
      next.set(
        g.spec.name,
        existing?.path === action.path ? existing : new TrackFile(action.path, g.spec.name, this.options.log, this.options.dryRun),
      );
    }
    for (const [name, t] of this.trackFiles) if (next.get(name) !== t) t.close();
    this.trackFiles = next;
  }

  private dropGroup(name: string): void {
    const timer = this.timers.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(name);
    this.confirmations.forget(name);
    this.options.log.notice(`group ${name} removed from the configuration; its destinations are left as they are`);
  }

  private onChange(change: Change): void {
    if (this.stopped) return;
    if (this.syncing) {
      this.backlog.push(change);
      return;
    }
    this.react(this.apply(change));
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
    // The kernel also notifies for changes ifdepd does not look at (MTU, statistics, ...).
    if (before !== undefined && after !== undefined && sameLink(before, after)) return new Set();
    const names = new Set([before?.name, after?.name].filter((n): n is string => n !== undefined && this.watched(n)));
    if (names.size > 0 && this.started) this.options.log.debug(describeChange(before, after));
    return names;
  }

  private react(names: Iterable<string>): void {
    if (!this.started) return;
    const touched = new Set<GroupWatch>();
    for (const name of names) {
      for (const g of this.groups) if (g.sourcePatterns.some((p) => p.matches(name))) touched.add(g);
      for (const e of this.enforcers.values()) e.reconcile(name);
    }
    for (const g of touched) this.evaluate(g);
  }

  private evaluate(g: GroupWatch): void {
    this.handle(g, g.evaluate(this.table, this.options.now()));
  }

  /** Logs an evaluation and carries out a changed decision. */
  private handle(g: GroupWatch, ev: Evaluation): void {
    for (const line of describeEvaluation(g.spec, ev)) this.options.log[line.severity](line.text);
    if (ev.changed) this.carryOut(g, ev);
    this.scheduleEvaluation(g, ev.due);
  }

  private carryOut(g: GroupWatch, ev: Evaluation): void {
    const spec = g.spec;
    this.trackFiles.get(spec.name)?.set(ev.decision);
    if (spec.action.kind !== 'track-file') {
      this.expectConfirmation(g);
      this.enforcers.get(spec.action.kind)?.renew(this.destinationsOf(spec.action.kind, [g]));
    }
    if (spec.hooks.length > 0) {
      this.hooks.run(spec.hooks, {
        group: spec.name,
        state: ev.decision,
        reason: ev.why,
        sources: [...g.sourceHealths.keys()],
        destinations: [...this.destinationsOf(spec.action.kind === 'track-file' ? 'admin' : spec.action.kind, [g])],
        dryRun: this.options.dryRun,
      });
    }
  }

  private expectConfirmation(g: GroupWatch): void {
    const kind = g.spec.action.kind;
    if (kind === 'track-file' || this.options.dryRun) return;
    const now = this.options.now();
    // A destination another group holds down is not this decision's to confirm.
    const names = [...this.destinationsOf(kind, [g])].filter(
      (n) => wantedState(n, kind, this.groups, now)?.decision === g.decision,
    );
    const present = names.filter((n) => this.table.byName(n) !== undefined);
    this.confirmations.expect(
      g.spec.name,
      g.decision,
      present,
      names.filter((n) => !present.includes(n)),
    );
  }

  private scheduleEvaluation(g: GroupWatch, due: Millis | undefined): void {
    const name = g.spec.name;
    const existing = this.timers.get(name);
    if (existing !== undefined) clearTimeout(existing);
    this.timers.delete(name);
    if (due === undefined || this.stopped) return;
    this.timers.set(
      name,
      setTimeout(() => {
        this.timers.delete(name);
        if (this.groups.includes(g)) this.evaluate(g);
      }, Math.max(0, due - this.options.now())),
    );
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

  private verify(index: IfIndex): Promise<void> {
    return this.kernel()
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
    return this.groups.some(
      (g) => g.sourcePatterns.some((p) => p.matches(name)) || g.destinationPatterns.some((p) => p.matches(name)),
    );
  }

  private groupStatus(g: GroupWatch, now: Millis): GroupStatus {
    const spec: GroupSpec = g.spec;
    const pending = g.pending;
    const damping = g.dampingState(now);
    const holdLeft = g.startupHoldLeft(now);
    const last = g.counters.lastTransitionAt;
    return {
      name: spec.name,
      policy: describePolicy(spec.policy),
      action: describeAction(spec.action),
      decision: g.decision,
      why: g.why(now),
      health: g.groupHealth,
      ...(pending
        ? { pending: { target: pending.target, inMs: Math.max(0, Math.round(pending.due - now)), delay: pending.target === 'down' ? 'down-delay' : 'up-delay' } }
        : {}),
      ...(damping && spec.damping
        ? {
            damping: {
              penalty: Math.round(damping.penalty),
              suppressed: damping.suppressed,
              ...(damping.suppressed ? { reuseInMs: Math.max(0, releaseAt(damping, spec.damping) - Math.round(now)) } : {}),
            },
          }
        : {}),
      ...(g.held !== undefined
        ? { hold: { kind: 'operator', decision: g.held } }
        : holdLeft > 0
          ? { hold: { kind: 'startup', decision: 'down', remainingMs: Math.round(holdLeft) } }
          : {}),
      transitions: g.counters.transitions,
      flaps: g.counters.flaps,
      ...(last !== undefined ? { lastTransitionAgoMs: Math.round(now - last) } : {}),
      sources: [...g.sourceHealths].map(([name, h]) => {
        const link = this.table.byName(name);
        return { name, healthy: h.healthy, reason: h.reason, ...(link ? { ifindex: link.index } : {}) };
      }),
      destinations: spec.action.kind === 'track-file' ? [spec.action.path] : spec.destinations,
    };
  }
}

const sameLink = (a: LinkState, b: LinkState): boolean =>
  a.index === b.index &&
  a.name === b.name &&
  a.adminUp === b.adminUp &&
  a.lowerUp === b.lowerUp &&
  a.operState === b.operState &&
  a.protoDown === b.protoDown;

function describeLink(link: LinkState): string {
  return (
    `${link.name} (ifindex ${link.index}): admin ${link.adminUp ? 'up' : 'down'}, ${link.lowerUp ? 'carrier' : 'no carrier'}, ` +
    `operstate ${link.operState}${link.protoDown ? ', protodown' : ''}`
  );
}

function describeChange(before: LinkState | undefined, after: LinkState | undefined): string {
  if (after === undefined) return `link ${before?.name ?? '?'} (ifindex ${before?.index ?? '?'}) deleted`;
  if (before === undefined) return `link appeared: ${describeLink(after)}`;
  if (before.name !== after.name) return `link ${before.name} renamed to ${describeLink(after)}`;
  return `link ${describeLink(after)}`;
}
