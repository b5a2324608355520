import { messageOf } from '../base/errors.js';
import { atomicGroupOf, NO_GROUP, planAtomic, type AtomicGroup } from '../core/atomic.js';
import type { KernelPort } from '../core/kernel-port.js';
import type { LinkLookup } from '../core/link-table.js';
import type { GroupSpec } from '../core/spec.js';
import type { IfIndex, LinkState } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import type { Actuator } from './actuator.js';

/** Far more names than a machine has interfaces. */
const GROUP_OF_NAMES_KEPT = 16384;

/** The kernel request kernel-group membership needs. */
export type GroupMembershipWriter = Pick<KernelPort, 'setGroup'>;

export interface AtomicMembershipDeps {
  readonly links: LinkLookup;
  readonly kernel: () => GroupMembershipWriter;
  readonly log: Logger;
  /** Decides and checks, but puts nothing in a group. */
  readonly dryRun: boolean;
}

/**
 * Keeps every atomic group's kernel interface group (IFLA_GROUP) holding the destinations
 * it claims: a destination that appears or is re-created (keepalived re-creates its
 * VMACs) is put in; one ifdepd lets go (reload, a glob no longer matching, exit) is taken
 * out, back to group 0, only if this process put it in and it is still there. An
 * interface the operator put in a group is never taken out of it: it is switched on its own.
 */
export class AtomicMembership implements Actuator {
  private groups: readonly AtomicGroup[] = [];
  /** The interfaces known to be in an atomic group's kernel group, and which. */
  private readonly held = new Map<IfIndex, number>();
  /**
   * Those this process put there: the only ones ever taken out. One found in the group
   * (put there by the operator, or left by an ifdepd killed with -9) is left there.
   */
  private readonly joinedHere = new Set<IfIndex>();
  /** Join and leave requests in flight, by name. */
  private readonly pending = new Map<string, { readonly group: number; readonly done: Promise<void> }>();
  private readonly foreignSaid = new Set<string>();
  /**
   * The atomic group each name falls in (patterns tried once per name and configuration):
   * a decision asks for each destination several times. Bounded: names can keep coming.
   */
  private readonly groupOfName = new Map<string, AtomicGroup | undefined>();
  private closed = false;

  constructor(private readonly deps: AtomicMembershipDeps) {}

  /** The kernel groups for this configuration (start, reload); throws AtomicConflict, changing nothing. */
  plan(specs: readonly GroupSpec[]): void {
    // What this process put in its groups is no stranger there: a reload takes out what it no longer claims.
    const others = [...this.deps.links.all()].filter((l) => !(this.joinedHere.has(l.index) && this.held.get(l.index) === l.group));
    const next = planAtomic(specs, others, this.groups);
    for (const g of next) {
      const before = this.groups.find((b) => b.name === g.name);
      if (before?.number !== g.number) this.deps.log.info(`${g.name}: atomic, switched through kernel interface group ${g.number}`);
    }
    this.groups = next;
    this.groupOfName.clear();
  }

  /** The kernel group an interface is switched with: it is in it, or will be put in it first. */
  memberOf(link: LinkState): AtomicGroup | undefined {
    const g = this.groupOf(link.name);
    if (g === undefined) return undefined;
    const now = this.pending.get(link.name)?.group ?? link.group ?? NO_GROUP;
    return now === g.number || now === NO_GROUP || this.putHere(link, now) ? g : undefined;
  }

  /** Puts every present member of the group in it, and waits for every request in flight. */
  async joined(group: AtomicGroup): Promise<void> {
    if (this.join(group)) await this.settled();
  }

  /**
   * Puts every present member of the group in it; whether requests are in flight (settled()
   * waits for them). When none is, membership is what it was: nothing to wait for or re-check.
   */
  join(group: AtomicGroup): boolean {
    for (const link of this.deps.links.all()) if (this.memberOf(link) === group) this.sync(link);
    return this.pending.size > 0;
  }

  /** Resolves when every join and leave request in flight now has been answered. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending.values()].map((p) => p.done));
  }

  /** Whether ifdepd knows the interface to be in this kernel group now (the kernel said so, or ACKed the join). */
  holds(link: LinkState, group: AtomicGroup): boolean {
    return this.held.get(link.index) === group.number;
  }

