import { release } from 'node:os';
import { coalesced } from '../base/coalesce.js';
import { messageOf, type FaultReport } from '../base/errors.js';
import { EX_CONFIG, Fatal } from '../base/sysexits.js';
import { AtomicConflict } from '../core/atomic.js';
import type { ControlHandler } from '../control/api.js';
import type { Scheduler } from '../core/clock.js';
import type { Evaluation, Group } from '../core/group.js';
import { evaluationEvents } from '../core/group-events.js';
import type { KernelPort } from '../core/kernel-port.js';
import { Groups } from '../core/groups.js';
import { LinkTable } from '../core/link-table.js';
import { linkWatchOf, type LinkWatch } from '../core/link-watch.js';
import { namedFirst } from '../core/start-order.js';
import type { EventBody, Reread } from '../core/events.js';
import { describeOperatorEvent, reloadedLine } from '../core/explain.js';
import type { Config, GroupSpec } from '../core/spec.js';
import type { DaemonStatus } from '../core/status.js';
import type { Decision, Millis } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import { NO_SUPERVISOR, type Supervisor } from '../systemd/notify.js';
import { announceAdded, announceClaim, announceStart, emitEvaluation, logEvaluation } from './announce.js';
import type { EventBus, EventListener } from './event-bus.js';
import { HoldFile } from './hold-file.js';
import { FaultBudget } from './fault-budget.js';
import { guardedScheduler } from './guard.js';
import { LinkSync, type SyncPhase } from './link-sync.js';
import { ownReasonBit, wireActuators, type Actuators } from './actuators.js';
import { SourceSync, type PingRunnerFactory } from './source-sync.js';
import { daemonStatus, destinationsSummary, groupsSummary, type DaemonView } from './views.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly dryRun: boolean;
  readonly log: Logger;
  readonly scheduler: Scheduler;
  /** The kernel's links, routes and addresses (kernel/netlink-kernel.ts); stop() closes it. */
  readonly kernel: KernelPort;
  /** Where operator holds are kept across restarts (beside the control socket); none without one. */
  readonly holdFile?: string;
  /** Where every component's events go: `ifdepd monitor` subscribes (control/monitor-session.ts). */
  readonly events: EventBus;
  /** Starts ping sources' probes (src/probe); finding the tool may throw Fatal (EX_UNAVAILABLE). */
  readonly pings?: PingRunnerFactory;
  /** The kernel's release (os.release()), which tells whether it has protodown reasons. */
  readonly kernelRelease?: string;
  /** Reads the configuration file again, off the event loop; without one (-S/-D) a reload is refused. */
  readonly reloader?: () => Promise<Config>;
  /** systemd hears of reloads and of every decision; none without a service manager. */
  readonly supervisor?: Supervisor;
  /** Faults keep coming back (fault-budget.ts): the process exits EX_SOFTWARE for a fresh start. */
  readonly faultsExhausted?: () => void;
}

/**
 * The composition root. A link event travels one way: the kernel (LinkSync) updates the
 * link table, the groups (core) decide, each decision is explained in the log and handed
 * to the actuators, which write to the kernel. The daemon wires these and decides nothing.
 */
export class Daemon implements ControlHandler {
  private readonly table = new LinkTable();
  private readonly links: LinkSync;
  private readonly otherSources: SourceSync;
  private readonly groups: Groups;
  private readonly act: Actuators;
  private readonly kept: HoldFile;
  private readonly faults: FaultBudget;
  private readonly startedAt: Millis;
  private config: Config;
  private started = false;
  /** Groups that name every interface decided before the dump a glob needs; the others wait for it. */
  private awaitingDump = false;
  /** Operator holds read back at start, for the groups that decide after the dump. */
  private restored: ReadonlyMap<string, Decision> = new Map();
  private readonly supervisor: Supervisor;

