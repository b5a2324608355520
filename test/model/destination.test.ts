import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NAMES, seen, World, type Command, type Scenario } from './destination-world.js';

/**
 * Model-based guard of a destination's state machine (src/act/destination-phase.ts, as the
 * Enforcer runs it): random sequences of kernel notifications, ACKs, errors, timers,
 * re-reads, decisions, faults and interfaces coming and going, with the invariants of
 * destination-world.ts checked after every step (one request in flight at most, every
 * timer owned by a phase and cancelled on reset, no retry before its backoff, confirmed
 * only as wanted), and, once everything is delivered, every destination as last decided.
 * IFDEPD_MACHINE_RUNS (else IFDEPD_MODEL_RUNS) sets the number of sequences;
 * IFDEPD_MACHINE_SEED and IFDEPD_MACHINE_PATH replay a failure as fast-check prints it.
 */
const runs = Number(process.env.IFDEPD_MACHINE_RUNS ?? process.env.IFDEPD_MODEL_RUNS ?? 1000);
const seed = Number(process.env.IFDEPD_MACHINE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const path = process.env.IFDEPD_MACHINE_PATH;
const timeout = Math.max(60_000, runs * 20);

const name = fc.constantFrom(...NAMES);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('up', 'down').map((decision) => ({ t: 'decide', decision }) as const) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('ack'), name, applies: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fail'), name, permanent: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('notify'), name }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('flip'), name }) },
  { weight: 2, arbitrary: fc.constant({ t: 'read' } as const) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('advance'), ms: fc.constantFrom(1, 99, 100, 999, 1000, 5000) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('remove'), name }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('add'), name, up: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ t: 'recover' } as const) },
  { weight: 1, arbitrary: fc.constant({ t: 'reassert' } as const) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('claim'), claimed: fc.boolean() }) },
);
const scenario: fc.Arbitrary<Scenario> = fc.record({
  // One sequence in ten in dry-run.
  dryRun: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  d1Named: fc.boolean(),
  d0Up: fc.boolean(),
  d1Up: fc.boolean(),
});

describe('destination state machine against the reference model', () => {
  it(`keeps the invariants over ${runs} random sequences`, { timeout }, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, fc.array(command, { maxLength: 60, size: 'max' }), async (sc, commands) => {
        const world = new World(sc);
        for (const c of commands) await world.run(c);
        await world.settle();
      }),
      { numRuns: runs, seed, ...(path !== undefined ? { path } : {}) },
    );
    const phases = [...seen].map(([phase, n]) => `${phase} ${n}`).join(', ');
    console.log(`destination model test: seed ${seed}, ${runs} sequences; destinations seen after a step: ${phases}`);
    // Every phase must have been reached, or the sequences test less than they seem to.
    expect(seen.size).toBe(6);
  });
});
