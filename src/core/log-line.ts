/** syslog(3) severities ifdepd uses, most severe first: how loud an explanation is. */
export type Severity = 'error' | 'warning' | 'notice' | 'info' | 'debug';

/** One line of the log, as the core says it. */
export interface LogLine {
  readonly severity: Severity;
  readonly text: string;
}
