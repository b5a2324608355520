import { quote } from '../core/quote.js';
import type { ListenAddress } from '../core/listen-address.js';
import { ConfigSyntaxError } from './lexer.js';
import { parseListenAddress } from './listen-address.js';
import type { Statement } from './statements.js';
import { one } from './values.js';

/** `metrics-listen 127.0.0.1:9732`: where /metrics is served. */
export function metricsListen(s: Statement): ListenAddress {
  const text = one(s);
  try {
    return parseListenAddress(text);
  } catch (err) {
    throw new ConfigSyntaxError(s.line, `metrics-listen ${quote(text)}: ${(err as Error).message}`);
  }
}
