import type { Group } from '../core/group.js';
import type { ActionSpec } from '../core/spec.js';
import type { Decision } from '../core/types.js';
import type { Actuator } from './actuator.js';

/** What a group's action does when it is not its destinations' state: a keepalived track file, an FRR VRRP instance. */
export interface GroupAction<S> {
  /** Brings it in line with the decision (again); failures are retried by the action itself. */
  set(decision: Decision): void;
  /** For `ifdepd status`: what it should be, what it is, whether writing fails. */
  status(wanted: Decision): S;
  close(): void;
}

/** Which groups have an action of this kind, and how one is made. */
export interface GroupActionKind<T extends ActionSpec, A> {
  /** The group's action, when it is of this kind. */
  of(action: ActionSpec): T | undefined;
  /** What identifies it (a path, an instance): a reload that keeps it keeps the running one. */
  key(action: T): string;
  create(action: T, group: string): A;
}

/**
 * The action of every group whose action is of one kind. One per group: a group whose
 * action is unchanged by a reload keeps its own (its retries, its last write). A group
 * still waiting for its ping sources' first verdicts leaves its action as it is.
 */
export class GroupActions<S, T extends ActionSpec, A extends GroupAction<S>> implements Actuator {
  private actions = new Map<string, { readonly key: string; readonly action: A }>();

  constructor(
    private readonly groups: () => readonly Group[],
    private readonly kind: GroupActionKind<T, A>,
  ) {}

  began(): void {
    this.sync();
  }

  regrouped(): void {
    this.sync();
  }

  decided(g: Group): void {
    if (g.claims) this.actions.get(g.spec.name)?.action.set(g.decision);
  }

  linkChanged(): void {}

  reassert(): void {
    for (const g of this.groups()) this.decided(g);
  }

  destinations(): [] {
    return [];
  }

  statuses(groups: readonly Group[]): S[] {
    return groups.flatMap((g) => {
      const own = g.claims ? this.actions.get(g.spec.name) : undefined;
      return own === undefined ? [] : [own.action.status(g.decision)];
    });
  }

  close(): void {
    for (const { action } of this.actions.values()) action.close();
  }

  private sync(): void {
    const next = new Map<string, { readonly key: string; readonly action: A }>();
    for (const g of this.groups()) {
      const spec = this.kind.of(g.spec.action);
      if (spec === undefined) continue;
      const key = this.kind.key(spec);
      const existing = this.actions.get(g.spec.name);
      next.set(g.spec.name, existing?.key === key ? existing : { key, action: this.kind.create(spec, g.spec.name) });
    }
    for (const [name, own] of this.actions) if (next.get(name) !== own) own.action.close();
    this.actions = next;
  }
}
