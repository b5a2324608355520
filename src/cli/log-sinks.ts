import { messageOf } from '../base/errors.js';
import { VERSION } from '../base/version.js';
import { formatDuration } from '../core/duration.js';
import type { Severity } from '../core/types.js';
import { nameList } from '../core/name-list.js';
import { TeeSink, type Logger, type LogSink } from '../logging/logger.js';
import { StderrSink } from '../logging/stderr.js';
import { DEFAULT_SYSLOG, describeSyslogTarget, parseSyslogTarget, type SyslogTarget } from '../logging/syslog-target.js';
import type { Options } from './options.js';

interface Syslog {
  readonly target: SyslogTarget;
  deliver(severity: Severity, text: string): Promise<void>;
}

type Sink = LogSink & { close?(): void };

/** Where the daemon's lines go: `sink`; the start line also uses stderr and syslog apart. */
export interface LogSinks {
  readonly sink: Sink;
  readonly stderr?: StderrSink;
  readonly syslog?: Syslog;
}

/**
 * -d logs to syslog only; the foreground logs to stderr, and to syslog too when --syslog is
 * given. The syslog writers (the addon for /dev/log, syslog-client) are loaded only then.
 */
export async function logSinks(o: Options): Promise<LogSinks> {
  const target = o.syslog ?? (o.daemon ? parseSyslogTarget(DEFAULT_SYSLOG) : undefined);
  if (target === undefined) return { sink: new StderrSink() };
  const remote =
    target.transport === 'unix'
      ? new (await import('../logging/local-syslog.js')).LocalSyslogSink(target.path)
      : new (await import('../logging/syslog.js')).SyslogSink(target, o.syslogFormat);
  const syslog = { target, deliver: (s: Severity, t: string) => remote.deliver(s, t) };
  if (o.daemon) return { sink: remote, syslog };
  const stderr = new StderrSink();
  return { sink: Object.assign(new TeeSink([stderr, remote]), { close: () => remote.close() }), stderr, syslog };
}

/** The last lines said, the sinks are closed; a short grace lets the last syslog datagram leave. */
export async function closeSinks({ sink }: LogSinks): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, sink instanceof StderrSink ? 0 : 100));
  sink.close?.();
}

/**
 * The start line. Sent to syslog, it is also the check that syslog takes lines: a missing
 * or refusing socket is said at once (on stderr; with -d by the launcher, before it returns),
 * and the daemon carries on: the watchdog matters more than its log. Resolves with that
 * problem, if any.
 */
export async function firstLine(o: Options, log: Logger, { stderr, syslog }: LogSinks): Promise<string | undefined> {
  const text = startLine(o);
  if (syslog === undefined) {
    log.notice(text);
    return undefined;
  }
  if (o.verbosity !== 'quiet') stderr?.write('notice', text);
  try {
    await syslog.deliver('notice', text);
    return undefined;
  } catch (err) {
    const problem = `cannot log to syslog ${describeSyslogTarget(syslog.target)}: ${messageOf(err)}; running anyway, lost lines are counted and reported once it takes lines again`;
    // Said whatever -q says: on stderr in the foreground, by the launcher with -d.
    stderr?.write('warning', problem);
    return problem;
  }
}

function startLine(o: Options): string {
  const notes = [
    ...(o.config.startupHold > 0 ? [`start-up hold ${formatDuration(o.config.startupHold)}`] : []),
    ...(o.dryRun ? ['dry-run: nothing will be changed'] : []),
  ];
  const [only, ...more] = o.config.groups;
  if (o.configFile === undefined && only !== undefined && more.length === 0) {
    // Admin is the BSD default and goes unsaid; protodown changes what an operator sees in `ip link`.
    const action = only.action.kind === 'admin' ? [] : [`action ${only.action.kind}`];
    const settings = [...action, `down-delay ${formatDuration(only.delays.down)}`, `up-delay ${formatDuration(only.delays.up)}`, ...notes];
    return `ifdepd ${VERSION} starting: sources ${nameList(only.sources)} -> destinations ${nameList(only.destinations)} (${settings.join(', ')})`;
  }
  const groups = `${o.config.groups.length} group(s) from ${o.configFile ?? 'the command line'}: ${o.config.groups.map((g) => g.name).join(', ')}`;
  return `ifdepd ${VERSION} starting: ${groups}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}
