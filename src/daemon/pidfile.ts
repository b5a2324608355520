import { closeSync, constants, openSync, readFileSync, readSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { createFile } from '../base/safe-file.js';
import { EX_CANTCREAT, Fatal } from '../base/sysexits.js';
import { untrustedDirectory } from '../base/trusted-path.js';

/** What ps, pidof and killall see: set as process.title by the daemon. */
export const PROCESS_NAME = 'ifdepd';

/**
 * A pidfile that refuses to be taken from a live ifdepd. A pidfile left by a crash,
 * or naming a pid the system has since given to another program, is taken over.
 * It is created with its content in one step (createFile: a new file under an
 * unpredictable name, then link()), so that no other starter can ever read it empty and no
 * planted name redirects it; only in a directory no other user can write.
 */
export class Pidfile {
  private constructor(readonly path: string) {}

  static acquire(path: string): Pidfile {
    const problem = untrustedDirectory(dirname(path));
    if (problem !== undefined) throw new Fatal(`cannot create pidfile ${path}: ${problem}`, EX_CANTCREAT);
    for (let attempt = 0; attempt < 2; attempt++) {
      if (create(path)) return new Pidfile(path);
      const holder = readPid(path);
      if (holder !== undefined && holder !== process.pid && isLiveIfdepd(holder)) {
        throw new Fatal(`another ifdepd (pid ${holder}) is running with pidfile ${path}`, EX_CANTCREAT);
      }
      try {
        unlinkSync(path); // a stale file, or a symlink: unlink(2) removes the name, never its target
      } catch {
        // someone else removed it first; the next attempt settles it
      }
    }
    throw new Fatal(`cannot take over pidfile ${path}: it keeps reappearing`, EX_CANTCREAT);
  }

  /** Removes the file, unless another process has rewritten it since. */
  release(): void {
    if (readPid(this.path) !== process.pid) return;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}

/** True if the pidfile was created with our pid; false if it exists already. */
function create(path: string): boolean {
  try {
    return createFile(path, `${process.pid}\n`, { mode: 0o644 });
  } catch (err) {
    throw new Fatal(`cannot create pidfile ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EX_CANTCREAT);
  }
}

/** The pid in the file; a symlink there is not followed (O_NOFOLLOW), and holds no pid. */
function readPid(path: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(32); // a pid and a newline; anything longer is not a pidfile
    const text = buffer.subarray(0, readSync(fd, buffer)).toString('utf8');
    const pid = /^\s*(\d{1,10})\s*$/.test(text) ? Number.parseInt(text, 10) : Number.NaN;
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function isLiveIfdepd(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The daemon names itself (process.title), however it was started: node dist/cli.js, a symlink...
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === PROCESS_NAME;
  } catch {
    return true; // alive but unreadable: assume the worst rather than run twice
  }
}
