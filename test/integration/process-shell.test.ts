// The process shell (src/daemon/process-shell.ts, src/cli/run.ts) with the real daemon:
// what it took is let go at every exit: a layer that cannot be taken after the pidfile
// (the metrics, the control socket) still removes it; SIGTERM removes the pidfile and the
// control socket and keeps the hold file, and leaves the destinations as they are.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { holdFileFor } from '../../src/base/hold-file-path.js';
import { config, group, Lab } from '../lab/grouplab.js';
import { CLI, describeLab, perTest, waitFor, type Proc } from '../lab/index.js';

/** Runs the daemon to its exit; its exit code and output. */
async function exitOf(p: Proc): Promise<{ code: number | null; lines: string[] }> {
  await waitFor('the daemon to exit', () => !p.alive, { timeout: 10_000, context: () => p.tail() });
  return { code: p.exited?.code ?? null, lines: p.lines() };
}

describeLab('the process shell', () => {
  let lab: Lab;
  perTest(
    () => Lab.create('shell-ps'),
    (fresh) => {
      lab = fresh;
      lab.addSource('s0');
      lab.addDestination('vrrp0');
    },
  );

  /** A directory others can write: nothing is created below it. */
  function spoiled(): string {
    const dir = lab.file('spoiled');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o777);
    return dir;
  }

  it('SIGTERM: the pidfile and the control socket are removed, the hold file kept, the destinations left as they are', async () => {
    const pidfile = lab.file('ifdepd.pid');
    const d = await lab.start(config(lab, group('g', 'sources s0', 'destinations vrrp0')), { args: ['--pidfile', pidfile] });
    expect(existsSync(pidfile)).toBe(true);
    expect((await lab.ctl('hold', 'g', 'down')).code).toBe(0);
    await waitFor('vrrp0 to be forced down', () => lab.admin('vrrp0') === 'down', { context: () => d.tail() });
    expect(existsSync(holdFileFor(lab.sock))).toBe(true);

    expect((await d.stop()).code, d.tail()).toBe(0);
    expect(d.tail()).toMatch(/SIGTERM: exiting; destinations are left as they are \(vrrp0 down\)/);
    expect(existsSync(pidfile)).toBe(false);
    expect(existsSync(lab.sock)).toBe(false);
    expect(existsSync(holdFileFor(lab.sock))).toBe(true);
    expect(lab.admin('vrrp0')).toBe('down');
  });

  it('the control socket cannot be created: exit 73, one line, and the pidfile taken before it is removed', async () => {
    const pidfile = lab.file('ifdepd.pid');
    const socket = join(spoiled(), 'ctl.sock');
    const p = lab.exec([process.execPath, CLI, '-q', '-S', 's0', '-D', 'vrrp0', '--pidfile', pidfile, '--control-socket', socket]);
    const r = await exitOf(p);
    expect(r.code, p.tail()).toBe(73);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(new RegExp(`^ifdepd: control socket ${socket}: `));
    expect(existsSync(pidfile)).toBe(false);
    expect(lab.admin('vrrp0')).toBe('up');
  });

  it('the metrics cannot start: exit 73, one line, and the pidfile taken before them is removed', async () => {
    const pidfile = lab.file('ifdepd.pid');
    const prom = join(spoiled(), 'ifdepd.prom');
    const p = lab.exec([process.execPath, CLI, '-q', '-S', 's0', '-D', 'vrrp0', '--pidfile', pidfile, '--metrics-file', prom]);
    const r = await exitOf(p);
    expect(r.code, p.tail()).toBe(73);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(new RegExp(`^ifdepd: metrics file ${prom}: `));
    expect(existsSync(pidfile)).toBe(false);
  });
});
