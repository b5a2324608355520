// Route and address sources (issue 11), against the real kernel: routes added and deleted
// with `ip route` (the main table, another table, IPv6, a multipath route losing a next
// hop) and addresses (IPv4; IPv6 through DAD: tentative is not healthy yet).
import { expect, it } from 'vitest';
import type { SourceStatus } from '../../src/core/status.js';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { describeLab } from '../lab/index.js';

const source = async (lab: Lab, g: string, name: string): Promise<SourceStatus> => {
  const found = (await lab.group(g)).sources.find((s) => s.name === name);
  if (found === undefined) throw new Error(`group ${g} has no source ${name}`);
  return found;
};

describeLab('route sources', () => {
  let lab: Lab;
  eachLab((fresh) => (lab = fresh));

  it('follow routes in the main table, another table and IPv6, and a multipath route losing its next hop', async () => {
    lab.addSource('up0');
    lab.addSource('up1');
    lab.ip('addr', 'add', '10.0.0.2/24', 'dev', 'up0');
    lab.ip('addr', 'add', '10.0.1.2/24', 'dev', 'up1');
    for (const d of ['d0', 'd1', 'd2', 'd3']) lab.addDestination(d);
    const d = await lab.start(
      config(
        lab,
        group('main', 'route default via 10.0.0.1 dev up0', 'destinations d0', 'up-delay 0'),
        group('other', 'route 198.51.100.0/24 table 100', 'destinations d1', 'up-delay 0'),
        group('multi', 'route 203.0.113.0/24 dev up1', 'destinations d2', 'up-delay 0'),
        group('six', 'route ::/0 dev up0', 'destinations d3', 'up-delay 0'),
      ),
    );
    // No route yet: every group is down, and says why.
    await lab.waitAdmin(['d0', 'd1', 'd2', 'd3'], 'down');
    expect(await source(lab, 'main', 'route default dev up0 via 10.0.0.1')).toMatchObject({ kind: 'route', healthy: false, reason: 'absent' });

    let mark = d.mark();
    lab.ip('route', 'add', 'default', 'via', '10.0.0.1', 'dev', 'up0');
    await lab.waitAdmin(['d0'], 'up');
    // The source's own change is said, with its evidence, beside the decision.
    await d.waitForLog(/main: route default dev up0 via 10\.0\.0\.1: present -> healthy \(since \d\d:\d\d:\d\d via 10\.0\.0\.1 dev up0\)/, 5000, mark);
    const present = await source(lab, 'main', 'route default dev up0 via 10.0.0.1');
    expect(present).toMatchObject({ kind: 'route', healthy: true, reason: 'present' });
    expect(present.evidence).toMatch(/^since \d\d:\d\d:\d\d via 10\.0\.0\.1 dev up0$/);

    // Another table: a route in main does not count.
    lab.ip('route', 'add', '198.51.100.0/24', 'via', '10.0.0.1');
    lab.ip('route', 'add', '198.51.100.0/24', 'via', '10.0.1.1', 'table', '100');
    await lab.waitAdmin(['d1'], 'up');
    lab.ip('route', 'del', '198.51.100.0/24', 'table', '100');
    await lab.waitAdmin(['d1'], 'down');

    // A multipath route counts while its next hop through up1 is alive.
    lab.ip('route', 'add', '203.0.113.0/24', 'nexthop', 'via', '10.0.0.1', 'dev', 'up0', 'nexthop', 'via', '10.0.1.1', 'dev', 'up1');
    await lab.waitAdmin(['d2'], 'up');
    mark = d.mark();
    lab.cutCarrier('up1');
    await lab.waitAdmin(['d2'], 'down');
    expect(await source(lab, 'multi', 'route 203.0.113.0/24 dev up1')).toMatchObject({ healthy: false, reason: 'next hop down' });
    await d.waitForLog(/multi: route 203\.0\.113\.0\/24 dev up1 has no live next hop -> destinations d2 down/, 5000, mark);
    lab.restoreCarrier('up1');
    await lab.waitAdmin(['d2'], 'up');
    // up0's carrier is not what the route depends on.
    lab.cutCarrier('up0');
    await lab.waitAdmin(['d0'], 'down');
    expect(lab.admin('d2')).toBe('up');
    lab.restoreCarrier('up0');
    await lab.waitAdmin(['d0'], 'up');

    // IPv6: the default route through up0.
    lab.ip('-6', 'route', 'add', 'default', 'via', 'fe80::1', 'dev', 'up0');
    await lab.waitAdmin(['d3'], 'up');

    // Deleted: down, and the log says which route.
    mark = d.mark();
    lab.ip('route', 'del', 'default');
    await lab.waitAdmin(['d0'], 'down');
    await d.waitForLog(/main: route default dev up0 via 10\.0\.0\.1 is absent -> destinations d0 down/, 5000, mark);
    lab.ip('-6', 'route', 'del', 'default', 'dev', 'up0');
    await lab.waitAdmin(['d3'], 'down');
    // An IPv4 route through an interface set admin down is flushed without a notification.
    lab.ip('route', 'add', 'default', 'via', '10.0.0.1', 'dev', 'up0');
    await lab.waitAdmin(['d0'], 'up');
    lab.setDown('up0');
    await lab.waitAdmin(['d0'], 'down');
    lab.setUp('up0');
    // Up again, the route is gone from the kernel: the group must not come back.
    await lab.waitGroup('main', 'the route read absent', (g) => g.sources[0]?.reason === 'absent');
    expect(lab.ip('route', 'show', 'default')).toBe('');
    expect(lab.admin('d0')).toBe('down');
  });
});

