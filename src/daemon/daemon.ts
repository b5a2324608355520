import { messageOf } from '../base/message.js';
import { EX_CONFIG, Fatal } from '../base/sysexits.js';
import { AtomicConflict } from '../core/atomic.js';
import { wantedState } from '../core/wanted.js';
import { AtomicMembership } from '../act/atomic-group.js';
import { atomicAction } from '../act/atomic-switch.js';
import { adminAction, protodownAction, type InterfaceAction } from '../act/interface-action.js';
import { InterfaceActuator } from '../act/interface-actuator.js';
import type { Actuator } from '../act/actuator.js';
import { HookRunner } from '../act/hooks.js';
import { TrackFiles } from '../act/track-files.js';
import { VERSION } from '../base/version.js';
import type { ControlHandler } from '../control/api.js';
import type { Scheduler } from '../core/clock.js';
import { targetsOf } from '../core/explain.js';
import type { Evaluation, GroupWatch } from '../core/group.js';
import { Groups } from '../core/groups.js';
import { LinkTable } from '../core/link-table.js';
import { NAMES_SHOWN } from '../core/name-list.js';
import type { Config } from '../core/spec.js';
import { groupStatus, type DaemonStatus } from '../core/status.js';
import { statusSummary } from '../core/summary.js';
import type { Decision, Millis } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import { NO_SUPERVISOR, type Supervisor } from '../systemd/notify.js';
import { announceStart, emitDecision, emitEvaluation, logEvaluation } from './announce.js';
import type { EventBus, EventListener } from './event-bus.js';
import { KeptHolds } from './kept-holds.js';
import { FaultBudget } from './fault-budget.js';
import { guardedScheduler, type FaultReport } from './guard.js';
import { LinkSync } from './link-sync.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly dryRun: boolean;
  readonly log: Logger;
  readonly scheduler: Scheduler;
  /** Where operator holds are kept across restarts (beside the control socket); none without one. */
  readonly holdFile?: string;
  /** Where every component's events go: `ifdepd monitor` subscribes (control/monitor-session.ts). */
  readonly events: EventBus;
}

/**
 * The composition root. A link event travels one way: the kernel (LinkSync) updates the
 * link table, the groups (core) decide, each decision is explained in the log and handed
 * to the actuators, which write to the kernel. The daemon wires these and decides nothing.
 */
export class Daemon implements ControlHandler {
  private readonly table = new LinkTable();
  private readonly links: LinkSync;
  private readonly groups: Groups;
  private readonly actuators: readonly Actuator[];
  private readonly kept: KeptHolds;
  private readonly interfaces: readonly InterfaceActuator[];
  private readonly trackFiles: TrackFiles;
  private readonly atomic: AtomicMembership;
  private readonly faults: FaultBudget;
  private readonly startedAt: Millis;
  private config: Config;
  private started = false;
  /** Set by the process adapter: reads the configuration file again, off the event loop. */
  reloader?: () => Promise<Config>;
  /** Set by the process adapter: systemd hears of reloads and of every decision. */
  supervisor: Supervisor = NO_SUPERVISOR;
  /** Set by the process adapter: faults keep coming back, exit EX_SOFTWARE. */
  faultsExhausted: () => void = () => undefined;

  constructor(private readonly options: DaemonOptions) {
    const { log, scheduler, dryRun } = options;
    this.config = options.config;
    this.kept = new KeptHolds(options.holdFile, options.log);
    this.startedAt = scheduler.now();
    this.faults = new FaultBudget({
      log,
      now: () => scheduler.now(),
      recover: (why) => this.recover(why),
      exhausted: () => this.faultsExhausted(),
    });
    const fault: FaultReport = (where, err) => this.fault(where, err);
    // Every component gets timers of its own, so that a fault names the component.
    const timersOf = (component: string) => guardedScheduler(scheduler, component, fault);
    this.groups = new Groups(this.table, timersOf('groups'), this.startedAt + options.config.startupHold, (g, ev) =>
      this.decided(g, ev),
    );
    const events = options.events;
    this.links = new LinkSync(this.table, log, timersOf('link sync'), events, {
      watches: (name) => this.groups.watches(name),
      changed: (names) => this.linksChanged(names),
      synced: (first) => (first ? this.firstDecisions() : this.lookAgain()),
      fault,
    });
    const kernel = () => this.links.kernel();
    const deps = { groups: () => this.groups.all, links: this.table, log, events, dryRun, verify: this.links.reread.bind(this.links), fault };
    this.atomic = new AtomicMembership({ links: this.table, kernel, log, dryRun });
    const wanted = (a: InterfaceAction) => (name: string) => wantedState(name, a.kind, this.groups.all, scheduler.now());
    const atomic = (a: InterfaceAction) => atomicAction(a, { membership: this.atomic, kernel, links: this.table, wanted: wanted(a), log });
    this.interfaces = [
      new InterfaceActuator(atomic(adminAction(kernel)), { ...deps, scheduler: timersOf('admin enforcer') }),
      new InterfaceActuator(atomic(protodownAction(kernel, this.table)), { ...deps, scheduler: timersOf('protodown enforcer') }),
    ];
    this.trackFiles = new TrackFiles(deps.groups, log, timersOf('track files'), dryRun);
    // Each actuator is chosen here, once; in this order each hears of every decision.
    // Membership first: a destination joins its kernel group before the group is switched.
    this.actuators = [this.atomic, ...this.interfaces, this.trackFiles, new HookRunner(log, this.table, dryRun, events)];
  }

