// Interfaces that come, go, get renamed, or are changed behind the daemon's back.
import { expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { AdminRecorder, describeLab, eachLab, Lab, type Proc } from '../lab/index.js';

const DESTS = ['vrrp0', 'vrrp1'];

describeLab('tracking interfaces by name', () => {
  let lab: Lab;
  let d: Proc | undefined;
  let rec: AdminRecorder | undefined;

  eachLab((fresh) => {
    lab = fresh;
    for (const v of DESTS) lab.addDestination(v);
  });

  it('a source missing at start keeps the destinations down until it is created', async () => {
    lab.addSource('up0');
    d = await lab.daemon(['-v', '-S', 'up0:up1', '-D', DESTS.join(':'), '--up-delay', '200ms']);
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    expect(d.lines().join('\n')).toMatch(/source up1 does not exist \(yet\); waiting for it/);
    expect(d.lines().join('\n')).toMatch(/at start up1 disappeared -> destinations vrrp0,vrrp1 down|at start .*up1.* -> destinations vrrp0,vrrp1 down/);

    // Created without carrier first: existing is not enough.
    lab.addSource('up1', { carrier: false });
    await d.waitForLog(/default: source up1: missing -> (admin down|no carrier)/);
    expect(lab.admins(DESTS)).toEqual({ vrrp0: 'down', vrrp1: 'down' });
    lab.restoreCarrier('up1');
    await lab.waitAdmin(DESTS, 'up', 3000, d);
    await d.waitForLog(/all sources have carrier -> destinations vrrp0,vrrp1 up \(up-delay 200 ms\)/);
  });

  it('a source renamed away counts as missing; renamed back, it counts again', async () => {
    lab.addSource('up0');
    d = await lab.daemon(['-S', 'up0', '-D', DESTS.join(':'), '--up-delay', '100ms']);
    await lab.waitAdmin(DESTS, 'up', 3000, d);

    lab.rename('up0', 'gone0'); // live rename: the interface stays up and keeps its carrier
    expect(lab.link('gone0')?.flags).toContain('LOWER_UP');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    await d.waitForLog(/up0 (disappeared|is missing|missing) -> destinations vrrp0,vrrp1 down/);

    lab.rename('gone0', 'up0');
    await lab.waitAdmin(DESTS, 'up', 3000, d);

    // Another interface taking the name counts as the source: a new, healthy up0.
    lab.rename('up0', 'gone0');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    lab.addSource('up0', { peer: 'new0p' });
    await lab.waitAdmin(DESTS, 'up', 3000, d);
  });

  it('a source deleted counts as missing; re-created, it counts again', async () => {
    lab.addSource('up0');
    d = await lab.daemon(['-S', 'up0', '-D', DESTS.join(':'), '--up-delay', '100ms']);
    await lab.waitAdmin(DESTS, 'up', 3000, d);
    lab.del('up0'); // takes its peer with it
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    lab.addSource('up0');
    await lab.waitAdmin(DESTS, 'up', 3000, d);
  });

  it('a destination deleted and re-created admin up is forced down again ("appeared")', async () => {
    lab.addSource('up0');
    d = await lab.daemon(['-S', 'up0', '-D', DESTS.join(':')]);
    lab.cutCarrier('up0');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    const oldIndex = lab.ifindex('vrrp0');

    lab.del('vrrp0');
    await d.waitForLog(/vrrp0 disappeared; it will be set down when it comes back/);
    rec = await AdminRecorder.start(lab);
    const from = performance.now();
    lab.addDestination('vrrp0', { up: true });
    const newIndex = lab.ifindex('vrrp0');
    expect(newIndex).not.toBe(oldIndex);

    await d.waitForLog(new RegExp(`vrrp0 appeared \\(ifindex ${newIndex}\\) admin up -> forcing it down \\(up0 lost carrier\\)`));
    await lab.waitAdmin(['vrrp0'], 'down', 3000, d);
    // It really was up, then forced down.
    await rec.waitSeen('vrrp0', 'up', from, 2000);
    await rec.waitSeen('vrrp0', 'down', from, 2000);
    expect(lab.admin('vrrp1')).toBe('down');
  });

  it('a destination missing at start is set to the decision when it appears', async () => {
    lab.addSource('up0');
    d = await lab.daemon(['-S', 'up0', '-D', 'vrrp0:vrrp1:vrrp2']);
    await d.waitForLog(/destination vrrp2 does not exist \(yet\); waiting for it/);
    lab.cutCarrier('up0');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    lab.addDestination('vrrp2', { up: true });
    await d.waitForLog(/vrrp2 appeared \(ifindex \d+\) admin up -> forcing it down/);
    await lab.waitAdmin(['vrrp0', 'vrrp1', 'vrrp2'], 'down', 3000, d);
  });

  it('a destination set up by someone else while the decision is down is forced back down', async () => {
    lab.addSource('up0');
    d = await lab.daemon(['-S', 'up0', '-D', DESTS.join(':')]);
    lab.cutCarrier('up0');
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    await d.waitForLog(/vrrp0,vrrp1 down, confirmed by the kernel/);
    rec = await AdminRecorder.start(lab);
    const from = performance.now();

    lab.setUp('vrrp0');
    await d.waitForLog(/vrrp0 was set up by someone else -> forcing it down \(up0 lost carrier\)/);
    await rec.waitSeen('vrrp0', 'up', from, 2000);
    await rec.waitSeen('vrrp0', 'down', from, 2000);
    await lab.waitAdmin(DESTS, 'down', 3000, d);
    expect(rec.of('vrrp1', from)).toEqual([]); // vrrp1 untouched
  });

  it('a destination set down by someone else while the decision is up is forced back up', async () => {
    lab.addSource('up0');
    d = await lab.daemon(['-S', 'up0', '-D', DESTS.join(':')]);
    await lab.waitAdmin(DESTS, 'up', 3000, d);
    rec = await AdminRecorder.start(lab);
    const from = performance.now();

    lab.setDown('vrrp1');
    await d.waitForLog(/vrrp1 was set down by someone else -> forcing it up \(all sources have carrier\)/);
    await rec.waitSeen('vrrp1', 'down', from, 2000);
    await rec.waitSeen('vrrp1', 'up', from, 2000);
    await lab.waitAdmin(DESTS, 'up', 3000, d);
  });
});
