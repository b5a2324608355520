import { hasCapability, CAP_NET_ADMIN } from './capabilities.js';
import { Daemon } from './daemon.js';
import { detach, isDetachedChild, reportStartup } from './detach.js';
import { formatDuration } from './duration.js';
import { createLogger, StderrSink, TeeSink, type Logger, type LogSink } from './log.js';
import { isOverrunSafeBinding } from './netlink/binding.js';
import { parseOptions, type Options } from './options.js';
import { Pidfile, PROCESS_NAME } from './pidfile.js';
import { SyslogSink } from './syslog.js';
import { DEFAULT_SYSLOG, parseSyslogTarget, type SyslogTarget } from './syslog-target.js';
import { EX_NOPERM, EX_OSERR, EX_SOFTWARE, Fatal } from './sysexits.js';
import { VERSION } from './version.js';

/** The running daemon's pieces that signal handlers and fatal errors need. */
export interface Running {
  readonly daemon: Daemon;
  readonly log: Logger;
  readonly sink: LogSink & { close?(): void };
  readonly pidfile?: Pidfile;
}

const now = (): number => performance.now();

/** Validates, then starts the watchdog; resolves with an exit code, or the running daemon. */
export async function run(argv: readonly string[]): Promise<number | Running> {
  const options = parseOptions(argv);
  if (!options.dryRun && !hasCapability(CAP_NET_ADMIN)) {
    throw new Fatal('changing interfaces needs CAP_NET_ADMIN: run as root, grant the capability, or use --dry-run', EX_NOPERM);
  }
  if (!isOverrunSafeBinding()) {
    throw new Fatal(
      "the netlink addon is the stock build, which kills the process on a receive-queue overrun; reinstall ifdepd so that its postinstall rebuilds it (npm rebuild ifdepd)",
      EX_SOFTWARE,
    );
  }
  if (options.daemon && !isDetachedChild()) return detach();
  // ps, pidof, killall and the pidfile check see "ifdepd", not "node".
  process.title = PROCESS_NAME;
  const pidfile = options.pidfile === undefined ? undefined : Pidfile.acquire(options.pidfile);
  const sink = logSink(options);
  const log = createLogger(options.verbosity, sink);
  log.notice(startLine(options));
  const daemon = new Daemon({ group: options.group, dryRun: options.dryRun, log, now });
  const running: Running = { daemon, log, sink, ...(pidfile ? { pidfile } : {}) };
  installSignals(running);
  try {
    await daemon.start();
  } catch (err) {
    daemon.stop();
    pidfile?.release();
    throw new Fatal(`cannot read the interfaces from the kernel: ${(err as Error).message}`, EX_OSERR);
  }
  if (isDetachedChild()) {
    await reportStartup({ ready: true });
    process.chdir('/');
  }
  return running;
}

/** -d logs to syslog only; the foreground logs to stderr, and to syslog too when --syslog is given. */
function logSink(o: Options): LogSink & { close?(): void } {
  const syslog = (target: SyslogTarget) => new SyslogSink(target, o.syslogFormat);
  if (o.daemon) return syslog(o.syslog ?? parseSyslogTarget(DEFAULT_SYSLOG));
  if (o.syslog === undefined) return new StderrSink();
  const remote = syslog(o.syslog);
  return Object.assign(new TeeSink([new StderrSink(), remote]), { close: () => remote.close() });
}

function startLine(o: Options): string {
  const g = o.group;
  return (
    `ifdepd ${VERSION} starting: sources ${g.sources.join(',')} -> destinations ${g.destinations.join(',')}` +
    ` (down-delay ${formatDuration(g.delays.down)}, up-delay ${formatDuration(g.delays.up)}${o.dryRun ? ', dry-run: nothing will be changed' : ''})`
  );
}

function installSignals(r: Running): void {
  const exit = (signal: string) => {
    r.log.notice(`${signal}: exiting; destinations are left as they are (${r.daemon.destinationSummary()})`);
    shutdown(r, 0);
  };
  process.on('SIGTERM', () => exit('SIGTERM'));
  process.on('SIGINT', () => exit('SIGINT'));
  process.on('SIGHUP', () => {
    r.log.notice('SIGHUP: re-reading all links');
    r.daemon.resync('SIGHUP').catch((err: unknown) => r.log.error(`SIGHUP re-read failed: ${String(err)}`));
  });
  process.on('SIGUSR1', () => {
    for (const line of r.daemon.describe()) r.log.report(line);
  });
}

/** Stops watching and exits; a short grace lets the last syslog datagram leave. */
export function shutdown(r: Running, code: number): void {
  r.daemon.stop();
  r.pidfile?.release();
  setTimeout(() => {
    r.sink.close?.();
    process.exit(code);
  }, r.sink instanceof StderrSink ? 0 : 100);
}
