import type { Scheduler, Timer } from '../core/clock.js';
import type { Millis } from '../core/types.js';

/**
 * Deadlines of the same length for many keys, on one timer: a decision's writes are
 * ACKed within milliseconds of one another and confirmed soon after, so one timer
 * covers them all, where one per destination cost 1,024 timers set and cancelled per
 * decision. Each key still gets its full `timeoutMs` after its own start. The timer
 * runs only while some key waits: nothing wakes the daemon when nothing happens.
 */
export class Deadlines<K> {
  /** In start order, which is due order, since every deadline has the same length. */
  private readonly due = new Map<K, Millis>();
  private timer?: Timer;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly timeoutMs: Millis,
    private readonly expired: (keys: readonly K[]) => void,
  ) {}

  /** Starts (or restarts) the key's deadline from now. */
  start(key: K): void {
    this.due.delete(key);
    this.due.set(key, this.scheduler.now() + this.timeoutMs);
    if (this.timer === undefined) this.arm();
  }

  /** The key is settled; its deadline is dropped. */
  stop(key: K): void {
    if (!this.due.delete(key) || this.due.size > 0) return;
    this.cancel();
  }

  get size(): number {
    return this.due.size;
  }

  close(): void {
    this.due.clear();
    this.cancel();
  }

  private arm(): void {
    const first = this.due.values().next();
    if (first.done === true) return;
    this.timer = this.scheduler.after(Math.max(0, first.value - this.scheduler.now()), () => this.fire());
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.scheduler.now();
    const late: K[] = [];
    for (const [key, at] of this.due) {
      if (at > now) break;
      late.push(key);
    }
    for (const key of late) this.due.delete(key);
    this.arm();
    if (late.length > 0) this.expired(late);
  }

  private cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
