import type { Severity } from '../core/types.js';

export type { Severity };

/** -q, the default, -v. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

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
  always(text: string): void;
  /**
   * Whether lines of this severity go anywhere: a line that costs work on the way to a
   * write (a link change, with -v) is built only then. Absent: they may.
   */
  readonly shows?: (severity: Severity) => boolean;
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
    always: (text) => sink.write('notice', text),
    shows: (severity) => shown.has(severity),
  };
}

/** Several sinks at once: stderr and a syslog collector. */
export class TeeSink implements LogSink {
  constructor(private readonly sinks: readonly LogSink[]) {}
  write(severity: Severity, text: string): void {
    for (const sink of this.sinks) sink.write(severity, text);
  }
}
