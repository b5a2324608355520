/**
 * Times in evidence are the wall clock: the operator compares them with other logs. The
 * core reads no clock and no time zone: the daemon gives it the way to say a time
 * (daemon/timers.ts, in local time as syslog does).
 */

/** `12:03:04`, or with `millis` `12:03:04.512`: a wall-clock time (ms since the epoch) as a time of day. */
export type ClockText = (epochMs: number, millis: boolean) => string;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The time of day in UTC, by arithmetic alone: for views that never see a time, and for tests. */
export const utcClockText: ClockText = (epochMs, millis) => {
  const ms = ((Math.floor(epochMs) % 86_400_000) + 86_400_000) % 86_400_000;
  const base = `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}`;
  return millis ? `${base}.${pad(ms % 1000, 3)}` : base;
};

/** `0.4 ms`, `12 ms`: as ping(8) rounds them for people. */
export const formatRtt = (ms: number): string => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
