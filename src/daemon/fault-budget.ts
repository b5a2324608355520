import { fileURLToPath } from 'node:url';
import { messageOf, oneLine } from '../base/errors.js';
import type { Millis } from '../core/types.js';
import type { Logger } from '../logging/logger.js';

/** This many faults within FAULT_WINDOW_MS and the daemon's state is not to be trusted: restart. */
export const FAULT_LIMIT = 5;
export const FAULT_WINDOW_MS: Millis = 60_000;
const WINDOW = `${FAULT_WINDOW_MS / 1000} s`;

export interface FaultBudgetDeps {
  readonly log: Logger;
  readonly now: () => Millis;
  /** Re-reads every link and re-evaluates every group, as after an overrun. */
  readonly recover: (why: string) => void;
  /** The budget is spent: the process adapter exits EX_SOFTWARE, and the supervisor restarts ifdepd. */
  readonly exhausted: () => void;
}

/**
 * What an exception in a callback (netlink event, timer, write completion, control
 * request, or one that reached the process) does. A bug must not leave the destinations
 * frozen: the fault is logged with where it happened, and everything is read and decided
 * again, as after a receive-queue overrun. A fault that keeps coming back (FAULT_LIMIT
 * within FAULT_WINDOW_MS) means the recovery does not help: exiting lets the supervisor
 * start a fresh process, which reconciles the destinations without bouncing them.
 */
export class FaultBudget {
  private recent: Millis[] = [];
  private spent = false;

  constructor(private readonly deps: FaultBudgetDeps) {}

  /** `where`: the component and the callback, e.g. "link sync: netlink event". */
  fault(where: string, err: unknown): void {
    if (this.spent) return;
    const { log } = this.deps;
    const now = this.deps.now();
    this.recent = [...this.recent.filter((t) => now - t < FAULT_WINDOW_MS), now];
    const what = `internal error in ${where}${originOf(err)}: ${oneLine(messageOf(err))}`;
    if (this.recent.length >= FAULT_LIMIT) {
      this.spent = true;
      log.error(
        `${what}; ${FAULT_LIMIT} faults within ${WINDOW}: exiting (70) for the supervisor to restart ifdepd; destinations are left as they are`,
      );
      logStack(log, err);
      this.deps.exhausted();
      return;
    }
    log.error(`${what}; re-reading all watched links (fault ${this.recent.length} of ${FAULT_LIMIT} allowed within ${WINDOW})`);
    logStack(log, err);
    try {
      this.deps.recover(where);
    } catch (again) {
      // Counted like any other: a recovery that keeps failing spends the budget.
      this.fault(`recovery after an internal error in ${where}`, again);
    }
  }
}

function logStack(log: Logger, err: unknown): void {
  if (!(err instanceof Error) || err.stack === undefined) return;
  for (const line of err.stack.split('\n').slice(1)) log.debug(`  ${line.trim()}`);
}

/** The folder of ifdepd's own code: dist/ (the bundle's chunks are in dist/chunks/), or src/ under a test runner. */
const OWN = fileURLToPath(new URL('../', import.meta.url));
const FRAME = /(?:\(|at )(?:file:\/\/)?(\/[^():]+):(\d+):\d+\)?$/;

/** " at act/enforcer.js:214": ifdepd's innermost frame, so that a one-line report names the code. */
export function originOf(err: unknown): string {
  if (!(err instanceof Error) || err.stack === undefined) return '';
  for (const line of err.stack.split('\n').slice(1)) {
    const frame = FRAME.exec(line.trim());
    if (frame !== null && frame[1]!.startsWith(OWN)) return ` at ${frame[1]!.slice(OWN.length)}:${frame[2]}`;
  }
  return '';
}
