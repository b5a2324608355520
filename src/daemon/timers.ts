import { monotonicMs } from '../base/monotonic.js';
import type { Scheduler } from '../core/clock.js';
import type { ClockText } from '../core/sources/evidence.js';

/** The real clock and timers, handed to the core and the actuators. */
export const timers: Scheduler = {
  now: monotonicMs,
  after(delay, call) {
    const timer = setTimeout(call, delay);
    return { cancel: () => clearTimeout(timer) };
  },
};

const two = (n: number): string => String(n).padStart(2, '0');

/** `12:03:04` in local time, or `12:03:04.512`: as syslog stamps the lines the operator compares them with. */
export const localClockText: ClockText = (epochMs, millis) => {
  const d = new Date(epochMs);
  const base = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return millis ? `${base}.${String(d.getMilliseconds()).padStart(3, '0')}` : base;
};
