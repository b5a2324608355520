import type { Millis } from '../types.js';
import type { PingSource } from './spec.js';

/**
 * What one ping source has seen, folded from its probe's answers and misses. The
 * adapter (probe/) decides when a probe counts as missed; the verdict is made here.
 */
export interface PingState {
  /** Undefined until `up` answers or `down` misses in a row: not healthy meanwhile (fail closed). */
  readonly verdict?: boolean;
  readonly answeredInRow: number;
  readonly missedInRow: number;
  /** Wall-clock time of the last answer (epoch ms) and its round trip. */
  readonly lastReply?: number;
  readonly rttMs?: number;
  /** Why the probe is not running, while it is not (restarting, tool missing). */
  readonly stopped?: string;
  /** When the source was configured (the daemon's clock): its first verdict is awaited from then. */
  readonly configuredAt?: Millis;
}

export type PingObservation =
  | { readonly kind: 'answer'; readonly at: number; readonly rttMs: number }
  | { readonly kind: 'missed' }
  | { readonly kind: 'stopped'; readonly why: string }
  | { readonly kind: 'running' };

export const INITIAL_PING: PingState = { answeredInRow: 0, missedInRow: 0 };

/** Slack for the ping child to start and send its first probe, on a loaded machine. */
export const FIRST_VERDICT_SLACK_MS = 1000;

/**
 * Until when a ping source's first verdict is awaited: as long as its probe needs for one,
 * from when it was configured. Undefined once it has a verdict (or was never configured):
 * then it reads as it is, and no verdict is not healthy.
 */
export function firstVerdictDue(spec: PingSource, state: PingState | undefined): Millis | undefined {
  if (state?.configuredAt === undefined || state.verdict !== undefined) return undefined;
  return state.configuredAt + Math.max(spec.up, spec.down) * spec.interval + spec.timeout + FIRST_VERDICT_SLACK_MS;
}

/** The next state: `up` answers in a row make it healthy, `down` misses in a row unhealthy. */
export function observePing(state: PingState, seen: PingObservation, spec: PingSource): PingState {
  switch (seen.kind) {
    case 'answer': {
      const answeredInRow = state.answeredInRow + 1;
      const verdict = answeredInRow >= spec.up ? true : state.verdict;
      return withVerdict({ ...state, answeredInRow, missedInRow: 0, lastReply: seen.at, rttMs: seen.rttMs }, verdict);
    }
    case 'missed': {
      const missedInRow = state.missedInRow + 1;
      const verdict = missedInRow >= spec.down ? false : state.verdict;
      return withVerdict({ ...state, answeredInRow: 0, missedInRow }, verdict);
    }
    case 'stopped':
      return { ...state, stopped: seen.why };
    case 'running': {
      const { stopped: _gone, ...running } = state;
      return running;
    }
  }
}

function withVerdict(state: PingState, verdict: boolean | undefined): PingState {
  const { verdict: _old, ...rest } = state;
  return verdict === undefined ? rest : { ...rest, verdict };
}
