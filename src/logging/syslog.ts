import os from 'node:os';
import { Client, Severity as SyslogSeverity, Transport } from 'syslog-client';
import type { LogSink, Severity } from './logger.js';
import { LostLines } from './lost-lines.js';
import type { SyslogTarget } from './syslog-target.js';

type RemoteTarget = Extract<SyslogTarget, { transport: 'udp' | 'tcp' }>;

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
  private readonly lost = new LostLines('syslog collector unreachable');

  constructor(
    target: RemoteTarget,
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
    void this.deliver(severity, text).catch(() => {});
  }

  /** Sends one line; rejects when it could not be sent (the line is counted as lost). */
  deliver(severity: Severity, text: string): Promise<void> {
    const { body, reported } = this.lost.annotate(text);
    // RFC 3164 has no field for the program: syslog-client leaves it out, and collectors
    // would take the first word of the text for it. The TAG is ours to write.
    const message = this.format === 'rfc3164' ? `ifdepd[${process.pid}]: ${body}` : body;
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => {
        this.lost.failed(reported);
        reject(err);
      };
      try {
        this.client.log(message, { severity: SEVERITIES[severity] }, (err) => {
          if (err) return failed(err);
              resolve();
        });
      } catch (err) {
        failed(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  close(): void {
    try {
      this.client.close();
    } catch {
      // closing a transport that never connected
    }
  }
}
