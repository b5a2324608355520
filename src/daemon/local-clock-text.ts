import type { ClockText } from '../core/sources/evidence.js';

const two = (n: number): string => String(n).padStart(2, '0');

/** `12:03:04` in local time, or `12:03:04.512`: as syslog stamps the lines the operator compares them with. */
export const localClockText: ClockText = (epochMs, millis) => {
  const d = new Date(epochMs);
  const base = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return millis ? `${base}.${String(d.getMilliseconds()).padStart(3, '0')}` : base;
};
