// The real Daemon on the fake kernel, beyond carrier: a route source is read before the
// links and follows route notifications and their loss; an atomic group is switched with
// one request for the whole kernel group, and falls back to each destination's own write
// when the kernel refuses the group request; protodown is held with ifdepd's own reason bit.
import { afterEach, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../../src/core/sources/route-table.js';
import { ifIndex } from '../../../src/core/types.js';
import { FakeKernel } from '../../support/fake-kernel.js';
import { config, daemonOn, group, since, type Harness } from './daemon-harness.js';

let running: Harness | undefined;
afterEach(() => {
  if (running !== undefined && !running.kernel.isClosed) running.daemon.stop();
  running = undefined;
});

const down = (kernel: FakeKernel, ...names: string[]) => () => names.every((n) => kernel.state(n)?.adminUp === false);
const up = (kernel: FakeKernel, ...names: string[]) => () => names.every((n) => kernel.state(n)?.adminUp === true);

const defaultRoute = (dev: number): RouteEntry => ({
  family: 'inet',
  dst: '0.0.0.0',
  length: 0,
  table: 254,
  type: 1,
  priority: 0,
  tos: 0,
  nexthops: [{ index: ifIndex(dev), gateway: { family: 'inet', text: '192.0.2.1' }, dead: false }],
  since: 0,
});

const viaDefault = () =>
  config(
    group('wan', [], ['vrrp0'], {
      otherSources: [{ kind: 'route', prefix: { family: 'inet', address: '0.0.0.0', length: 0 }, table: 254 }],
    }),
  );

/** vrrp0 follows the default route via em0, which the kernel has; started. */
async function startedOnRoute() {
  const kernel = new FakeKernel();
  const em0 = kernel.add('em0');
  kernel.add('vrrp0');
  const route = defaultRoute(em0.index);
  kernel.addRoute(route);
  const h = (running = daemonOn(kernel, viaDefault()));
  await h.daemon.start();
  return { kernel, route, h };
}

describe('Daemon route sources on the fake kernel', () => {
  it('reads routes and addresses before the links, and follows the route going away and coming back', async () => {
    const { kernel, route, h } = await startedOnRoute();
    const order = ['subscribeRoutesAndAddresses', 'dumpRoutes', 'dumpAddresses', 'subscribeLinks', 'dumpLinks'];
    expect(kernel.requests.filter((r) => order.includes(r))).toEqual(order);
    await kernel.delivered();
    expect(kernel.writes()).toEqual([]);

    kernel.deleteRoute(route);
    await h.until(down(kernel, 'vrrp0'), 'vrrp0 down without its route');
    kernel.addRoute(route);
    await h.until(up(kernel, 'vrrp0'), 'vrrp0 up with its route back');
  });

  it('reads the routes again after lost route notifications', async () => {
    const { kernel, route, h } = await startedOnRoute();
    await kernel.delivered();
    kernel.silently(() => kernel.deleteRoute(route));
    kernel.overrun();
    await h.until(down(kernel, 'vrrp0'), 'vrrp0 down after the routes were read again');
    expect(kernel.requests.filter((r) => r === 'dumpRoutes')).toHaveLength(2);
  });

  it('closes the route subscription at stop', async () => {
    const kernel = new FakeKernel();
    kernel.add('em0');
    kernel.add('vrrp0');
    const h = (running = daemonOn(kernel, viaDefault()));
    await h.daemon.start();
    expect(kernel.subscriptions).toBe(2);
    h.daemon.stop();
    expect(kernel.subscriptions).toBe(0);
    expect(kernel.subscriptionsLeftAtClose).toBe(0);
  });
});

const atomic = () => config(group('uplink', ['em0'], ['vrrp0', 'vrrp1'], { atomic: { group: 100 } }));

/** The atomic group started, both destinations in kernel group 100; `mark`: the requests so far. */
async function startedAtomic() {
  const kernel = new FakeKernel();
  kernel.add('em0');
  kernel.add('vrrp0');
  kernel.add('vrrp1');
  const h = (running = daemonOn(kernel, atomic()));
  await h.daemon.start();
  await h.until(() => kernel.state('vrrp0')?.group === 100 && kernel.state('vrrp1')?.group === 100, 'both in kernel group 100');
  await kernel.delivered();
  return { kernel, h, mark: kernel.requests.length };
}

describe('Daemon atomic groups on the fake kernel', () => {

  it('puts the destinations in the kernel group, then switches them with one request', async () => {
    const { kernel, h, mark } = await startedAtomic();

    kernel.setCarrier('em0', false);
    await h.until(down(kernel, 'vrrp0', 'vrrp1'), 'both down');
    expect(since(kernel, mark).filter((r) => r.startsWith('set') || r.startsWith('switch'))).toEqual(['switchGroup group 100 admin down']);
  });

  it('sets each destination on its own when the kernel refuses the group request', async () => {
    const { kernel, h, mark } = await startedAtomic();

    kernel.refuse('switchGroup', 'EPERM', { times: 1 });
    kernel.setCarrier('em0', false);
    await h.until(down(kernel, 'vrrp0', 'vrrp1'), 'both down');
    expect(since(kernel, mark).filter((r) => r.startsWith('set') || r.startsWith('switch')).sort()).toEqual([
      'setAdmin vrrp0 down',
      'setAdmin vrrp1 down',
      'switchGroup group 100 admin down',
    ]);
  });
});

describe('Daemon atomic groups, down wins', () => {
  it('a member another group holds down keeps the group from going up as one; the others are set on their own', async () => {
    const kernel = new FakeKernel();
    for (const name of ['em0', 'em1', 'vrrp0', 'vrrp1', 'vrrp2']) kernel.add(name);
    kernel.setCarrier('em1', false);
    const cfg = config(group('uplink', ['em0'], ['vrrp0', 'vrrp1', 'vrrp2'], { atomic: { group: 100 } }), group('lan', ['em1'], ['vrrp2']));
    const h = (running = daemonOn(kernel, cfg));
    await h.daemon.start();
    await h.until(() => ['vrrp0', 'vrrp1', 'vrrp2'].every((n) => kernel.state(n)?.group === 100), 'all in kernel group 100');
    await h.until(down(kernel, 'vrrp2'), 'vrrp2 down for lan');
    kernel.setCarrier('em0', false);
    await h.until(down(kernel, 'vrrp0', 'vrrp1'), 'uplink down');
    await kernel.delivered();
    const mark = kernel.requests.length;

    kernel.setCarrier('em0', true);
    await h.until(up(kernel, 'vrrp0', 'vrrp1'), 'vrrp0 and vrrp1 up');
    await kernel.delivered();
    expect(kernel.state('vrrp2')?.adminUp).toBe(false);
    expect(since(kernel, mark).filter((r) => r.startsWith('set') || r.startsWith('switch')).sort()).toEqual(['setAdmin vrrp0 up', 'setAdmin vrrp1 up']);
    expect(h.lines).toContain('info: uplink: not switched as one (vrrp2 is held down by lan); setting each destination on its own');
  });
});

describe('Daemon atomic groups across a reload', () => {
  it('an unchanged group keeps its kernel group: nothing leaves it, nothing joins it again', async () => {
    const { kernel, h, mark } = await startedAtomic();

    h.reloadsTo(atomic());
    await h.daemon.reload();
    await kernel.delivered();
    await h.clock.advanceAsync(10_000);
    // A group taken for dropped and added again would leave kernel group 100 and rejoin it.
    expect(since(kernel, mark).filter((r) => r.startsWith('set') || r.startsWith('switch'))).toEqual([]);
    expect(kernel.state('vrrp0')?.group).toBe(100);
  });
});

describe('Daemon protodown on the fake kernel', () => {
  const protodown = () => config(group('uplink', ['em0'], ['vrrp0'], { action: { kind: 'protodown' } }));
  const protoDown = (kernel: FakeKernel, name: string, on: boolean) => () => kernel.state(name)?.protoDown === on;
  /** em0 and vrrp0, the daemon started, em0's carrier lost: vrrp0 held protodown. */
  async function cutWithProtodown(): Promise<{ kernel: FakeKernel; h: Harness }> {
    const kernel = new FakeKernel();
    kernel.add('em0');
    kernel.add('vrrp0');
    const h = (running = daemonOn(kernel, protodown()));
    await h.daemon.start();
    kernel.setCarrier('em0', false);
    await h.until(protoDown(kernel, 'vrrp0', true), 'vrrp0 protodown');
    return { kernel, h };
  }

  it('holds protodown with its own reason bit, and clears only that bit', async () => {
    const { kernel, h } = await cutWithProtodown();
    expect(kernel.state('vrrp0')).toMatchObject({ adminUp: true, lowerUp: false, protoDownReasons: 1 << 6 });
    expect(kernel.writes()).toEqual(['setProtoDown vrrp0 on bit6=1']);

    kernel.setCarrier('em0', true);
    await h.until(protoDown(kernel, 'vrrp0', false), 'vrrp0 protodown off');
    expect(kernel.state('vrrp0')?.protoDownReasons).toBeUndefined();
  });

  it("leaves another program's protodown alone: its own bit cleared, no EBUSY retried for ever", async () => {
    const { kernel, h } = await cutWithProtodown();
    // FRR's vrrpd holds it too, with bit 7.
    kernel.set('vrrp0', { reasons: (1 << 6) | (1 << 7) });
    await kernel.delivered();
    const mark = kernel.requests.length;

    kernel.setCarrier('em0', true);
    await h.until(() => kernel.state('vrrp0')?.protoDownReasons === 1 << 7, "ifdepd's bit cleared");
    await kernel.delivered();
    await h.clock.advanceAsync(60_000);
    expect(kernel.state('vrrp0')?.protoDown).toBe(true);
    expect(since(kernel, mark).filter((r) => r.startsWith('set'))).toEqual(['setProtoDown vrrp0 bit6=0']);
  });
});