describeLab('address sources', () => {
  let lab: Lab;
  eachLab((fresh) => (lab = fresh));

  it('follow an IPv4 address, and an IPv6 one only once DAD has passed', async () => {
    lab.addSource('up0');
    lab.addDestination('d0');
    lab.addDestination('d1');
    // DAD that lasts 2 s: long enough to see the address tentative.
    lab.run(['sysctl', '-qw', 'net.ipv6.conf.up0.accept_dad=1', 'net.ipv6.conf.up0.dad_transmits=1', 'net.ipv6.neigh.up0.retrans_time_ms=2000']);
    await lab.start(
      config(lab, group('v4', 'address up0 inet', 'destinations d0', 'up-delay 0'), group('v6', 'address up0 inet6 2001:db8::/64', 'destinations d1', 'up-delay 0')),
    );
    await lab.waitAdmin(['d0', 'd1'], 'down');

    lab.ip('addr', 'add', '192.0.2.7/24', 'dev', 'up0');
    await lab.waitAdmin(['d0'], 'up');
    const held = await source(lab, 'v4', 'address up0 inet');
    expect(held).toMatchObject({ kind: 'address', healthy: true, reason: 'present' });
    expect(held.evidence).toMatch(/^192\.0\.2\.7\/24 since \d\d:\d\d:\d\d$/);

    lab.ip('addr', 'add', '2001:db8::7/64', 'dev', 'up0');
    const tentative = await lab.waitGroup('v6', 'the address tentative', (g) => g.sources[0]?.reason === 'tentative', 2000);
    expect(tentative.decision).toBe('down');
    expect(lab.admin('d1')).toBe('down');
    await lab.waitAdmin(['d1'], 'up', 10_000);
    expect(await source(lab, 'v6', 'address up0 inet6 2001:db8::/64')).toMatchObject({ healthy: true, reason: 'present' });

    lab.ip('addr', 'del', '192.0.2.7/24', 'dev', 'up0');
    await lab.waitAdmin(['d0'], 'down');
    lab.ip('addr', 'del', '2001:db8::7/64', 'dev', 'up0');
    await lab.waitAdmin(['d1'], 'down');
  });
});

describeLab('route and address sources on reload', () => {
  let lab: Lab;
  eachLab((fresh) => (lab = fresh));

  it('refuses a bad line with file:line and keeps the running sources; a good reload adds one without a bounce', async () => {
    lab.addSource('up0');
    lab.ip('addr', 'add', '10.0.0.2/24', 'dev', 'up0');
    lab.ip('route', 'add', 'default', 'via', '10.0.0.1');
    lab.addDestination('d0');
    const first = config(lab, group('wan', 'route default', 'destinations d0', 'up-delay 0'));
    const d = await lab.start(first);
    await lab.waitAdmin(['d0'], 'up');

    lab.writeConfig(first.replace('route default', 'route default via 10.0.0.1/24'));
    const r = await lab.ctl('reload');
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toContain(`ifdepd: ${lab.configFile}:4: group wan: route: via '10.0.0.1/24' is not an address`);
    // The running route source still works.
    lab.ip('route', 'del', 'default');
    await lab.waitAdmin(['d0'], 'down');
    const back = d.mark();
    lab.ip('route', 'add', 'default', 'via', '10.0.0.1');
    await lab.waitAdmin(['d0'], 'up');
    await d.waitForLog(/wan: d0 up, confirmed by the kernel/, 5000, back);

    // Adding an address source that holds: nothing goes down on the way.
    const mark = d.mark();
    lab.writeConfig(first.replace('route default', 'route default\n    address up0 inet 10.0.0.0/24'));
    const ok = await lab.ctl('reload');
    expect(ok.code, ok.stderr).toBe(0);
    const g = await lab.group('wan');
    expect(g.sources.map((s) => [s.name, s.kind, s.healthy])).toEqual([
      ['route default', 'route', true],
      ['address up0 inet 10.0.0.0/24', 'address', true],
    ]);
    expect(d.since(mark).join('\n')).not.toMatch(/-> destinations d0 down/);
    expect(lab.admin('d0')).toBe('up');
  });
});
