import { net } from '../base/lazy-builtins.js';
import type { ListenAddress } from '../core/listen-address.js';

/**
 * `127.0.0.1:9732`, `[::1]:9732`, `0.0.0.0:9732`. Throws Error with a one-line message that
 * does not repeat the text (the caller quotes it). Host names are refused: a listener must
 * not depend on DNS at boot, and must bind exactly where it says.
 */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (m === null) throw new Error('not ADDRESS:PORT (an IPv6 address in brackets: [::1]:9732)');
  const v6 = m[1] !== undefined;
  const host = m[1] ?? m[2] ?? '';
  if (net().isIP(host) !== (v6 ? 6 : 4)) throw new Error(`the address is not an IP${v6 ? 'v6' : 'v4'} address (no host names)`);
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`port ${port} out of range 1-65535`);
  return { host, port };
}
