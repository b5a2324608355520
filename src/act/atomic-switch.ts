import { messageOf } from '../base/errors.js';
import type { AtomicGroup } from '../core/atomic.js';
import type { KernelPort } from '../core/kernel-port.js';
import type { LinkLookup } from '../core/link-table.js';
import type { Decision } from '../core/types.js';
import type { Wanted } from '../core/wanted.js';
import type { Logger } from '../logging/logger.js';
import type { AtomicMembership } from './atomic-group.js';
import type { InterfaceAction } from './interface-action.js';

/** The group request: IFF_UP, or IFLA_PROTO_DOWN and ifdepd's reason bit, on every member at once. */
export type GroupSwitchWriter = Pick<KernelPort, 'switchGroup'>;

export interface AtomicSwitchDeps {
  readonly membership: AtomicMembership;
  readonly kernel: () => GroupSwitchWriter;
  readonly links: LinkLookup;
  /** What the groups want of a destination, down winning (the enforcer's own answer). */
  readonly wanted: (name: string) => Wanted | undefined;
  readonly log: Logger;
}

interface Waiting {
  readonly name: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

interface Batch {
  readonly decision: Decision;
  readonly writes: Waiting[];
}

/**
 * An interface action whose writes to members of an atomic group, sent in the same turn
 * of the event loop (the enforcer writes all destinations of a decision at once), become
 * ONE request for the whole kernel group. The enforcer is unchanged: each write resolves
 * with the group's ACK and is confirmed per destination as before; a group request that
 * fails, or one that cannot be sent, falls back to the destination's own write.
 */
export function atomicAction(action: InterfaceAction, deps: AtomicSwitchDeps): InterfaceAction {
  const batches = new Map<AtomicGroup, Batch>();

  const alone = (w: Waiting, decision: Decision): void => {
    action.write(w.name, decision).then(w.resolve, w.reject);
  };

  /** `wanted`: what the groups want now (after an await, deps.wanted asks them afresh). */
  const flush = async (group: AtomicGroup, batch: Batch, wanted: WantedOf): Promise<void> => {
    batches.delete(group);
    const { decision, writes } = batch;
    let blocker = writes.length < 2 ? 'one destination' : blockerOf(group, decision, action, deps, wanted);
    // Members not in the kernel group yet are put in first; their answers may change what blocks.
    if (blocker === undefined && deps.membership.join(group)) {
      await deps.membership.settled();
      blocker = blockerOf(group, decision, action, deps, deps.wanted);
    }
    if (blocker !== undefined) {
      if (writes.length > 1) deps.log.info(`${group.name}: not switched as one (${blocker}); setting each destination on its own`);
      for (const w of writes) alone(w, decision);
      return;
    }
    const members: Waiting[] = [];
    for (const w of writes) {
      const link = deps.links.byName(w.name);
      if (link !== undefined && deps.membership.holds(link, group)) members.push(w);
      else alone(w, decision);
    }
    try {
      await deps.kernel().switchGroup(group.number, action.groupChange(decision));
      deps.log.debug(`${group.name}: kernel group ${group.number} switched ${decision} in one request`);
      await Promise.all(members.map((w) => action.settle(w.name, decision)));
      for (const w of members) w.resolve();
    } catch (err) {
      deps.log.warning(`${group.name}: switching kernel group ${group.number} ${decision} failed (${messageOf(err)}); setting each destination on its own`);
      for (const w of members) alone(w, decision);
    }
  };

  const write = (name: string, decision: Decision): Promise<void> => {
    const link = deps.links.byName(name);
    const group = link === undefined ? undefined : deps.membership.memberOf(link);
    if (group === undefined || group.action !== action.kind) return action.write(name, decision);
    let batch = batches.get(group);
    if (batch !== undefined && batch.decision !== decision) return action.write(name, decision);
    if (batch === undefined) {
      const fresh: Batch = { decision, writes: [] };
      batches.set(group, fresh);
      batch = fresh;
      // Unless the enforcer says sooner that the decision's writes are all here (sendHeld).
      queueMicrotask(() => send(group, fresh, deps.wanted));
    }
    const writes = batch.writes;
    return new Promise<void>((resolve, reject) => writes.push({ name, resolve, reject }));
  };

  /** Sends a batch once: the first of sendHeld() and the end of the turn does. */
  const send = (group: AtomicGroup, batch: Batch, wanted: WantedOf): void => {
    if (batches.get(group) !== batch) return;
    flush(group, batch, wanted).catch((err: unknown) => {
      for (const w of batch.writes) w.reject(err);
    });
  };

  const sendHeld = (wanted: WantedOf): void => {
    for (const [group, batch] of [...batches]) send(group, batch, wanted);
  };

  return { ...action, write, sendHeld };
}

type WantedOf = (name: string) => Wanted | undefined;

/**
 * Why the kernel group cannot be switched to `decision` now: a member is wanted otherwise
 * (another group holds it down: down wins), an interface that is not a destination was
 * put in the group, or (protodown off) another program holds a member protodown: the
 * kernel would refuse protodown off for it (EBUSY) and stop the group request there.
 * Undefined when the request is safe for every member.
 */
function blockerOf(group: AtomicGroup, decision: Decision, action: InterfaceAction, deps: AtomicSwitchDeps, wantedOf: WantedOf): string | undefined {
  for (const link of deps.links.all()) {
    const member = deps.membership.memberOf(link) === group;
    if (!member && link.group === group.number) return `${link.name} is in kernel group ${group.number} but is not a destination`;
    if (!member) continue;
    const others = decision === 'up' ? action.heldByOthers(link) : [];
    if (others.length > 0) return `${link.name} is held protodown by another program (reason bit ${others.join(',')})`;
    const wanted = wantedOf(link.name);
    if (wanted !== undefined && wanted.decision !== decision) {
      return `${link.name} is held ${wanted.decision} by ${wanted.downBecause.join(',') || 'its other groups'}`;
    }
  }
  return undefined;
}
