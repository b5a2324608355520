import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { EX_CANTCREAT, Fatal } from './sysexits.js';

/**
 * A pidfile that refuses to be taken from a live ifdepd. A pidfile left by a crash,
 * or naming a pid the system has since given to another program, is taken over.
 */
export class Pidfile {
  private constructor(readonly path: string) {}

  static acquire(path: string): Pidfile {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
        return new Pidfile(path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST') throw new Fatal(`cannot create pidfile ${path}: ${code ?? String(err)}`, EX_CANTCREAT);
      }
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
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('ifdepd');
  } catch {
    return true; // alive but unreadable: assume the worst rather than run twice
  }
}