  /** Subscribes, reads every link, decides and enforces: resolves when the first decisions are sent. */
  start(): Promise<void> {
    return this.links.start();
  }

  /** Re-reads every link and brings every destination in line (SIGHUP, overrun). */
  resync(why: string): Promise<void> {
    return this.links.resync(why);
  }

  /**
   * An exception escaped a callback (`where`: component and callback): logged, then
   * everything is read and decided again; exits through faultsExhausted when it keeps happening.
   */
  fault(where: string, err: unknown): void {
    this.faults.fault(where, err);
  }

  /** What a fault may have left half-done is dropped; every link is read and every group evaluated again. */
  private recover(why: string): void {
    for (const a of this.interfaces) a.recover();
    this.resync(`fault in ${why}`).catch((err: unknown) => this.options.log.error(`re-read after a fault failed: ${messageOf(err)}`));
  }

  /** Swaps in a new configuration; groups keep their state, unchanged destinations are not touched. */
  async reload(): Promise<string> {
    try {
      return await this.reloadNow();
    } catch (err) {
      this.options.events.emit({ kind: 'reload', result: 'refused', reason: messageOf(err) });
      throw err;
    }
  }

  private async reloadNow(): Promise<string> {
    if (this.reloader === undefined) throw new Error('no configuration file to reload (started with -S/-D)');
    if (!this.started) throw new Error('still starting: the interfaces have not been read yet');
    this.supervisor.reloading();
    try {
      return this.swapConfig(await this.reloader());
    } finally {
      this.supervisor.ready(this.summary());
    }
  }

  /** `ifdepd monitor`: the status and the subscription in one step, so that no event falls between them. */
  watch(listener: EventListener): { status: DaemonStatus; stop: () => void } {
    return { status: this.status(), stop: this.options.events.subscribe(listener) };
  }

  private swapConfig(config: Config): string {
    const { log } = this.options;
    const now = this.options.scheduler.now();
    // Refused before anything changes: the running configuration stays.
    this.atomic.plan(config.groups);
    const { added, dropped } = this.groups.replace(config.groups);
    for (const g of added) {
      log.notice(`${g.spec.name}: added by reload: ${g.why(now)} -> ${targetsOf(g.spec)} ${g.decision}`);
      emitDecision(this.options.events, g, g.why(now), 'reload');
    }
    for (const name of dropped) log.notice(`group ${name} removed from the configuration; its destinations are left as they are`);
    if (config.startupHold !== this.config.startupHold || config.controlSocket !== this.config.controlSocket) {
      log.notice('reload: startup-hold and control-socket changes take effect at the next start');
    }
    this.config = config;
    if (dropped.length > 0) this.storeHolds();
    for (const a of this.actuators) a.regrouped(dropped);
    this.lookAgain();
    const message = `reloaded ${config.file ?? 'configuration'}: ${config.groups.length} group(s)`;
    log.notice(message);
    this.options.events.emit({ kind: 'reload', result: 'ok', reason: message, groups: config.groups.length });
    return message;
  }

  hold(group: string, state: Decision): string {
    this.groups.hold(group, state);
    const message = `${group}: held ${state} by operator until 'ifdepd release ${group}'${this.storeHolds()}`;
    this.options.log.notice(message);
    this.options.events.emit({ kind: 'hold', group, decision: state });
    return message;
  }

