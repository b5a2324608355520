import { CAP_NET_ADMIN, hasCapability } from '../base/capabilities.js';
import { messageOf } from '../base/errors.js';
import { EX_CANTCREAT, EX_NOPERM, EX_OSERR, EX_SOFTWARE, Fatal } from '../base/sysexits.js';
import type { FixedPaths } from '../config/written-paths.js';
import type { ControlServer } from '../control/server.js';
import type { Config } from '../core/spec.js';
import type { CrashRoute } from '../daemon/crash-route.js';
import { Daemon, type DaemonOptions } from '../daemon/daemon.js';
import { detach, isDetachedChild, tellLauncher } from '../daemon/detach.js';
import { EventBus } from '../daemon/event-bus.js';
import { holdFileFor } from '../base/hold-file-path.js';
import { Pidfile, PROCESS_NAME } from '../daemon/pidfile.js';
import { ProcessShell } from '../daemon/process-shell.js';
import { catchSignals } from '../daemon/signals.js';
import { withTestFault } from '../daemon/test-fault.js';
import { timers } from '../daemon/timers.js';
import { isOverrunSafeBinding, releaseFreeMemory } from '../kernel/addon.js';
import { NetlinkKernel } from '../kernel/netlink-kernel.js';
import { EventLogSink } from '../logging/event-log.js';
import { createLogger, TeeSink, type Logger } from '../logging/logger.js';
import { findPingTool } from '../probe/ping-tool.js';
import type { PingReport } from '../probe/ping-child.js';
import { Pings } from '../probe/pings.js';
import { systemdSupervisor, type Supervisor } from '../systemd/notify.js';
import { closeSinks, firstLine, logSinks } from './log-sinks.js';
import { metricsService, reloadingMetrics, startMetrics } from './metrics.js';
import type { Options } from './options.js';

/**
 * The daemon's process, from checked options to its exit code. Like an OpenBSD daemon's
 * main() it reads from top to bottom: what can refuse to start is asked first, -d hands the
 * rest to a background copy, then each layer is taken in order through the process shell,
 * which lets go of every layer taken, the last first, when a later one fails, on SIGTERM
 * or SIGINT, when faults keep coming back: at every exit. Resolves with the exit code;
 * rejects with what failed the start (a Fatal carries its code) once all is let go.
 */
export async function run(options: Options, crashes: CrashRoute): Promise<number> {
  refuseEarly(options);
  // A ping source needs its tool: said now, before anything starts (exit 69).
  const pingTool = usesPing(options.config) ? findPingTool() : undefined;
  // The launcher's part ends here: it exits as the background copy's start-up went.
  if (options.daemon && !isDetachedChild()) return detach();
  // ps, pidof, killall and the pidfile check see "ifdepd", not "node".
  process.title = PROCESS_NAME;
  const shell = new ProcessShell((layer, err) => process.stderr.write(`ifdepd: letting go of the ${layer}: ${messageOf(err)}\n`));
  return shell.run(async () => {
    // Until the daemon runs, an exception that reaches the process fails the start-up.
    await shell.take('start-up crash route', () => crashes.divert((_kind, err) => shell.fail(err)), (giveBack) => giveBack());
    const pidfile = options.pidfile;
    if (pidfile !== undefined) await shell.take('pidfile', () => Pidfile.acquire(pidfile), (p) => p.release());
    const sinks = await shell.take('log', () => logSinks(options), closeSinks);
    // A subscriber that throws is a bug: a fault, as anywhere else (the daemon exists by then).
    const events = new EventBus(timers, (err) => daemon.fault('event subscriber', err));
    // Each line the log shows is also a `log` event: the text of `ifdepd monitor`.
    const log = createLogger(options.verbosity, withTestFault(new TeeSink([sinks.sink, new EventLogSink(events)])));
    const syslogProblem = await firstLine(options, log, sinks);
    const supervisor = releasingWhenReady(await shell.take('systemd notifier', () => systemdSupervisor(log), stopping));
    // Bound below; a reload binds its settings before the groups take the file.
    const metrics = metricsService(() => daemon.status(), events, log);
    const configFile = options.configFile;
    const reloader = configFile === undefined ? undefined : reloadingMetrics(() => reloadConfig(configFile, reloadPaths(options)), metrics, events);
    const daemon = await shell.take(
      'daemon',
      () =>
        new Daemon({
          ...daemonSettings(options, log, pingTool),
          events,
          supervisor,
          ...(reloader !== undefined ? { reloader } : {}),
          // The fault budget is spent: a fresh process, started by the supervisor, takes over without a bounce.
          faultsExhausted: () => shell.stop(EX_SOFTWARE),
        }),
      stopDaemon,
    );
    await shell.take('metrics', () => startMetrics(metrics, options.config), (m) => m.close());
    const signals = { daemon, log, supervisor, ...(configFile !== undefined ? { configFile } : {}), exit: () => shell.stop(0) };
    await shell.take('signal handlers', () => catchSignals(signals), (handlers) => handlers.quiet());
    const controlSocket = options.controlSocket;
    if (controlSocket !== undefined) await shell.take('control socket', () => listenControl(controlSocket, daemon, log), (c) => c.close());
    // Everything that can refuse to start has done so before the first decision touches an interface.
    await shell.take('interfaces', () => startDaemon(daemon));
    await shell.take('readiness', () => ready(daemon, supervisor, syslogProblem));
    // The daemon runs: an exception that reaches the process is one of its faults, logged, recovered from, counted.
    await shell.take('fault route', () => crashes.divert((kind, err) => daemon.fault(`process: ${kind}`, err)), (giveBack) => giveBack());
  });
}

