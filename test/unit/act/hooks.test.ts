import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HookRunner, type HookSpec, type Transition } from '../../../src/act/hooks.js';
import type { Logger, Severity } from '../../../src/logging/logger.js';
import { processGroupMembers } from '../../lab/process-group.js';

interface Logged {
  readonly severity: Severity;
  readonly text: string;
}

function capture(): { log: Logger; logged: Logged[] } {
  const logged: Logged[] = [];
  const at = (severity: Severity) => (text: string) => logged.push({ severity, text });
  return {
    logged,
    log: { error: at('error'), warning: at('warning'), notice: at('notice'), info: at('info'), debug: at('debug'), always: at('notice') },
  };
}

const transition = (over: Partial<Transition> = {}): Transition => ({
  group: 'uplink',
  state: 'down',
  reason: 'em0 lost carrier',
  sources: ['em0', 'em1'],
  destinations: ['vlan10', 'carp0'],
  dryRun: false,
  ...over,
});

let dir: string;
let runner: HookRunner;
let logged: Logged[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-hooks-'));
  const c = capture();
  logged = c.logged;
  runner = new HookRunner(c.log);
});
afterEach(() => {
  runner.close();
  rmSync(dir, { recursive: true, force: true });
});

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const hook = (path: string, args: readonly string[] = [], timeoutMs = 5000): HookSpec => ({ path, args, timeoutMs });

/** Polls until the log holds a matching line; fails with the whole log after the deadline. */
async function logLine(severity: Severity, pattern: RegExp, timeout = 5000): Promise<Logged> {
  return vi.waitFor(
    () => {
      const hit = logged.find((l) => l.severity === severity && pattern.test(l.text));
      if (hit === undefined) throw new Error(`no ${severity} ${pattern} in:\n${logged.map((l) => `${l.severity}: ${l.text}`).join('\n')}`);
      return hit;
    },
    { timeout, interval: 10 },
  );
}

const fileLines = (path: string): string[] => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l !== '') : []);

