import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { messageOf } from './errors.js';
import { untrustedDirectory } from './trusted-path.js';

/**
 * The directory of a file root writes, created when missing. Missing directories are made only
 * below the nearest one that exists, and only when that one passes untrustedDirectory() as if
 * it held the file: in a directory others can write (even sticky /tmp), they could plant the
 * name first, or a symlink at it. What was made is then checked like any other.
 */

/** The problem with dir as the home of a file root writes, or undefined; a missing dir is judged where it would be made. */
export function untrustedPlace(dir: string): string | undefined {
  const existing = nearestExisting(dir);
  if (existing === dir) return untrustedDirectory(dir);
  const problem = untrustedDirectory(existing);
  return problem === undefined ? undefined : `cannot create ${dir}: ${problem}`;
}

/** Makes the missing directories of dir with mode, then checks dir; the problem, or undefined. */
export function makeTrustedDirectory(dir: string, mode: number): string | undefined {
  const existing = nearestExisting(dir);
  if (existing !== dir) {
    const problem = untrustedDirectory(existing);
    if (problem !== undefined) return `cannot create ${dir}: ${problem}`;
    for (const missing of below(existing, dir)) {
      try {
        // One level at a time, never -p: an entry that appeared meanwhile fails with EEXIST.
        mkdirSync(missing, { mode });
        chmodSync(missing, mode); // the umask may have stripped bits from mode
      } catch (err) {
        return `cannot create ${missing}: ${messageOf(err)}`;
      }
    }
  }
  return untrustedDirectory(dir);
}

/** dir itself if anything is there (a symlink counts), else its nearest ancestor that is. */
function nearestExisting(dir: string): string {
  for (let at = dir; ; at = dirname(at)) {
    try {
      lstatSync(at);
      return at;
    } catch {
      if (at === dirname(at)) return at;
    }
  }
}

/** The directories from just below ancestor down to dir, top first. */
function below(ancestor: string, dir: string): string[] {
  const chain: string[] = [];
  for (let at = dir; at !== ancestor; at = dirname(at)) chain.unshift(at);
  return chain;
}