  constructor(private readonly options: DaemonOptions) {
    const { log, scheduler, dryRun } = options;
    this.config = options.config;
    this.supervisor = options.supervisor ?? NO_SUPERVISOR;
    this.kept = new HoldFile(options.holdFile, options.log);
    this.startedAt = scheduler.now();
    this.faults = new FaultBudget({
      log,
      now: () => scheduler.now(),
      recover: (why) => this.recover(why),
      exhausted: () => options.faultsExhausted?.(),
    });
    const fault: FaultReport = (where, err) => this.fault(where, err);
    // Every component gets timers of its own, so that a fault names the component.
    const timersOf = (component: string) => guardedScheduler(scheduler, component, fault);
    this.otherSources = new SourceSync({
      log,
      scheduler: timersOf('sources'),
      kernel: options.kernel,
      links: this.table,
      changed: (affected) => this.groups.otherSourcesChanged(affected),
      fault,
      ...(options.pings ? { pings: options.pings } : {}),
    });
    this.groups = new Groups(
      this.table,
      timersOf('groups'),
      this.startedAt + options.config.startupHold,
      (g, ev) => this.decided(g, ev),
      this.otherSources,
    );
    const events = options.events;
    this.links = new LinkSync(this.table, options.kernel, log, timersOf('link sync'), events, {
      watches: (name) => this.groups.watches(name) || this.otherSources.watchesAllLinks,
      changed: (names) => this.linksChanged(names),
      synced: (phase) => this.synced(phase),
      fault,
    }, linkWatchOf(options.config.groups));
    const verify = this.links.reread.bind(this.links);
    const protodownReason = ownReasonBit(options.config, options.kernelRelease ?? release(), log);
    const kernel = options.kernel;
    this.act = wireActuators({ groups: () => this.groups.all, links: this.table, kernel, log, events, dryRun, scheduler, timersOf, verify, fault, protodownReason });
  }

  /**
   * Reads routes and addresses, starts the ping sources' probes, then subscribes, reads
   * the watched links, decides and enforces: resolves when every group's first decision is
   * sent. The interfaces the configuration names are read by name; every link is dumped
   * only when a glob (or an atomic group, a route source) needs them, and then the groups
   * that name all of theirs decide first (core/start-order.ts). A group whose ping sources
   * have no verdict yet waits for them alone (core/group.ts).
   */
  async start(): Promise<void> {
    await this.otherSources.configure(this.config.groups);
    const watch = linkWatchOf(this.config.groups);
    const first = watch.onlyGlobs === true ? namedFirst(this.config.groups) : undefined;
    this.awaitingDump = first !== undefined && first.groups.length > 0 && first.names.size > 0;
    return this.links.start(this.awaitingDump ? first?.names : undefined);
  }

  /**
   * Re-reads the watched links (by name, or all of them when a glob needs them), routes and
   * addresses, and brings every destination in line (SIGHUP, fault).
   */
  async resync(why: Reread): Promise<void> {
    await this.otherSources.resync(why);
    return this.links.resync(why);
  }

  /**
   * An exception escaped a callback (`where`: component and callback): logged, then
   * everything is read and decided again; exits through faultsExhausted when it keeps happening.
   */
  fault(where: string, err: unknown): void {
    this.faults.fault(where, err);
  }

  /** What a fault may have left half-done is dropped; the watched links are read and every group evaluated again. */
  private recover(why: string): void {
    for (const a of this.act.interfaces) a.recover();
    this.resync({ kind: 'fault', where: why }).catch((err: unknown) => this.options.log.error(`re-read after a fault failed: ${messageOf(err)}`));
  }

  /**
   * Swaps in a new configuration; groups keep their state, unchanged destinations are not
   * touched. One file is checked at a time: reloads asked for meanwhile (a SIGHUP burst,
   * `ifdepd reload` from several shells) become one more, of the newest file.
   */
  readonly reload: () => Promise<string> = coalesced(() => this.reloadOnce());

  private async reloadOnce(): Promise<string> {
    try {
      return await this.reloadNow();
    } catch (err) {
      this.options.events.emit({ kind: 'reload', result: 'refused', reason: messageOf(err) });
      throw err;
    }
  }

