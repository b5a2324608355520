import { coalesced } from '../base/coalesce.js';
import { formatStatus } from '../control/format.js';
import type { Logger } from '../logging/logger.js';
import type { Supervisor } from '../systemd/notify.js';
import type { Daemon } from './daemon.js';

/** What the signal handlers act on. */
export interface SignalTargets {
  readonly daemon: Pick<Daemon, 'destinationSummary' | 'status' | 'summary' | 'reload' | 'resync'>;
  readonly log: Logger;
  readonly supervisor: Supervisor;
  /** -f: re-read on SIGHUP. */
  readonly configFile?: string;
  /** SIGTERM, SIGINT: the process ends (exit 0), its layers let go (process-shell.ts). */
  exit(): void;
}

/** The installed handlers; quieted when the process shell lets them go. */
export interface SignalHandlers {
  quiet(): void;
}

/**
 * SIGTERM and SIGINT end the process, SIGHUP re-reads, SIGUSR1 logs the status. Once quiet
 * the handlers stay, ignoring: a second SIGTERM while the layers below are let go must not
 * kill the process before its pidfile is removed.
 */
export function catchSignals(t: SignalTargets, on: Pick<NodeJS.EventEmitter, 'on'> = process): SignalHandlers {
  let quiet = false;
  const when = (signal: NodeJS.Signals, handler: () => void) =>
    on.on(signal, () => {
      if (!quiet) handler();
    });
  const exit = (signal: string) => {
    t.log.notice(`${signal}: exiting; destinations are left as they are (${t.daemon.destinationSummary()})`);
    t.exit();
  };
  when('SIGTERM', () => exit('SIGTERM'));
  when('SIGINT', () => exit('SIGINT'));
  // A burst of SIGHUPs is one re-read under way and one more after it, never one each.
  const hup = coalesced(() => hangup(t));
  when('SIGHUP', () => void hup());
  // The same text as `ifdepd status`, for daemons without a control socket.
  when('SIGUSR1', () => {
    for (const line of formatStatus(t.daemon.status()).split('\n')) if (line.trim() !== '') t.log.always(line);
  });
  return {
    quiet: () => {
      quiet = true;
    },
  };
}

/** SIGHUP: the configuration file again (a bad one is refused, the running one stays), then every link. */
async function hangup(t: SignalTargets): Promise<void> {
  if (t.configFile !== undefined) {
    t.log.notice(`SIGHUP: reloading ${t.configFile}`);
    try {
      await t.daemon.reload();
    } catch (err) {
      t.log.error(`reload refused, the running configuration stays: ${(err as Error).message}`);
    }
  } else {
    // Nothing to re-read but the links: systemd still sees the reload begin and end.
    t.supervisor.reloading();
  }
  t.log.notice('SIGHUP: re-reading all watched links');
  await t.daemon.resync({ kind: 'sighup' }).catch((err: unknown) => t.log.error(`SIGHUP re-read failed: ${String(err)}`));
  if (t.configFile === undefined) t.supervisor.ready(t.daemon.summary());
}
