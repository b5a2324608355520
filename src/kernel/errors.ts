/** A failed rtnetlink request, with the errno name an operator can look up. */
export class NetlinkRequestError extends Error {
  constructor(
    readonly code: string,
    readonly operation: string,
  ) {
    super(`${operation}: ${code}`);
    this.name = 'NetlinkRequestError';
  }
}

/**
 * The netlink package reports kernel errors as Error("Request rejected: ENODEV") and
 * timeouts as Error("Timeout has been reached"), with no .code: recover one.
 */
export function requestError(operation: string, err: unknown): NetlinkRequestError {
  const text = err instanceof Error ? err.message : String(err);
  const rejected = /Request rejected: (E[A-Z0-9]+)/.exec(text);
  if (rejected) return new NetlinkRequestError(rejected[1]!, operation);
  if (/Timeout has been reached/.test(text)) return new NetlinkRequestError('ETIMEDOUT', operation);
  const code = (err as { code?: unknown } | null)?.code;
  return new NetlinkRequestError(typeof code === 'string' ? code : text, operation);
}

