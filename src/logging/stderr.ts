import { fstatSync, readlinkSync, writeSync } from 'node:fs';
import type { LogSink, Severity } from './logger.js';

const PRIORITY: Readonly<Record<Severity, number>> = { error: 3, warning: 4, notice: 5, info: 6, debug: 7 };
const STDERR = 2;

/**
 * Foreground logging: `2026-11-22T00:44:37.123Z ifdepd[812]: warning: vrrp0: ...`.
 * When stderr is the systemd journal, the journal adds time and tag itself, and a
 * `<N>` prefix gives each line its priority.
 */
export class StderrSink implements LogSink {
  private readonly journal = stderrIsJournal();
  private readonly direct = stderrIsFile();

  write(severity: Severity, text: string): void {
    const label = severity === 'error' || severity === 'warning' ? `${severity}: ` : '';
    const line = this.journal
      ? `<${PRIORITY[severity]}>${label}${text}\n`
      : `${new Date().toISOString()} ifdepd[${process.pid}]: ${label}${text}\n`;
    if (this.direct) writeToFile(line);
    else process.stderr.write(line);
  }
}

/**
 * A file (or /dev/null) is written directly, as Node itself would write it (synchronously,
 * fs.writeSync) but without process.stderr, whose stream classes are ~1 MiB resident for a
 * daemon that uses no other stream. A pipe, a socket (the journal) or a terminal is left to
 * process.stderr: Node writes those without blocking, which a direct write would not.
 */
function writeToFile(line: string): void {
  try {
    writeSync(STDERR, line);
  } catch {
    // A full disk must not stop the watchdog: the line is lost, as process.stderr would lose it.
  }
}

function stderrIsFile(): boolean {
  try {
    return fstatSync(STDERR).isFile() || readlinkSync(`/proc/self/fd/${STDERR}`) === '/dev/null';
  } catch {
    return false;
  }
}

/** systemd sets JOURNAL_STREAM to "device:inode" of the stream it connected. */
function stderrIsJournal(): boolean {
  const stream = process.env.JOURNAL_STREAM;
  if (stream === undefined) return false;
  try {
    const { dev, ino } = fstatSync(STDERR);
    return stream === `${dev}:${ino}`;
  } catch {
    return false;
  }
}
