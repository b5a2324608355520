// --down-delay and --up-delay against the real kernel, timed from outside the daemon.
import { expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { AdminRecorder, describeLab, eachLab, Lab, type Proc } from '../lab/index.js';

const DESTS = ['vrrp0', 'vrrp1'];
const ARGS = ['-S', 'up0', '-D', DESTS.join(':')];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeLab('down-delay and up-delay', () => {
  let lab: Lab;
  let d: Proc | undefined;
  let rec: AdminRecorder | undefined;

  eachLab((fresh) => {
    lab = fresh;
    lab.addSource('up0');
    for (const v of DESTS) lab.addDestination(v);
  });

  it('--down-delay 400ms: a 100 ms carrier flap changes nothing and is logged as ignored', async () => {
    d = await lab.daemon([...ARGS, '--down-delay', '400ms', '--up-delay', '200ms']);
    await lab.waitAdmin(DESTS, 'up', 3000, d);
    rec = await AdminRecorder.start(lab);
    const from = performance.now();

    lab.cutCarrier('up0');
    await d.waitForLog(/up0 lost carrier; destinations vrrp0,vrrp1 go down in 400 ms unless that changes/);
    await sleep(100);
    lab.restoreCarrier('up0');
    await d.waitForLog(/all sources have carrier again after \d+(\.\d+)? ms: flap ignored, destinations vrrp0,vrrp1 stay up \(down-delay 400 ms\)/);
    // Observe well past the point where the down-delay would have expired.
    await sleep(700);

    const notUp = DESTS.flatMap((v) => rec!.of(v, from)).filter((e) => e.admin !== 'up');
    expect(notUp, `destinations left admin up at some point:\n${d.tail()}`).toEqual([]);
    // The recorder did see the flap itself (the source's peer), so it was listening.
    expect(rec.firstAt('up0p', 'down', from)).toBeDefined();
    expect(lab.admins(DESTS)).toEqual({ vrrp0: 'up', vrrp1: 'up' });
    expect(d.count(/-> destinations vrrp0,vrrp1 down/)).toBe(0);
  });

  it('--down-delay 400ms: a cut held longer goes down, and not before the delay', async () => {
    d = await lab.daemon([...ARGS, '--down-delay', '400ms']);
    rec = await AdminRecorder.start(lab);

    const cut = performance.now();
    lab.cutCarrier('up0');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    for (const v of DESTS) {
      const after = (await rec.waitSeen(v, 'down', cut, 1000, () => d!.tail())) - cut;
      console.log(`delays: ${v} went down ${after.toFixed(1)} ms after the cut (down-delay 400 ms)`);
      expect(after, d.tail()).toBeGreaterThanOrEqual(400);
      expect(after, d.tail()).toBeLessThan(400 + 1500);
    }
    await d.waitForLog(/default: up0 lost carrier -> destinations vrrp0,vrrp1 down \(down-delay 400 ms\)/);
  });

  it('--up-delay 600ms: destinations stay down at least that long after recovery', async () => {
    d = await lab.daemon([...ARGS, '--up-delay', '600ms']);
    lab.cutCarrier('up0');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    rec = await AdminRecorder.start(lab);

    const restored = performance.now();
    lab.restoreCarrier('up0');
    await lab.waitAdmin(DESTS, 'up', 4000, d);
    for (const v of DESTS) {
      const after = (await rec.waitSeen(v, 'up', restored, 1000, () => d!.tail())) - restored;
      console.log(`delays: ${v} came up ${after.toFixed(1)} ms after the carrier returned (up-delay 600 ms)`);
      expect(after, d.tail()).toBeGreaterThanOrEqual(600);
      expect(after, d.tail()).toBeLessThan(600 + 1500);
    }
    await d.waitForLog(/all sources have carrier -> destinations vrrp0,vrrp1 up \(up-delay 600 ms\)/);
  });

  it('--up-delay 600ms: carrier that drops again within the up-delay keeps the destinations down', async () => {
    d = await lab.daemon([...ARGS, '--up-delay', '600ms']);
    lab.cutCarrier('up0');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    rec = await AdminRecorder.start(lab);
    const from = performance.now();

    lab.restoreCarrier('up0');
    await d.waitForLog(/destinations vrrp0,vrrp1 go up in 600 ms unless that changes/);
    await sleep(200);
    lab.cutCarrier('up0');
    await d.waitForLog(/flap ignored, destinations vrrp0,vrrp1 stay down \(up-delay 600 ms\)/);
    await sleep(900);

    const notDown = DESTS.flatMap((v) => rec!.of(v, from)).filter((e) => e.admin !== 'down');
    expect(notDown, d.tail()).toEqual([]);
    expect(lab.admins(DESTS)).toEqual({ vrrp0: 'down', vrrp1: 'down' });
  });
});
