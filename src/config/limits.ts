/**
 * The limits of ifdepd.conf (ifdepd.conf(5), LIMITS), far beyond any router: they bound
 * what reading and checking a file can cost, whatever it holds. Interface pattern limits
 * are in core/patterns.ts.
 */

/** A generous file is a few kilobytes; /dev/zero-like input stops here. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** A full destinations line (1024 names of 15 bytes) fits. */
export const MAX_LINE_CHARS = 32 * 1024;
/**
 * Groups and names bound what the daemon does on the event loop when a reload swaps the
 * new groups in: every destination is reconciled against every group's destinations
 * (core/wanted.ts), so their product must stay small for a failover during a reload to
 * wait less than 50 ms (bench/README.md, suite reload).
 */
export const MAX_GROUPS = 128;
/** On one sources or destinations line; -S and -D too. */
export const MAX_NAMES_PER_LIST = 1024;
/** Sources and destinations of all groups together. */
export const MAX_NAMES = 512;
/** Glob patterns in the whole file: each is compared with every name by the cycle check. */
export const MAX_GLOBS = 64;
/** Route and address sources of all groups together. */
export const MAX_PROBES = 256;
/** Ping sources of all groups together: each is a process of its own. */
export const MAX_PINGS = 32;

/** "1 MiB" for 1048576. */
export const describeBytes = (bytes: number): string =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
