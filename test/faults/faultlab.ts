// Helpers of the fault suite: the integration lab (../integration/lab.ts) in namespaces
// named ifdepd-f-<pid>-<rand>, the built CLI run to completion, and a few checks that
// several fault tests share. Like the lab, nothing here touches the host's interfaces:
// every `ip` command goes through `ip -n <ns>`, every process runs inside <ns>.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { expect } from 'vitest';
import { CLI, Lab, type Admin } from '../integration/lab.js';

export { AdminRecorder, CLI, isAlive, Lab, labSkipReason, Proc, waitFor, type Admin, type AdminEvent } from '../integration/lab.js';

/** The integration lab, in a namespace whose name says it belongs to the fault suite. */
export class FaultLab extends Lab {
  constructor() {
    super('ifdepd-f');
  }

  static override create(): FaultLab {
    return new FaultLab().open();
  }
}

/**
 * Admin state of `names`, read in one `ip -j link show` with room for thousands of
 * interfaces (Lab.allAdmins() is limited to execFileSync's 1 MiB of output).
 */
export function adminsAtScale(lab: Lab, names: readonly string[]): Record<string, Admin> {
  const r = spawnSync('ip', ['-n', lab.ns, '-j', 'link', 'show'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`ip link show failed: ${r.stderr}`);
  const all = new Map((JSON.parse(r.stdout) as Array<{ ifname: string; flags: string[] }>).map((l) => [l.ifname, l.flags.includes('UP')]));
  return Object.fromEntries(names.map((n) => [n, all.has(n) ? (all.get(n) ? 'up' : 'down') : 'missing']));
}

/** Every link of the namespace, however many. */
export function linksAtScale(lab: Lab): Array<{ ifname: string; flags: string[] }> {
  const r = spawnSync('ip', ['-n', lab.ns, '-j', 'link', 'show'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`ip link show failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Array<{ ifname: string; flags: string[] }>;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Run inside this namespace (ip netns exec). */
  readonly ns?: string;
  /** Wrap the command, e.g. setpriv to drop privileges. */
  readonly prefix?: readonly string[];
  readonly cwd?: string;
  readonly timeout?: number;
}

/** `node dist/cli.js ARGV` to completion; a daemon that failed to exit is killed by the timeout. */
export function cli(argv: readonly string[], opts: CliOptions = {}): CliResult {
  const command = [...(opts.prefix ?? []), process.execPath, CLI, ...argv];
  const [file, ...args] = opts.ns === undefined ? command : ['ip', 'netns', 'exec', opts.ns, ...command];
  const r: SpawnSyncReturns<string> = spawnSync(file!, args, {
    encoding: 'utf8',
    timeout: opts.timeout ?? 10_000,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw r.error;
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
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
