import type { FaultReport } from '../base/errors.js';
import type { Scheduler } from '../core/clock.js';

/**
 * The callback, made safe to hand to an event emitter or a timer: what it throws is
 * reported as a fault of `where` instead of ending the process.
 */
export function guard<A extends unknown[]>(where: string, report: FaultReport, call: (...args: A) => void): (...args: A) => void {
  return (...args) => {
    try {
      call(...args);
    } catch (err) {
      report(where, err);
    }
  };
}

/** A component's timers: a callback that throws is a fault of "COMPONENT: timer". */
export function guardedScheduler(scheduler: Scheduler, component: string, report: FaultReport): Scheduler {
  return {
    now: () => scheduler.now(),
    after: (delay, call) => scheduler.after(delay, guard(`${component}: timer`, report, call)),
  };
}
