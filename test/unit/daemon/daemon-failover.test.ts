// The real Daemon on the fake kernel: a source losing carrier takes the destinations down,
// its return brings them back; a reload swaps the configuration without touching
// destinations whose decision did not change; an operator's hold survives a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeKernel } from '../../support/fake-kernel.js';
import { config, daemonOn, group, holdDirectory, since, writesTo, type Harness } from './daemon-harness.js';

let running: Harness[] = [];
let cleanup: (() => void) | undefined;
afterEach(() => {
  for (const h of running) if (!h.kernel.isClosed) h.daemon.stop();
  running = [];
  cleanup?.();
  cleanup = undefined;
});

function lab(...names: string[]): FakeKernel {
  const kernel = new FakeKernel();
  for (const name of names) kernel.add(name);
  return kernel;
}

const down = (kernel: FakeKernel, ...names: string[]) => () => names.every((n) => kernel.state(n)?.adminUp === false);
const up = (kernel: FakeKernel, ...names: string[]) => () => names.every((n) => kernel.state(n)?.adminUp === true);

async function started(kernel: FakeKernel, cfg = config(group('uplink', ['em0'], ['vrrp0', 'vrrp1'])), holdFile?: string): Promise<Harness> {
  const h = daemonOn(kernel, cfg, holdFile === undefined ? {} : { holdFile });
  running.push(h);
  await h.daemon.start();
  await kernel.delivered();
  return h;
}