  release(group: string): string {
    const g = this.groups.release(group);
    const why = g.why(this.options.scheduler.now());
    const message = `${group}: released by operator; decision ${g.decision} (${why})${this.storeHolds()}`;
    this.options.log.notice(message);
    this.options.events.emit({ kind: 'release', group, decision: g.decision, reason: why });
    return message;
  }

  private storeHolds(): string {
    return this.kept.save(this.groups.operatorHolds());
  }

  status(): DaemonStatus {
    const now = this.options.scheduler.now();
    return {
      version: VERSION,
      pid: process.pid,
      uptimeMs: Math.round(now - this.startedAt),
      dryRun: this.options.dryRun,
      ...(this.config.file ? { configFile: this.config.file } : {}),
      groups: this.groups.all.map((g) => groupStatus(g, this.table, now)),
      destinations: this.actuators.flatMap((a) => a.destinations()),
      ...this.trackFileStatus(),
    };
  }

  private trackFileStatus(): Pick<DaemonStatus, 'trackFiles'> {
    const files = this.trackFiles.statuses(this.groups.all);
    return files.length === 0 ? {} : { trackFiles: files };
  }

  /** "2 groups: uplink up, inside DOWN (held)": the groups' decisions in one line. */
  summary(): string {
    const now = this.options.scheduler.now();
    return statusSummary({ dryRun: this.options.dryRun, groups: this.groups.all.map((g) => groupStatus(g, this.table, now)) });
  }

  /** "vrrp0 down, vrrp1 missing": the destinations as the kernel last reported them. */
  destinationSummary(): string {
    const all = this.actuators.flatMap((a) => a.destinations());
    if (all.length === 0) return 'none';
    // Said in one line at exit: 4,000 VMACs must not make it a 60 KB line.
    const shown = all.slice(0, NAMES_SHOWN).map((d) => `${d.name} ${d.state}`).join(', ');
    return all.length > NAMES_SHOWN ? `${shown} and ${all.length - NAMES_SHOWN} more` : shown;
  }

  /** Before stopping: the destinations ifdepd put in kernel groups go back to group 0. */
  leaveKernelGroups(): Promise<void> {
    return this.atomic.release();
  }

  /** Stops watching. Destinations are left exactly as they are. */
  stop(): void {
    for (const a of this.actuators) a.close();
    this.groups.close();
    this.links.close();
  }

  private firstDecisions(): void {
    const { log } = this.options;
    const now = this.options.scheduler.now();
    try {
      this.atomic.plan(this.config.groups);
    } catch (err) {
      if (err instanceof AtomicConflict) throw new Fatal(err.message, EX_CONFIG);
      throw err;
    }
    const stored = this.kept.restore(new Set(this.config.groups.map((g) => g.name)));
    const groups = this.groups.start(this.config.groups, stored);
    if ([...stored.keys()].some((name) => !groups.some((g) => g.spec.name === name))) this.storeHolds();
    this.started = true;
    for (const g of groups) {
      for (const [name, health] of g.sourceHealths) {
        if (health.reason === 'missing') log.info(`${g.spec.name}: source ${name} does not exist (yet); waiting for it`);
      }
      announceStart(log, this.options.events, g, now);
    }
    for (const a of this.actuators) a.began(groups);
    this.reassert();
  }

  /** After a re-read or reload: every group looks again, every destination is reconciled once. */
  private lookAgain(): void {
    this.groups.evaluateAll();
    this.reassert();
  }

  private reassert(): void {
    for (const a of this.actuators) a.reassert();
  }

  /** Decisions first: a source's change is the urgent part, a destination's is reconciled after. */
  private linksChanged(names: ReadonlySet<string>): void {
    this.groups.sourcesChanged(names);
    for (const name of names) for (const a of this.actuators) a.linkChanged(name);
  }

  /** Every evaluation is explained; a changed decision goes to every actuator. */
  private decided(g: GroupWatch, ev: Evaluation): void {
    // Events cost nothing without a subscriber; the writes leave before the log lines (a write(2) each).
    emitEvaluation(this.options.events, g, ev);
    if (ev.changed) for (const a of this.actuators) a.decided(g, ev);
    logEvaluation(this.options.log, g, ev);
    if (this.started) this.supervisor.status(() => this.summary());
  }
}
