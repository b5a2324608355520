import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { EX_CANTCREAT, Fatal } from '../base/sysexits.js';

/** What ps, pidof and killall see: set as process.title by the daemon. */
export const PROCESS_NAME = 'ifdepd';

/**
 * A pidfile that refuses to be taken from a live ifdepd. A pidfile left by a crash,
 * or naming a pid the system has since given to another program, is taken over.
 * It is created with its content in one step (link() of a written temporary file),
 * so that no other starter can ever read it empty.
 */
export class Pidfile {
  private constructor(readonly path: string) {}

  static acquire(path: string): Pidfile {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (create(path)) return new Pidfile(path);
      const holder = readPid(path);
      if (holder !== undefined && holder !== process.pid && isLiveIfdepd(holder)) {
        throw new Fatal(`another ifdepd (pid ${holder}) is running with pidfile ${path}`, EX_CANTCREAT);
      }
      try {
        unlinkSync(path);
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
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${process.pid}\n`, { mode: 0o644 });
    linkSync(temporary, path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    throw new Fatal(`cannot create pidfile ${path}: ${code ?? String(err)}`, EX_CANTCREAT);
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // never written
    }
  }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
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
