import { closeSync, constants, fstatSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { messageOf } from '../base/errors.js';
import { replaceFile } from '../base/safe-file.js';
import { untrustedDirectory } from '../base/trusted-path.js';
import { GROUP_NAME } from '../core/spec.js';
import type { Decision } from '../core/types.js';
import type { Logger } from '../logging/logger.js';

/**
 * The hold file: the operator's holds, kept beside the control socket that set them
 * (base/hold-file-path.ts), so that a restart (a crash, kill -9, an upgrade) does not
 * release them. The runtime directory is cleared at boot, and the holds with it: a reboot
 * starts without holds.
 *
 * The file is root's, in a directory only root may write (checked before every read and
 * write), replaced whole under an unpredictable name: readers see the old holds or the new.
 */

/** Holds by group name. */
export type Holds = ReadonlyMap<string, Decision>;

/** Far more than any file ifdepd writes (1024 groups): anything bigger is not ours. */
const MAX_BYTES = 1 << 20;
const FORMAT = 1;

/** What reading the file found: the holds, or why there are none. */
export type Loaded = { readonly holds: Holds } | { readonly problem: string };

/**
 * The hold file as the daemon uses it: what to restore at start (with a line for each hold
 * restored or dropped) and what to tell the operator when storing failed. Without a
 * control socket there are no holds: nothing is restored, nothing stored.
 */
export class HoldFile {
  constructor(
    readonly path: string | undefined,
    private readonly log: Logger,
  ) {}

  /**
   * The holds stored before a restart, each said restored, or dropped when its group is not
   * in `known` (the caller then stores the holds in force, without it).
   */
  restore(known: ReadonlySet<string>): Holds {
    if (this.path === undefined) return new Map();
    const loaded = readHolds(this.path);
    if ('problem' in loaded) {
      this.log.warning(`hold file ${this.path}: ${loaded.problem}; starting without operator holds`);
      return new Map();
    }
    for (const [name, state] of loaded.holds) {
      if (known.has(name)) this.log.notice(`${name}: hold ${state} restored from ${this.path}; 'ifdepd release ${name}' ends it`);
      else this.log.notice(`${name}: stored hold ${state} dropped: no such group in the configuration`);
    }
    return loaded.holds;
  }

  /** Stores the holds in force; undefined when done (or kept nowhere), else why not, for the operator's answer. */
  save(holds: Holds): string | undefined {
    if (this.path === undefined) return undefined;
    const problem = writeHolds(this.path, holds);
    if (problem !== undefined) this.log.warning(`hold file ${this.path}: not written, holds will not survive a restart: ${problem}`);
    return problem;
  }
}

/** The stored holds; a missing file is no holds. Never half a file: all of it, or a problem. */
export function readHolds(path: string): Loaded {
  const untrusted = untrustedDirectory(dirname(path));
  if (untrusted !== undefined) return { problem: `not read, its directory is not safe: ${untrusted}` };
  let text: string | undefined;
  try {
    text = readSmallFile(path);
  } catch (err) {
    return { problem: `unreadable: ${messageOf(err)}` };
  }
  if (text === undefined) return { holds: new Map() };
  const holds = parseHolds(text);
  return holds === undefined ? { problem: 'corrupt: not a hold file of this version' } : { holds };
}

/** Replaces the stored holds (none: the file is removed); the problem, if they are not stored. */
export function writeHolds(path: string, holds: Holds): string | undefined {
  const untrusted = untrustedDirectory(dirname(path));
  if (untrusted !== undefined) return `its directory is not safe: ${untrusted}`;
  try {
    if (holds.size > 0) replaceFile(path, serialize(holds), { mode: 0o600, durable: true });
    else removeIfPresent(path);
    return undefined;
  } catch (err) {
    return messageOf(err);
  }
}

function serialize(holds: Holds): string {
  return `${JSON.stringify({ format: FORMAT, holds: Object.fromEntries(holds) })}\n`;
}

/** The holds of a well-formed file, or undefined: one bad entry spoils the whole file. */
function parseHolds(text: string): Holds | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { format, holds } = data as { format?: unknown; holds?: unknown };
  if (format !== FORMAT || typeof holds !== 'object' || holds === null || Array.isArray(holds)) return undefined;
  const entries = Object.entries(holds as Record<string, unknown>);
  const valid = entries.every(([group, state]) => GROUP_NAME.test(group) && (state === 'up' || state === 'down'));
  return valid ? new Map(entries as Array<[string, Decision]>) : undefined;
}

/** The file's text, undefined if there is none; never through a symlink, never a huge file. */
function readSmallFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) throw new Error('not a regular file');
    if (s.size > MAX_BYTES) throw new Error(`${s.size} bytes, more than any hold file`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
