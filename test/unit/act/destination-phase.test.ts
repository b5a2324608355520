// Every phase x every input of a destination's state machine (src/act/destination-phase.ts),
// as one table: a phase or an input added to the machine without its row or column here is
// a type error, so a missing case is visible.
import { describe, expect, it } from 'vitest';
import { activityOf, step, type Effect, type Input, type InputKind, type Phase, type PhaseKind } from '../../../src/act/destination-phase.js';
import type { Decision, IfIndex } from '../../../src/core/types.js';
import type { Wanted } from '../../../src/core/wanted.js';

const INDEX = 5 as IfIndex;
const wanted = (decision: Decision): Wanted => ({ decision, because: 'em0 lost carrier', downBecause: [], named: true });
const differs = (decision: Decision, dryRun = false): Input => ({ kind: 'differs', wanted: wanted(decision), index: INDEX, request: 7, dryRun, cause: () => undefined });

/** One of each phase; the pending decision of those that have one is `down`, the request 1, the re-read 1. */
const PHASES: Record<PhaseKind, Phase> = {
  idle: { kind: 'idle' },
  missing: { kind: 'missing' },
  writing: { kind: 'writing', decision: 'down', index: INDEX, request: 1 },
  acknowledged: { kind: 'acknowledged', decision: 'down', index: INDEX },
  verifying: { kind: 'verifying', index: INDEX, read: 1 },
  retrying: { kind: 'retrying', decision: 'down' },
};

/** Every input, with the variants that matter: the same or another decision, a completion of this request or a stale one. */
const INPUTS = {
  'kernel: as wanted': { kind: 'reached', decision: 'down', index: INDEX },
  'kernel: differs, wanted down': differs('down'),
  'kernel: differs, wanted up': differs('up'),
  'kernel: differs, dry-run': differs('up', true),
  'interface gone (named)': { kind: 'gone', decision: 'down', named: true },
  'interface gone (glob)': { kind: 'gone', decision: 'down', named: false },
  'new decision': { kind: 'renewed', read: 9 },
  ACK: { kind: 'acked', request: 1 },
  'ACK, stale': { kind: 'acked', request: 2 },
  error: { kind: 'failed', request: 1, err: new Error('ENOBUFS'), retriable: true },
  'error, interface gone': { kind: 'failed', request: 1, err: new Error('ENODEV'), retriable: false },
  'error, stale': { kind: 'failed', request: 2, err: new Error('ENOBUFS'), retriable: true },
  deadline: { kind: 'deadline', read: 9 },
  'retry timer': { kind: 'retry-due' },
  're-read done': { kind: 'read', read: 1 },
  're-read done, stale': { kind: 'read', read: 2 },
  'reset (fault, close, forget)': { kind: 'reset' },
} as const satisfies Record<string, Input>;
type InputCase = keyof typeof INPUTS;

type Row = Record<InputCase, readonly [PhaseKind, Effect]>;

