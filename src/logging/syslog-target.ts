/** Where syslog lines go: the local syslog socket (as syslog(3)), or a collector over UDP or TCP. */
export type SyslogTarget =
  | { readonly transport: 'unix'; readonly path: string }
  | { readonly transport: 'udp' | 'tcp'; readonly host: string; readonly port: number };

/** -d without --syslog: the local syslog daemon, where syslog(3) writes. */
export const DEFAULT_SYSLOG = 'unix:///dev/log';

/** Parses "unix:///dev/log", "udp://127.0.0.1:514", "tcp://logs.example:601", "udp://[::1]". */
export function parseSyslogTarget(text: string): SyslogTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`'${text}' is not a syslog target (examples: unix:///dev/log, udp://192.0.2.1:514)`);
  }
  const transport = url.protocol.slice(0, -1);
  if (transport === 'unix') {
    if (url.hostname !== '') throw new Error(`syslog target '${text}' names a host: write unix:///path (three slashes)`);
    const path = decodeURIComponent(url.pathname);
    if (path === '' || path === '/') throw new Error(`syslog target '${text}' has no socket path`);
    return { transport, path };
  }
  if (transport !== 'udp' && transport !== 'tcp') {
    throw new Error(`syslog target '${text}' must start with unix://, udp:// or tcp://`);
  }
  if (url.hostname === '') throw new Error(`syslog target '${text}' has no host`);
  if (url.pathname !== '' && url.pathname !== '/') throw new Error(`syslog target '${text}' has a path`);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { transport, host, port: url.port === '' ? 514 : Number(url.port) };
}

/** "unix:///dev/log", "udp://[::1]:514": for messages. */
export function describeSyslogTarget(t: SyslogTarget): string {
  if (t.transport === 'unix') return `unix://${t.path}`;
  return `${t.transport}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}