describe('Daemon failover on the fake kernel', () => {
  it('takes every destination down when the source loses carrier, and up again when it returns', async () => {
    const kernel = lab('em0', 'vrrp0', 'vrrp1');
    const h = await started(kernel);
    expect(kernel.writes()).toEqual([]);

    kernel.setCarrier('em0', false);
    await h.until(down(kernel, 'vrrp0', 'vrrp1'), 'destinations down');
    expect(kernel.writes().sort()).toEqual(['setAdmin vrrp0 down', 'setAdmin vrrp1 down']);
    expect(h.lines).toContain('notice: uplink: em0 lost carrier -> destinations vrrp0,vrrp1 down (down-delay 0 ms)');

    const mark = kernel.requests.length;
    kernel.setCarrier('em0', true);
    await h.until(up(kernel, 'vrrp0', 'vrrp1'), 'destinations up');
    expect(since(kernel, mark).sort()).toEqual(['setAdmin vrrp0 up', 'setAdmin vrrp1 up']);
  });

  it('says a decision confirmed once its writes are, counting a destination that already was as wanted', async () => {
    const kernel = lab('em0', 'em1', 'vrrp0', 'vrrp1');
    kernel.setCarrier('em1', false);
    // lan holds vrrp0 down already: uplink's decision finds it as wanted and writes vrrp1 only.
    const h = await started(kernel, config(group('uplink', ['em0'], ['vrrp0', 'vrrp1']), group('lan', ['em1'], ['vrrp0'])));
    await h.until(down(kernel, 'vrrp0'), 'vrrp0 down for lan');
    await kernel.delivered();
    const mark = kernel.requests.length;
    const said = h.lines.length;
    kernel.setCarrier('em0', false);
    await h.until(() => h.lines.slice(said).some((l) => l.includes('confirmed by the kernel')), 'the confirmation line');
    expect(since(kernel, mark).filter((r) => r.startsWith('set'))).toEqual(['setAdmin vrrp1 down']);
    expect(h.lines.slice(said).filter((l) => l.includes('confirmed by the kernel'))).toEqual([
      expect.stringMatching(/^info: uplink: vrrp0,vrrp1 down, confirmed by the kernel after \d/),
    ]);
  });

  it('waits for the down delay on the fake clock before writing', async () => {
    const kernel = lab('em0', 'vrrp0');
    const h = await started(kernel, config(group('uplink', ['em0'], ['vrrp0'], { delays: { down: 500, up: 0 } })));
    kernel.setCarrier('em0', false);
    await kernel.delivered();
    await h.clock.advanceAsync(499);
    expect(kernel.writes()).toEqual([]);
    await h.clock.advanceAsync(1);
    await h.until(down(kernel, 'vrrp0'), 'vrrp0 down after 500 ms');
  });

  it('reloads without bouncing destinations whose decision did not change', async () => {
    const kernel = lab('em0', 'em1', 'vrrp0', 'vrrp1', 'vrrp2');
    kernel.setCarrier('em0', false);
    const h = await started(kernel);
    await h.until(down(kernel, 'vrrp0', 'vrrp1'), 'destinations down at start');
    const mark = kernel.requests.length;

    // uplink gains a destination and a longer up-delay; a new group arrives.
    const next = config(
      group('uplink', ['em0'], ['vrrp0', 'vrrp1', 'vrrp2'], { delays: { down: 0, up: 3000 } }),
      group('inside', ['em1'], ['vrrp3']),
    );
    h.reloadsTo(next);
    await expect(h.daemon.reload()).resolves.toMatch(/reloaded configuration: 2 group\(s\)/);
    await h.until(down(kernel, 'vrrp2'), 'the new destination down');
    await kernel.delivered();
    await h.clock.advanceAsync(10_000);
    const after = since(kernel, mark);
    expect(writesTo(after, 'vrrp0')).toEqual([]);
    expect(writesTo(after, 'vrrp1')).toEqual([]);
    expect(after.filter((r) => r.startsWith('set'))).toEqual(['setAdmin vrrp2 down']);
    expect(h.daemon.summary()).toBe('2 groups: uplink DOWN, inside up');
  });

  it('keeps an operator hold and a running up-delay across a reload', async () => {
    const kernel = lab('em0', 'em1', 'vrrp0', 'vrrp1', 'vrrp2');
    const cfg = config(group('uplink', ['em0'], ['vrrp0', 'vrrp1']), group('inside', ['em1'], ['vrrp2'], { delays: { down: 0, up: 3000 } }));
    const h = await started(kernel, cfg);
    h.daemon.hold('uplink', 'down');
    kernel.setCarrier('em1', false);
    await h.until(down(kernel, 'vrrp0', 'vrrp1', 'vrrp2'), 'held and failed down');
    kernel.setCarrier('em1', true);
    await kernel.delivered();
    await h.clock.advanceAsync(1000);
    const mark = kernel.requests.length;

    h.reloadsTo(cfg);
    await h.daemon.reload();
    await kernel.delivered();
    await h.clock.advanceAsync(1999);
    expect(since(kernel, mark).filter((r) => r.startsWith('set'))).toEqual([]);
    await h.clock.advanceAsync(1);
    await h.until(up(kernel, 'vrrp2'), 'vrrp2 up when its up-delay, begun before the reload, ends');
    expect(since(kernel, mark).filter((r) => r.startsWith('set'))).toEqual(['setAdmin vrrp2 up']);
    expect(h.daemon.summary()).toBe('2 groups: uplink DOWN (held), inside up');
  });

  it('leaves the destinations of a group removed by a reload as they are', async () => {
    const kernel = lab('em0', 'vrrp0', 'vrrp1');
    kernel.setCarrier('em0', false);
    const h = await started(kernel);
    await h.until(down(kernel, 'vrrp0', 'vrrp1'), 'destinations down at start');
    const mark = kernel.requests.length;
    h.reloadsTo(config());
    await h.daemon.reload();
    kernel.setCarrier('em0', true);
    await kernel.delivered();
    await h.clock.advanceAsync(10_000);
    expect(since(kernel, mark).filter((r) => r.startsWith('set'))).toEqual([]);
    expect(h.lines).toContain('notice: group uplink removed from the configuration; its destinations are left as they are');
  });

  it('keeps an operator hold across a restart: the next daemon restores it and writes nothing', async () => {
    const holds = holdDirectory();
    cleanup = holds.remove;
    const first = lab('em0', 'vrrp0', 'vrrp1');
    const a = await started(first, undefined, holds.file);
    a.daemon.hold('uplink', 'down');
    await a.until(down(first, 'vrrp0', 'vrrp1'), 'held down');
    a.daemon.stop();

    // The same interfaces as the first daemon left them, read by a new one.
    const second = new FakeKernel();
    second.add('em0');
    second.add('vrrp0', { adminUp: false });
    second.add('vrrp1', { adminUp: false });
    const b = await started(second, undefined, holds.file);
    await b.clock.advanceAsync(10_000);
    expect(second.writes()).toEqual([]);
    expect(b.lines.some((l) => l.includes('uplink: hold down restored from'))).toBe(true);
    expect(b.daemon.summary()).toBe('1 group: uplink DOWN (held)');

    b.daemon.release('uplink');
    await b.until(up(second, 'vrrp0', 'vrrp1'), 'released: destinations up');
  });
});