describe('HookRunner', () => {
  it('passes the transition in a minimal environment', async () => {
    const out = join(dir, 'env.out');
    runner.run([hook(script('env.sh', 'env > "$1"'), [out])], transition({ dryRun: true }));
    await logLine('debug', /^hook env\.sh \(uplink down\): done in \d+ ms$/);
    const env = new Map(fileLines(out).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env.get('PATH')).toBe('/usr/sbin:/usr/bin:/sbin:/bin');
    expect(env.get('IFDEPD_GROUP')).toBe('uplink');
    expect(env.get('IFDEPD_STATE')).toBe('down');
    expect(env.get('IFDEPD_REASON')).toBe('em0 lost carrier');
    expect(env.get('IFDEPD_SOURCES')).toBe('em0,em1');
    expect(env.get('IFDEPD_DESTINATIONS')).toBe('vlan10,carp0');
    expect(env.get('IFDEPD_DRY_RUN')).toBe('1');
    expect(env.has('HOME')).toBe(false);
    expect(env.has('NODE_OPTIONS')).toBe(false);
  });

  it('passes arguments verbatim, without a shell', async () => {
    const out = join(dir, 'args.out');
    const trap = join(dir, 'x');
    const args = [out, `$(touch ${trap})`, 'a b', '*', '; touch x'];
    runner.run([hook(script('args.sh', 'printf "%s\\n" "$@" > "$1"'), args)], transition());
    await logLine('debug', /args\.sh .*done/);
    expect(fileLines(out)).toEqual(args);
    expect(existsSync(trap)).toBe(false);
  });

  it('forwards stdout as info and stderr as warning', async () => {
    runner.run([hook(script('talk.sh', 'echo hello\necho oops >&2'))], transition({ state: 'up' }));
    await logLine('info', /^hook talk\.sh \(uplink up\): hello$/);
    await logLine('warning', /^hook talk\.sh \(uplink up\): oops$/);
  });

  it('caps line length and line count', async () => {
    const body = 'i=0\nwhile [ $i -lt 150 ]; do echo "line $i"; i=$((i+1)); done\nprintf "%01000d\\n" 0';
    runner.run([hook(script('flood.sh', `printf "%01000d\\n" 0\n${body}`))], transition());
    await logLine('debug', /flood\.sh .*done/);
    const info = logged.filter((l) => l.severity === 'info');
    expect(info).toHaveLength(100);
    expect(info[0]!.text).toBe(`hook flood.sh (uplink down): ${'0'.repeat(500)}...`);
    expect(info[1]!.text).toBe('hook flood.sh (uplink down): line 0');
    expect(logged.filter((l) => /output truncated/.test(l.text))).toHaveLength(1);
  });

  it('logs a failing exit with its status', async () => {
    runner.run([hook(script('fail.sh', 'exit 3'))], transition());
    await logLine('warning', /^hook fail\.sh \(uplink down\): exited with status 3 after \d+ ms$/);
  });

  it('kills a hook that outlives its time limit, and what it started', async () => {
    const started = Date.now();
    runner.run([hook(script('hang.sh', 'sleep 30\necho never'), [], 300)], transition());
    expect(Date.now() - started).toBeLessThan(250); // run() does not wait
    await logLine('warning', /^hook hang\.sh \(uplink down\): timed out after 300 ms, sending SIGTERM$/);
    await logLine('warning', /^hook hang\.sh \(uplink down\): killed by SIGTERM after time limit$/);
    expect(Date.now() - started).toBeLessThan(3000); // sleep's open pipe did not hold us up
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    runner.run([hook(script('stubborn.sh', "trap '' TERM\nwhile :; do sleep 0.05; done"), [], 200)], transition());
    await logLine('warning', /stubborn\.sh .*sending SIGKILL/);
    await logLine('warning', /stubborn\.sh .*killed by SIGKILL after time limit/);
  });

  it('kills what a hook left in its process group at the time limit, though the hook exited', async () => {
    const pgidFile = join(dir, 'left.pgid');
    // The hook exits at once; its child ignores SIGTERM and stays in the hook's process group.
    const body = `echo $$ > "${pgidFile}"\n(trap '' TERM; while :; do sleep 0.05; done) >/dev/null 2>&1 &\nexit 0`;
    runner.run([hook(script('left.sh', body), [], 300)], transition());
    await logLine('debug', /^hook left\.sh \(uplink down\): done in \d+ ms$/);
    const pgid = Number(readFileSync(pgidFile, 'utf8'));
    expect(processGroupMembers(pgid).length).toBeGreaterThan(0);
    await logLine('warning', /^hook left\.sh \(uplink down\): timed out after 300 ms: the hook exited but left processes in its process group, sending SIGTERM$/);
    await logLine('warning', /^hook left\.sh \(uplink down\): process group still running 1000 ms after SIGTERM, sending SIGKILL$/);
    await vi.waitFor(() => expect(processGroupMembers(pgid)).toEqual([]), { timeout: 3000, interval: 20 });
  });

  it('kills the whole group when the hook dies of SIGTERM but its child ignores it', async () => {
    const pgidFile = join(dir, 'mixed.pgid');
    const body = `echo $$ > "${pgidFile}"\n(trap '' TERM; while :; do sleep 0.05; done) >/dev/null 2>&1 &\nsleep 30`;
    runner.run([hook(script('mixed.sh', body), [], 300)], transition());
    await logLine('warning', /^hook mixed\.sh \(uplink down\): killed by SIGTERM after time limit$/);
    const pgid = Number(readFileSync(pgidFile, 'utf8'));
    await logLine('warning', /^hook mixed\.sh \(uplink down\): process group still running 1000 ms after SIGTERM, sending SIGKILL$/);
    await vi.waitFor(() => expect(processGroupMembers(pgid)).toEqual([]), { timeout: 3000, interval: 20 });
  });

  it('refuses a missing hook, a directory and a file that is not executable, with an error', async () => {
    const noexec = join(dir, 'noexec.sh');
    writeFileSync(noexec, '#!/bin/sh\n', { mode: 0o644 });
    runner.run([hook(join(dir, 'nonexistent')), hook(dir), hook(noexec)], transition());
    await logLine('error', /^hook nonexistent \(uplink down\): not run: \S+\/nonexistent does not exist$/);
    await logLine('error', /^hook ifdepd-hooks-\w+ \(uplink down\): not run: \S+ is not a regular file$/);
    await logLine('error', /^hook noexec\.sh \(uplink down\): not run: \S+noexec\.sh is not executable \(mode 0644\)$/);
  });

  it('checks again before each run: a hook made writable by others since is not run', async () => {
    const out = join(dir, 'ran.out');
    const path = script('changed.sh', 'echo ran >> "$1"');
    runner.run([hook(path, [out])], transition());
    await logLine('debug', /changed\.sh .*done/);
    chmodSync(path, 0o757);
    runner.run([hook(path, [out])], transition({ state: 'up' }));
    await logLine('error', /^hook changed\.sh \(uplink up\): not run: \S+changed\.sh is writable by group or others \(mode 0757\)$/);
    chmodSync(dir, 0o777);
    chmodSync(path, 0o755);
    runner.run([hook(path, [out])], transition());
    await logLine('error', /^hook changed\.sh \(uplink down\): not run: \S+ is writable by group or others \(mode 0777\)$/);
    expect(fileLines(out)).toEqual(['ran']);
  });

  it('runs one hook at a time per group, in transition order', async () => {
    const out = join(dir, 'order.out');
    const lock = join(dir, 'lock');
    const body = `mkdir "${lock}" || echo OVERLAP >> "$1"\necho "$IFDEPD_GROUP $IFDEPD_REASON" >> "$1"\nsleep 0.02\nrmdir "${lock}"`;
    const h = [hook(script('order.sh', body), [out])];
    for (let i = 0; i < 6; i++) runner.run(h, transition({ reason: `r${i}`, state: i % 2 === 0 ? 'down' : 'up' }));
    await vi.waitFor(() => expect(fileLines(out)).toHaveLength(6), { timeout: 5000, interval: 10 });
    expect(fileLines(out)).toEqual(['uplink r0', 'uplink r1', 'uplink r2', 'uplink r3', 'uplink r4', 'uplink r5']);
  });

  it('runs the hooks of one transition in their configured order', async () => {
    const out = join(dir, 'seq.out');
    const first = script('first.sh', 'sleep 0.05\necho first >> "$1"');
    const second = script('second.sh', 'echo second >> "$1"');
    runner.run([hook(first, [out]), hook(second, [out])], transition());
    await vi.waitFor(() => expect(fileLines(out)).toEqual(['first', 'second']), { timeout: 5000, interval: 10 });
  });

  it('runs different groups concurrently', async () => {
    const gate = join(dir, 'gate');
    const out = join(dir, 'other.out');
    const blocker = script('block.sh', `while [ ! -e "${gate}" ]; do sleep 0.02; done`);
    runner.run([hook(blocker)], transition({ group: 'slow' }));
    runner.run([hook(script('quick.sh', 'echo done > "$1"'), [out])], transition({ group: 'fast' }));
    await vi.waitFor(() => expect(fileLines(out)).toEqual(['done']), { timeout: 5000, interval: 10 });
    writeFileSync(gate, '');
    await logLine('debug', /block\.sh \(slow down\): done/);
  });

  it('keeps at most 8 transitions waiting, dropping the oldest', async () => {
    const out = join(dir, 'bound.out');
    const gate = join(dir, 'gate');
    const body = `if [ "$IFDEPD_REASON" = r0 ]; then while [ ! -e "${gate}" ]; do sleep 0.02; done; fi\necho "$IFDEPD_REASON" >> "$1"`;
    const h = [hook(script('bound.sh', body), [out])];
    for (let i = 0; i <= 10; i++) runner.run(h, transition({ reason: `r${i}` }));
    const skipped = logged.filter((l) => l.severity === 'warning' && /skipped/.test(l.text)).map((l) => l.text);
    expect(skipped).toEqual([
      'hooks (uplink): skipped transition to down (r1): 8 transitions already waiting',
      'hooks (uplink): skipped transition to down (r2): 8 transitions already waiting',
    ]);
    writeFileSync(gate, '');
    await vi.waitFor(() => expect(fileLines(out)).toHaveLength(9), { timeout: 5000, interval: 10 });
    expect(fileLines(out)).toEqual(['r0', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10']);
  });

  it('close() kills running hooks with their process groups at once and drops queued ones', async () => {
    const out = join(dir, 'closed.out');
    const pgidFile = join(dir, 'long.pgid');
    const body = `echo $$ > "${pgidFile}"\n(trap '' TERM; sleep 30) >/dev/null 2>&1 &\nsleep 30\necho "$IFDEPD_REASON" >> "$1"`;
    const h = [hook(script('long.sh', body), [out])];
    runner.run(h, transition({ reason: 'first' }));
    runner.run(h, transition({ reason: 'second' }));
    await vi.waitFor(() => expect(fileLines(pgidFile)).toHaveLength(1), { timeout: 3000, interval: 10 });
    runner.close();
    await logLine('warning', /long\.sh .*killed by SIGKILL after \d+ ms/);
    await vi.waitFor(() => expect(processGroupMembers(Number(fileLines(pgidFile)[0]))).toEqual([]), { timeout: 3000, interval: 20 });
    runner.run(h, transition({ reason: 'after close' }));
    expect(fileLines(out)).toEqual([]);
    expect(logged.filter((l) => /long\.sh/.test(l.text))).toHaveLength(1);
  });
});