  began(): void {}
  regrouped(): void {}
  decided(): void {}
  destinations(): [] {
    return [];
  }

  linkChanged(name: string): void {
    const link = this.deps.links.byName(name);
    if (link !== undefined) {
      this.sync(link);
      return;
    }
    // Renamed out of its patterns (the new name is no group's to report) or deleted: let it go.
    for (const l of this.deps.links.all()) if (this.held.has(l.index)) this.sync(l);
  }

  reassert(): void {
    const present = new Set<IfIndex>();
    for (const link of this.deps.links.all()) {
      present.add(link.index);
      this.sync(link);
    }
    for (const index of this.held.keys()) if (!present.has(index)) this.held.delete(index);
    for (const index of this.joinedHere) if (!present.has(index)) this.joinedHere.delete(index);
  }

  /** Exit: every interface ifdepd put in a group goes back to group 0. Resolves when the kernel has answered. */
  async release(): Promise<void> {
    this.groups = [];
    this.groupOfName.clear();
    const leaving = [...this.deps.links.all()].filter((l) => this.joinedHere.has(l.index) && this.held.get(l.index) === l.group);
    if (leaving.length > 0) this.deps.log.info(`taking ${leaving.map((l) => l.name).join(',')} out of ifdepd's kernel group(s)`);
    for (const link of leaving) this.request(link, NO_GROUP);
    await this.settled();
    this.closed = true;
  }

  close(): void {
    this.closed = true;
  }

  private groupOf(name: string): AtomicGroup | undefined {
    if (this.groupOfName.has(name)) return this.groupOfName.get(name);
    const g = atomicGroupOf(name, this.groups);
    if (this.groupOfName.size >= GROUP_OF_NAMES_KEPT) this.groupOfName.clear();
    this.groupOfName.set(name, g);
    return g;
  }

  private sync(link: LinkState): void {
    if (this.closed || this.deps.dryRun || this.pending.has(link.name)) return;
    const now = link.group ?? NO_GROUP;
    const g = this.groupOf(link.name);
    if (g !== undefined && now === g.number) {
      this.held.set(link.index, now);
    } else if (g !== undefined && (now === NO_GROUP || this.putHere(link, now))) {
      this.request(link, g.number);
    } else if (g !== undefined) {
      this.sayForeign(link, g);
    } else if (now !== NO_GROUP && this.putHere(link, now)) {
      this.deps.log.info(`${link.name} is no longer a destination of an atomic group; taken out of kernel group ${now}`);
      this.request(link, NO_GROUP);
    }
  }

  /** This process put the interface in kernel group `now` (of an atomic group, now or before a reload): it may move it. */
  private putHere(link: LinkState, now: number): boolean {
    return this.joinedHere.has(link.index) && this.held.get(link.index) === now;
  }

  private sayForeign(link: LinkState, g: AtomicGroup): void {
    if (this.foreignSaid.has(link.name)) return;
    this.foreignSaid.add(link.name);
    this.deps.log.notice(`${link.name} is in kernel group ${link.group}, not ifdepd's: left there; ${g.name} switches it on its own`);
  }

  /** By name, as every write: a freed ifindex may already belong to another interface. */
  private request(link: LinkState, group: number): void {
    this.foreignSaid.delete(link.name);
    const done = this.deps
      .kernel()
      .setGroup(link.name, group)
      .then(
        () => {
          if (group === NO_GROUP) {
            this.held.delete(link.index);
            this.joinedHere.delete(link.index);
          } else {
            this.held.set(link.index, group);
            this.joinedHere.add(link.index);
          }
        },
        (err: unknown) => {
          const what = group === NO_GROUP ? 'take it out of its kernel group' : `put it in kernel group ${group}`;
          this.deps.log.warning(`${link.name}: cannot ${what} (${messageOf(err)}); it is switched on its own`);
        },
      )
      .finally(() => this.pending.delete(link.name));
    this.pending.set(link.name, { group, done });
  }
}
