import type { Scheduler } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import type { Group } from '../core/group.js';
import type { LinkLookup, LinkTable } from '../core/link-table.js';
import type { DestinationStatus } from '../core/status.js';
import type { IfIndex } from '../core/types.js';
import { destinationNames, wantedState } from '../core/wanted.js';
import type { Logger } from '../logging/logger.js';
import type { Actuator } from './actuator.js';
import { Confirmations } from './confirmations.js';
import { Enforcer } from './enforcer.js';
import type { InterfaceAction } from './interface-action.js';

export interface InterfaceActuatorDeps {
  readonly groups: () => readonly Group[];
  readonly links: LinkTable;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  /** Each write, confirmation and failure, for `ifdepd monitor`. */
  readonly events: EventSink;
  readonly dryRun: boolean;
  /** Reads one interface afresh into the link table. */
  readonly verify: (index: IfIndex) => Promise<void>;
  /** A completion callback threw: a bug, for the daemon's fault handling. */
  readonly fault?: (where: string, err: unknown) => void;
}

/**
 * The destinations of every group whose action is this one (admin or protodown): what
 * each should be (down wins), enforced and confirmed, with one line per decision saying
 * how long the kernel took.
 */
export class InterfaceActuator implements Actuator {
  private readonly enforcer: Enforcer;
  private readonly confirmations: Confirmations;

  constructor(
    private readonly action: InterfaceAction,
    private readonly deps: InterfaceActuatorDeps,
  ) {
    this.confirmations = new Confirmations(deps.log, deps.scheduler, deps.events);
    this.enforcer = new Enforcer({
      action,
      links: deps.links,
      wanted: (name) => wantedState(name, action.kind, deps.groups(), deps.scheduler.now()),
      verify: deps.verify,
      log: deps.log,
      scheduler: deps.scheduler,
      dryRun: deps.dryRun,
      events: deps.events,
      onWrite: (name) => this.confirmations.wrote(name),
      onConfirmed: (name, decision) => this.confirmations.confirmed(name, decision),
      ...(deps.fault ? { fault: deps.fault } : {}),
    });
  }

  began(groups: readonly Group[]): void {
    for (const g of groups) if (this.owns(g)) this.expectConfirmation(g, this.destinationsOf([g]));
  }

  regrouped(dropped: readonly string[]): void {
    for (const name of dropped) this.confirmations.forget(name);
  }

  decided(g: Group): void {
    if (!this.owns(g)) return;
    const names = this.destinationsOf([g]);
    this.expectConfirmation(g, names);
    this.enforcer.renew(names);
  }

  linkChanged(name: string): void {
    this.enforcer.reconcile(name);
  }

  reassert(): void {
    this.enforcer.reconcileAll(this.destinationsOf(this.deps.groups()));
  }

  /** After a fault: drops what lost callbacks left pending; reassert() then acts again. */
  recover(): void {
    this.enforcer.recover();
  }

  destinations(): DestinationStatus[] {
    return this.enforcer.statuses();
  }

  close(): void {
    this.enforcer.close();
  }

  private owns(g: Group): boolean {
    return g.spec.action.kind === this.action.kind;
  }

  private destinationsOf(groups: readonly Group[]): Set<string> {
    return destinationNames(groups, this.action.kind, liveNames(this.deps.links));
  }

  private expectConfirmation(g: Group, names: ReadonlySet<string>): void {
    if (this.deps.dryRun) return;
    const now = this.deps.scheduler.now();
    const groups = this.deps.groups();
    const present: string[] = [];
    const missing: string[] = [];
    for (const n of names) {
      // A destination another group holds down is not this decision's to confirm.
      if (wantedState(n, this.action.kind, groups, now)?.decision !== g.decision) continue;
      (this.deps.links.byName(n) === undefined ? missing : present).push(n);
    }
    this.confirmations.expect(g.spec.name, g.decision, present, missing);
  }
}

/** Interface names, read only if a glob needs them. */
function* liveNames(links: LinkLookup): Iterable<string> {
  for (const link of links.all()) yield link.name;
}
