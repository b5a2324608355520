import { formatDuration } from '../core/duration.js';
import type { DestinationStatus } from '../core/status.js';
import type { Decision, IfIndex, LinkState } from '../core/types.js';
import type { Wanted } from '../core/wanted.js';
import type { EnforcerDeps } from './enforcer-deps.js';
import type { FailedAttempt } from './failure.js';
import { Deadlines } from './deadlines.js';
import { clearSlotTimers, newSlot, resetSlot, slotStatus, type Slot } from './slot.js';

export type { EnforcerDeps };

/** After an ACK, the kernel's notification normally follows within milliseconds. */
export const CONFIRM_TIMEOUT_MS = 1000;

/** Why a destination is written: `news` when no decision line already says it. */
interface Cause {
  readonly text: string;
  readonly news: boolean;
}

/**
 * Makes every claimed destination match what its groups want, and keeps it so: a
 * write that fails is retried with backoff (a permanent error at the slow pace), an
 * interface that appears later or that someone else flips is brought back, each with a
 * log line saying why. A write that keeps failing is said at once, then every 5 minutes.
 * A decision's writes are said once, in the decision's line; each one only with -v.
 */
export class Enforcer {
  private readonly slots = new Map<string, Slot>();
  private closed = false;
  /** Until the first full pass, a destination's state is covered by the groups' "at start" lines. */
  private started = false;
  /** ACKed writes waiting for their notification: one timer for all, not one per destination. */
  private readonly unconfirmed: Deadlines<Slot>;

  constructor(private readonly deps: EnforcerDeps) {
    this.unconfirmed = new Deadlines(deps.scheduler, CONFIRM_TIMEOUT_MS, (slots) => this.unheard(slots));
  }

  /** Reconciles these names, and forgets slots no group claims any more. */
  reconcileAll(names: Iterable<string>): void {
    const all = new Set(names);
    for (const name of this.slots.keys()) all.add(name);
    for (const name of all) this.reconcile(name);
    this.started = true;
  }

  /** A new decision for these names: pending retries are dropped, they act at once. */
  renew(names: Iterable<string>): void {
    for (const name of names) {
      const slot = this.slots.get(name);
      if (slot === undefined) continue;
      const unconfirmed = slot.awaiting;
      this.clearTimers(slot);
      if (unconfirmed !== undefined) this.reread(slot, unconfirmed.index);
    }
    for (const name of names) this.check(name, true);
  }

  /** Compares one destination with what is wanted of it and acts on a difference. */
  reconcile(name: string): void {
    this.check(name, false);
  }

  /** `decided`: the groups' decision line already says what changes, so a plain difference is not news. */
  private check(name: string, decided: boolean): void {
    if (this.closed) return;
    const wanted = this.deps.wanted(name);
    if (wanted === undefined) {
      this.forget(name);
      return;
    }
    const slot = this.slot(name);
    if (slot.verifying) return;
    const link = this.deps.links.byName(name);
    if (link === undefined) {
      this.lost(slot, wanted);
      return;
    }
    const firstSight = !slot.seen && !this.started;
    const appeared = slot.index !== link.index;
    slot.seen = true;
    slot.index = link.index;
    if (this.deps.action.reached(link, wanted.decision)) {
      this.confirm(slot, link, wanted.decision);
      return;
    }
    if (slot.inFlight || slot.retry !== undefined) return;
    if (slot.awaiting?.decision === wanted.decision) return;
    this.clearTimers(slot);
    this.apply(slot, link, wanted, firstSight ? undefined : this.causeOf(slot, link, wanted.decision, appeared, decided));
  }

  statuses(): DestinationStatus[] {
    const now = this.deps.scheduler.now();
    const { action, links, wanted } = this.deps;
    return [...this.slots.values()].map((slot) => slotStatus(slot, action, links.byName(slot.name), wanted(slot.name), now));
  }

  close(): void {
    this.closed = true;
    this.unconfirmed.close();
    for (const slot of this.slots.values()) clearSlotTimers(slot);
  }

  /** After a fault: whatever a lost callback left pending is dropped; the caller reconciles everything. */
  recover(): void {
    this.unconfirmed.close();
    for (const slot of this.slots.values()) resetSlot(slot);
  }

  private slot(name: string): Slot {
    let slot = this.slots.get(name);
    if (slot === undefined) {
      slot = newSlot(name);
      this.slots.set(name, slot);
    }
    return slot;
  }

  /** No group claims the name any more (reload, or a glob no longer matching): leave it as it is. */
  private forget(name: string): void {
    const slot = this.slots.get(name);
    if (slot === undefined) return;
    this.forgetSlot(slot);
    if (this.deps.links.byName(name) !== undefined) this.deps.log.notice(`${name} is no longer a destination; left as it is`);
  }

  private forgetSlot(slot: Slot): void {
    this.clearTimers(slot);
    this.slots.delete(slot.name);
  }

  /** Reads the interface again before trusting the table about it. */
  private reread(slot: Slot, index: IfIndex): void {
    slot.verifying = true;
    void this.deps
      .verify(index)
      .catch(() => undefined)
      .then(() => {
        slot.verifying = false;
        if (this.slots.get(slot.name) === slot) this.reconcile(slot.name);
      })
      .catch((err: unknown) => this.fault(`${slot.name}: re-read completion`, err));
  }

