// `--action protodown` on the command line: the -S/-D group sets IFLA_PROTO_DOWN on its
// macvlan destinations and leaves their admin state alone. If the option were parsed but
// not passed on, the daemon would take the destinations admin down: every wait below on
// protodown would time out, and the recorder would show the admin changes.
import { expect, it } from 'vitest';
import { describeLab, eachLab, Lab, LinkRecorder, waitFor, type Proc } from '../lab/index.js';

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
});
