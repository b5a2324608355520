import { fstatSync } from 'node:fs';
import type { LogSink, Severity } from './logger.js';

const PRIORITY: Readonly<Record<Severity, number>> = { error: 3, warning: 4, notice: 5, info: 6, debug: 7 };

/**
 * Foreground logging: `2026-11-22T00:44:37.123Z ifdepd[812]: warning: vrrp0: ...`.
 * When stderr is the systemd journal, the journal adds time and tag itself, and a
 * `<N>` prefix gives each line its priority.
 */
export class StderrSink implements LogSink {
  private readonly journal = stderrIsJournal();

  write(severity: Severity, text: string): void {
    const label = severity === 'error' || severity === 'warning' ? `${severity}: ` : '';
    const line = this.journal
      ? `<${PRIORITY[severity]}>${label}${text}\n`
      : `${new Date().toISOString()} ifdepd[${process.pid}]: ${label}${text}\n`;
    process.stderr.write(line);
  }
}

/** systemd sets JOURNAL_STREAM to "device:inode" of the stream it connected. */
function stderrIsJournal(): boolean {
  const stream = process.env.JOURNAL_STREAM;
  if (stream === undefined) return false;
  try {
    const { dev, ino } = fstatSync(2);
    return stream === `${dev}:${ino}`;
  } catch {
    return false;
  }
}