  private lost(slot: Slot, wanted: Wanted): void {
    const decision = wanted.decision;
    if (!wanted.named) {
      // Only a glob matched it: nothing to wait for under this name.
      if (slot.index !== undefined) this.deps.log.info(`${slot.name} is gone; no longer a destination`);
      this.forgetSlot(slot);
      this.deps.onConfirmed?.(slot.name, decision);
      return;
    }
    if (slot.index !== undefined) {
      this.deps.log.info(`${slot.name} disappeared; it will be set ${decision} when it comes back`);
    } else if (!slot.seen) {
      this.deps.log.info(`destination ${slot.name} does not exist (yet); waiting for it`);
      slot.seen = true;
    }
    slot.index = undefined;
    slot.confirmed = undefined;
    this.clearTimers(slot);
    this.deps.onConfirmed?.(slot.name, decision);
  }

  private causeOf(slot: Slot, link: LinkState, decision: Decision, appeared: boolean, decided: boolean): Cause {
    const state = `${this.deps.action.stateWord} ${this.deps.action.stateOf(link)}`;
    if (appeared) return { text: `appeared (ifindex ${link.index}) ${state}`, news: true };
    if (slot.confirmed?.index === link.index && slot.confirmed.decision === decision) {
      return { text: `was set ${this.deps.action.stateOf(link)} by someone else`, news: true };
    }
    return { text: `is ${state}`, news: !decided };
  }

  private apply(slot: Slot, link: LinkState, wanted: Wanted, cause: Cause | undefined): void {
    const { log } = this.deps;
    const decision = wanted.decision;
    if (this.deps.dryRun) {
      const key = `${link.index}:${decision}`;
      if (slot.announced === key) return;
      slot.announced = key;
      log.notice(`dry-run: would set ${slot.name} ${this.deps.action.describe(decision)}${cause ? ` (it ${cause.text})` : ''}`);
      return;
    }
    // A retry is not news: its failure was said (at once, then every 5 minutes).
    if (cause?.news === true && !slot.failure.failing) {
      log.notice(`${slot.name} ${cause.text} -> forcing it ${this.deps.action.describe(decision)} (${wanted.because})`);
    } else {
      log.debug(`setting ${slot.name} ${this.deps.action.describe(decision)}${cause ? ` (it ${cause.text})` : ''}`);
    }
    slot.inFlight = true;
    this.deps.onWrite?.(slot.name, decision);
    this.deps.action
      .write(slot.name, decision)
      .then(
        () => this.acknowledged(slot, link.index, decision),
        (err: unknown) => this.failed(slot, link.index, decision, err),
      )
      .catch((err: unknown) => this.fault(`${slot.name}: write completion`, err));
  }

  private acknowledged(slot: Slot, index: IfIndex, decision: Decision): void {
    slot.inFlight = false;
    const failed = slot.failure.cleared();
    if (failed > 0) this.deps.log.notice(`${slot.name}: set ${decision} after ${failed + 1} attempts`);
    if (this.closed || this.slots.get(slot.name) !== slot) return;
    slot.awaiting = { decision, index };
    this.unconfirmed.start(slot);
    // The notification may have been processed before the ACK.
    this.reconcile(slot.name);
  }

  /** Past the deadline without a notification: each is read again, and acted on as needed. */
  private unheard(slots: readonly Slot[]): void {
    for (const slot of slots) {
      const awaited = slot.awaiting;
      if (awaited === undefined) continue;
      slot.awaiting = undefined;
      this.deps.log.debug(`${slot.name}: no notification ${CONFIRM_TIMEOUT_MS} ms after the ACK; re-reading it`);
      this.reread(slot, awaited.index);
    }
  }

  private clearTimers(slot: Slot): void {
    this.unconfirmed.stop(slot);
    clearSlotTimers(slot);
  }

  private failed(slot: Slot, index: IfIndex, decision: Decision, err: unknown): void {
    slot.inFlight = false;
    if (this.closed || this.slots.get(slot.name) !== slot) return;
    const why = err instanceof Error ? err.message : String(err);
    if (this.deps.links.byName(slot.name)?.index !== index) {
      // Deleted (or re-created) while the request was in flight: nothing to retry.
      this.deps.log.debug(`${slot.name}: ${why}; it is gone or was re-created meanwhile`);
      this.reconcile(slot.name);
      return;
    }
    const attempt = slot.failure.failed(err, decision, this.deps.scheduler.now());
    this.deps.onFailed?.(slot.name, decision, why);
    if (attempt.say) this.sayFailure(slot.name, decision, attempt);
    slot.retry = this.deps.scheduler.after(attempt.wait, () => {
      slot.retry = undefined;
      this.reconcile(slot.name);
    });
  }

  /** A first failure may be a blip (a warning); a permanent one, or one still failing, is an error. */
  private sayFailure(name: string, decision: Decision, a: FailedAttempt): void {
    const pace = a.kind === 'permanent' ? `permanent error, retrying every ${formatDuration(a.wait)}` : `retrying in ${formatDuration(a.wait)}`;
    if (a.attempts === 1) {
      const text = `${name}: cannot set it ${decision} (${a.error}); ${pace}`;
      if (a.kind === 'permanent') this.deps.log.error(text);
      else this.deps.log.warning(text);
      return;
    }
    this.deps.log.error(`${name}: still cannot set it ${decision} (${a.error}) after ${a.attempts} attempts; ${pace}`);
  }

  private fault(where: string, err: unknown): void {
    if (this.deps.fault === undefined) throw err;
    this.deps.fault(`${this.deps.action.kind} enforcer: ${where}`, err);
  }

  private confirm(slot: Slot, link: LinkState, decision: Decision): void {
    this.clearTimers(slot);
    const failed = slot.failure.cleared();
    if (failed > 0) this.deps.log.notice(`${slot.name}: ${decision} as wanted after ${failed} failed attempt(s)`);
    slot.announced = undefined;
    slot.confirmed = { index: link.index, decision };
    this.deps.onConfirmed?.(slot.name, decision);
  }
}
