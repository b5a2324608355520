// `ifdepd demo` end to end: it builds its own namespace, runs the real daemon, and its
// timeline and summary must show what the kernel did: cut -> down after the down-delay,
// restore -> up after the up-delay, short flaps swallowed, a destination raised by hand
// forced back. Afterwards nothing of it may remain, however it ended.
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliFor, labSkipReason } from '../lab/index.js';

const skip = labSkipReason();
if (skip) console.warn(`demo: skipped: ${skip}`);

const NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all'];

interface Run {
  readonly pid: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ifdepd demo`; with `interruptOn`, sends SIGINT once stdout matches it. */
function demo(args: readonly string[] = [], opts: { prefix?: readonly string[]; interruptOn?: RegExp } = {}): Promise<Run> {
  const argv = [...(opts.prefix ?? []), process.execPath, cliFor(opts.prefix), 'demo', ...args];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  let interrupted = false;
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (opts.interruptOn && !interrupted && opts.interruptOn.test(stdout)) {
      interrupted = true;
      child.kill('SIGINT');
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ pid: child.pid!, code, stdout, stderr });
    }),
  );
}

/** The timeline section of step `n` ("4. flap up0 ..."), up to the next step. */
function section(stdout: string, n: number): string {
  const start = stdout.search(new RegExp(`^${n}\\. `, 'm'));
  expect(start, `section ${n} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  const rest = stdout.slice(start);
  const end = rest.slice(1).search(/^(\d+\. |Summary$)/m);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

/** The summary row of step `n`: its cells, split on runs of two or more blanks. */
function row(stdout: string, n: number): string[] {
  const line = stdout.split('\n').find((l) => new RegExp(`^\\s+${n}  `).test(l));
  expect(line, `summary row ${n} in:\n${stdout}`).toBeDefined();
  return line!.trim().split(/\s{2,}/);
}

const reaction = (cells: readonly string[]): number => Number(/^([\d.]+) ms$/.exec(cells[4]!)?.[1] ?? NaN);

function namespaces(): string[] {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]!);
}

/** Every trace of run `pid`: its namespace, and any process still naming it. */
function traces(pid: number): string[] {
  const ns = `ifdepd-demo-${pid}`;
  const procs = spawnSync('pgrep', ['-af', ns], { encoding: 'utf8' }).stdout.trim();
  return [...namespaces().filter((n) => n === ns), ...(procs ? [procs] : [])];
}

describe.skipIf(skip !== null)('ifdepd demo', () => {
  it('plays the script: the timeline and the summary show every reaction, and nothing remains', async () => {
    const r = await demo();
    const out = `${r.stdout}\n--- stderr ---\n${r.stderr}`;
    expect(r.code, out).toBe(0);
    expect(r.stdout).toContain(`in network namespace ifdepd-demo-${r.pid}`);

    // Cut: the kernel reports the carrier loss, then both destinations down, no sooner than the down-delay.
    const cut = section(r.stdout, 2);
    expect(cut).toMatch(/demo +cut up0 carrier: ip link set sw-up0 down[\s\S]*kernel +up0 lost carrier/);
    expect(cut).toMatch(/ifdepd +default: up0 lost carrier -> destinations vrrp\.51,vrrp\.52 down \(down-delay 300 ms\)/);
    expect(cut).toMatch(/kernel +vrrp\.51 admin down +\(\+[\d.]+ ms\)/);
    expect(cut).toMatch(/kernel +vrrp\.52 admin down +\(\+[\d.]+ ms\)/);
    expect(reaction(row(r.stdout, 2))).toBeGreaterThanOrEqual(300);

    // Restore: up again, but only after the 1 s up-delay.
    const restore = section(r.stdout, 3);
    expect(restore).toMatch(/kernel +vrrp\.51 admin up +\(\+[\d.]+ ms\)/);
    expect(restore).toMatch(/kernel +vrrp\.52 admin up +\(\+[\d.]+ ms\)/);
    expect(reaction(row(r.stdout, 3))).toBeGreaterThanOrEqual(1000);

    // Flaps: three short carrier losses, each swallowed, and no destination touched.
    const flaps = section(r.stdout, 4);
    expect(flaps.match(/kernel +up0 lost carrier/g)).toHaveLength(3);
    expect(flaps.match(/flap ignored, destinations vrrp\.51,vrrp\.52 stay up/g)).toHaveLength(3);
    expect(flaps).not.toMatch(/kernel +vrrp\.5\d admin/);
    expect(row(r.stdout, 4).slice(3)).toEqual(['no change, 3 flaps ignored', '-', 'ok']);

    // Behind its back: vrrp.51 raised by hand while the uplink is down, and forced back.
    const forced = section(r.stdout, 6);
    // The kernel's "admin up" and ifdepd's line about it carry the same millisecond and may
    // be listed either way round; so do ifdepd's line and the kernel's "admin down" (the
    // request leaves before the line is said). All three must be there, the down after the up.
    const forcedLines = forced.split('\n');
    const raised = forcedLines.findIndex((l) => /kernel +vrrp\.51 admin up/.test(l));
    const noticed = forcedLines.findIndex((l) => /vrrp\.51 was set up by someone else -> forcing it down/.test(l));
    const lowered = forcedLines.findIndex((l) => /kernel +vrrp\.51 admin down +\(\+[\d.]+ ms\)/.test(l));
    expect(raised, forced).toBeGreaterThanOrEqual(0);
    expect(noticed, forced).toBeGreaterThanOrEqual(0);
    expect(lowered, forced).toBeGreaterThan(raised);
    expect(row(r.stdout, 6).slice(3, 4)).toEqual(['vrrp.51 down again']);
    expect(reaction(row(r.stdout, 6))).toBeGreaterThan(0);

    // The summary: a header, seven rows all ok, a verdict.
    expect(r.stdout).toMatch(/^Summary\n +# +ACTION +EXPECTED +OBSERVED +REACTION +RESULT$/m);
    for (let n = 1; n <= 7; n++) expect(row(r.stdout, n).at(-1), `step ${n}`).toBe('ok');
    expect(r.stdout).toContain('ifdepd behaved as expected in all 7 steps.');
    expect(section(r.stdout, 8)).toMatch(/ifdepd exited with status 0/);

    // Plain text when not a terminal.
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(traces(r.pid)).toEqual([]);
  });

  it('removes the namespace and its processes when interrupted with SIGINT', async () => {
    const r = await demo([], { interruptOn: /^3\. /m });
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain(`interrupted (SIGINT); namespace ifdepd-demo-${r.pid} removed`);
    expect(traces(r.pid)).toEqual([]);
  });

  it('refuses to run without root, with one line and exit 77', async () => {
    const r = await demo([], { prefix: NOBODY });
    expect(r.code, r.stderr).toBe(77);
    expect(r.stderr).toBe('ifdepd demo builds network namespaces: run it as root\n');
    expect(r.stdout).toBe('');
    expect(traces(r.pid)).toEqual([]);
  });

  it('refuses an unknown option with a usage error', async () => {
    const r = await demo(['--bogus']);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^ifdepd demo: unknown option '--bogus'\n$/);
  });
});
