import type { Millis } from './types.js';

/** A pending call that can be called off. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as the core and the actuators see it: the clock, and calls to make later. The
 * daemon passes real timers; a test passes a fake one. Nothing here reads a global clock.
 */
export interface Scheduler {
  now(): Millis;
  after(delay: Millis, call: () => void): Timer;
}
