import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { holdFileFor } from '../base/hold-file-path.js';
import { EX_CONFIG, Fatal } from '../base/sysexits.js';
import { DEFAULT_CONTROL_SOCKET } from '../core/spec.js';
import type { ParsedConfig } from './parser.js';

/**
 * Every file ifdepd writes must be its own: a metrics file written over the configuration,
 * the hold file or a track file destroys what they hold (issue 19). The pidfile, the
 * control socket, its hold file, the track files and the metrics file must differ from
 * each other and from the configuration file; a clash stops the start, --check-config and
 * a reload with exit 78 (EX_CONFIG) and one line that says where each name was given.
 *
 * What is compared: the path made absolute (path.resolve: `.`, `..`, repeated slashes),
 * with symbolic links resolved in its directories (realpath of the nearest directory that
 * exists, the rest appended as written). A symbolic link as the last component is not
 * followed: ifdepd replaces or unlinks that name, it never writes through it. The
 * configuration file, which ifdepd reads, is compared both as named and as the file it
 * leads to.
 */

/** The paths the command line fixes, whatever the file says. */
export interface FixedPaths {
  /** --pidfile, or the one -d writes by default. */
  readonly pidfile?: { readonly path: string; readonly option: '--pidfile' | '-d' };
  /** --control-socket: it wins over the file's control-socket. */
  readonly controlSocket?: string;
  /** At a reload, the socket the daemon listens on (a new control-socket applies at the next start). */
  readonly controlSocketInUse?: string;
}

/** One path ifdepd writes (or reads: the configuration file). */
interface Written {
  /** The message's subject when it is the one reported: `metrics-file /x`, `--pidfile /x`. */
  readonly said: string;
  /** What it is when it is the other one: `the pidfile`, `group a's track file`. */
  readonly role: string;
  /** A line of the configuration file, a command-line option, or how it was chosen. */
  readonly at: number | string;
  /**
   * How likely it is the one to change, when two clash: 2 a path the file names (the later
   * line first), 1 an option, 0 the hold file (named by nobody: the other one is the
   * mistake), -1 the configuration file.
   */
  readonly weight: number;
  /** The same file, for the comparison. */
  readonly keys: readonly string[];
}

/** The path as compared: see above. */
export function comparablePath(path: string): string {
  const absolute = resolve(path);
  const rest = [basename(absolute)];
  for (let dir = dirname(absolute); ; dir = dirname(dir)) {
    try {
      return join(realpathSync(dir), ...rest);
    } catch {
      // missing (ifdepd makes it), or not a directory: look above
      if (dir === dirname(dir)) return absolute;
      rest.unshift(basename(dir));
    }
  }
}

/** The configuration file's names: as given, and what a symbolic link there leads to. */
function configKeys(file: string): string[] {
  const keys = [comparablePath(file)];
  try {
    keys.push(realpathSync(file));
  } catch {
    // unreadable: read.ts says so first
  }
  return keys;
}

function entry(name: string, role: string, path: string, at: number | string): Written {
  return { said: `${name} ${path}`, role, at, weight: typeof at === 'number' ? 2 : 1, keys: [comparablePath(path)] };
}

/** The control socket and its hold file, as `at` chose the socket. */
function socketEntries(path: string, at: number | string, role = 'the control socket'): Written[] {
  const name = typeof at === 'number' ? 'control-socket' : at === '--control-socket' ? '--control-socket' : role;
  const holds = holdFileFor(path);
  return [entry(name, role, path, at), { said: `${name} ${path} (its hold file ${holds})`, role: `the hold file of ${role} ${path}`, at, weight: 0, keys: [comparablePath(holds)] }];
}

/** What a -f configuration and the command line make ifdepd write, and the file itself. */
function fileEntries(parsed: ParsedConfig, file: string, fixed: FixedPaths): Written[] {
  const written: Written[] = [{ said: `the configuration file ${file}`, role: 'the configuration file', at: '-f', weight: -1, keys: configKeys(file) }];
  if (fixed.pidfile !== undefined) written.push(pidfileEntry(fixed.pidfile));
  const line = parsed.lines['control-socket'];
  const socket =
    fixed.controlSocket !== undefined
      ? socketEntries(fixed.controlSocket, '--control-socket')
      : parsed.controlSocket !== undefined && line !== undefined
        ? socketEntries(parsed.controlSocket, line)
        : socketEntries(DEFAULT_CONTROL_SOCKET, 'the default');
  written.push(...socket);
  const inUse = fixed.controlSocketInUse;
  if (inUse !== undefined && comparablePath(inUse) !== socket[0]!.keys[0]) written.push(...socketEntries(inUse, 'until a restart', 'the control socket ifdepd listens on'));
  for (const g of parsed.groups) {
    if (g.action.kind !== 'track-file') continue;
    written.push(entry(`group ${g.name}: track file`, `group ${g.name}'s track file`, g.action.path, g.lines['action'] ?? g.line));
  }
  const metricsFile = parsed.metrics?.file;
  if (metricsFile !== undefined) written.push(entry('metrics-file', 'the metrics file', metricsFile, parsed.lines['metrics-file'] ?? 0));
  return written;
}

function pidfileEntry(pidfile: NonNullable<FixedPaths['pidfile']>): Written {
  return pidfile.option === '--pidfile' ? entry('--pidfile', 'the pidfile', pidfile.path, '--pidfile') : entry('the pidfile', 'the pidfile', pidfile.path, '-d');
}

/** Which of two clashing paths the message is about: see `weight`; then the one given last. */
function rank(w: Written, index: number): number {
  return w.weight * 1_000_000 + (typeof w.at === 'number' ? w.at : index);
}

/** The first clash among `written`, as one line (`file:line: ...` when the file names it). */
function firstClash(written: readonly Written[], file: string | undefined): string | undefined {
  for (let i = 0; i < written.length; i++) {
    for (let j = i + 1; j < written.length; j++) {
      const a = written[i]!;
      const b = written[j]!;
      if (!a.keys.some((k) => b.keys.includes(k))) continue;
      const [head, other] = rank(b, j) >= rank(a, i) ? [b, a] : [a, b];
      const where = typeof other.at === 'number' ? `line ${other.at}` : other.at;
      const text = `${head.said} is also ${other.role} (${where})`;
      return typeof head.at === 'number' && file !== undefined ? `${file}:${head.at}: ${text}` : text;
    }
  }
  return undefined;
}

/** -f: refuses (exit 78) a configuration whose files, or the command line's, are not all distinct. */
export function checkWrittenPaths(parsed: ParsedConfig, file: string, fixed: FixedPaths): void {
  const clash = firstClash(fileEntries(parsed, file, fixed), file);
  if (clash !== undefined) throw new Fatal(clash, EX_CONFIG);
}

/** -S/-D: the same for the command line's files (--pidfile or -d's, --control-socket and its hold file, --metrics-file). */
export function checkCommandLinePaths(fixed: FixedPaths, metricsFile: string | undefined): void {
  const written: Written[] = [];
  if (fixed.pidfile !== undefined) written.push(pidfileEntry(fixed.pidfile));
  if (fixed.controlSocket !== undefined) written.push(...socketEntries(fixed.controlSocket, '--control-socket'));
  if (metricsFile !== undefined) written.push(entry('--metrics-file', 'the metrics file', metricsFile, '--metrics-file'));
  const clash = firstClash(written, undefined);
  if (clash !== undefined) throw new Fatal(clash, EX_CONFIG);
}
