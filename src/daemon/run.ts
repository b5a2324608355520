import { hasCapability, CAP_NET_ADMIN } from './capabilities.js';
import { loadConfig } from '../config/load.js';
import { formatStatus } from '../control/format.js';
import { ControlServer } from '../control/server.js';
import { Daemon } from './daemon.js';
import { detach, isDetachedChild, reportStartup } from './detach.js';
import { formatDuration } from '../core/duration.js';
import { createLogger, StderrSink, TeeSink, type Logger, type LogSink } from '../logging/logger.js';
import { isOverrunSafeBinding } from '../kernel/addon.js';
import { parseOptions, type Options } from '../cli/options.js';
import { Pidfile, PROCESS_NAME } from './pidfile.js';
import { SyslogSink } from '../logging/syslog.js';
import { DEFAULT_SYSLOG, parseSyslogTarget, type SyslogTarget } from '../logging/syslog-target.js';
import { EX_CANTCREAT, EX_NOPERM, EX_OK, EX_OSERR, EX_SOFTWARE, Fatal } from '../base/sysexits.js';
import { VERSION } from '../base/version.js';

/** The running daemon's pieces that signal handlers and fatal errors need. */
export interface Running {
  readonly daemon: Daemon;
  readonly log: Logger;
  readonly sink: LogSink & { close?(): void };
  readonly pidfile?: Pidfile;
  readonly control?: ControlServer;
  /** -f: re-read on SIGHUP. */
  readonly configFile?: string;
}

const now = (): number => performance.now();

/** Validates, then starts the watchdog; resolves with an exit code, or the running daemon. */
export async function run(argv: readonly string[]): Promise<number | Running> {
  const options = parseOptions(argv);
  if (options.checkOnly) {
    const groups = options.config.groups.map((g) => g.name).join(', ');
    process.stdout.write(`${options.configFile ?? 'command line'}: OK, ${options.config.groups.length} group(s): ${groups}\n`);
    return EX_OK;
  }
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
  const daemon = new Daemon({ config: options.config, dryRun: options.dryRun, log, now });
  const configFile = options.configFile;
  if (configFile !== undefined) daemon.reloader = () => loadConfig(configFile);
  const partial: Running = { daemon, log, sink, ...(pidfile ? { pidfile } : {}), ...(configFile ? { configFile } : {}) };
  installSignals(partial);
  // Everything that can refuse to start does so before the first decision touches an interface.
  const running = options.controlSocket === undefined ? partial : await withControl(partial, options.controlSocket);
  try {
    await daemon.start();
  } catch (err) {
    daemon.stop();
    void running.control?.close();
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

async function withControl(r: Running, path: string): Promise<Running> {
  try {
    const control = await ControlServer.listen(path, r.daemon, r.log);
    r.log.info(`control socket ${path}`);
    const running = { ...r, control };
    currentRunning = running;
    return running;
  } catch (err) {
    r.daemon.stop();
    r.pidfile?.release();
    throw new Fatal(`control socket ${path}: ${(err as Error).message}`, EX_CANTCREAT);
  }
}

function startLine(o: Options): string {
  const notes = [
    ...(o.config.startupHold > 0 ? [`start-up hold ${formatDuration(o.config.startupHold)}`] : []),
    ...(o.dryRun ? ['dry-run: nothing will be changed'] : []),
  ];
  const [only, ...more] = o.config.groups;
  if (o.configFile === undefined && only !== undefined && more.length === 0) {
    const settings = [`down-delay ${formatDuration(only.delays.down)}`, `up-delay ${formatDuration(only.delays.up)}`, ...notes];
    return `ifdepd ${VERSION} starting: sources ${only.sources.join(',')} -> destinations ${only.destinations.join(',')} (${settings.join(', ')})`;
  }
  const groups = `${o.config.groups.length} group(s) from ${o.configFile ?? 'the command line'}: ${o.config.groups.map((g) => g.name).join(', ')}`;
  return `ifdepd ${VERSION} starting: ${groups}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}

/** Signal handlers are installed before the control socket exists; they act on the latest. */
let currentRunning: Running | undefined;

function installSignals(r: Running): void {
  currentRunning = r;
  const exit = (signal: string) => {
    r.log.notice(`${signal}: exiting; destinations are left as they are (${r.daemon.destinationSummary()})`);
    shutdown(currentRunning ?? r, 0);
  };
  process.on('SIGTERM', () => exit('SIGTERM'));
  process.on('SIGINT', () => exit('SIGINT'));
  process.on('SIGHUP', () => void hangup(r));
  // The same report as `ifdepd status`, for daemons without a control socket.
  process.on('SIGUSR1', () => {
    for (const line of formatStatus(r.daemon.status()).split('\n')) if (line.trim() !== '') r.log.report(line);
  });
}

/** SIGHUP: the configuration file again (a bad one is refused, the running one stays), then every link. */
async function hangup(r: Running): Promise<void> {
  if (r.configFile !== undefined) {
    r.log.notice(`SIGHUP: reloading ${r.configFile}`);
    try {
      await r.daemon.reload();
    } catch (err) {
      r.log.error(`reload refused, the running configuration stays: ${(err as Error).message}`);
    }
  }
  r.log.notice('SIGHUP: re-reading all links');
  await r.daemon.resync('SIGHUP').catch((err: unknown) => r.log.error(`SIGHUP re-read failed: ${String(err)}`));
}

/** Stops watching and exits; a short grace lets the last syslog datagram leave. */
export function shutdown(r: Running, code: number): void {
  r.daemon.stop();
  void r.control?.close();
  r.pidfile?.release();
  setTimeout(() => {
    r.sink.close?.();
    process.exit(code);
  }, r.sink instanceof StderrSink ? 0 : 100);
}
