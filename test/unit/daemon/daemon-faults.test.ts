// The real Daemon on the fake kernel, when the kernel side goes wrong: lost notifications
// (an overrun) make it read every link again and decide from what it read; a write that
// fails is retried until it succeeds; a destination deleted and created again under a new
// ifindex is brought in line; and once stopped it writes nothing and keeps no subscription.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeKernel } from '../../support/fake-kernel.js';
import { config, daemonOn, group, since, writesTo, type Harness } from './daemon-harness.js';

let running: Harness | undefined;
afterEach(() => {
  if (running !== undefined && !running.kernel.isClosed) running.daemon.stop();
  running = undefined;
});

function lab(...names: string[]): FakeKernel {
  const kernel = new FakeKernel();
  for (const name of names) kernel.add(name);
  return kernel;
}

const down = (kernel: FakeKernel, ...names: string[]) => () => names.every((n) => kernel.state(n)?.adminUp === false);

async function started(kernel: FakeKernel, cfg = config(group('uplink', ['em0'], ['vrrp0', 'vrrp1']))): Promise<Harness> {
  const h = (running = daemonOn(kernel, cfg));
  await h.daemon.start();
  await kernel.delivered();
  return h;
}

/** Reads of em0: every interface the configuration names is read by name, none is dumped. */
const reads = (kernel: FakeKernel): number => {
  const { dumps, byName } = kernel.linkReads();
  expect(dumps).toBe(0);
  return byName.get('em0') ?? 0;
};

describe('Daemon fault recovery on the fake kernel', () => {
  it('reads every link again after lost notifications, and decides from what it read', async () => {
    const kernel = lab('em0', 'vrrp0', 'vrrp1');
    const h = await started(kernel);
    // The carrier loss is never notified: only the re-read can show it.
    kernel.silently(() => kernel.setCarrier('em0', false));
    kernel.overrun();
    await h.until(down(kernel, 'vrrp0', 'vrrp1'), 'destinations down after the re-read');
    expect(reads(kernel)).toBe(2);
    expect(h.lines).toContain('warning: netlink: receive queue overrun, notifications were lost: re-reading all watched links');
  });

  it('reads again when notifications are lost during a re-read', async () => {
    const kernel = lab('em0', 'vrrp0', 'vrrp1');
    const h = await started(kernel);
    const release = kernel.holdNameReads();
    kernel.overrun();
    await h.until(() => reads(kernel) === 2, 'the re-read under way');
    // Its snapshot is taken; a change it cannot show is lost too.
    kernel.silently(() => kernel.setCarrier('em0', false));
    kernel.overrun();
    await kernel.delivered();
    release();
    await h.until(down(kernel, 'vrrp0', 'vrrp1'), 'destinations down after the re-read that followed');
    expect(reads(kernel)).toBe(3);
  });

  it('tries the re-read again when it fails, and decides once it succeeds', async () => {
    const kernel = lab('em0', 'vrrp0', 'vrrp1');
    const h = await started(kernel);
    kernel.refuse('linkByName', 'ENOBUFS', { target: 'em0', times: 1 });
    kernel.silently(() => kernel.setCarrier('em0', false));
    kernel.overrun();
    await h.until(() => h.lines.some((l) => l.startsWith('error: re-reading links (overrun) failed')), 'the failed re-read said');
    expect(kernel.writes()).toEqual([]);
    await h.clock.advanceAsync(1000);
    await h.until(down(kernel, 'vrrp0', 'vrrp1'), 'destinations down after the second re-read');
    expect(reads(kernel)).toBe(3);
  });

  it('retries a write the kernel refused (EBUSY) until it succeeds', async () => {
    const kernel = lab('em0', 'vrrp0', 'vrrp1');
    const h = await started(kernel);
    kernel.refuse('setAdmin', 'EBUSY', { target: 'vrrp0', times: 1 });
    kernel.setCarrier('em0', false);
    await h.until(down(kernel, 'vrrp1'), 'vrrp1 down');
    await kernel.delivered();
    expect(kernel.state('vrrp0')?.adminUp).toBe(true);
    await h.until(() => h.lines.some((l) => l.includes('vrrp0') && l.includes('EBUSY')), 'the failure said');

    await h.clock.advanceAsync(5000);
    await h.until(down(kernel, 'vrrp0'), 'vrrp0 down at the retry');
    expect(writesTo(kernel.requests, 'vrrp0')).toEqual(['setAdmin vrrp0 down', 'setAdmin vrrp0 down']);
    expect(writesTo(kernel.requests, 'vrrp1')).toEqual(['setAdmin vrrp1 down']);
  });

  it('brings a destination re-created under a new ifindex in line with the decision', async () => {
    const kernel = lab('em0', 'vrrp0', 'vrrp1');
    const h = await started(kernel);
    kernel.setCarrier('em0', false);
    await h.until(down(kernel, 'vrrp0', 'vrrp1'), 'destinations down');
    const before = kernel.state('vrrp0')!.index;
    const mark = kernel.requests.length;

    // keepalived deletes its VMAC and creates it again, admin up, with another ifindex.
    const recreated = kernel.recreate('vrrp0');
    expect(recreated.index).not.toBe(before);
    await h.until(down(kernel, 'vrrp0'), 'the new vrrp0 down');
    expect(writesTo(since(kernel, mark), 'vrrp0')).toEqual(['setAdmin vrrp0 down']);
    expect(writesTo(since(kernel, mark), 'vrrp1')).toEqual([]);
  });

  it('after stop(): the kernel port is closed, no subscription is left, nothing is written', async () => {
    const kernel = lab('em0', 'vrrp0', 'vrrp1');
    const h = await started(kernel);
    // A retry is pending when the daemon stops.
    kernel.refuse('setAdmin', 'EBUSY', { target: 'vrrp0' });
    kernel.setCarrier('em0', false);
    await h.until(down(kernel, 'vrrp1'), 'vrrp1 down');
    expect(kernel.subscriptions).toBe(1);

    h.daemon.stop();
    expect(kernel.isClosed).toBe(true);
    expect(kernel.subscriptions).toBe(0);
    expect(kernel.subscriptionsLeftAtClose).toBe(0);
    const mark = kernel.requests.length;
    kernel.setCarrier('em0', true);
    kernel.overrun();
    await kernel.delivered();
    await h.clock.advanceAsync(60_000);
    expect(since(kernel, mark)).toEqual([]);
    expect(kernel.requests.filter((r) => r.startsWith('after close'))).toEqual([]);
  });
});
