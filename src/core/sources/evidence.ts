/** Times in evidence are the wall clock: the operator compares them with other logs. */

const two = (n: number): string => String(n).padStart(2, '0');

/** `12:03:04` in local time, or `12:03:04.512`. */
export function clockTime(epochMs: number, millis = false): string {
  const d = new Date(epochMs);
  const base = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return millis ? `${base}.${String(d.getMilliseconds()).padStart(3, '0')}` : base;
}

/** `0.4 ms`, `12 ms`: as ping(8) rounds them for people. */
export const formatRtt = (ms: number): string => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
