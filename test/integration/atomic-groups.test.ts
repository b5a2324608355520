// `atomic` in the configuration file, with the real daemon in a throw-away namespace:
// the kernel group number is refused when an interface that is not a destination is in
// it (exit 78), a re-created destination is put back in the group before the next switch,
// interfaces leave the group on reload and on exit (and stay after kill -9), and
// protodown goes through the group too.
import { expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { CLI, describeLab, waitFor } from '../lab/index.js';

const N = 64900;

describeLab('atomic groups (-f)', () => {
  let lab: Lab;
  eachLab((fresh) => (lab = fresh));

  /** The kernel group of an interface, as `ip -d link` says it ("default" is 0). */
  const groupOf = (name: string): string => /\bgroup (\S+)/.exec(lab.ip('-d', 'link', 'show', 'dev', name))?.[1] ?? '?';
  const waitGroupOf = (names: readonly string[], want: string) =>
    waitFor(`${names.join(',')} in kernel group ${want}`, () => names.every((n) => groupOf(n) === want), {
      context: () => `${names.map((n) => `${n}: ${groupOf(n)}`).join(', ')}\n${lab.daemon?.tail() ?? ''}`,
    });

  it('refuses to start, exit 78, when the group number is in use by an interface that is not a destination', async () => {
    lab.addSource('s0');
    lab.addDestination('vrrp0');
    lab.addDestination('lan0');
    lab.ip('link', 'set', 'lan0', 'group', '77');
    lab.writeConfig(config(lab, group('up', 'sources s0', 'destinations vrrp0', 'atomic group 77')));
    const p = lab.exec([process.execPath, CLI, '-f', lab.configFile]);
    const exit = await p.exit;
    expect(exit.code, p.tail()).toBe(78);
    expect(p.tail()).toMatch(/group up: atomic group 77 is in use by lan0, not destinations of this group/);
    // Nothing was touched: lan0 stays in the operator's group, vrrp0 in none.
    expect([groupOf('lan0'), groupOf('vrrp0')]).toEqual(['77', 'default']);
  });

  it('puts a re-created destination back in the group before the next switch, and every member goes down in one request', async () => {
    lab.addSource('s0');
    for (const v of ['vrrp0', 'vrrp1']) lab.addDestination(v);
    const d = await lab.start(config(lab, group('up', 'sources s0', 'destinations vrrp0 vrrp1', 'up-delay 0', 'atomic')));
    await waitGroupOf(['vrrp0', 'vrrp1'], String(N));
    // keepalived re-creates its VMAC: a new ifindex, in no group, admin up.
    lab.del('vrrp1');
    lab.addDestination('vrrp1');
    await waitGroupOf(['vrrp1'], String(N));
    const mark = d.mark();
    lab.cutCarrier('s0');
    await lab.waitAdmin(['vrrp0', 'vrrp1'], 'down');
    await d.waitForLog(new RegExp(`up: kernel group ${N} switched down in one request`), 5000, mark);
    // Had the switch missed vrrp1, its confirmation would have timed out and it been set on its own.
    expect(d.since(mark).join('\n')).not.toMatch(/not switched as one|no notification/);
  });

  it('takes out what it put in when a reload or a rename lets go and at exit; kill -9 leaves them in, and a restart leaves what it found', async () => {
    lab.addSource('s0');
    for (const v of ['vrrp0', 'vrrp1', 'vrrp2']) lab.addDestination(v);
    const conf = (dests: string) => config(lab, group('up', 'sources s0', `destinations ${dests}`, 'atomic group 4242'));
    const d = await lab.start(conf('vrrp*'));
    await waitGroupOf(['vrrp0', 'vrrp1', 'vrrp2'], '4242');
    lab.writeConfig(conf('vrrp0 vrrp1'));
    expect((await lab.ctl('reload')).code).toBe(0);
    await waitGroupOf(['vrrp2'], 'default');
    expect([groupOf('vrrp0'), groupOf('vrrp1')]).toEqual(['4242', '4242']);
    // A rename out of the glob lets it go too.
    lab.writeConfig(conf('vrrp*'));
    expect((await lab.ctl('reload')).code).toBe(0);
    await waitGroupOf(['vrrp2'], '4242');
    lab.rename('vrrp2', 'other2');
    await waitGroupOf(['other2'], 'default');

    d.signal('SIGTERM');
    expect((await d.exit).code).toBe(0);
    expect([groupOf('vrrp0'), groupOf('vrrp1')]).toEqual(['default', 'default']);

    // kill -9: nothing runs to take them out; a restart with the same configuration takes them back.
    const again = await lab.start(conf('vrrp*'));
    await waitGroupOf(['vrrp0', 'vrrp1'], '4242');
    again.signal('SIGKILL');
    await again.exit;
    expect([groupOf('vrrp0'), groupOf('vrrp1')]).toEqual(['4242', '4242']);
    const third = await lab.start(conf('vrrp*'));
    expect(third.alive).toBe(true);
    // Found in the group, not put there by this process: left in it at exit.
    third.signal('SIGTERM');
    expect((await third.exit).code).toBe(0);
    expect([groupOf('vrrp0'), groupOf('vrrp1')]).toEqual(['4242', '4242']);
  });

  it('a reload naming a group number in use by another interface is refused; the running configuration stays', async () => {
    lab.addSource('s0');
    lab.addDestination('vrrp0');
    lab.addDestination('lan0');
    lab.ip('link', 'set', 'lan0', 'group', '77');
    await lab.start(config(lab, group('up', 'sources s0', 'destinations vrrp0', 'atomic')));
    await waitGroupOf(['vrrp0'], String(N));
    lab.writeConfig(config(lab, group('up', 'sources s0', 'destinations vrrp0', 'atomic group 77')));
    const r = await lab.ctl('reload');
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/atomic group 77 is in use by lan0/);
    expect([groupOf('vrrp0'), groupOf('lan0')]).toEqual([String(N), '77']);
  });

  it('protodown goes through the group: one request, admin state untouched', async () => {
    lab.addSource('s0');
    for (const v of ['vrrp0', 'vrrp1']) lab.addDestination(v);
    const d = await lab.start(config(lab, group('pd', 'sources s0', 'destinations vrrp0 vrrp1', 'action protodown', 'up-delay 0', 'atomic')));
    await waitGroupOf(['vrrp0', 'vrrp1'], String(N));
    lab.cutCarrier('s0');
    await waitFor('protodown on', () => lab.protodown('vrrp0') === true && lab.protodown('vrrp1') === true, { context: () => d.tail() });
    expect(lab.admins(['vrrp0', 'vrrp1'])).toEqual({ vrrp0: 'up', vrrp1: 'up' });
    lab.restoreCarrier('s0');
    await waitFor('protodown off', () => lab.protodown('vrrp0') === false && lab.protodown('vrrp1') === false, { context: () => d.tail() });
    await d.waitForLog(new RegExp(`pd: kernel group ${N} switched down in one request`));
    await d.waitForLog(new RegExp(`pd: kernel group ${N} switched up in one request`));
  });
});
