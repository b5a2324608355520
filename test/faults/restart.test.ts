// kill -9 and restart: a daemon that dies leaves the destinations as they are, and its
// successor takes over without bouncing any of them, reconciles at once what changed
// while nobody watched, and reclaims the pidfile and control socket the dead one left.
// Every admin change of the destinations is recorded (ip monitor) across the kill and
// the restart, so "no bounce" is proved, not sampled.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminRecorder, cli, FaultLab, isAlive, labSkipReason, type Proc } from './faultlab.js';

const skip = labSkipReason();
const DESTS = ['vrrp0', 'vrrp1', 'vrrp2', 'vrrp3'];
const ARGS = ['-S', 'up0:up1', '-D', DESTS.join(':'), '--up-delay', '300ms'];
/** From the successor's start decision to the kernel reporting the fix. */
const RECONCILE_MS = 500;
/** Node's start on a loaded CI machine: from spawn to the start decision. */
const BOOT_MS = 10_000;

describe.skipIf(skip !== null)(`kill -9 and restart${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let lab: FaultLab;
  let rec: AdminRecorder | undefined;
  const daemons: Proc[] = [];

  beforeEach(() => {
    lab = FaultLab.create();
    lab.addSource('up0');
    lab.addSource('up1');
    for (const d of DESTS) lab.addDestination(d);
    rec = undefined;
  });

  afterEach(() => {
    rec?.stop();
    for (const d of daemons.splice(0)) if (d.alive) d.signal('SIGKILL');
    lab.destroy();
  });

  async function start(args: readonly string[] = ARGS): Promise<Proc> {
    const d = await lab.daemon(args);
    daemons.push(d);
    return d;
  }

  async function kill9(d: Proc): Promise<void> {
    d.signal('SIGKILL');
    const exit = await d.exit;
    expect(exit.signal).toBe('SIGKILL');
    expect(isAlive(d.pid)).toBe(false);
  }

  const destEvents = (since = 0) => rec!.events.filter((e) => DESTS.includes(e.name) && e.t >= since);
  const ctx = (...ds: Proc[]) => () => `${JSON.stringify(destEvents())}\n${ds.map((d) => d.tail()).join('\n---\n')}`;

  it('destinations down (source cut): no destination moves across kill -9 and restart, three times over', async () => {
    lab.cutCarrier('up1');
    let d = await start();
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    rec = await AdminRecorder.start(lab);
    const since = performance.now();
    for (let round = 0; round < 3; round++) {
      await kill9(d);
      expect(lab.admins(DESTS)).toEqual(Object.fromEntries(DESTS.map((n) => [n, 'down'])));
      d = await start();
      expect(await d.waitForLog(/at start up1 lost carrier -> destinations \S+ down/)).toBeTruthy();
    }
    // The successor must still enforce: prove it is not merely idle.
    lab.setUp('vrrp2');
    await rec.waitSeen('vrrp2', 'down', since + 1, 3000, ctx(d));
    expect(destEvents(since).filter((e) => e.name !== 'vrrp2'), ctx(d)()).toEqual([]);
    expect(destEvents(since).map((e) => `${e.name} ${e.admin}`)).toEqual(['vrrp2 up', 'vrrp2 down']);
    expect(d.count(/forcing it (up|down)/)).toBe(1);
  });

  it('a destination flipped up while the daemon was dead is forced down at once by its successor, the rest untouched', async () => {
    lab.cutCarrier('up0');
    const first = await start();
    await lab.waitAdmin(DESTS, 'down', 3000, first);
    await kill9(first);
    rec = await AdminRecorder.start(lab);
    lab.setUp('vrrp1');
    lab.setUp('vrrp3');
    const flipped = performance.now();
    await rec.waitSeen('vrrp3', 'up', flipped - 1000, 3000);

    const spawned = performance.now();
    const second = await start();
    const decided = performance.now();
    const down1 = await rec.waitSeen('vrrp1', 'down', spawned, BOOT_MS, ctx(second));
    const down3 = await rec.waitSeen('vrrp3', 'down', spawned, BOOT_MS, ctx(second));
    console.log(
      `restart: spawn -> start decision read ${(decided - spawned).toFixed(0)} ms; ` +
        `forced down ${(down1 - decided).toFixed(0)} / ${(down3 - decided).toFixed(0)} ms after it`,
    );
    // The start decision and the writes are one step: the kernel reports them together.
    expect(Math.max(down1, down3) - decided, ctx(second)()).toBeLessThan(RECONCILE_MS);
    // Exactly our flips and the successor's fixes; vrrp0 and vrrp2 never moved.
    expect(destEvents().map((e) => `${e.name} ${e.admin}`).sort()).toEqual(['vrrp1 down', 'vrrp1 up', 'vrrp3 down', 'vrrp3 up']);
    expect(await second.waitForLog(/default: vrrp0,vrrp1,vrrp2,vrrp3 down, confirmed by the kernel/)).toBeTruthy();
  });

  it('destinations up (sources healthy): no bounce down across kill -9 and restart', async () => {
    let d = await start();
    await lab.waitAdmin(DESTS, 'up', 3000, d);
    rec = await AdminRecorder.start(lab);
    for (let round = 0; round < 3; round++) {
      await kill9(d);
      d = await start();
      await d.waitForLog(/at start all sources have carrier -> destinations \S+ up/);
    }
    // Prove the last one watches: a cut takes everything down, the restore brings it back.
    const t = performance.now();
    lab.cutCarrier('up0');
    for (const n of DESTS) await rec.waitSeen(n, 'down', t, 3000, ctx(d));
    lab.restoreCarrier('up0');
    for (const n of DESTS) await rec.waitSeen(n, 'up', t, 3000, ctx(d));
    expect(destEvents().filter((e) => e.t < t), ctx(d)()).toEqual([]);
  });

  it('a source restored while the daemon was dead: the successor brings the destinations up at start, once each', async () => {
    // Documented (ifdepd(8), Start): the delays apply only to changes seen after start.
    lab.cutCarrier('up0');
    const first = await start(['-S', 'up0:up1', '-D', DESTS.join(':'), '--up-delay', '1h']);
    await lab.waitAdmin(DESTS, 'down', 3000, first);
    await kill9(first);
    rec = await AdminRecorder.start(lab);
    lab.restoreCarrier('up0');
    const second = await start(['-S', 'up0:up1', '-D', DESTS.join(':'), '--up-delay', '1h']);
    const t = performance.now();
    await lab.waitAdmin(DESTS, 'up', 3000, second);
    for (const n of DESTS) await rec.waitSeen(n, 'up', 0, 3000, ctx(second));
    expect(rec.events.at(-1)!.t).toBeLessThan(t + 3000);
    expect(destEvents().map((e) => `${e.name} ${e.admin}`).sort()).toEqual(DESTS.map((n) => `${n} up`));
  });

  it('with -f, --pidfile and a control socket: the successor reclaims the stale pidfile and socket and answers', async () => {
    const dir = lab.tmpdir();
    const conf = join(dir, 'ifdepd.conf');
    const sock = join(dir, 'run', 'ctl.sock');
    const pid = join(dir, 'ifdepd.pid');
    writeFileSync(
      conf,
      `control-socket ${sock}\ngroup uplink {\n  sources up0 up1\n  destinations ${DESTS.join(' ')}\n  up-delay 300ms\n}\n`,
    );
    const args = ['-f', conf, '--pidfile', pid];
    lab.cutCarrier('up0');
    let d = await start(args);
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    rec = await AdminRecorder.start(lab);
    for (let round = 0; round < 2; round++) {
      await kill9(d);
      d = await start(args);
    }
    const status = cli(['status', '--json', '-s', sock], { ns: lab.ns });
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as { pid: number; groups: Array<{ name: string; decision: string }> };
    expect(report.pid).toBe(d.pid);
    expect(report.groups.map((g) => [g.name, g.decision])).toEqual([['uplink', 'down']]);
    expect(destEvents(), ctx(d)()).toEqual([]);
  });
});
