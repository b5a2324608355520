import { coalesced } from '../base/coalesce.js';
import { EX_SOFTWARE } from '../base/sysexits.js';
import { formatStatus } from '../control/format.js';
import type { ControlServer } from '../control/server.js';
import type { Logger, LogSink } from '../logging/logger.js';
import { StderrSink } from '../logging/stderr.js';
import type { Daemon } from './daemon.js';
import type { Pidfile } from './pidfile.js';

/** The running daemon's pieces that signal handlers and fatal errors need. */
export interface Running {
  readonly daemon: Daemon;
  readonly log: Logger;
  readonly sink: LogSink & { close?(): void };
  readonly pidfile?: Pidfile;
  readonly control?: ControlServer;
  /** The metrics endpoint and textfile (cli/metrics.ts): closed at exit, the textfile removed. */
  readonly metrics?: { close(): Promise<void> };
  /** -f: re-read on SIGHUP. */
  readonly configFile?: string;
}

/** Signal handlers are installed before the control socket exists; they act on the latest. */
let currentRunning: Running | undefined;

/** The control socket opened: signals act on the pieces that include it. */
export function setRunning(r: Running): void {
  currentRunning = r;
}

export function installSignals(r: Running): void {
  currentRunning = r;
  // The fault budget is spent: a fresh process, started by the supervisor, takes over without a bounce.
  r.daemon.faultsExhausted = () => shutdown(currentRunning ?? r, EX_SOFTWARE);
  const exit = (signal: string) => {
    r.log.notice(`${signal}: exiting; destinations are left as they are (${r.daemon.destinationSummary()})`);
    shutdown(currentRunning ?? r, 0);
  };
  process.on('SIGTERM', () => exit('SIGTERM'));
  process.on('SIGINT', () => exit('SIGINT'));
  // A burst of SIGHUPs is one re-read under way and one more after it, never one each.
  const hup = coalesced(() => hangup(r));
  process.on('SIGHUP', () => void hup());
  // The same text as `ifdepd status`, for daemons without a control socket.
  process.on('SIGUSR1', () => {
    for (const line of formatStatus(r.daemon.status()).split('\n')) if (line.trim() !== '') r.log.always(line);
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
  } else {
    // Nothing to re-read but the links: systemd still sees the reload begin and end.
    r.daemon.supervisor.reloading();
  }
  r.log.notice('SIGHUP: re-reading all links');
  await r.daemon.resync({ kind: 'sighup' }).catch((err: unknown) => r.log.error(`SIGHUP re-read failed: ${String(err)}`));
  if (r.configFile === undefined) r.daemon.supervisor.ready(r.daemon.summary());
}

/** Stops watching and exits; a short grace lets the last syslog datagram leave. */
export function shutdown(r: Running, code: number): void {
  // Interfaces ifdepd put in kernel groups go back to group 0 first; a kernel that does not answer gets a second.
  const left = Promise.race([r.daemon.leaveKernelGroups().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000))]);
  void left.then(() => stopAndExit(r, code));
}

function stopAndExit(r: Running, code: number): void {
  r.daemon.stop();
  void r.control?.close();
  void r.metrics?.close();
  r.pidfile?.release();
  const stopping = r.daemon.supervisor.stopping();
  const grace = new Promise((resolve) => setTimeout(resolve, r.sink instanceof StderrSink ? 0 : 100));
  // STOPPING=1 is one local datagram: wait for it, but never longer than a second.
  const deadline = new Promise((resolve) => setTimeout(resolve, 1000));
  void Promise.all([Promise.race([stopping, deadline]), grace]).then(() => {
    r.sink.close?.();
    process.exit(code);
  });
}
