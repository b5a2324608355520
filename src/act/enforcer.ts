import { formatDuration } from '../core/duration.js';
import { NO_EVENTS } from '../core/events.js';
import type { DestinationStatus } from '../core/status.js';
import type { Decision, IfIndex, LinkState, Millis } from '../core/types.js';
import type { EnforcerDeps } from './enforcer-deps.js';
import type { FailedAttempt } from './failure.js';
import { Deadlines } from './deadlines.js';
import { Destination, destinationStatus } from './destination.js';
import { step, type Cause, type Input, type Phase } from './destination-phase.js';

export type { EnforcerDeps };

/** After an ACK, the kernel's notification normally follows within milliseconds. */
export const CONFIRM_TIMEOUT_MS = 1000;

/**
 * Makes every claimed destination match what its groups want, and keeps it so: a
 * write that fails is retried with backoff (a permanent error at the slow pace), an
 * interface that appears later or that someone else flips is brought back, each with a
 * log line saying why. A write that keeps failing is said at once, then every 5 minutes.
 * A decision's writes are said once, in the decision's line; each one only with -v.
 * Each destination moves through the phases of destination-phase.ts, only by move().
 */
export class Enforcer {
  private readonly destinations = new Map<string, Destination>();
  private closed = false;
  /** Until the first full pass, a destination's state is covered by the groups' "at start" lines. */
  private started = false;
  /** The deadlines of the `acknowledged` phases: one timer for all, not one per destination. */
  private readonly unconfirmed: Deadlines<Destination>;
  /** Numbers writes and re-reads, so that a completion a fault left behind is told from the current one. */
  private serial = 0;
  /** During renew(): the writes sent, whose lines and bookkeeping follow once all of them are. */
  private sending: Sent[] | undefined;

  constructor(private readonly deps: EnforcerDeps) {
    this.unconfirmed = new Deadlines(deps.scheduler, CONFIRM_TIMEOUT_MS, (late) => {
      for (const dest of late) this.move(dest, { kind: 'deadline', read: this.next() });
    });
  }

  /** Reconciles these names, and forgets destinations no group claims any more. */
  reconcileAll(names: Iterable<string>): void {
    const all = new Set(names);
    for (const name of this.destinations.keys()) all.add(name);
    for (const name of all) this.reconcile(name);
    this.started = true;
  }

  /**
   * A new decision for these names: pending retries are dropped, they act at once. Its
   * writes leave first (a group of them as one request, see atomic-switch.ts); each write's
   * line, event and bookkeeping follow, in the same turn.
   */
  renew(names: Iterable<string>): void {
    for (const name of names) {
      const dest = this.destinations.get(name);
      if (dest !== undefined) this.move(dest, { kind: 'renewed', read: this.next() });
    }
    const sent: Sent[] = [];
    this.sending = sent;
    try {
      for (const name of names) this.check(name, true);
    } finally {
      this.sending = undefined;
      this.deps.action.sendHeld?.(this.deps.wanted);
      for (const s of sent) this.follow(s);
    }
  }

  /** Compares one destination with what is wanted of it and acts on a difference. */
  reconcile(name: string): void {
    this.check(name, false);
  }

  statuses(): DestinationStatus[] {
    const now = this.deps.scheduler.now();
    const { action, links, wanted } = this.deps;
    return [...this.destinations.values()].map((dest) => destinationStatus(dest, action, links.byName(dest.name), wanted(dest.name), now));
  }

  close(): void {
    this.closed = true;
    for (const dest of this.destinations.values()) this.move(dest, { kind: 'reset' });
    this.unconfirmed.close();
  }

  /**
   * After a fault, nothing a callback left half-done may block a destination: a request
   * whose completion was lost would keep it "in flight" for ever. The caller reconciles
   * everything next, which writes again if needed (a write of the state it already has
   * changes nothing).
   */
  recover(): void {
    for (const dest of this.destinations.values()) {
      this.move(dest, { kind: 'reset' });
      dest.announced = undefined;
    }
    this.unconfirmed.close();
  }

  /** `decided`: the groups' decision line already says what changes, so a plain difference is not news. */
  private check(name: string, decided: boolean): void {
    if (this.closed) return;
    const wanted = this.deps.wanted(name);
    if (wanted === undefined) {
      this.forget(name);
      return;
    }
    const dest = this.destination(name);
    // Until the re-read is in, the table's view of it may be stale.
    if (dest.phase.kind === 'verifying') return;
    const link = this.deps.links.byName(name);
    if (link === undefined) {
      this.move(dest, { kind: 'gone', decision: wanted.decision, named: wanted.named });
      return;
    }
    const firstSight = !dest.seen && !this.started;
    const appeared = dest.index !== link.index;
    dest.seen = true;
    dest.index = link.index;
    if (this.deps.action.reached(link, wanted.decision)) {
      this.move(dest, { kind: 'reached', decision: wanted.decision, index: link.index });
      return;
    }
    const cause = (): Cause | undefined => (firstSight ? undefined : this.causeOf(dest, link, wanted.decision, appeared, decided));
    this.move(dest, { kind: 'differs', wanted, index: link.index, request: this.next(), dryRun: this.deps.dryRun, cause });
  }

