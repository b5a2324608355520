import type { Verbosity } from './options.js';

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

/** Foreground logging: `2026-11-22T00:44:37.123Z ifdepd[812]: warning: vrrp0: ...`. */
export class StderrSink implements LogSink {
  write(severity: Severity, text: string): void {
    const label = severity === 'error' || severity === 'warning' ? `${severity}: ` : '';
    process.stderr.write(`${new Date().toISOString()} ifdepd[${process.pid}]: ${label}${text}\n`);
  }
}
