import { fstatSync } from 'node:fs';
import type { Verbosity } from '../cli/options.js';

/** syslog(3) severities ifdepd uses, most severe first. */
export type Severity = 'error' | 'warning' | 'notice' | 'info' | 'debug';

export interface Logger {
  error(text: string): void;
  warning(text: string): void;
  /** State changes an operator must see: decisions, forced interfaces. */
  notice(text: string): void;
  /** What explains a non-event: a swallowed flap, a destination still missing. */
  info(text: string): void;
  /** -v: every interface change and every evaluation. */
  debug(text: string): void;
  /** A line the operator asked for (SIGUSR1): shown whatever -q says. */
  report(text: string): void;
}

/** Where formatted lines end up: stderr, syslog, or a test's array. */
export interface LogSink {
  write(severity: Severity, text: string): void;
}

const SHOWN: Readonly<Record<Verbosity, ReadonlySet<Severity>>> = {
  quiet: new Set(['error']),
  normal: new Set(['error', 'warning', 'notice', 'info']),
  verbose: new Set(['error', 'warning', 'notice', 'info', 'debug']),
};

export function createLogger(verbosity: Verbosity, sink: LogSink): Logger {
  const shown = SHOWN[verbosity];
  const at = (severity: Severity) => (text: string) => {
    if (shown.has(severity)) sink.write(severity, text);
  };
  return {
    error: at('error'),
    warning: at('warning'),
    notice: at('notice'),
    info: at('info'),
    debug: at('debug'),
    report: (text) => sink.write('notice', text),
  };
}

/** Several sinks at once: stderr and a syslog collector. */
export class TeeSink implements LogSink {
  constructor(private readonly sinks: readonly LogSink[]) {}
  write(severity: Severity, text: string): void {
    for (const sink of this.sinks) sink.write(severity, text);
  }
}

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