  private async reloadNow(): Promise<string> {
    const { reloader } = this.options;
    if (reloader === undefined) throw new Error('no configuration file to reload (started with -S/-D)');
    if (!this.started || this.awaitingDump) throw new Error('still starting: the interfaces have not been read yet');
    this.supervisor.reloading();
    try {
      const config = await reloader();
      // The interfaces the new file names are read before anything is decided on them.
      const watch = linkWatchOf(config.groups);
      try {
        await this.links.watchFor(watch);
        // Refused before anything changes: the running configuration stays.
        this.act.atomic.plan(config.groups);
        await this.otherSources.configure(config.groups);
      } catch (err) {
        this.links.settle(linkWatchOf(this.config.groups));
        throw err;
      }
      return this.swapConfig(config, watch);
    } finally {
      this.supervisor.ready(this.summary());
    }
  }

  /** `ifdepd monitor`: the status and the subscription in one step, so that no event falls between them. */
  watch(listener: EventListener): { status: DaemonStatus; at: Millis; stop: () => void } {
    return { status: this.status(), at: this.options.scheduler.now(), stop: this.options.events.subscribe(listener) };
  }

  private swapConfig(config: Config, watch: LinkWatch): string {
    const { log } = this.options;
    const now = this.options.scheduler.now();
    const { added, dropped } = this.groups.replace(config.groups);
    for (const g of added) announceAdded(log, this.options.events, g, now);
    for (const name of dropped) log.notice(`group ${name} removed from the configuration; its destinations are left as they are`);
    const { startupHold, controlSocket, protodownReason } = this.config;
    if (config.startupHold !== startupHold || config.controlSocket !== controlSocket || config.protodownReason !== protodownReason) {
      log.notice('reload: startup-hold, control-socket and protodown-reason changes take effect at the next start');
    }
    this.config = config;
    if (dropped.length > 0) this.storeHolds();
    for (const a of this.act.all) a.regrouped(dropped);
    this.lookAgain();
    // After the destinations let go have been said so (while their state is still known).
    this.links.settle(watch);
    return this.said({ kind: 'reload', result: 'ok', reason: reloadedLine(config.file, config.groups.length), groups: config.groups.length });
  }

  hold(group: string, state: Decision): string {
    this.groups.hold(group, state);
    const notStored = this.storeHolds();
    return this.said({ kind: 'hold', group, decision: state, ...(notStored !== undefined ? { notStored } : {}) });
  }

  release(group: string): string {
    const g = this.groups.release(group);
    const why = g.why(this.options.scheduler.now());
    const notStored = this.storeHolds();
    return this.said({ kind: 'release', group, decision: g.decision, reason: why, ...(notStored !== undefined ? { notStored } : {}) });
  }

  /** An operator's command done: its event sent, its line (rendered from the event) logged and answered. */
  private said(e: Extract<EventBody, { kind: 'hold' | 'release' | 'reload' }>): string {
    const line = describeOperatorEvent(e);
    this.options.log.notice(line);
    this.options.events.emit(e);
    return line;
  }

  private storeHolds(): string | undefined {
    return this.kept.save(this.groups.operatorHolds());
  }

  status(): DaemonStatus {
    return daemonStatus(this.view());
  }

  /** "2 groups: uplink up, inside DOWN (held)": the groups' decisions in one line. */
  summary(): string {
    return groupsSummary(this.view());
  }

  /** "vrrp0 down, vrrp1 missing": the destinations as the kernel last reported them. */
  destinationSummary(): string {
    return destinationsSummary(this.act.all);
  }

  private view(): DaemonView {
    const { dryRun, scheduler } = this.options;
    const { groups, table, act, config, startedAt } = this;
    return { groups: groups.all, table, actuators: act.all, trackFiles: act.trackFiles, frrVrrp: act.frrVrrp, config, dryRun, startedAt, now: scheduler.now() };
  }

