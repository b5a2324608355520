import { EX_CANTCREAT, EX_NOPERM, EX_OSERR, EX_SOFTWARE, Fatal } from '../base/sysexits.js';
import { VERSION } from '../base/version.js';
import type { Options } from './options.js';
import { reloadingMetrics, startMetrics } from './metrics.js';
import { loadConfigOffThread } from '../config/reload-worker.js';
import type { FixedPaths } from '../config/written-paths.js';
import { ControlServer } from '../control/server.js';
import { formatDuration } from '../core/duration.js';
import { nameList } from '../core/name-list.js';
import { isOverrunSafeBinding } from '../kernel/addon.js';
import { NetlinkKernel } from '../kernel/netlink-kernel.js';
import { createLogger, TeeSink, type Logger, type LogSink } from '../logging/logger.js';
import { StderrSink } from '../logging/stderr.js';
import { LocalSyslogSink } from '../logging/local-syslog.js';
import { SyslogSink } from '../logging/syslog.js';
import { DEFAULT_SYSLOG, describeSyslogTarget, parseSyslogTarget, type SyslogTarget } from '../logging/syslog-target.js';
import { messageOf } from '../base/message.js';
import type { Severity } from '../core/explain.js';
import { systemdSupervisor } from '../systemd/notify.js';
import { CAP_NET_ADMIN, hasCapability } from '../base/capabilities.js';
import { Daemon } from '../daemon/daemon.js';
import { EventBus } from '../daemon/event-bus.js';
import { EventLogSink } from '../logging/event-log.js';
import { detach, isDetachedChild, tellLauncher } from '../daemon/detach.js';
import { holdFileFor } from '../daemon/hold-store.js';
import { Pidfile, PROCESS_NAME } from '../daemon/pidfile.js';
import { installSignals, setRunning, type Running } from '../daemon/signals.js';
import { timers } from '../daemon/timers.js';
import { withTestFault } from '../daemon/test-fault.js';
import type { Config } from '../core/spec.js';
import { findPingTool } from '../probe/ping-tool.js';
import { Pings, type PingReport } from '../probe/pings.js';

const usesPing = (config: Config): boolean => config.groups.some((g) => g.otherSources?.some((p) => p.kind === 'ping'));

/** Starts the watchdog with checked options; resolves with an exit code, or the running daemon. */
export async function run(options: Options): Promise<number | Running> {
  if (!options.dryRun && !hasCapability(CAP_NET_ADMIN)) {
    throw new Fatal('changing interfaces needs CAP_NET_ADMIN: run as root, grant the capability, or use --dry-run', EX_NOPERM);
  }
  if (!isOverrunSafeBinding()) {
    throw new Fatal(
      "the netlink addon is the stock build, which kills the process on a receive-queue overrun; reinstall ifdepd so that its postinstall rebuilds it (npm rebuild ifdepd)",
      EX_SOFTWARE,
    );
  }
  // A ping source needs its tool: said now, before anything starts (exit 69).
  const pingTool = usesPing(options.config) ? findPingTool() : undefined;
  if (options.daemon && !isDetachedChild()) return detach();
  // ps, pidof, killall and the pidfile check see "ifdepd", not "node".
  process.title = PROCESS_NAME;
  const pidfile = options.pidfile === undefined ? undefined : Pidfile.acquire(options.pidfile);
  const { sink, stderr, syslog } = logSinks(options);
  // A subscriber that throws is a bug: a fault, as anywhere else (the daemon exists by then).
  const events = new EventBus(timers, (err) => daemon.fault('event subscriber', err));
  // Each line the log shows is also a `log` event: the text of `ifdepd monitor`.
  const log = createLogger(options.verbosity, withTestFault(new TeeSink([sink, new EventLogSink(events)])));
  const syslogProblem = await firstLine(options, log, stderr, syslog);
  const holdFile = options.controlSocket === undefined ? {} : { holdFile: holdFileFor(options.controlSocket) };
  // A reload may add the first ping source: the tool is looked for then, and refused there if missing.
  const pings = (report: PingReport) => new Pings({ tool: pingTool ?? findPingTool(), log, report });
  const kernel = new NetlinkKernel({ log });
  const daemon = new Daemon({ config: options.config, dryRun: options.dryRun, log, scheduler: timers, kernel, events, pings, ...holdFile });
  daemon.supervisor = systemdSupervisor(log);
  const configFile = options.configFile;
  const metrics = await startMetrics(daemon, events, options.config, log).catch((err: unknown) => {
    pidfile?.release();
    throw err;
  });
  if (configFile !== undefined) daemon.reloader = reloadingMetrics(() => loadConfigOffThread(configFile, reloadPaths(options)), metrics, events);
  const partial: Running = { daemon, log, sink, metrics, ...(pidfile ? { pidfile } : {}), ...(configFile ? { configFile } : {}) };
  installSignals(partial);
  // Everything that can refuse to start does so before the first decision touches an interface.
  const running = options.controlSocket === undefined ? partial : await withControl(partial, options.controlSocket);
  try {
    await daemon.start();
  } catch (err) {
    daemon.stop();
    void running.control?.close();
    void metrics.close();
    pidfile?.release();
    // A configuration the kernel's state refuses (an atomic group number in use) says so itself.
    if (err instanceof Fatal) throw err;
    throw new Fatal(`cannot read the interfaces from the kernel: ${(err as Error).message}`, EX_OSERR);
  }
  daemon.supervisor.ready(daemon.summary());
  if (isDetachedChild()) {
    await tellLauncher({ ready: true, ...(syslogProblem !== undefined ? { warning: syslogProblem } : {}) });
    process.chdir('/');
  }
  return running;
}

