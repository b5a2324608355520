import { DatagramSender } from '../base/unix-datagram.js';
import { joinLines, messageOf } from '../base/errors.js';
import type { Logger } from '../logging/logger.js';

/**
 * What the service manager is told: readiness, a one-line status, reloads, the stop, and
 * watchdog keep-alives. Without a service manager every call does nothing.
 */
export interface Supervisor {
  /** The first decisions are enforced and the control socket listens (or a reload ended). */
  ready(status: string): void;
  /**
   * After an evaluation: the summary is sent when it differs from the last one sent. It is
   * asked for only with a service manager, so that without one no evaluation pays for it.
   */
  status(summary: () => string): void;
  /** A reload begins; ready() ends it. */
  reloading(): void;
  /** The daemon exits; resolves once the message left (or failed). */
  stopping(): Promise<void>;
}

export const NO_SUPERVISOR: Supervisor = {
  ready: () => {},
  status: () => {},
  reloading: () => {},
  stopping: () => Promise.resolve(),
};

type Env = Record<string, string | undefined>;

/**
 * systemd's notify protocol (sd_notify(3)): one datagram of NAME=value lines to the Unix
 * socket $NOTIFY_SOCKET (a path, or an abstract name written "@name"). With $WATCHDOG_USEC
 * (and $WATCHDOG_PID ours or unset) WATCHDOG=1 is sent from the event loop at half the
 * interval, so that a stuck loop misses its keep-alives and systemd restarts the daemon.
 * The variables are removed from the environment, so that hooks do not inherit them.
 */
export function systemdSupervisor(log: Logger, env: Env = process.env): Supervisor {
  const socket = env.NOTIFY_SOCKET;
  const watchdog = watchdogInterval(env);
  for (const name of ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID']) delete env[name];
  if (socket === undefined || socket === '') return NO_SUPERVISOR;
  return new SystemdNotifier(new DatagramSender(socket), log, watchdog);
}

/** Half of $WATCHDOG_USEC, in ms; undefined when the watchdog is off or meant for another process. */
export function watchdogInterval(env: Env, pid = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (env.WATCHDOG_USEC === undefined || !Number.isSafeInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}

/** CLOCK_MONOTONIC in microseconds, as systemd 253+ wants it next to RELOADING=1. */
export function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

export class SystemdNotifier implements Supervisor {
  private lastStatus: string | undefined;
  private failed = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sender: Pick<DatagramSender, 'send' | 'close' | 'path'>,
    private readonly log: Logger,
    watchdogMs: number | undefined,
  ) {
    if (watchdogMs !== undefined) {
      this.timer = setInterval(() => void this.send('WATCHDOG=1'), watchdogMs);
      this.timer.unref();
      void this.send('WATCHDOG=1');
    }
  }

  ready(status: string): void {
    this.lastStatus = status;
    void this.send(`READY=1\nSTATUS=${joinLines(status)}`);
  }

  status(summary: () => string): void {
    const text = summary();
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    void this.send(`STATUS=${joinLines(text)}`);
  }

  reloading(): void {
    void this.send(`RELOADING=1\nMONOTONIC_USEC=${monotonicUsec()}`);
  }

  async stopping(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.send('STOPPING=1');
    this.sender.close();
  }

  /** A failure is logged once, and never stops the daemon. */
  private async send(text: string): Promise<void> {
    try {
      await this.sender.send(text);
    } catch (err) {
      if (this.failed) return;
      this.failed = true;
      this.log.warning(`cannot notify systemd through ${this.sender.path}: ${messageOf(err)} (said once; the daemon carries on)`);
    }
  }
}

