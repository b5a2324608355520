import { messageOf } from '../base/errors.js';
import type { FailingStatus } from '../core/status.js';
import type { Millis } from '../core/types.js';
import { failureKind, retryDelay, type FailureKind } from './retry.js';

/** A write that keeps failing is said again at most this often, with its count. */
export const REMINDER_MS: Millis = 5 * 60_000;

/** What one failed attempt calls for. */
export interface FailedAttempt {
  readonly attempts: number;
  readonly kind: FailureKind;
  readonly error: string;
  /** Before the next attempt. */
  readonly wait: Millis;
  /** Whether to log it now: the first failure, a new target, or a reminder after REMINDER_MS. */
  readonly say: boolean;
}

/**
 * The failing writes of one destination or track file: since when, how many attempts,
 * the last error, and when it was last said. A write that keeps failing is an error the
 * operator must see (log and `ifdepd status`) but not a line every retry.
 */
export class FailureRecord {
  private attempts = 0;
  private startedAt: Millis = 0;
  private since = '';
  private last?: { readonly error: string; readonly kind: FailureKind };
  private saidAt: Millis = -Infinity;
  private saidFor?: string;

  get failing(): boolean {
    return this.attempts > 0;
  }

  get count(): number {
    return this.attempts;
  }

  /** `target` is what was being written ("down"): failing at something new is said at once. */
  failed(err: unknown, target: string, now: Millis): FailedAttempt {
    if (this.attempts === 0) {
      this.startedAt = now;
      this.since = new Date().toISOString();
    }
    this.attempts += 1;
    const kind = failureKind(err);
    const error = messageOf(err);
    this.last = { error, kind };
    const say = this.attempts === 1 || target !== this.saidFor || now - this.saidAt >= REMINDER_MS;
    if (say) {
      this.saidAt = now;
      this.saidFor = target;
    }
    return { attempts: this.attempts, kind, error, wait: retryDelay(this.attempts, kind), say };
  }

  /** The write went through (or the state is as wanted): returns how many attempts had failed. */
  cleared(): number {
    const failed = this.attempts;
    this.attempts = 0;
    this.last = undefined;
    this.saidAt = -Infinity;
    this.saidFor = undefined;
    return failed;
  }

  status(now: Millis): FailingStatus | undefined {
    if (this.last === undefined) return undefined;
    return {
      error: this.last.error,
      permanent: this.last.kind === 'permanent',
      attempts: this.attempts,
      since: this.since,
      forMs: Math.max(0, Math.round(now - this.startedAt)),
    };
  }
}
