import type { Scheduler } from '../core/clock.js';
import type { GroupWatch } from '../core/group.js';
import { describeFrrVrrp } from '../core/spec.js';
import type { FrrVrrpStatus } from '../core/status.js';
import type { Logger } from '../logging/logger.js';
import type { Actuator } from './actuator.js';
import { FrrVrrp } from './frr-vrrp.js';

/** The FRR VRRP instance of every group whose action is `frr-vrrp`. */
export class FrrVrrps implements Actuator {
  private instances = new Map<string, FrrVrrp>();

  constructor(
    private readonly groups: () => readonly GroupWatch[],
    private readonly log: Logger,
    private readonly scheduler: Scheduler,
    private readonly dryRun: boolean,
  ) {}

  began(): void {
    this.sync();
  }

  regrouped(): void {
    this.sync();
  }

  decided(g: GroupWatch): void {
    if (g.claims) this.instances.get(g.spec.name)?.set(g.decision);
  }

  linkChanged(): void {}

  reassert(): void {
    // A group still waiting for its ping sources' first verdicts leaves vrrpd as it is.
    for (const g of this.groups()) if (g.claims) this.instances.get(g.spec.name)?.set(g.decision);
  }

  destinations(): [] {
    return [];
  }

  /** Every instance, for `ifdepd status`. */
  statuses(groups: readonly GroupWatch[]): FrrVrrpStatus[] {
    return groups.flatMap((g) => (g.claims ? (this.instances.get(g.spec.name)?.status(g.decision) ?? []) : []));
  }

  close(): void {
    for (const i of this.instances.values()) i.close();
  }

  /** One instance per group with that action; a group whose action is unchanged keeps its own. */
  private sync(): void {
    const next = new Map<string, FrrVrrp>();
    for (const g of this.groups()) {
      const action = g.spec.action;
      if (action.kind !== 'frr-vrrp') continue;
      const existing = this.instances.get(g.spec.name);
      const same = existing !== undefined && describeFrrVrrp(existing.action) === describeFrrVrrp(action);
      next.set(g.spec.name, same ? existing : new FrrVrrp(action, g.spec.name, this.log, this.dryRun, this.scheduler));
    }
    for (const [name, i] of this.instances) if (next.get(name) !== i) i.close();
    this.instances = next;
  }
}
