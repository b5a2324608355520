// `--action protodown` on the command line: the -S/-D group sets IFLA_PROTO_DOWN on its
// macvlan destinations and leaves their admin state alone. If the option were parsed but
// not passed on, the daemon would take the destinations admin down: every wait below on
// protodown would time out, and the recorder would show the admin changes.
import { expect, it } from 'vitest';
import { describeLab, eachLab, Lab, LinkRecorder, waitFor, type Proc } from '../lab/index.js';
import { readLinks } from '../lab/links.js';

const DESTS = ['vrrp0', 'vrrp1'];

describeLab('--action protodown with -S/-D', () => {
  let lab: Lab;

  eachLab((fresh) => {
    lab = fresh;
    lab.addSource('up0');
    for (const v of DESTS) lab.addDestination(v);
  });

  it('sets protodown on when the source loses carrier and off when it is back; admin stays up', async () => {
    const d: Proc = await lab.daemon(['-v', '-S', 'up0', '-D', DESTS.join(':'), '--action', 'protodown', '--up-delay', '100ms']);
    // The start line says so: an operator reading the log must not look for admin down.
    expect(d.lines().join('\n')).toMatch(/starting: sources up0 -> destinations vrrp0,vrrp1 \(action protodown, down-delay 0 ms, up-delay 100 ms\)/);
    const rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec.dump(DESTS)}\n${d.tail()}`;
    const protodown = (want: boolean) =>
      waitFor(`${DESTS.join(',')} protodown ${want ? 'on' : 'off'}`, () => DESTS.every((v) => lab.protodown(v) === want), {
        timeout: 5000,
        context: ctx,
      });
    expect(DESTS.map((v) => lab.protodown(v))).toEqual([false, false]);

    lab.cutCarrier('up0');
    await protodown(true);
    expect(lab.admins(DESTS), ctx()).toEqual({ vrrp0: 'up', vrrp1: 'up' });
    await d.waitForLog(/default: vrrp0,vrrp1 down, confirmed by the kernel after/);

    lab.restoreCarrier('up0');
    await protodown(false);
    expect(lab.admins(DESTS), ctx()).toEqual({ vrrp0: 'up', vrrp1: 'up' });

    // Every change the kernel reported was a protodown flip, none an admin change.
    for (const v of DESTS) {
      await waitFor(`the recorder to see ${v} go protodown and back`, () => rec.of(v).length >= 2, { context: ctx });
      expect(rec.of(v).map((e) => `${e.admin}${e.protodown ? '/protodown' : ''}`), ctx()).toEqual(['up/protodown', 'up']);
    }
    expect(d.alive, d.tail()).toBe(true);
  });

  it('admin stays the default: without --action the destinations go admin down', async () => {
    const d = await lab.daemon(['-S', 'up0', '-D', DESTS.join(':'), '--up-delay', '100ms']);
    expect(d.lines().join('\n')).not.toMatch(/action/);
    lab.cutCarrier('up0');
    await lab.waitAdmin(DESTS, 'down', 5000, d);
    expect(DESTS.map((v) => lab.protodown(v))).toEqual([false, false]);
  });

  // keepalived creates its VMAC admin down and sets it up itself. Protodown set in between
  // reaches operstate (and IFF_RUNNING, what keepalived reads) only when the kernel's
  // linkwatch runs, up to a second later for an admin-down interface: set up meanwhile, the
  // VMAC reads running. ifdepd makes the kernel run it at once (a GETLINK by name). Only a
  // dump shows the kernel's own pace: `ip link show dev X` and `ip link set X` are GETLINKs.
  it('a destination that appears admin down reads operstate down at once after protodown, not when linkwatch gets to it', async () => {
    lab.addSource('lan0');
    lab.ip('link', 'add', 'link', 'lan0', 'name', 'pace0', 'type', 'macvlan', 'mode', 'bridge');
    const d = await lab.daemon(['-S', 'up0', '-D', 'vrrp9', '--action', 'protodown']);
    lab.cutCarrier('up0');
    await d.waitForLog(/vrrp9 does not exist \(yet\); waiting for it/);
    const dumped = () => readLinks(lab.ns).find((l) => l.ifname === 'vrrp9');
    const context = () => `${JSON.stringify(dumped())}\n${d.tail()}`;

    // A non-urgent linkwatch run now (pace0 is admin down): the kernel's next one is ~1 s away.
    lab.ip('link', 'set', 'pace0', 'protodown', 'on');
    lab.ip('link', 'add', 'link', 'lan0', 'name', 'vrrp9', 'group', '77', 'type', 'macvlan', 'mode', 'bridge');
    await waitFor('vrrp9 protodown on, in a dump', () => dumped()?.proto_down === true, { timeout: 5000, context });
    // Left to linkwatch, ~900 ms more; synced by ifdepd, a few ms.
    await waitFor('vrrp9 operstate DOWN, in a dump', () => dumped()?.operstate === 'DOWN', { timeout: 500, context });
    // Set up as keepalived does (by group: no GETLINK), it reads up but not running.
    lab.ip('link', 'set', 'group', '77', 'up');
    const up = await waitFor('vrrp9 admin up, in a dump', () => (dumped()?.flags.includes('UP') ? dumped() : undefined), { context });
    expect(up.flags, context()).toContain('NO-CARRIER');
    expect(up.operstate, context()).not.toMatch(/^(UP|UNKNOWN)$/);
  });
});
