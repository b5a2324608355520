// The control socket with a real daemon: hold and release, status (text and JSON),
// refusals, no daemon, and the socket's permissions.
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../src/core/status.js';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { CLI, describeLab, LinkRecorder } from '../lab/index.js';

const UP_DELAY = 2000;

describeLab('control socket', () => {
  let lab: Lab;
  let rec: LinkRecorder | undefined;

  eachLab((fresh) => (lab = fresh));

  async function startUplink() {
    lab.addSource('u0');
    lab.addSource('u1');
    lab.addDestination('vrrp0');
    lab.addDestination('vrrp1');
    const d = await lab.start(config(lab, group('uplink', 'sources u0 u1', 'destinations vrrp0 vrrp1', 'down-delay 0', `up-delay ${UP_DELAY}ms`)));
    rec = await LinkRecorder.start(lab);
    return { d, ctx: () => `${rec!.dump(['vrrp0', 'vrrp1'])}\n${d.tail()}` };
  }

  it('hold down takes healthy destinations down, status says why, release brings them back at once', async () => {
    const { d, ctx } = await startUplink();

    let t = performance.now();
    let r = await lab.ctl('hold', 'uplink', 'down');
    expect(r, r.stderr).toEqual({ code: 0, stdout: "uplink: held down by operator until 'ifdepd release uplink'\n", stderr: '' });
    await rec!.waitAdmin('vrrp0', 'down', t, 5000, ctx);
    await rec!.waitAdmin('vrrp1', 'down', t, 5000, ctx);
    expect(d.count(/uplink: held down by operator until 'ifdepd release uplink'$/)).toBe(1);

    r = await lab.ctl('status');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('group uplink: DOWN  (held down by operator)\n');
    expect(r.stdout).toContain('  health: healthy (all sources have carrier)\n');
    expect(r.stdout).toContain('  hold: operator, held down\n');
    expect(r.stdout).toMatch(/^ {2}history: 1 transition, 0 flaps, last [\d.]+ (ms|s) ago$/m);
    expect(r.stdout).toMatch(/^ {2}source u0: ok, has carrier {2}\(ifindex \d+\)$/m);
    expect(r.stdout).toMatch(/^ {2}vrrp0 +admin +\d+ +down +down +uplink +-$/m);

    r = await lab.ctl('status', '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as DaemonStatus;
    expect(s).toMatchObject({ dryRun: false, configFile: lab.configFile });
    expect(s.groups).toHaveLength(1);
    expect(s.groups[0]).toMatchObject({
      name: 'uplink',
      policy: 'all',
      action: 'admin',
      decision: 'down',
      why: 'held down by operator',
      health: { healthy: true, reason: 'all sources have carrier' },
      hold: { kind: 'operator', decision: 'down' },
      transitions: 1,
      flaps: 0,
      destinations: ['vrrp0', 'vrrp1'],
    });
    expect(s.groups[0]!.sources.map((x) => [x.name, x.healthy])).toEqual([
      ['u0', true],
      ['u1', true],
    ]);
    expect(s.destinations.map((x) => [x.name, x.state, x.wanted, x.downBecause])).toEqual([
      ['vrrp0', 'down', 'down', ['uplink']],
      ['vrrp1', 'down', 'down', ['uplink']],
    ]);

    // The sources were healthy all along: release needs no up-delay.
    t = performance.now();
    r = await lab.ctl('release', 'uplink');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('uplink: released by operator; decision up (all sources have carrier)\n');
    const up = await rec!.waitAdmin('vrrp0', 'up', t, 5000, ctx);
    await rec!.waitAdmin('vrrp1', 'up', t, 5000, ctx);
    expect(up - t).toBeLessThan(UP_DELAY / 2);
    const g = await lab.group('uplink');
    expect(g).toMatchObject({ decision: 'up', transitions: 2 });
    expect(g.hold).toBeUndefined();
    expect(rec!.of('vrrp0').map((e) => e.admin)).toEqual(['down', 'up']);
  });

  it('release after the sources flapped during the hold waits for the up-delay', async () => {
    const { ctx } = await startUplink();
    expect((await lab.ctl('hold', 'uplink', 'down')).code).toBe(0);
    await lab.waitAdmin(['vrrp0', 'vrrp1'], 'down');
    const since = performance.now();
    lab.cutCarrier('u0');
    await lab.waitGroup('uplink', 'u0 failed', (g) => g.flaps === 1);
    const restored = performance.now();
    lab.restoreCarrier('u0');
    const held = await lab.waitGroup('uplink', 'waiting for the up-delay', (g) => g.pending?.target === 'up');
    expect(held).toMatchObject({ decision: 'down', why: 'held down by operator', pending: { delay: 'up-delay' } });
    const r = await lab.ctl('release', 'uplink');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^uplink: released by operator; decision down \(all sources have carrier; up in \d+ ms \(up-delay\)\)\n$/);
    const up = await rec!.waitAdmin('vrrp0', 'up', since, 5000, ctx);
    expect(up - restored, ctx()).toBeGreaterThanOrEqual(UP_DELAY - 100);
    // Down once (the hold), up once (the up-delay): nothing in between.
    expect(rec!.of('vrrp0').map((e) => e.admin)).toEqual(['down', 'up']);
  });

  it('hold up keeps destinations up while a source fails', async () => {
    const { ctx } = await startUplink();
    let t = performance.now();
    lab.cutCarrier('u1');
    await rec!.waitAdmin('vrrp0', 'down', t, 5000, ctx);
    t = performance.now();
    expect((await lab.ctl('hold', 'uplink', 'up')).code).toBe(0);
    await rec!.waitAdmin('vrrp0', 'up', t, 5000, ctx);
    await rec!.waitAdmin('vrrp1', 'up', t, 5000, ctx);
    expect(await lab.group('uplink')).toMatchObject({
      decision: 'up',
      why: 'held up by operator',
      health: { healthy: false, reason: 'u1 lost carrier' },
      hold: { kind: 'operator', decision: 'up' },
    });
    t = performance.now();
    expect((await lab.ctl('release', 'uplink')).stdout).toBe('uplink: released by operator; decision down (u1 lost carrier)\n');
    await rec!.waitAdmin('vrrp0', 'down', t, 5000, ctx);
  });

  it('refuses what it cannot do, with exit codes scripts can tell apart', async () => {
    const { d } = await startUplink();
    let r = await lab.ctl('hold', 'nosuch', 'down');
    expect(r.code).toBe(65);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("ifdepd: no group named 'nosuch' (groups: uplink)\n");
    r = await lab.ctl('release', 'uplink');
    expect(r.code).toBe(65);
    expect(r.stderr).toBe('ifdepd: group uplink is not held\n');
    r = await lab.ctl('hold', 'uplink', 'sideways');
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("hold: state must be down or up, not 'sideways'");
    r = await lab.ctl('hold', 'bad/name', 'down');
    expect(r.code).toBe(65);
    expect(r.stderr).toContain("invalid 'group'");
    // None of it changed anything.
    expect(rec!.events.filter((e) => e.name.startsWith('vrrp'))).toEqual([]);
    expect(d.alive).toBe(true);

    // The socket: 0600 in a directory the daemon created 0700, both root's.
    const sock = statSync(lab.sock);
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    expect(sock.uid).toBe(0);
    expect(statSync(dirname(lab.sock)).mode & 0o777).toBe(0o700);

    // No daemon: 69, before and after one ran there.
    r = await lab.client(['status', '-s', join(lab.dir, 'nothing.sock')]);
    expect(r.code).toBe(69);
    expect(r.stderr).toContain(`no ifdepd is listening on ${join(lab.dir, 'nothing.sock')}`);
    await d.stop();
    r = await lab.ctl('status');
    expect(r.code).toBe(69);
    expect(r.stderr).toContain(`no ifdepd is listening on ${lab.sock}`);
    r = await lab.ctl('hold', 'uplink', 'down');
    expect(r.code).toBe(69);
  });
});

// `ifdepd status` needs no privileges to be refused: the no-daemon case runs anywhere.
describe('control client without a daemon', () => {
  it('exits 69 when nothing listens', async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(process.execPath, [CLI, 'reload', '-s', '/nonexistent/ifdepd-test.sock'], (err, _out, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stderr }),
      ),
    );
    expect(r.code).toBe(69);
    expect(r.stderr).toBe('ifdepd: no ifdepd is listening on /nonexistent/ifdepd-test.sock (is it running with a control socket?)\n');
  });
});
