import type { Scheduler } from '../core/clock.js';
import type { EventSink } from '../core/events.js';
import type { Group } from '../core/group.js';
import type { LinkLookup, LinkTable } from '../core/link-table.js';
import type { DestinationStatus } from '../core/status.js';
import type { Decision, IfIndex } from '../core/types.js';
import { destinationNames, wantedState, type Wanted } from '../core/wanted.js';
import type { Logger } from '../logging/logger.js';
import type { Actuator } from './actuator.js';
import { Confirmations, type SentFirst } from './confirmations.js';
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
  /**
   * While a decision is handed out (one synchronous call, in which no group changes): what
   * each of its destinations wants, worked out once for its writes and its confirmation;
   * and what the writes, sent first, wrote and found as wanted before the confirmation is expected.
   */
  private deciding: Deciding | undefined;

  constructor(
    private readonly action: InterfaceAction,
    private readonly deps: InterfaceActuatorDeps,
  ) {
    this.confirmations = new Confirmations(deps.log, deps.scheduler, deps.events);
    this.enforcer = new Enforcer({
      action,
      links: deps.links,
      wanted: (name) => this.wanted(name),
      verify: deps.verify,
      log: deps.log,
      scheduler: deps.scheduler,
      dryRun: deps.dryRun,
      events: deps.events,
      onWrite: (name) => {
        this.deciding?.wrote.add(name);
        this.confirmations.wrote(name);
      },
      onConfirmed: (name, decision) => {
        if (this.deciding?.decision === decision) this.deciding.confirmed.add(name);
        this.confirmations.confirmed(name, decision);
      },
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
    const deciding: Deciding = { decision: g.decision, at: this.deps.scheduler.now(), wanted: new Map(), wrote: new Set(), confirmed: new Set() };
    this.deciding = deciding;
    try {
      // The writes leave first; the decision's confirmation is expected right after, in the same turn.
      this.enforcer.renew(names);
      this.expectConfirmation(g, names, deciding);
    } finally {
      this.deciding = undefined;
    }
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

  /** What the groups want of an interface; within a decision, worked out once. */
  private wanted(name: string): Wanted | undefined {
    const known = this.deciding?.wanted;
    if (known?.has(name) === true) return known.get(name);
    const wanted = wantedState(name, this.action.kind, this.deps.groups(), this.deps.scheduler.now());
    known?.set(name, wanted);
    return wanted;
  }

  /** `sent`: the decision's writes went first (decided()); at start, nothing was written yet. */
  private expectConfirmation(g: Group, names: ReadonlySet<string>, sent?: Deciding): void {
    if (this.deps.dryRun) return;
    const present: string[] = [];
    const missing: string[] = [];
    for (const n of names) {
      // A destination another group holds down is not this decision's to confirm.
      if (this.wanted(n)?.decision !== g.decision) continue;
      (this.deps.links.byName(n) === undefined ? missing : present).push(n);
    }
    this.confirmations.expect(g.spec.name, g.decision, present, missing, sent);
  }
}

/** A decision being handed out: see InterfaceActuator.deciding. */
interface Deciding extends SentFirst {
  readonly decision: Decision;
  readonly wanted: Map<string, Wanted | undefined>;
  readonly wrote: Set<string>;
  readonly confirmed: Set<string>;
}

/** Interface names, read only if a glob needs them. */
function* liveNames(links: LinkLookup): Iterable<string> {
  for (const link of links.all()) yield link.name;
}
