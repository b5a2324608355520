import { errnoOf } from '../base/errors.js';
import type { Millis } from '../core/types.js';

const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5000;

/**
 * Whether a failed write can succeed by itself. A permanent one (the kernel or the file
 * system refuses the request as such: no permission, not supported by this device, an
 * invalid value, a read-only file system, a path through a file) will not, until an
 * operator changes something. Anything else (ENOBUFS, EBUSY, ETIMEDOUT, an interface
 * renamed meanwhile...) is transient.
 */
export type FailureKind = 'permanent' | 'transient';

const PERMANENT: ReadonlySet<string> = new Set([
  'EPERM',
  'EACCES',
  'EOPNOTSUPP',
  'ENOTSUP',
  'EINVAL',
  'EROFS',
  'ENOTDIR',
  'EISDIR',
]);


/** The one place where failures are told apart. */
export const failureKind = (err: unknown): FailureKind => (PERMANENT.has(errnoOf(err) ?? '') ? 'permanent' : 'transient');

/**
 * A transient failure is tried again after 100 ms, doubling, at most every 5 s. A
 * permanent one is still retried, since an operator may fix its cause, but only at the
 * slowest pace: every 5 s.
 */
export const retryDelay = (failures: number, kind: FailureKind = 'transient'): Millis =>
  kind === 'permanent' ? RETRY_MAX_MS : Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, failures - 1));
