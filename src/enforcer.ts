import { formatDuration } from './duration.js';
import type { LinkLookup } from './links.js';
import type { Logger } from './log.js';
import type { Decision, IfIndex, LinkState, Millis } from './types.js';

/** How the enforcer changes an interface: the kernel, or nothing at all in dry-run. */
export interface LinkWriter {
  setAdmin(index: IfIndex, up: boolean): Promise<void>;
}

export interface EnforcerDeps {
  readonly group: string;
  readonly destinations: readonly string[];
  readonly links: LinkLookup;
  readonly writer: LinkWriter;
  /** Asks for a fresh read of one interface when its confirmation is overdue. */
  readonly verify: (index: IfIndex) => void;
  readonly log: Logger;
  readonly now: () => Millis;
  readonly dryRun: boolean;
}

/** After an ACK, the kernel's notification normally follows within milliseconds. */
export const CONFIRM_TIMEOUT_MS = 1000;
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5000;

export const retryDelay = (failures: number): Millis =>
  Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, failures - 1));

/** The enforcer's memory of one destination name. */
interface Slot {
  readonly name: string;
  /** The interface last seen under this name. */
  index?: IfIndex;
  seen: boolean;
  inFlight: boolean;
  failures: number;
  retry?: NodeJS.Timeout;
  /** ACKed, waiting for the kernel's notification that confirms it. */
  awaiting?: { readonly decision: Decision; readonly timer: NodeJS.Timeout };
  /** The state the kernel last confirmed under the current decision. */
  confirmed?: { readonly index: IfIndex; readonly decision: Decision };
  /** Dry-run: what was last said, so that it is said once. */
  reported?: string;
}

/** One decision on its way to every destination. */
interface Transition {
  readonly decision: Decision;
  readonly at: Millis;
  readonly waiting: Set<string>;
  /** Whether anything had to be written: a decision the kernel already matched needs no confirmation line. */
  wrote: boolean;
}

/**
 * Makes every destination's admin state match the group's decision, and keeps it so:
 * a destination that fails is retried with backoff, one that appears later or that
 * someone else flips is brought back, each with a log line saying why.
 */
export class Enforcer {
  private readonly slots: Map<string, Slot>;
  private decision?: Decision;
  private reason = '';
  private transition?: Transition;
  private closed = false;

  constructor(private readonly deps: EnforcerDeps) {
    this.slots = new Map(deps.destinations.map((name) => [name, { name, seen: false, inFlight: false, failures: 0 }]));
  }

  get current(): Decision | undefined {
    return this.decision;
  }

  /** A new decision: every destination is moved at once, back to back. */
  decide(decision: Decision, reason: string): void {
    this.decision = decision;
    this.reason = reason;
    const present = this.deps.destinations.filter((name) => this.deps.links.byName(name) !== undefined);
    this.transition = { decision, at: this.deps.now(), waiting: new Set(present), wrote: false };
    for (const slot of this.slots.values()) {
      slot.failures = 0;
      clearSlotTimers(slot);
    }
    this.reconcileAll();
  }

  reconcileAll(): void {
    for (const name of this.deps.destinations) this.reconcile(name);
  }

  /** Compares one destination with the decision and acts on a difference. */
  reconcile(name: string): void {
    const slot = this.slots.get(name);
    const decision = this.decision;
    if (slot === undefined || decision === undefined || this.closed) return;
    const link = this.deps.links.byName(name);
    if (link === undefined) {
      this.lost(slot, decision);
      return;
    }
    const firstSight = !slot.seen;
    const appeared = slot.index !== link.index;
    slot.seen = true;
    slot.index = link.index;
    if (adminOf(link) === decision) {
      this.confirm(slot, link, decision);
      return;
    }
    if (slot.inFlight || slot.retry !== undefined) return;
    if (slot.awaiting?.decision === decision) return;
    clearSlotTimers(slot);
    this.apply(slot, link, decision, firstSight ? undefined : this.causeOf(slot, link, decision, appeared));
  }

  /** Lines for SIGUSR1. */
  describe(): string[] {
    return [...this.slots.values()].map((slot) => {
      const link = this.deps.links.byName(slot.name);
      const state = link === undefined ? 'missing' : `admin ${adminOf(link)} (ifindex ${link.index})`;
      const doing = slot.inFlight
        ? ', request in flight'
        : slot.retry !== undefined
          ? `, retrying after ${slot.failures} failure(s)`
          : slot.awaiting !== undefined
            ? ', awaiting kernel confirmation'
            : '';
      return `destination ${slot.name}: ${state}, wanted ${this.decision ?? 'undecided'}${doing}`;
    });
  }

  close(): void {
    this.closed = true;
    for (const slot of this.slots.values()) clearSlotTimers(slot);
  }

