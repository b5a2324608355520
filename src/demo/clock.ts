import { performance } from 'node:perf_hooks';

/**
 * Wall-clock time in milliseconds with sub-millisecond precision.
 *
 * Why wall clock: the demo lines up three witnesses, and the two it does not run
 * itself only speak wall-clock time: `ip -ts monitor` stamps with gettimeofday(),
 * ifdepd's log with Date. Why not Date.now(): a monotonic offset from the process's
 * time origin keeps the fraction of a millisecond and cannot step backwards mid-demo.
 */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/**
 * `ip -ts` writes local time with microseconds and no zone: "2026-11-22T01:16:44.299821".
 * Date would drop the microseconds, which are the point of asking the kernel's witness.
 */
export function parseIpTimestamp(text: string): number | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0')) / 1000;
  return new Date(y, mo - 1, d, h, mi, s).getTime() + fraction;
}

/**
 * ifdepd's log stamps are ISO UTC to the millisecond, truncated: the line was written
 * somewhere in that millisecond, so its middle is the best estimate.
 */
export function parseLogTimestamp(text: string): number | undefined {
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t + 0.5;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
