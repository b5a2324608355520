// The ifdepd CLI under test (the BUILT one, dist/cli.js), and running it to completion.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cliForOthers } from './others.js';
import { CLI } from './paths.js';

export { CLI, CONTRIB, FIXTURES } from './paths.js';

/** setpriv as nobody, every capability gone: what an unprivileged operator runs. */
export const NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all'];

/** Why the namespace tests cannot run here, or null. */
export function labSkipReason(): string | null {
  if (process.platform !== 'linux') return 'netlink and network namespaces are Linux-only';
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces, veth pairs and macvlans';
  const ip = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (ip.status !== 0) return `iproute2 \`ip\` is not usable: ${(ip.error?.message ?? ip.stderr).trim()}`;
  if (!existsSync(CLI)) return `${CLI} is missing: run \`npm run build\` first`;
  return null;
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
  /**
   * Wrap the command, e.g. setpriv to drop privileges. The command then runs as someone
   * who may not enter the checkout: the copy of the CLI for other users is run (others.ts).
   */
  readonly prefix?: readonly string[];
  readonly cwd?: string;
  readonly timeout?: number;
}

/** The cli.js to run behind `prefix`: the checkout's, or, behind a prefix (another user), the copy for others. */
export function cliFor(prefix: readonly string[] | undefined): string {
  return prefix !== undefined && prefix.length > 0 ? cliForOthers() : CLI;
}

/** `node dist/cli.js ARGV` to completion; a daemon that failed to exit is killed by the timeout. */
export function cli(argv: readonly string[], opts: CliOptions = {}): CliResult {
  const command = [...(opts.prefix ?? []), process.execPath, cliFor(opts.prefix), ...argv];
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