  /**
   * The one way a destination changes phase: step() says to which, and what follows;
   * the phase left takes its timer with it; the writes, re-reads, log lines and events
   * (write sent, failed, confirmed) of the transition are done here.
   */
  private move(dest: Destination, input: Input): void {
    const { next, effect } = step(dest.phase, input);
    this.enter(dest, next);
    switch (effect) {
      case 'none':
        return;
      case 'send':
        if (input.kind === 'differs' && next.kind === 'writing') this.send(dest, next, input);
        return;
      case 'announce':
        if (input.kind === 'differs') this.announce(dest, input);
        return;
      case 'confirm':
        if (input.kind === 'reached') this.confirm(dest, input.index, input.decision);
        return;
      case 'lost':
        if (input.kind === 'gone') this.lost(dest, input.decision);
        return;
      case 'forgotten':
        if (input.kind !== 'gone') return;
        if (dest.index !== undefined) this.deps.log.info(`${dest.name} is gone; no longer a destination`);
        this.destinations.delete(dest.name);
        this.confirmed(dest, input.decision);
        return;
      case 'await':
        this.unconfirmed.start(dest);
        // The notification may have been processed before the ACK.
        this.reconcile(dest.name);
        return;
      case 'reread':
        if (next.kind !== 'verifying') return;
        if (input.kind === 'deadline') this.deps.log.debug(`${dest.name}: no notification ${CONFIRM_TIMEOUT_MS} ms after the ACK; re-reading it`);
        this.reread(dest, next.index, next.read);
        return;
      case 'failed':
        if (input.kind === 'failed' && next.kind === 'retrying') this.retryLater(dest, next.decision, input.err);
        return;
      case 'dropped':
        // Deleted (or re-created) while the request was in flight: nothing to retry.
        if (input.kind === 'failed') this.deps.log.debug(`${dest.name}: ${why(input.err)}; it is gone or was re-created meanwhile`);
        this.recheck(dest);
        return;
      case 'recheck':
        this.recheck(dest);
        return;
    }
  }

  /** Leaving a phase cancels what it had set running. */
  private enter(dest: Destination, next: Phase): void {
    const before = dest.phase;
    if (before === next) return;
    if (before.kind === 'retrying') {
      dest.retryTimer?.cancel();
      dest.retryTimer = undefined;
    }
    if (before.kind === 'acknowledged') this.unconfirmed.stop(dest);
    dest.phase = next;
  }

  private next(): number {
    this.serial += 1;
    return this.serial;
  }

  private current(dest: Destination): boolean {
    return !this.closed && this.destinations.get(dest.name) === dest;
  }

  private recheck(dest: Destination): void {
    if (this.current(dest)) this.reconcile(dest.name);
  }

  private destination(name: string): Destination {
    let dest = this.destinations.get(name);
    if (dest === undefined) {
      dest = new Destination(name);
      this.destinations.set(name, dest);
    }
    return dest;
  }

  /** No group claims the name any more (reload, or a glob no longer matching): leave it as it is. */
  private forget(name: string): void {
    const dest = this.destinations.get(name);
    if (dest === undefined) return;
    this.move(dest, { kind: 'reset' });
    this.destinations.delete(name);
    if (this.deps.links.byName(name) !== undefined) this.deps.log.notice(`${name} is no longer a destination; left as it is`);
  }

  /** Reads the interface again before trusting the table about it. */
  private reread(dest: Destination, index: IfIndex, read: number): void {
    void this.deps
      .verify(index)
      .catch(() => undefined)
      .then(() => this.move(dest, { kind: 'read', read }))
      .catch((err: unknown) => this.fault(`${dest.name}: re-read completion`, err));
  }

  private lost(dest: Destination, decision: Decision): void {
    if (dest.index !== undefined) {
      this.deps.log.info(`${dest.name} disappeared; it will be set ${decision} when it comes back`);
    } else if (!dest.seen) {
      this.deps.log.info(`destination ${dest.name} does not exist (yet); waiting for it`);
      dest.seen = true;
    }
    dest.index = undefined;
    dest.confirmed = undefined;
    this.confirmed(dest, decision);
  }

  private causeOf(dest: Destination, link: LinkState, decision: Decision, appeared: boolean, decided: boolean): Cause {
    const state = `${this.deps.action.stateWord} ${this.deps.action.stateOf(link)}`;
    if (appeared) return { text: `appeared (ifindex ${link.index}) ${state}`, news: true };
    if (dest.confirmed?.index === link.index && dest.confirmed.decision === decision) {
      return { text: `was set ${this.deps.action.stateOf(link)} by someone else`, news: true };
    }
    return { text: `is ${state}`, news: !decided };
  }