// prettier-ignore
const TABLE: Record<PhaseKind, Row> = {
  idle: {
    'kernel: as wanted': ['idle', 'confirm'],
    'kernel: differs, wanted down': ['writing', 'send'],
    'kernel: differs, wanted up': ['writing', 'send'],
    'kernel: differs, dry-run': ['idle', 'announce'],
    'interface gone (named)': ['missing', 'lost'],
    'interface gone (glob)': ['idle', 'forgotten'],
    'new decision': ['idle', 'none'],
    ACK: ['idle', 'none'],
    'ACK, stale': ['idle', 'none'],
    error: ['idle', 'none'],
    'error, interface gone': ['idle', 'none'],
    'error, stale': ['idle', 'none'],
    deadline: ['idle', 'none'],
    'retry timer': ['idle', 'none'],
    're-read done': ['idle', 'recheck'],
    're-read done, stale': ['idle', 'recheck'],
    'reset (fault, close, forget)': ['idle', 'none'],
  },
  missing: {
    'kernel: as wanted': ['idle', 'confirm'],
    'kernel: differs, wanted down': ['writing', 'send'],
    'kernel: differs, wanted up': ['writing', 'send'],
    'kernel: differs, dry-run': ['idle', 'announce'],
    'interface gone (named)': ['missing', 'lost'],
    'interface gone (glob)': ['idle', 'forgotten'],
    'new decision': ['missing', 'none'],
    ACK: ['missing', 'none'],
    'ACK, stale': ['missing', 'none'],
    error: ['missing', 'none'],
    'error, interface gone': ['missing', 'none'],
    'error, stale': ['missing', 'none'],
    deadline: ['missing', 'none'],
    'retry timer': ['missing', 'none'],
    're-read done': ['missing', 'recheck'],
    're-read done, stale': ['missing', 'recheck'],
    'reset (fault, close, forget)': ['missing', 'none'],
  },
  writing: {
    // Confirmed before its ACK: the request is still in flight.
    'kernel: as wanted': ['writing', 'confirm'],
    'kernel: differs, wanted down': ['writing', 'none'],
    'kernel: differs, wanted up': ['writing', 'none'],
    'kernel: differs, dry-run': ['writing', 'none'],
    'interface gone (named)': ['writing', 'lost'],
    'interface gone (glob)': ['idle', 'forgotten'],
    'new decision': ['writing', 'none'],
    ACK: ['acknowledged', 'await'],
    'ACK, stale': ['writing', 'none'],
    error: ['retrying', 'failed'],
    'error, interface gone': ['idle', 'dropped'],
    'error, stale': ['writing', 'none'],
    deadline: ['writing', 'none'],
    'retry timer': ['writing', 'none'],
    're-read done': ['writing', 'recheck'],
    're-read done, stale': ['writing', 'recheck'],
    'reset (fault, close, forget)': ['idle', 'none'],
  },
  acknowledged: {
    'kernel: as wanted': ['idle', 'confirm'],
    'kernel: differs, wanted down': ['acknowledged', 'none'],
    'kernel: differs, wanted up': ['writing', 'send'],
    'kernel: differs, dry-run': ['idle', 'announce'],
    'interface gone (named)': ['missing', 'lost'],
    'interface gone (glob)': ['idle', 'forgotten'],
    'new decision': ['verifying', 'reread'],
    ACK: ['acknowledged', 'none'],
    'ACK, stale': ['acknowledged', 'none'],
    error: ['acknowledged', 'none'],
    'error, interface gone': ['acknowledged', 'none'],
    'error, stale': ['acknowledged', 'none'],
    deadline: ['verifying', 'reread'],
    'retry timer': ['acknowledged', 'none'],
    're-read done': ['acknowledged', 'recheck'],
    're-read done, stale': ['acknowledged', 'recheck'],
    'reset (fault, close, forget)': ['idle', 'none'],
  },
  verifying: {
    // The table may be stale until the re-read is in: nothing it shows is acted on.
    'kernel: as wanted': ['verifying', 'none'],
    'kernel: differs, wanted down': ['verifying', 'none'],
    'kernel: differs, wanted up': ['verifying', 'none'],
    'kernel: differs, dry-run': ['verifying', 'none'],
    'interface gone (named)': ['verifying', 'none'],
    'interface gone (glob)': ['verifying', 'none'],
    'new decision': ['verifying', 'none'],
    ACK: ['verifying', 'none'],
    'ACK, stale': ['verifying', 'none'],
    error: ['verifying', 'none'],
    'error, interface gone': ['verifying', 'none'],
    'error, stale': ['verifying', 'none'],
    deadline: ['verifying', 'none'],
    'retry timer': ['verifying', 'none'],
    're-read done': ['idle', 'recheck'],
    're-read done, stale': ['verifying', 'recheck'],
    'reset (fault, close, forget)': ['idle', 'none'],
  },
  retrying: {
    'kernel: as wanted': ['idle', 'confirm'],
    'kernel: differs, wanted down': ['retrying', 'none'],
    'kernel: differs, wanted up': ['retrying', 'none'],
    'kernel: differs, dry-run': ['retrying', 'none'],
    'interface gone (named)': ['missing', 'lost'],
    'interface gone (glob)': ['idle', 'forgotten'],
    'new decision': ['idle', 'none'],
    ACK: ['retrying', 'none'],
    'ACK, stale': ['retrying', 'none'],
    error: ['retrying', 'none'],
    'error, interface gone': ['retrying', 'none'],
    'error, stale': ['retrying', 'none'],
    deadline: ['retrying', 'none'],
    'retry timer': ['idle', 'recheck'],
    're-read done': ['retrying', 'recheck'],
    're-read done, stale': ['retrying', 'recheck'],
    'reset (fault, close, forget)': ['idle', 'none'],
  },
};

const cases = Object.entries(TABLE).flatMap(([phase, row]) =>
  Object.entries(row).map(([input, [next, effect]]) => ({ phase: phase as PhaseKind, input: input as InputCase, next, effect })),
);

describe('destination phases: every phase x every input', () => {
  it('the table covers every kind of input', () => {
    const every: Record<InputKind, true> = {
      reached: true,
      differs: true,
      gone: true,
      renewed: true,
      acked: true,
      failed: true,
      deadline: true,
      'retry-due': true,
      read: true,
      reset: true,
    };
    expect(new Set(Object.values(INPUTS).map((i) => i.kind))).toEqual(new Set(Object.keys(every)));
    expect(cases).toHaveLength(Object.keys(PHASES).length * Object.keys(INPUTS).length);
  });

  it.each(cases)('$phase + $input -> $next ($effect)', ({ phase, input, next, effect }) => {
    const t = step(PHASES[phase], INPUTS[input]);
    expect([t.next.kind, t.effect]).toEqual([next, effect]);
  });

  it('a phase that does not change stays the same object, so that its timer is not touched', () => {
    for (const { phase, input, next } of cases) {
      const before = PHASES[phase];
      const t = step(before, INPUTS[input]);
      if (next === phase && phase !== 'idle' && phase !== 'missing') expect(t.next, `${phase} + ${input}`).toBe(before);
    }
  });
});

describe('destination phases: what a phase carries', () => {
  it('a write carries its decision, interface and request number', () => {
    expect(step(PHASES.idle, differs('up')).next).toEqual({ kind: 'writing', decision: 'up', index: INDEX, request: 7 });
  });

  it('an ACK keeps the decision and interface of its write', () => {
    expect(step(PHASES.writing, INPUTS.ACK).next).toEqual({ kind: 'acknowledged', decision: 'down', index: INDEX });
  });

  it('a re-read reads the interface that was written, under its own number', () => {
    expect(step(PHASES.acknowledged, INPUTS.deadline).next).toEqual({ kind: 'verifying', index: INDEX, read: 9 });
    expect(step(PHASES.acknowledged, INPUTS['new decision']).next).toEqual({ kind: 'verifying', index: INDEX, read: 9 });
  });

  it('a failed write is retried with the decision it was writing', () => {
    expect(step(PHASES.writing, INPUTS.error).next).toEqual({ kind: 'retrying', decision: 'down' });
  });
});

describe('destination phases: status activity', () => {
  it.each([
    ['idle', undefined],
    ['missing', undefined],
    ['writing', 'request in flight'],
    ['acknowledged', 'awaiting kernel confirmation'],
    ['verifying', 're-reading it from the kernel'],
    ['retrying', 'retrying after 3 failure(s)'],
  ] as const)('%s: %s', (phase, activity) => {
    expect(activityOf(PHASES[phase], 3)).toBe(activity);
  });
});