  private lost(slot: Slot, decision: Decision): void {
    if (slot.index !== undefined) {
      this.deps.log.info(`${slot.name} disappeared; it will be set ${decision} when it comes back`);
    } else if (!slot.seen) {
      this.deps.log.info(`destination ${slot.name} does not exist (yet); waiting for it`);
      slot.seen = true;
    }
    slot.index = undefined;
    slot.confirmed = undefined;
    clearSlotTimers(slot);
    this.transition?.waiting.delete(slot.name);
    this.finishTransition();
  }

  private causeOf(slot: Slot, link: LinkState, decision: Decision, appeared: boolean): string {
    if (appeared) return `appeared (ifindex ${link.index}) admin ${adminOf(link)}`;
    if (slot.confirmed?.index === link.index && slot.confirmed.decision === decision) {
      return `was set ${adminOf(link)} by someone else`;
    }
    return `is admin ${adminOf(link)}`;
  }

  private apply(slot: Slot, link: LinkState, decision: Decision, cause: string | undefined): void {
    const { log } = this.deps;
    if (this.deps.dryRun) {
      const key = `${link.index}:${decision}`;
      if (slot.reported === key) return;
      slot.reported = key;
      log.notice(`dry-run: would set ${slot.name} ${decision}${cause ? ` (it ${cause})` : ''}`);
      return;
    }
    // A retry is not news: its failure was said (at attempts 1, 2, 4, 8...).
    if (cause !== undefined && slot.failures === 0) log.notice(`${slot.name} ${cause} -> forcing it ${decision} (${this.reason})`);
    else log.debug(`setting ${slot.name} ${decision}`);
    slot.inFlight = true;
    if (this.transition !== undefined) this.transition.wrote = true;
    this.deps.writer.setAdmin(link.index, decision === 'up').then(
      () => this.acknowledged(slot, link.index, decision),
      (err: unknown) => this.failed(slot, link.index, decision, err),
    );
  }

  private acknowledged(slot: Slot, index: IfIndex, decision: Decision): void {
    slot.inFlight = false;
    if (slot.failures > 0) this.deps.log.notice(`${slot.name}: set ${decision} after ${slot.failures + 1} attempts`);
    slot.failures = 0;
    if (this.closed) return;
    const timer = setTimeout(() => {
      slot.awaiting = undefined;
      this.deps.log.debug(`${slot.name}: no notification ${CONFIRM_TIMEOUT_MS} ms after the ACK; re-reading it`);
      this.deps.verify(index);
    }, CONFIRM_TIMEOUT_MS);
    slot.awaiting = { decision, timer };
    // The notification may have been processed before the ACK.
    this.reconcile(slot.name);
  }

  private failed(slot: Slot, index: IfIndex, decision: Decision, err: unknown): void {
    slot.inFlight = false;
    if (this.closed) return;
    const why = err instanceof Error ? err.message : String(err);
    if (this.deps.links.byName(slot.name)?.index !== index) {
      // Deleted (or re-created) while the request was in flight: nothing to retry.
      this.deps.log.debug(`${slot.name}: ${why}; it is gone or was re-created meanwhile`);
      this.reconcile(slot.name);
      return;
    }
    slot.failures += 1;
    const wait = retryDelay(slot.failures);
    // A lasting failure (EPERM, EOPNOTSUPP) is retried for ever, but said at attempts 1, 2, 4, 8...
    if (isPowerOfTwo(slot.failures)) {
      this.deps.log.warning(
        `${slot.name}: could not set it ${decision} (${why}), attempt ${slot.failures}; retrying in ${formatDuration(wait)}`,
      );
    }
    slot.retry = setTimeout(() => {
      slot.retry = undefined;
      this.reconcile(slot.name);
    }, wait);
  }

  private confirm(slot: Slot, link: LinkState, decision: Decision): void {
    clearSlotTimers(slot);
    slot.failures = 0;
    slot.reported = undefined;
    slot.confirmed = { index: link.index, decision };
    this.transition?.waiting.delete(slot.name);
    this.finishTransition();
  }

  private finishTransition(): void {
    const t = this.transition;
    if (t === undefined || t.waiting.size > 0) return;
    this.transition = undefined;
    const present = this.deps.destinations.filter((name) => this.deps.links.byName(name) !== undefined);
    if (present.length === 0 || !t.wrote) return;
    const missing = this.deps.destinations.filter((name) => !present.includes(name));
    this.deps.log.info(
      `${this.deps.group}: ${present.join(',')} ${t.decision}, confirmed by the kernel after ${formatDuration(this.deps.now() - t.at)}` +
        (missing.length > 0 ? ` (${missing.join(',')} missing)` : ''),
    );
  }
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

const adminOf = (link: LinkState): Decision => (link.adminUp ? 'up' : 'down');

function clearSlotTimers(slot: Slot): void {
  if (slot.retry !== undefined) clearTimeout(slot.retry);
  if (slot.awaiting !== undefined) clearTimeout(slot.awaiting.timer);
  slot.retry = undefined;
  slot.awaiting = undefined;
}
