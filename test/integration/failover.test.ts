// Failover and recovery against the real kernel: 2 veth sources, 2 macvlan destinations.
import { expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { AdminRecorder, describeLab, eachLab, Lab, type Proc } from '../lab/index.js';

const SOURCES = ['up0', 'up1'];
const DESTS = ['vrrp0', 'vrrp1'];
const ARGS = ['-S', SOURCES.join(':'), '-D', DESTS.join(':')];

describeLab('failover and recovery', () => {
  let lab: Lab;
  let d: Proc | undefined;

  eachLab((fresh) => {
    lab = fresh;
    for (const s of SOURCES) lab.addSource(s);
    for (const v of DESTS) lab.addDestination(v);
  });

  it('one source losing carrier takes every destination down; recovery brings them up after the up-delay', async () => {
    d = await lab.daemon(['-v', ...ARGS, '--up-delay', '300ms']);
    expect(lab.admins(DESTS)).toEqual({ vrrp0: 'up', vrrp1: 'up' });

    lab.cutCarrier('up1');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    await d.waitForLog(/default: up1 lost carrier -> destinations vrrp0,vrrp1 down \(down-delay 0 ms\)/);
    await d.waitForLog(/default: vrrp0,vrrp1 down, confirmed by the kernel after/);

    const restored = performance.now();
    lab.restoreCarrier('up1');
    await lab.waitAdmin(DESTS, 'up', 3000, d);
    const took = performance.now() - restored;
    expect(took, d.tail()).toBeGreaterThanOrEqual(300);
    await d.waitForLog(/default: all sources have carrier -> destinations vrrp0,vrrp1 up \(up-delay 300 ms\)/);

    // The other source fails too, then both come back: still a single rule, all or nothing.
    lab.cutCarrier('up0');
    lab.cutCarrier('up1');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    const rec = await AdminRecorder.start(lab);
    try {
      const from = performance.now();
      lab.restoreCarrier('up0');
      await d.waitForLog(/default: source up0: no carrier -> has carrier/);
      // up1 is still without carrier: for well over the up-delay, nothing may come up.
      await new Promise((r) => setTimeout(r, 800));
      expect(rec.of('vrrp0', from).concat(rec.of('vrrp1', from)).filter((e) => e.admin !== 'down'), d.tail()).toEqual([]);
      expect(lab.admins(DESTS)).toEqual({ vrrp0: 'down', vrrp1: 'down' });
    } finally {
      rec.stop();
    }
    lab.restoreCarrier('up1');
    await lab.waitAdmin(DESTS, 'up', 3000, d);
    expect(d.alive).toBe(true);
  });

  it('a source taken admin down counts as unhealthy', async () => {
    d = await lab.daemon([...ARGS, '--up-delay', '100ms']);
    lab.setDown('up0');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    await d.waitForLog(/up0 went admin down -> destinations vrrp0,vrrp1 down/);
    lab.setUp('up0');
    await lab.waitAdmin(DESTS, 'up', 3000, d);
  });

  it('a source already without carrier at start forces the destinations down at once, without the down-delay', async () => {
    lab.cutCarrier('up0');
    const t0 = performance.now();
    // Long delays: anything that waited for one would miss the deadline below.
    d = await lab.daemon([...ARGS, '--down-delay', '20s', '--up-delay', '20s']);
    await lab.waitAdmin(DESTS, 'down', 5000, d);
    expect(performance.now() - t0, d.tail()).toBeLessThan(10_000);
    expect(d.lines().join('\n')).toMatch(/default: at start up0 lost carrier -> destinations vrrp0,vrrp1 down/);
    await d.waitForLog(/default: vrrp0,vrrp1 down, confirmed by the kernel/);
  });

  it('healthy sources at start bring an admin-down destination up at once, without the up-delay', async () => {
    lab.setDown('vrrp1');
    expect(lab.admin('vrrp1')).toBe('down');
    const t0 = performance.now();
    d = await lab.daemon([...ARGS, '--down-delay', '20s', '--up-delay', '20s']);
    await lab.waitAdmin(DESTS, 'up', 5000, d);
    expect(performance.now() - t0, d.tail()).toBeLessThan(10_000);
    expect(d.lines().join('\n')).toMatch(/default: at start all sources have carrier -> destinations vrrp0,vrrp1 up/);
  });

  it('SIGTERM exits 0 and leaves the destinations as they are', async () => {
    d = await lab.daemon([...ARGS]);
    lab.cutCarrier('up0');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    const exit = await d.stop();
    expect(exit, d.tail()).toEqual({ code: 0, signal: null });
    expect(d.lines().join('\n')).toMatch(/SIGTERM: exiting; destinations are left as they are \(vrrp0 down, vrrp1 down\)/);
    expect(lab.admins(DESTS)).toEqual({ vrrp0: 'down', vrrp1: 'down' });
  });

  it('SIGUSR1 logs the state; SIGHUP re-reads the links and keeps enforcing', async () => {
    d = await lab.daemon([...ARGS, '--up-delay', '100ms']);
    lab.cutCarrier('up1');
    await lab.waitAdmin(DESTS, 'down', 3000, d);

    d.signal('SIGUSR1');
    await d.waitForLog(/group default: DOWN +\(up1 lost carrier\)/);
    await d.waitForLog(/source up0: ok, has carrier +\(ifindex \d+\)/);
    await d.waitForLog(/source up1: FAILED, no carrier/);
    await d.waitForLog(/ vrrp1 +admin +\d+ +down +down /);

    d.signal('SIGHUP');
    await d.waitForLog(/SIGHUP: re-reading all watched links/);
    lab.restoreCarrier('up1');
    await lab.waitAdmin(DESTS, 'up', 3000, d);
    expect(d.alive, d.tail()).toBe(true);
  });
});
