import type { Decision, IfIndex } from '../core/types.js';
import type { Wanted } from '../core/wanted.js';

/**
 * Where one destination stands between what is wanted of it and what the kernel says:
 * exactly one of these at a time, so that at most one request is ever in flight for it,
 * and every timer belongs to the phase that set it (leaving the phase cancels it).
 */
export type Phase =
  /** Nothing pending: the interface was last seen as wanted, or nothing could be done (dry-run). */
  | { readonly kind: 'idle' }
  /** No interface carries the name: it is set as wanted when one appears. */
  | { readonly kind: 'missing' }
  /** A write request is in flight; `request` tells its completion from one a fault left behind. */
  | { readonly kind: 'writing'; readonly decision: Decision; readonly index: IfIndex; readonly request: number }
  /** ACKed: the kernel's notification is awaited until the confirmation deadline. */
  | { readonly kind: 'acknowledged'; readonly decision: Decision; readonly index: IfIndex }
  /**
   * An ACKed write was not confirmed (in time, or before a new decision) and the link is
   * read again: until then the table's view of it may be stale (the kernel does not
   * notify every change, e.g. protodown on an interface that is admin down).
   */
  | { readonly kind: 'verifying'; readonly index: IfIndex; readonly read: number }
  /** A write failed: the next attempt waits for the retry timer (backoff). */
  | { readonly kind: 'retrying'; readonly decision: Decision };

export type PhaseKind = Phase['kind'];

/** Why the cause of a write is said: `news` when no decision line already says it. */
export interface Cause {
  readonly text: string;
  readonly news: boolean;
}

/** What happens to a destination: what the link table shows, a request's outcome, a timer, the daemon. */
export type Input =
  /** The table shows the interface as wanted (a kernel notification, a reconcile). */
  | { readonly kind: 'reached'; readonly decision: Decision; readonly index: IfIndex }
  /** The interface is there but not as wanted; `request` numbers the write this may send. */
  | {
      readonly kind: 'differs';
      readonly wanted: Wanted;
      readonly index: IfIndex;
      readonly request: number;
      readonly dryRun: boolean;
      /** Why it is written, worked out only if it is; undefined before the first full pass (the groups' "at start" lines cover it). */
      readonly cause: () => Cause | undefined;
    }
  /** No interface carries the name: a `named` one is waited for, one only a glob matched is forgotten. */
  | { readonly kind: 'gone'; readonly decision: Decision; readonly named: boolean }
  /** A new decision: a pending retry acts at once, an unconfirmed write is read back first. */
  | { readonly kind: 'renewed'; readonly read: number }
  /** The kernel ACKed write `request`. */
  | { readonly kind: 'acked'; readonly request: number }
  /** Write `request` failed; `retriable` is false when its interface went away or was re-created meanwhile. */
  | { readonly kind: 'failed'; readonly request: number; readonly err: unknown; readonly retriable: boolean }
  /** The confirmation deadline of an ACKed write passed. */
  | { readonly kind: 'deadline'; readonly read: number }
  /** The retry timer fired. */
  | { readonly kind: 'retry-due' }
  /** Re-read `read` is done: the table has the interface as the kernel has it. */
  | { readonly kind: 'read'; readonly read: number }
  /** After a fault, on close, or when no group claims it any more: nothing pending survives. */
  | { readonly kind: 'reset' };

export type InputKind = Input['kind'];

/** What a transition does besides changing the phase (enforcer.ts carries it out). */
export type Effect =
  | 'none'
  /** Send the write of a `differs` (the phase is now `writing`). */
  | 'send'
  /** Dry-run: say what would be written, once. */
  | 'announce'
  /** The interface is as wanted: say so, clear the failures. */
  | 'confirm'
  /** The interface is gone: say so, forget what was confirmed. */
  | 'lost'
  /** The interface is gone and only a glob matched it: no longer a destination. */
  | 'forgotten'
  /** ACKed: start the confirmation deadline, and look again (the notification may have come first). */
  | 'await'
  /** Read the link again (the phase is now `verifying`). */
  | 'reread'
  /** Count the failure, say it, start the retry timer (the phase is now `retrying`). */
  | 'failed'
  /** A request failed on an interface that is gone or re-created: nothing to retry; look again. */
  | 'dropped'
  /** Look at the destination again. */
  | 'recheck';

