// --dry-run: decides and logs, never changes an interface.
import { expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { AdminRecorder, describeLab, eachLab, Lab, NOBODY, type Proc } from '../lab/index.js';

const DESTS = ['vrrp0', 'vrrp1'];
const ARGS = ['-S', 'up0', '-D', DESTS.join(':')];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeLab('--dry-run', () => {
  let lab: Lab;
  let d: Proc | undefined;
  let rec: AdminRecorder | undefined;

  eachLab((fresh) => {
    lab = fresh;
    lab.addSource('up0');
    for (const v of DESTS) lab.addDestination(v);
  });

  it('says what it would do on a failover and a recovery, and changes nothing', async () => {
    rec = await AdminRecorder.start(lab);
    const from = performance.now();
    d = await lab.daemon([...ARGS, '--dry-run', '--up-delay', '100ms']);
    expect(d.lines()[0]).toMatch(/starting: .*dry-run: nothing will be changed/);

    lab.cutCarrier('up0');
    await d.waitForLog(/default: up0 lost carrier -> destinations vrrp0,vrrp1 down/);
    await d.waitForLog(/dry-run: would set vrrp0 down/);
    await d.waitForLog(/dry-run: would set vrrp1 down/);
    await sleep(300);
    lab.restoreCarrier('up0');
    await d.waitForLog(/all sources have carrier -> destinations vrrp0,vrrp1 up \(up-delay 100 ms\)/);
    await sleep(300);

    // Someone else takes vrrp1 down while the decision is up: reported, not undone.
    lab.setDown('vrrp1');
    await d.waitForLog(/dry-run: would set vrrp1 up/);
    await sleep(300);

    expect(rec.of('vrrp0', from), d.tail()).toEqual([]);
    // The only change to vrrp1 is the one made by the test.
    expect(rec.of('vrrp1', from).map((e) => e.admin), d.tail()).toEqual(['down']);
    expect(lab.admins(DESTS)).toEqual({ vrrp0: 'up', vrrp1: 'down' });
    expect(d.count(/forcing it/), d.tail()).toBe(0);
    expect(d.count(/dry-run: would set vrrp0 down/)).toBe(1); // said once, not on every event
    expect(d.alive).toBe(true);
  });

  it('a source down at start: would set the destinations down, leaves them up', async () => {
    lab.cutCarrier('up0');
    rec = await AdminRecorder.start(lab);
    const from = performance.now();
    d = await lab.daemon([...ARGS, '-n']);
    await d.waitForLog(/at start up0 lost carrier -> destinations vrrp0,vrrp1 down/);
    await d.waitForLog(/dry-run: would set vrrp1 down/);
    await sleep(300);
    expect(DESTS.flatMap((v) => rec!.of(v, from)), d.tail()).toEqual([]);
    expect(lab.admins(DESTS)).toEqual({ vrrp0: 'up', vrrp1: 'up' });
  });

  it('runs as nobody without any capability (reading links needs no privilege), exits 0 on SIGTERM', async () => {
    d = await lab.daemon([...ARGS, '--dry-run'], { prefix: NOBODY });
    // It really runs unprivileged.
    const status = lab.exec(['cat', `/proc/${d.pid}/status`]);
    await status.exit;
    expect(status.output).toMatch(/^Uid:\s+65534\s/m);
    expect(status.output).toMatch(/^CapEff:\s+0+$/m);

    lab.cutCarrier('up0');
    await d.waitForLog(/default: up0 lost carrier -> destinations vrrp0,vrrp1 down/);
    await d.waitForLog(/dry-run: would set vrrp0 down/);
    expect(lab.admins(DESTS)).toEqual({ vrrp0: 'up', vrrp1: 'up' });
    expect(d.output).not.toMatch(/warning|error|EPERM/);

    const exit = await d.stop();
    expect(exit, d.tail()).toEqual({ code: 0, signal: null });
    expect(d.lines().at(-1)).toMatch(/SIGTERM: exiting; destinations are left as they are \(vrrp0 up, vrrp1 up\)/);
  });
});
