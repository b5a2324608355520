/** Where an HTTP listener binds: an IP literal (never a name to resolve) and a port. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** `127.0.0.1:9732`, `[::1]:9732`: as the configuration writes it. */
export function describeListenAddress(a: ListenAddress): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

export const sameListenAddress = (a: ListenAddress | undefined, b: ListenAddress | undefined): boolean =>
  a?.host === b?.host && a?.port === b?.port;