/** What needs no layer below it: refused before anything is taken. */
function refuseEarly(options: Options): void {
  if (!options.dryRun && !hasCapability(CAP_NET_ADMIN)) {
    throw new Fatal('changing interfaces needs CAP_NET_ADMIN: run as root, grant the capability, or use --dry-run', EX_NOPERM);
  }
  if (!isOverrunSafeBinding()) {
    throw new Fatal(
      "the netlink addon is the stock build, which kills the process on a receive-queue overrun; reinstall ifdepd so that its postinstall rebuilds it (npm rebuild ifdepd)",
      EX_SOFTWARE,
    );
  }
}

const usesPing = (config: Config): boolean => config.groups.some((g) => g.otherSources?.some((p) => p.kind === 'ping'));

/** The daemon's options from the command line. */
function daemonSettings(o: Options, log: Logger, pingTool: string | undefined): Omit<DaemonOptions, 'events'> {
  const holdFile = o.controlSocket === undefined ? {} : { holdFile: holdFileFor(o.controlSocket) };
  // A reload may add the first ping source: the tool is looked for then, and refused there if missing.
  const pings = (report: PingReport) => new Pings({ tool: pingTool ?? findPingTool(), log, report, clock: timers });
  // The netlink sockets open at the first request; the daemon closes them when it stops.
  const kernel = new NetlinkKernel({ log });
  return { config: o.config, dryRun: o.dryRun, log, scheduler: timers, kernel, pings, ...holdFile };
}

/** What a reload's file must not clash with: the command line's files, and the control socket in use. */
function reloadPaths(o: Options): FixedPaths {
  return { ...o.fixedPaths, ...(o.controlSocket !== undefined ? { controlSocketInUse: o.controlSocket } : {}) };
}

/** A reload reads the file in a worker thread, loaded at the first reload. */
async function reloadConfig(file: string, paths: FixedPaths): Promise<Config> {
  const { loadConfigOffThread } = await import('../config/reload-worker.js');
  return loadConfigOffThread(file, paths);
}

/** The control server is loaded only by a daemon that listens (-f, --control-socket). */
async function listenControl(path: string, daemon: Daemon, log: Logger): Promise<ControlServer> {
  try {
    const { ControlServer } = await import('../control/server.js');
    const control = await ControlServer.listen(path, daemon, log, (where, err) => daemon.fault(where, err));
    log.info(`control socket ${path}`);
    return control;
  } catch (err) {
    throw new Fatal(`control socket ${path}: ${(err as Error).message}`, EX_CANTCREAT);
  }
}

async function startDaemon(daemon: Daemon): Promise<void> {
  try {
    await daemon.start();
  } catch (err) {
    // A configuration the kernel's state refuses (an atomic group number in use) says so itself.
    if (err instanceof Fatal) throw err;
    throw new Fatal(`cannot read the interfaces from the kernel: ${(err as Error).message}`, EX_OSERR);
  }
}

/** The first decisions are enforced: systemd, and with -d the launcher, hear that the daemon runs. */
async function ready(daemon: Daemon, supervisor: Supervisor, syslogProblem: string | undefined): Promise<void> {
  supervisor.ready(daemon.summary());
  if (!isDetachedChild()) return;
  await tellLauncher({ ready: true, ...(syslogProblem !== undefined ? { warning: syslogProblem } : {}) });
  process.chdir('/');
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Interfaces ifdepd put in kernel groups go back to group 0 first (a kernel that does not
 * answer gets a second); then it stops watching, the destinations left as they are.
 */
async function stopDaemon(daemon: Daemon): Promise<void> {
  await Promise.race([daemon.leaveKernelGroups().catch(() => undefined), delay(1000)]);
  daemon.stop();
}

/** How long after the daemon is ready the memory that work freed goes back. */
const RELEASE_AFTER_MS = 1000;

/**
 * Each time the daemon is ready (started, or a reload done), the memory that work freed goes
 * back to the system: ~2 MiB of an idle daemon's resident memory (bench/README.md). A
 * second later, not at once: the call takes 0.1-1 ms, which must not hold back the writes
 * the start or the reload just decided (they leave in the next turn).
 */
function releasingWhenReady(supervisor: Supervisor): Supervisor {
  let release: NodeJS.Timeout | undefined;
  return {
    ready: (status) => {
      supervisor.ready(status);
      clearTimeout(release);
      release = setTimeout(releaseFreeMemory, RELEASE_AFTER_MS).unref();
    },
    status: (summary) => supervisor.status(summary),
    reloading: () => supervisor.reloading(),
    stopping: () => supervisor.stopping(),
  };
}

/** STOPPING=1 is one local datagram: waited for, but never longer than a second. */
async function stopping(supervisor: Supervisor): Promise<void> {
  await Promise.race([supervisor.stopping(), delay(1000)]);
}