export interface Transition {
  readonly next: Phase;
  readonly effect: Effect;
}

const IDLE: Phase = { kind: 'idle' };
const stay = (phase: Phase, effect: Effect = 'none'): Transition => ({ next: phase, effect });

/**
 * The one place that says how a destination's phase changes: pure, so that every
 * phase x input pair can be checked (test/unit/act/destination-phase.test.ts).
 */
export function step(phase: Phase, input: Input): Transition {
  switch (input.kind) {
    case 'reached':
      // A re-read in progress is waited for: the table may be stale until it is done.
      if (phase.kind === 'verifying') return stay(phase);
      // A request in flight keeps its phase: its completion is still to come.
      return stay(phase.kind === 'writing' ? phase : IDLE, 'confirm');
    case 'differs':
      return differs(phase, input);
    case 'gone':
      if (phase.kind === 'verifying') return stay(phase);
      if (!input.named) return { next: IDLE, effect: 'forgotten' };
      return stay(phase.kind === 'writing' ? phase : { kind: 'missing' }, 'lost');
    case 'renewed':
      if (phase.kind === 'acknowledged') return { next: { kind: 'verifying', index: phase.index, read: input.read }, effect: 'reread' };
      if (phase.kind === 'retrying') return stay(IDLE);
      return stay(phase);
    case 'acked':
      if (phase.kind !== 'writing' || phase.request !== input.request) return stay(phase);
      return { next: { kind: 'acknowledged', decision: phase.decision, index: phase.index }, effect: 'await' };
    case 'failed':
      if (phase.kind !== 'writing' || phase.request !== input.request) return stay(phase);
      if (!input.retriable) return { next: IDLE, effect: 'dropped' };
      return { next: { kind: 'retrying', decision: phase.decision }, effect: 'failed' };
    case 'deadline':
      if (phase.kind !== 'acknowledged') return stay(phase);
      return { next: { kind: 'verifying', index: phase.index, read: input.read }, effect: 'reread' };
    case 'retry-due':
      return phase.kind === 'retrying' ? { next: IDLE, effect: 'recheck' } : stay(phase);
    case 'read':
      // A re-read a fault left behind changes nothing, but looking again does no harm.
      return stay(phase.kind === 'verifying' && phase.read === input.read ? IDLE : phase, 'recheck');
    case 'reset':
      return stay(phase.kind === 'missing' ? phase : IDLE);
  }
}

function differs(phase: Phase, input: Extract<Input, { kind: 'differs' }>): Transition {
  const decision = input.wanted.decision;
  switch (phase.kind) {
    case 'writing':
    case 'retrying':
    case 'verifying':
      // One request at a time; a retry waits for its timer (a new decision cancels it first).
      return stay(phase);
    case 'acknowledged':
      if (phase.decision === decision) return stay(phase);
      break;
    case 'idle':
    case 'missing':
      break;
  }
  if (input.dryRun) return { next: IDLE, effect: 'announce' };
  return { next: { kind: 'writing', decision, index: input.index, request: input.request }, effect: 'send' };
}

/** What is being done about a destination right now, for `ifdepd status`. */
export function activityOf(phase: Phase, failures: number): string | undefined {
  switch (phase.kind) {
    case 'writing':
      return 'request in flight';
    case 'retrying':
      return `retrying after ${failures} failure(s)`;
    case 'acknowledged':
      return 'awaiting kernel confirmation';
    case 'verifying':
      return 're-reading it from the kernel';
    case 'idle':
    case 'missing':
      return undefined;
  }
}
