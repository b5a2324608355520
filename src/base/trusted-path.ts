import { constants, lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';

/**
 * Whether a place is safe for root to write into or to run a program from: the rules of
 * sshd's StrictModes and cron. Every directory on the (resolved) path is owned by root or by
 * the user ifdepd runs as, and no other user can write to it. An ancestor that is writable by
 * others but sticky (/tmp) is accepted: the sticky bit stops other users from renaming or
 * removing the entries root owns in it, which are checked in turn. The directory that holds
 * the file itself must never be writable by others, sticky or not: there a planted name wins.
 *
 * Each check answers with the problem in words, or undefined when the place is trusted.
 */

const WRITABLE_BY_OTHERS = 0o022;
const STICKY = 0o1000;

/** The owners root may trust: root itself, and the service's own user when it runs as one. */
function trustedOwners(): ReadonlySet<number> {
  return new Set([0, process.geteuid?.() ?? 0]);
}

const modeOf = (s: Stats): string => (s.mode & 0o7777).toString(8).padStart(4, '0');

/** The problem with one directory on the path, or undefined. */
function directoryProblem(path: string, s: Stats, holdsTheFile: boolean): string | undefined {
  if (!s.isDirectory()) return `${path} is not a directory`;
  if (!trustedOwners().has(s.uid)) return `${path} is owned by uid ${s.uid}, not root`;
  if ((s.mode & WRITABLE_BY_OTHERS) === 0) return undefined;
  if (!holdsTheFile && (s.mode & STICKY) !== 0) return undefined;
  return `${path} is writable by group or others (mode ${modeOf(s)})`;
}

/**
 * Every directory from / down to dir, walked as the kernel resolves the path; the first
 * problem found, or undefined. Symlinks on the way are followed by hand, and each must be
 * owned by root (or the service's user): whoever owns a symlink chooses where it leads, even
 * in a sticky directory. The directories it leads through are checked in turn.
 */
export function untrustedDirectory(dir: string): string | undefined {
  if (!isAbsolute(dir)) return `${dir} is not an absolute path`;
  const pending = components(dir);
  let at: string = sep;
  let followed = 0;
  const said = (problem: string): string => (followed === 0 && normalize(dir) === dir ? problem : `${problem} (on the way to ${dir})`);
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    if (name === '..') {
      at = dirname(at); // checked on the way down
      continue;
    }
    const next = join(at, name);
    const s = lstatOf(next);
    if (typeof s === 'string') return `cannot resolve ${dir}: ${s}`;
    if (s.isSymbolicLink()) {
      if (!trustedOwners().has(s.uid)) return said(`${next} is a symlink owned by uid ${s.uid}, not root`);
      if (++followed > MAX_SYMLINKS) return `cannot resolve ${dir}: ELOOP`;
      const target = readlinkOf(next);
      if (target === undefined) return `cannot resolve ${dir}: ${next} changed while checked`;
      pending.unshift(...components(target));
      if (isAbsolute(target)) at = sep;
      continue;
    }
    const problem = directoryProblem(next, s, false);
    if (problem !== undefined) return said(problem);
    at = next;
  }
  // Where the walk ended holds the file: checked again without the sticky exception.
  const s = lstatOf(at);
  if (typeof s === 'string') return `cannot resolve ${dir}: ${s}`;
  const problem = directoryProblem(at, s, true);
  return problem === undefined ? undefined : said(problem);
}

/** As the kernel counts them (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

const components = (path: string): string[] => path.split(sep).filter((p) => p !== '' && p !== '.');

function readlinkOf(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function lstatOf(path: string): Stats | string {
  try {
    return lstatSync(path);
  } catch (err) {
    return codeOf(err);
  }
}

/**
 * A program root may run: a regular, executable file owned by root (or the service's user),
 * writable by nobody else, in a trusted directory.
 */
export function untrustedProgram(path: string): string | undefined {
  if (!isAbsolute(path)) return `${path} is not an absolute path`;
  let real: string;
  let s: Stats;
  try {
    real = realpathSync(path);
    s = statSync(real);
  } catch (err) {
    return codeOf(err) === 'ENOENT' ? `${path} does not exist` : `cannot check ${path}: ${codeOf(err)}`;
  }
  const named = real === path ? path : `${path} (${real})`;
  if (!s.isFile()) return `${named} is not a regular file`;
  if (!trustedOwners().has(s.uid)) return `${named} is owned by uid ${s.uid}, not root`;
  if ((s.mode & WRITABLE_BY_OTHERS) !== 0) return `${named} is writable by group or others (mode ${modeOf(s)})`;
  if ((s.mode & constants.S_IXUSR) === 0) return `${named} is not executable (mode ${modeOf(s)})`;
  return untrustedDirectory(dirname(real));
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}
