/** Where -d sends its log: a syslog collector reached over UDP or TCP. */
export interface SyslogTarget {
  readonly transport: 'udp' | 'tcp';
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_SYSLOG = 'udp://127.0.0.1:514';

/** Parses "udp://127.0.0.1:514", "tcp://logs.example:601", "udp://[::1]". */
export function parseSyslogTarget(text: string): SyslogTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`'${text}' is not a syslog target (example: udp://127.0.0.1:514)`);
  }
  const transport = url.protocol.slice(0, -1);
  if (transport !== 'udp' && transport !== 'tcp') {
    throw new Error(`syslog target '${text}' must start with udp:// or tcp://`);
  }
  if (url.hostname === '') throw new Error(`syslog target '${text}' has no host`);
  if (url.pathname !== '' && url.pathname !== '/') throw new Error(`syslog target '${text}' has a path`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { transport, host, port: url.port === '' ? 514 : Number(url.port) };
}
