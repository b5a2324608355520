import { describe, expect, it } from 'vitest';
import { FailureRecord, REMINDER_MS } from '../../../src/act/failure.js';
import { failureKind, retryDelay } from '../../../src/act/retry.js';

const withCode = (code: string): Error => Object.assign(new Error(`set protodown on: ${code}`), { code });

describe('failure classification', () => {
  it.each(['EPERM', 'EACCES', 'EOPNOTSUPP', 'ENOTSUP', 'EINVAL', 'EROFS', 'ENOTDIR', 'EISDIR'])('%s is permanent', (code) => {
    expect(failureKind(withCode(code))).toBe('permanent');
  });

  it.each(['ENOBUFS', 'EBUSY', 'ETIMEDOUT', 'ENODEV', 'EAGAIN', 'ENOSPC'])('%s is transient', (code) => {
    expect(failureKind(withCode(code))).toBe('transient');
  });

  it('an error without an errno name is transient: it may pass', () => {
    expect(failureKind(new Error('Timeout has been reached'))).toBe('transient');
    expect(failureKind('string thrown')).toBe('transient');
    expect(failureKind(null)).toBe('transient');
  });

  it('a permanent failure is retried at the slow pace from the first attempt', () => {
    expect([1, 2, 10].map((n) => retryDelay(n, 'permanent'))).toEqual([5000, 5000, 5000]);
    expect([1, 2, 10].map((n) => retryDelay(n, 'transient'))).toEqual([100, 200, 5000]);
  });
});

describe('FailureRecord: the reminder cadence, on a virtual clock', () => {
  /** Fails every `every` ms from 0 to `until`; returns the attempt numbers that were to be said. */
  function run(record: FailureRecord, every: number, until: number, target = 'down', start = 0): number[] {
    const said: number[] = [];
    for (let t = start; t <= until; t += every) {
      const a = record.failed(withCode('EOPNOTSUPP'), target, t);
      if (a.say) said.push(a.attempts);
    }
    return said;
  }

  it('says the first failure at once, then at most every 5 minutes, never 1, 2, 4, 8...', () => {
    const record = new FailureRecord();
    // One attempt a second for 16 minutes: attempts 1, 301, 601, 901.
    expect(run(record, 1000, 16 * 60_000)).toEqual([1, 301, 601, 901]);
    expect(REMINDER_MS).toBe(300_000);
  });

  it('says a failure at once when the target changes', () => {
    const record = new FailureRecord();
    expect(run(record, 5000, 60_000, 'down')).toEqual([1]);
    expect(run(record, 5000, 70_000, 'up', 65_000)).toEqual([14]);
  });

  it('reports error, kind, attempts, since and duration; cleared() forgets it and returns the count', () => {
    const record = new FailureRecord();
    expect(record.status(0)).toBeUndefined();
    record.failed(withCode('EOPNOTSUPP'), 'down', 1000);
    record.failed(withCode('EOPNOTSUPP'), 'down', 6000);
    const status = record.status(61_000);
    expect(status).toMatchObject({ error: 'set protodown on: EOPNOTSUPP', permanent: true, attempts: 2, forMs: 60_000 });
    expect(Date.parse(status!.since)).not.toBeNaN();
    expect(record.cleared()).toBe(2);
    expect(record.status(62_000)).toBeUndefined();
    expect(record.failing).toBe(false);
    // A new episode is said at once again.
    expect(record.failed(withCode('ENOBUFS'), 'down', 70_000)).toMatchObject({ attempts: 1, say: true, kind: 'transient', wait: 100 });
  });
});
