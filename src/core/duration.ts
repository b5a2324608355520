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

/**
 * For log lines: "0 ms", "250 ms", "1.4 ms", exact to the millisecond (sub-millisecond
 * only where it means something), because a delay or a confirmation time is evidence.
 */
export function formatDuration(ms: Millis): string {
  if (Number.isInteger(ms) || ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/**
 * For status, which a person reads at a glance: "850 ms", "12.3 s", "4 min 10 s",
 * "2 h 3 min", "3 d 4 h" (uptimes and hold times, where milliseconds are noise).
 */
export function formatSpan(ms: number): string {
  const millis = Math.max(0, ms);
  if (Math.round(millis) < 1000) return `${Math.round(millis)} ms`;
  const tenths = Math.round(millis / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`;
  // 59.96 s already rounded up to a minute above: do not fall back to "0 min 59 s".
  const seconds = Math.max(60, Math.floor(millis / 1000));
  if (seconds < 3600) return pair(Math.floor(seconds / 60), 'min', seconds % 60, 's');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 24 * 60) return pair(Math.floor(minutes / 60), 'h', minutes % 60, 'min');
  const hours = Math.floor(minutes / 60);
  return pair(Math.floor(hours / 24), 'd', hours % 24, 'h');
}

function pair(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major} ${majorUnit}` : `${major} ${majorUnit} ${minor} ${minorUnit}`;
}
