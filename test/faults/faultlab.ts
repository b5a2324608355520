// Helpers of the fault suite: the lab (../lab/) in namespaces named ifdepd-f-<pid>-<rand>,
// and a few checks that several fault tests share. Like the lab, nothing here touches the
// host's interfaces: every `ip` command goes through `ip -n <ns>`, every process runs inside <ns>.
import { expect } from 'vitest';
import { Lab, type CliResult } from '../lab/index.js';

export {
  AdminRecorder,
  cli,
  CLI,
  isAlive,
  Lab,
  labSkipReason,
  NOBODY,
  Proc,
  waitFor,
  type Admin,
  type AdminEvent,
  type CliOptions,
  type CliResult,
} from '../lab/index.js';

/** The lab, in a namespace whose name says it belongs to the fault suite. */
export class FaultLab extends Lab {
  constructor() {
    super('ifdepd-f');
  }

  static override create(): FaultLab {
    return new FaultLab().open();
  }
}

/** A stack trace's frame lines, as Node prints them. */
export const STACK_FRAME = /^\s{4}at /m;

/** The failure contract: exactly one line on stderr, "ifdepd: ...", no stack trace, nothing on stdout. */
export function expectOneLineFailure(r: CliResult, code: number, message: RegExp, label = ''): void {
  const ctx = `${label}\ncode ${r.code} signal ${r.signal}\n--- stderr ---\n${r.stderr}--- stdout ---\n${r.stdout}`;
  expect(r.signal, ctx).toBeNull();
  expect(r.code, ctx).toBe(code);
  expect(r.stderr, ctx).not.toMatch(STACK_FRAME);
  expect(r.stderr.endsWith('\n'), ctx).toBe(true);
  expect(r.stderr.slice(0, -1), ctx).not.toContain('\n');
  expect(r.stderr, ctx).toMatch(/^ifdepd: /);
  expect(r.stderr.trimEnd(), ctx).toMatch(message);
  expect(r.stdout, ctx).toBe('');
}

/** A seeded generator (mulberry32), so a failing sequence of faults can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
