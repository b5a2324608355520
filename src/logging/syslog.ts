import os from 'node:os';
import { Client, Severity as SyslogSeverity, Transport } from 'syslog-client';
import type { LogSink, Severity } from './logger.js';
import type { SyslogTarget } from './syslog-target.js';

/** LOG_DAEMON; syslog-client's typings call facility 3 "System". */
const LOG_DAEMON = 3;

const SEVERITIES: Readonly<Record<Severity, SyslogSeverity>> = {
  error: SyslogSeverity.Error,
  warning: SyslogSeverity.Warning,
  notice: SyslogSeverity.Notice,
  info: SyslogSeverity.Informational,
  debug: SyslogSeverity.Debug,
};

export type SyslogFormat = 'rfc3164' | 'rfc5424';

/**
 * Sends the log to a syslog collector. An unreachable collector never stops the
 * watchdog: lines that cannot be delivered are counted, and the count is reported
 * once the collector answers again.
 */
export class SyslogSink implements LogSink {
  private readonly client: Client;
  private lost = 0;

  constructor(
    target: SyslogTarget,
    private readonly format: SyslogFormat,
  ) {
    this.client = new Client(target.host, {
      port: target.port,
      transport: target.transport === 'tcp' ? Transport.Tcp : Transport.Udp,
      facility: LOG_DAEMON,
      rfc3164: format === 'rfc3164',
      appName: 'ifdepd',
      syslogHostname: os.hostname(),
    });
    // Without a listener an 'error' (collector down, connection reset) would be thrown.
    this.client.on('error', () => {});
  }

  write(severity: Severity, text: string): void {
    const lostBefore = this.lost;
    const body = lostBefore > 0 ? `${text} [${lostBefore} earlier log lines lost: syslog collector unreachable]` : text;
    // RFC 3164 has no field for the program: syslog-client leaves it out, and collectors
    // would take the first word of the text for it. The TAG is ours to write.
    const message = this.format === 'rfc3164' ? `ifdepd[${process.pid}]: ${body}` : body;
    try {
      this.client.log(message, { severity: SEVERITIES[severity] }, (err) => {
        if (err) this.lost += 1;
        else this.lost = Math.max(0, this.lost - lostBefore);
      });
    } catch {
      this.lost += 1;
    }
  }

  close(): void {
    try {
      this.client.close();
    } catch {
      // closing a transport that never connected
    }
  }
}
