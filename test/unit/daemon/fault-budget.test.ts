import { describe, expect, it } from 'vitest';
import { FAULT_LIMIT, FAULT_WINDOW_MS, FaultBudget, originOf } from '../../../src/daemon/fault-budget.js';
import { createLogger, type Verbosity } from '../../../src/logging/logger.js';

function budget(verbosity: Verbosity = 'normal') {
  let now = 0;
  const logs: string[] = [];
  const recovered: string[] = [];
  let exits = 0;
  let recover = (why: string) => void recovered.push(why);
  const b = new FaultBudget({
    log: createLogger(verbosity, { write: (s, t) => logs.push(`${s}: ${t}`) }),
    now: () => now,
    recover: (why) => recover(why),
    exhausted: () => void (exits += 1),
  });
  return {
    b,
    logs,
    recovered,
    exits: () => exits,
    at: (t: number) => void (now = t),
    failRecovery: (err: Error) => {
      recover = () => {
        throw err;
      };
    },
  };
}

/** A TypeError as if thrown at line 214 of the enforcer, called from Node's timers. */
function thrown(): Error {
  const err = new TypeError("Cannot read properties of undefined (reading 'x')");
  const enforcer = new URL('../../../src/act/enforcer.ts', import.meta.url).href;
  err.stack = `TypeError: ${err.message}\n    at listOnTimeout (node:internal/timers:581:17)\n    at Enforcer.failed (${enforcer}:214:9)`;
  return err;
}

describe('FaultBudget', () => {
  it('logs a fault with its component, callback and origin, and recovers, without exiting', () => {
    const h = budget();
    h.b.fault('admin enforcer: timer', thrown());
    expect(h.logs).toHaveLength(1);
    expect(h.logs[0]).toMatch(
      /^error: internal error in admin enforcer: timer at act\/enforcer\.ts:214: Cannot read properties of undefined \(reading 'x'\); re-reading all watched links \(fault 1 of 5 allowed within 60 s\)$/,
    );
    expect(h.recovered).toEqual(['admin enforcer: timer']);
    expect(h.exits()).toBe(0);
  });

  it('gives the stack only at -v', () => {
    const quiet = budget('normal');
    quiet.b.fault('groups: timer', thrown());
    expect(quiet.logs.some((l) => l.startsWith('debug:'))).toBe(false);
    const verbose = budget('verbose');
    verbose.b.fault('groups: timer', thrown());
    expect(verbose.logs.filter((l) => /^debug: +at /.test(l)).length).toBeGreaterThan(0);
  });

  it(`exits at the ${FAULT_LIMIT}th fault within ${FAULT_WINDOW_MS / 1000} s, once, and recovers from the others`, () => {
    const h = budget();
    for (let i = 0; i < FAULT_LIMIT - 1; i++) {
      h.at(i * 10_000);
      h.b.fault('link sync: netlink event', new Error(`bug ${i}`));
    }
    expect(h.exits()).toBe(0);
    expect(h.recovered).toHaveLength(FAULT_LIMIT - 1);
    h.at(59_999);
    h.b.fault('link sync: netlink event', new Error('bug again'));
    expect(h.exits()).toBe(1);
    expect(h.recovered).toHaveLength(FAULT_LIMIT - 1);
    expect(h.logs.at(-1)).toBe(
      'error: internal error in link sync: netlink event: bug again; 5 faults within 60 s: exiting (70) for the supervisor to restart ifdepd; destinations are left as they are',
    );
    h.b.fault('groups: timer', new Error('after the end'));
    expect(h.exits()).toBe(1);
  });

  it('forgets faults older than the window: a steady trickle never exits', () => {
    const h = budget();
    for (let i = 0; i < 50; i++) {
      h.at(i * (FAULT_WINDOW_MS / (FAULT_LIMIT - 1)));
      h.b.fault('groups: timer', new Error('now and then'));
    }
    expect(h.exits()).toBe(0);
    expect(h.recovered).toHaveLength(50);
  });

  it('counts a recovery that throws as another fault', () => {
    const h = budget();
    h.failRecovery(new Error('recovery broken'));
    h.b.fault('groups: timer', new Error('first'));
    expect(h.exits()).toBe(1);
    expect(h.logs.filter((l) => l.includes('internal error in recovery after an internal error in'))).toHaveLength(FAULT_LIMIT - 1);
  });

  it('names no origin for what is not an Error, or has no frame of ifdepd', () => {
    expect(originOf('a string')).toBe('');
    const foreign = new Error('x');
    foreign.stack = 'Error: x\n    at foo (node:internal/whatever:1:2)';
    expect(originOf(foreign)).toBe('');
  });
});