  /** Dry-run: what would be written, said once per interface and decision. */
  private announce(dest: Destination, input: Extract<Input, { kind: 'differs' }>): void {
    const decision = input.wanted.decision;
    const key = `${input.index}:${decision}`;
    if (dest.announced === key) return;
    dest.announced = key;
    const cause = input.cause();
    this.deps.log.notice(`dry-run: would set ${dest.name} ${this.deps.action.describe(decision)}${cause ? ` (it ${cause.text})` : ''}`);
  }

  /**
   * The request leaves first: its line, event and bookkeeping follow in the same turn, before
   * anything the kernel answers can be read, so operators see them in the same order.
   */
  private send(dest: Destination, writing: Writing, input: Differs): void {
    const at = this.deps.scheduler.now();
    const s: Sent = { dest, writing, input, at, done: this.deps.action.write(dest.name, writing.decision) };
    if (this.sending !== undefined) this.sending.push(s);
    else this.follow(s);
  }

  /** What follows a write sent: its line, its event, and what its completion does. */
  private follow({ dest, writing, input, at, done }: Sent): void {
    const { log, action } = this.deps;
    const { decision, index, request } = writing;
    const cause = input.cause();
    // A retry is not news: its failure was said (at once, then every 5 minutes).
    if (cause?.news === true && !dest.failure.failing) {
      log.notice(`${dest.name} ${cause.text} -> forcing it ${action.describe(decision)} (${input.wanted.because})`);
    } else {
      log.debug(`setting ${dest.name} ${action.describe(decision)}${cause ? ` (it ${cause.text})` : ''}`);
    }
    dest.written = { at, decision };
    this.deps.onWrite?.(dest.name, decision);
    this.emit(dest.name, decision, { outcome: 'write' });
    done
      .then(
        () => this.acknowledged(dest, request, decision),
        (err: unknown) => {
          if (!this.current(dest)) return;
          const retriable = this.deps.links.byName(dest.name)?.index === index;
          this.move(dest, { kind: 'failed', request, err, retriable });
        },
      )
      .catch((err: unknown) => this.fault(`${dest.name}: write completion`, err));
  }

  private acknowledged(dest: Destination, request: number, decision: Decision): void {
    const failed = dest.failure.cleared();
    if (failed > 0) this.deps.log.notice(`${dest.name}: set ${decision} after ${failed + 1} attempts`);
    if (this.current(dest)) this.move(dest, { kind: 'acked', request });
  }

  private retryLater(dest: Destination, decision: Decision, err: unknown): void {
    const attempt = dest.failure.failed(err, decision, this.deps.scheduler.now());
    const error = why(err);
    dest.written = undefined;
    this.emit(dest.name, decision, { outcome: 'failed', error });
    if (attempt.say) this.sayFailure(dest.name, decision, attempt);
    dest.retryTimer = this.deps.scheduler.after(attempt.wait, () => this.move(dest, { kind: 'retry-due' }));
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

  private confirm(dest: Destination, index: IfIndex, decision: Decision): void {
    const failed = dest.failure.cleared();
    if (failed > 0) this.deps.log.notice(`${dest.name}: ${decision} as wanted after ${failed} failed attempt(s)`);
    dest.announced = undefined;
    dest.confirmed = { index, decision };
    this.confirmed(dest, decision);
  }

  /** The kernel reports the destination as wanted (or it is gone): said to the groups, and as a `destination` event for a write of ours, once. */
  private confirmed(dest: Destination, decision: Decision): void {
    this.deps.onConfirmed?.(dest.name, decision);
    const write = dest.written;
    if (write === undefined || write.decision !== decision) return;
    dest.written = undefined;
    const latencyMs = Math.round((this.deps.scheduler.now() - write.at) * 1000) / 1000;
    this.emit(dest.name, decision, { outcome: 'confirmed', latencyMs });
  }

  private emit(
    name: string,
    wanted: Decision,
    what: { readonly outcome: 'write' } | { readonly outcome: 'confirmed'; readonly latencyMs: number } | { readonly outcome: 'failed'; readonly error: string },
  ): void {
    (this.deps.events ?? NO_EVENTS).emit({ kind: 'destination', name, action: this.deps.action.kind, wanted, ...what });
  }
}

type Writing = Extract<Phase, { kind: 'writing' }>;
type Differs = Extract<Input, { kind: 'differs' }>;

/** A write sent, and what its line and completion need. */
interface Sent {
  readonly dest: Destination;
  readonly writing: Writing;
  readonly input: Differs;
  /** When it was sent: its `destination` confirmed event says how long the kernel took from then. */
  readonly at: Millis;
  readonly done: Promise<void>;
}

const why = (err: unknown): string => (err instanceof Error ? err.message : String(err));
