import type { Scheduler } from '../core/clock.js';

/**
 * The real clock and timers, handed to the core and the actuators. performance.now() is
 * monotonic: a wall-clock step (NTP, an operator's `date`) cannot shorten or stretch a delay.
 */
export const timers: Scheduler = {
  now: () => performance.now(),
  after(delay, call) {
    const timer = setTimeout(call, delay);
    return { cancel: () => clearTimeout(timer) };
  },
};