/** What a reload's file must not clash with: the command line's files, and the control socket in use. */
function reloadPaths(o: Options): FixedPaths {
  return { ...o.fixedPaths, ...(o.controlSocket !== undefined ? { controlSocketInUse: o.controlSocket } : {}) };
}

interface Syslog {
  readonly target: SyslogTarget;
  deliver(severity: Severity, text: string): Promise<void>;
}

type Sink = LogSink & { close?(): void };

/** -d logs to syslog only; the foreground logs to stderr, and to syslog too when --syslog is given. */
function logSinks(o: Options): { sink: Sink; stderr?: StderrSink; syslog?: Syslog } {
  const target = o.syslog ?? (o.daemon ? parseSyslogTarget(DEFAULT_SYSLOG) : undefined);
  if (target === undefined) return { sink: new StderrSink() };
  const remote = target.transport === 'unix' ? new LocalSyslogSink(target.path) : new SyslogSink(target, o.syslogFormat);
  const syslog = { target, deliver: (s: Severity, t: string) => remote.deliver(s, t) };
  if (o.daemon) return { sink: remote, syslog };
  const stderr = new StderrSink();
  return { sink: Object.assign(new TeeSink([stderr, remote]), { close: () => remote.close() }), stderr, syslog };
}

/**
 * The start line. Sent to syslog, it is also the check that syslog takes lines: a missing
 * or refusing socket is said at once (on stderr; with -d by the launcher, before it returns),
 * and the daemon carries on: the watchdog matters more than its log.
 */
async function firstLine(o: Options, log: Logger, stderr?: StderrSink, syslog?: Syslog): Promise<string | undefined> {
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

async function withControl(r: Running, path: string): Promise<Running> {
  try {
    const control = await ControlServer.listen(path, r.daemon, r.log, (where, err) => r.daemon.fault(where, err));
    r.log.info(`control socket ${path}`);
    const running = { ...r, control };
    setRunning(running);
    return running;
  } catch (err) {
    r.daemon.stop();
    void r.metrics?.close();
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
    // Admin is the BSD default and goes unsaid; protodown changes what an operator sees in `ip link`.
    const action = only.action.kind === 'admin' ? [] : [`action ${only.action.kind}`];
    const settings = [...action, `down-delay ${formatDuration(only.delays.down)}`, `up-delay ${formatDuration(only.delays.up)}`, ...notes];
    return `ifdepd ${VERSION} starting: sources ${nameList(only.sources)} -> destinations ${nameList(only.destinations)} (${settings.join(', ')})`;
  }
  const groups = `${o.config.groups.length} group(s) from ${o.configFile ?? 'the command line'}: ${o.config.groups.map((g) => g.name).join(', ')}`;
  return `ifdepd ${VERSION} starting: ${groups}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}
