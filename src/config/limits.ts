/**
 * The limits of ifdepd.conf (ifdepd.conf(5), LIMITS), far beyond any router: they bound
 * what reading and checking a file can cost, whatever it holds. Interface pattern limits
 * are in core/patterns.ts.
 */

/** A generous file is a few kilobytes; /dev/zero-like input stops here. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** 512 names of 15 bytes fit on one line. */
export const MAX_LINE_CHARS = 16 * 1024;
export const MAX_GROUPS = 1024;
/** On one sources or destinations line. */
export const MAX_NAMES_PER_LIST = 512;
/** Sources and destinations of all groups together. */
export const MAX_NAMES = 8 * 1024;
/** Glob patterns in the whole file: each is compared with every name by the cycle check. */
export const MAX_GLOBS = 128;

/** "1 MiB" for 1048576. */
export const describeBytes = (bytes: number): string =>
  bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