  /** Before stopping: the destinations ifdepd put in kernel groups go back to group 0. */
  leaveKernelGroups(): Promise<void> {
    return this.act.atomic.release();
  }

  /** Stops watching, and closes the kernel port. Destinations are left exactly as they are. */
  stop(): void {
    for (const a of this.act.all) a.close();
    this.groups.close();
    this.otherSources.close();
    this.links.close();
    this.options.kernel.close();
  }

  private synced(phase: SyncPhase): void {
    if (phase === 'named') this.firstDecisions(namedFirst(this.config.groups).groups);
    else if (phase === 'again') this.lookAgain();
    else if (this.awaitingDump) this.afterDump();
    else this.firstDecisions(this.config.groups);
  }

  /** The first decisions of these groups (every group, or those that decide before the dump). */
  private firstDecisions(specs: readonly GroupSpec[]): void {
    try {
      this.act.atomic.plan(this.config.groups);
    } catch (err) {
      if (err instanceof AtomicConflict) throw new Fatal(err.message, EX_CONFIG);
      throw err;
    }
    const stored = this.kept.restore(new Set(this.config.groups.map((g) => g.name)));
    this.restored = stored;
    const groups = this.groups.start(specs, stored);
    // Rewritten without the holds of groups gone from the configuration, once every group holds its own.
    if (!this.awaitingDump) this.dropStaleHolds();
    this.started = true;
    this.began(groups);
    this.reassert();
  }

  /** The dump a glob needed is in: the groups that waited for it take their first decisions. */
  private afterDump(): void {
    const { added } = this.groups.replace(this.config.groups);
    for (const g of added) {
      const held = this.restored.get(g.spec.name);
      if (held !== undefined) g.restoreHold(held);
    }
    this.awaitingDump = false;
    this.dropStaleHolds();
    this.began(added);
    this.lookAgain();
  }

  private dropStaleHolds(): void {
    const names = new Set(this.config.groups.map((g) => g.name));
    if ([...this.restored.keys()].some((name) => !names.has(name))) this.storeHolds();
  }

  private began(groups: readonly Group[]): void {
    const { log } = this.options;
    const now = this.options.scheduler.now();
    for (const g of groups) {
      for (const [name, health] of g.sourceHealths) {
        if (health.cause.kind === 'missing') log.info(`${g.spec.name}: source ${name} does not exist (yet); waiting for it`);
      }
      announceStart(log, this.options.events, g, now);
    }
    for (const a of this.act.all) a.began(groups);
  }

  /** After a re-read or reload: every group looks again, every destination is reconciled once. */
  private lookAgain(): void {
    this.groups.evaluateAll();
    this.reassert();
  }

  private reassert(): void {
    for (const a of this.act.all) a.reassert();
  }

  /** Decisions first: a source's change is the urgent part, a destination's is reconciled after. */
  private linksChanged(names: ReadonlySet<string>): void {
    this.groups.sourcesChanged(names);
    this.otherSources.linksChanged();
    for (const name of names) for (const a of this.act.all) a.linkChanged(name);
  }

  /** Every evaluation is explained; a changed decision goes to every actuator. */
  private decided(g: Group, ev: Evaluation): void {
    // A monitor reads the decision before its writes; with none listening, the events the
    // log lines are said from are built after the writes left (as the lines are: a write(2) each).
    const events = this.options.events;
    const said = events.subscribers > 0 ? emitEvaluation(events, g, ev) : undefined;
    if (ev.changed) for (const a of this.act.all) a.decided(g, ev);
    // A group's first decision after its ping sources' first verdicts: its destinations are set as at start.
    if (ev.claimed) this.reassert();
    logEvaluation(this.options.log, g, ev, said ?? evaluationEvents(g.spec, ev));
    if (ev.claimed) announceClaim(this.options.log, this.options.events, g, ev);
    if (this.started) this.supervisor.status(() => this.summary());
  }
}

