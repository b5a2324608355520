import type { Millis } from './types.js';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const FORMAT = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Timers beyond this are a typo, and Node's setTimeout cannot hold more than ~24.8 days. */
export const MAX_DURATION: Millis = 24 * 3_600_000;

/**
 * Parses "0", "250ms", "2s", "1.5s", "5m", "1h" into milliseconds.
 * A bare number other than 0 is refused: ifplugd reads seconds, others milliseconds,
 * and a delay 1000 times off is an outage.
 */
export function parseDuration(text: string): Millis {
  if (text === '0') return 0;
  const match = FORMAT.exec(text);
  if (match === null) {
    if (/^-/.test(text)) throw new Error(`'${text}' is negative`);
    if (/^\d+(\.\d+)?$/.test(text)) throw new Error(`'${text}' has no unit (write ${text}ms or ${text}s)`);
    throw new Error(`'${text}' is not a duration (examples: 0, 250ms, 2s, 1m)`);
  }
  const exact = Number(match[1]) * (UNITS[match[2]!] ?? NaN);
  // 1.001 * 1000 is 1000.9999999999999 in binary floating point: compare with a tolerance.
  const millis = Math.round(exact);
  if (Math.abs(exact - millis) > 1e-6) throw new Error(`'${text}' is not a whole number of milliseconds`);
  if (millis > MAX_DURATION) throw new Error(`'${text}' is longer than 24h`);
  return millis;
}

/** "0 ms", "250 ms", "1.4 ms": sub-millisecond precision only where it means something. */
export function formatDuration(ms: Millis): string {
  if (Number.isInteger(ms) || ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}
