import type { Scheduler, Timer } from '../core/clock.js';
import type { PingObservation } from '../core/sources/ping-state.js';
import type { Millis } from '../core/types.js';
import type { PingLine } from './ping-line.js';

/** How the clock turns one child's lines (and its silence) into answers and misses. */
export interface MissClockDeps {
  readonly interval: Millis;
  readonly timeout: Millis;
  /** Monotonic time and timers. */
  readonly clock: Scheduler;
  /** Wall-clock time (epoch ms), to place the tool's -D timestamps on the monotonic clock. */
  readonly wall: () => number;
  /**
   * Runs a due judgement after the output already waiting has been read: a timer runs
   * before I/O in Node's loop, so an answer sitting in the pipe would count as missed.
   */
  readonly defer: (call: () => void) => void;
  readonly emit: (seen: Extract<PingObservation, { kind: 'answer' | 'missed' }>) => void;
}

/** What a probe may be late over its timeout before it is judged: pipe and event-loop latency. */
export const JUDGE_GRACE: Millis = 50;
/**
 * iputils sends each request a little later than its interval says (measured: 104 ms for
 * -i 0.1, 1024 ms for -i 1): a send time that is only predicted gets this much more per
 * interval it is predicted ahead, so the drift cannot make an answer count as missed.
 */
export const driftAllowance = (interval: Millis): Millis => interval / 20 + 5;
/** Misses said at once after a long silence of the event loop: more than any `down` needs. */
const MAX_MISSES_AT_ONCE = 128;
/** A -D timestamp further from our clock than this is a clock step, not latency. */
const MAX_LAG: Millis = 1000;

/**
 * The send times of one ping child's requests, and which were answered within the
 * timeout. Send times come from the output: a reply's receipt time minus its round trip,
 * and "no answer yet for icmp_seq=N", printed as N+1 is sent. Between lines, the next send
 * is predicted one interval after the last known one: so a child that hangs, or is dead
 * and not yet restarted, still yields a miss every interval (fail closed). An answer is
 * judged by its round trip (exact), a miss by a timer (at the deadline, plus grace).
 *
 * Sequence numbers are unwrapped from the tool's 16 bits into a running count.
 */
export class MissClock {
  /** The latest request whose send time is known (confirmed) or assumed (the first). */
  private anchor: { seq: number; sent: Millis; confirmed: boolean };
  /** The oldest request the timer has not judged; every one below it has been. */
  private cursor = 1;
  /** Requests at or above the cursor already judged by their reply. */
  private readonly judged = new Map<number, 'answered' | 'missed'>();
  private timer: Timer | undefined;
  private stopped = false;

  constructor(
    private readonly deps: MissClockDeps,
    startedAt: Millis = deps.clock.now(),
  ) {
    // ping sends icmp_seq=1 as soon as it is set up: a few ms after the spawn.
    this.anchor = { seq: 1, sent: startedAt, confirmed: false };
    this.arm();
  }

  /** Feeds one parsed line of the child's output, read now. */
  line(seen: PingLine): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    if (seen.kind === 'header') {
      if (!this.anchor.confirmed) this.anchor = { seq: 1, sent: now, confirmed: false };
    } else if (seen.kind === 'no-answer') {
      const next = this.unwrap(seen.seq) + 1;
      // The tool is sending `next` now: if the timer has judged it already, the predicted
      // schedule ran ahead of a tool that stalled (SIGSTOP); judge its real requests again.
      if (next < this.cursor) this.rewind(next);
      this.reanchor(next, now - this.lag(seen.at));
    } else if (seen.counts) {
      this.reply(this.unwrap(seen.seq), seen, now);
    }
    this.arm();
  }

  /** The child is gone or replaced: no more judgements from this clock. */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private reply(seq: number, seen: Extract<PingLine, { kind: 'reply' }>, now: Millis): void {
    const sent = now - this.lag(seen.at) - seen.rttMs;
    if (seen.rttMs > this.deps.timeout) {
      // Late: a miss, unless the timer has said so already.
      if (seq >= this.cursor && !this.judged.has(seq)) {
        this.judged.set(seq, 'missed');
        this.deps.emit({ kind: 'missed' });
      }
    } else {
      // In time, though the timer may have judged it missed (the tool stalled, or its line
      // came later than the grace): the answer is real, and later requests are judged again.
      if (seq < this.cursor) this.rewind(seq);
      if (this.judged.get(seq) !== 'answered') {
        this.judged.set(seq, 'answered');
        this.deps.emit({ kind: 'answer', at: seen.at, rttMs: seen.rttMs });
      }
    }
    this.reanchor(seq, sent);
  }

  private rewind(seq: number): void {
    this.cursor = seq;
  }

  private reanchor(seq: number, sent: Millis): void {
    if (seq >= this.anchor.seq || !this.anchor.confirmed) this.anchor = { seq, sent, confirmed: true };
  }

  /** How long ago the tool stamped a line, by the wall clock; a step of that clock is ignored. */
  private lag(at: number): Millis {
    const lag = this.deps.wall() - at;
    return lag >= 0 && lag <= MAX_LAG ? lag : 0;
  }

  /** The 16-bit icmp_seq as the running count nearest to the anchor. */
  private unwrap(seq16: number): number {
    const diff = ((((seq16 - this.anchor.seq) % 0x10000) + 0x18000) % 0x10000) - 0x8000;
    return this.anchor.seq + diff;
  }

  /** When request `seq` counts as missed if no answer has come. */
  private deadline(seq: number): Millis {
    const anchor = this.anchor;
    const ahead = seq - anchor.seq;
    const drift = ahead > 0 ? ahead * driftAllowance(this.deps.interval) : anchor.confirmed ? 0 : driftAllowance(this.deps.interval);
    return anchor.sent + ahead * this.deps.interval + this.deps.timeout + JUDGE_GRACE + drift;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer?.cancel();
    const delay = Math.max(0, this.deadline(this.cursor) - this.deps.clock.now());
    this.timer = this.deps.clock.after(delay, () => {
      this.timer = undefined;
      this.deps.defer(() => this.judgeDue());
    });
  }

  private judgeDue(): void {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    for (let said = 0; this.deadline(this.cursor) <= now; this.cursor++) {
      const judged = this.judged.get(this.cursor);
      this.judged.delete(this.cursor);
      if (judged === undefined && said++ < MAX_MISSES_AT_ONCE) this.deps.emit({ kind: 'missed' });
    }
    this.arm();
  }
}
