import { DatagramSender } from '../base/unix-datagram.js';
import { LostLines } from './lost-lines.js';
import type { LogSink, Severity } from './logger.js';

/** LOG_DAEMON, facility 3. */
const LOG_DAEMON = 3;
const SEVERITY: Readonly<Record<Severity, number>> = { error: 3, warning: 4, notice: 5, info: 6, debug: 7 };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov  2 01:01:45": RFC 3164's timestamp, local time, the day padded with a space. */
export function rfc3164Time(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * What syslog(3) writes to /dev/log: "<29>Nov 22 01:01:45 ifdepd[812]: text". Like glibc it
 * writes no host name: the local daemon adds its own, and neither rsyslog's imuxsock nor
 * journald parses one from a local socket (journald would take it for the program name).
 */
export function localSyslogLine(severity: Severity, text: string, now: Date, pid: number): string {
  return `<${LOG_DAEMON * 8 + SEVERITY[severity]}>${rfc3164Time(now)} ifdepd[${pid}]: ${text}`;
}

/**
 * Logs to the local syslog daemon through its Unix datagram socket (/dev/log by default).
 * A missing or refusing socket never stops the watchdog: lost lines are counted and
 * reported once the socket takes a line again.
 */
export class LocalSyslogSink implements LogSink {
  private readonly sender: DatagramSender;
  private readonly lost: LostLines;

  constructor(readonly path: string) {
    this.sender = new DatagramSender(path);
    this.lost = new LostLines(`syslog socket ${path} unavailable`);
  }

  write(severity: Severity, text: string): void {
    void this.deliver(severity, text).catch(() => {});
  }

  /** Sends one line; rejects when the socket did not take it (the line is counted as lost). */
  async deliver(severity: Severity, text: string): Promise<void> {
    const { body, reported } = this.lost.annotate(text);
    try {
      await this.sender.send(localSyslogLine(severity, body, new Date(), process.pid));
    } catch (err) {
      this.lost.failed(reported);
      throw err;
    }
  }

  close(): void {
    this.sender.close();
  }
}
