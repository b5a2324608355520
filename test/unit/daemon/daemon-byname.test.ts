// The real Daemon on the fake kernel: it reads only what it watches (issue 21). The
// interfaces the configuration names are read by name, one RTM_GETLINK each, at start and
// on every re-read; a dump only when a glob needs it, and then after the first decisions
// of the groups that name all of theirs. A change racing a read is not lost.
import { afterEach, describe, expect, it } from 'vitest';
import { readHolds, writeHolds } from '../../../src/daemon/hold-file.js';
import { FakeKernel } from '../../support/fake-kernel.js';
import { config, daemonOn, group, holdDirectory, since, writesTo, type Harness } from './daemon-harness.js';

let running: Harness | undefined;
let cleanup: (() => void) | undefined;
afterEach(() => {
  if (running !== undefined && !running.kernel.isClosed) running.daemon.stop();
  running = undefined;
  cleanup?.();
  cleanup = undefined;
});

/** em0, em1 and the destinations, and `others` interfaces no group names. */
function lab(others = 0): FakeKernel {
  const kernel = new FakeKernel();
  for (const name of ['em0', 'em1', 'vrrp0', 'vrrp1', 'vip0', 'vip1']) kernel.add(name);
  for (let i = 0; i < others; i++) kernel.add(`other${i}`);
  return kernel;
}

const adminDown = (kernel: FakeKernel, ...names: string[]) => () => names.every((n) => kernel.state(n)?.adminUp === false);
const turns = async (h: Harness, n = 10) => {
  for (let i = 0; i < n; i++) await h.clock.advanceAsync(0);
};

describe('Daemon reads only what it watches', () => {
  it('reads each named interface once by name at start, and dumps nothing', async () => {
    const kernel = lab(200);
    const h = (running = daemonOn(kernel, config(group('uplink', ['em0'], ['vrrp0', 'vrrp1']), group('lan', ['em1'], ['vrrp1']))));
    await h.daemon.start();
    const { dumps, byName } = kernel.linkReads();
    expect(dumps).toBe(0);
    expect(Object.fromEntries(byName)).toEqual({ em0: 1, em1: 1, vrrp0: 1, vrrp1: 1 });
    expect(h.lines).toContain('debug: read 4 links (start)');
  });

  it('with a glob: the groups that name every interface decide before the dump, the glob group after it', async () => {
    const kernel = lab();
    kernel.set('em0', { carrier: false });
    kernel.set('em1', { carrier: false });
    const h = (running = daemonOn(kernel, config(group('uplink', ['em0'], ['vrrp0']), group('vips', ['em1'], ['vip*']))));
    const release = kernel.holdDumps();
    const started = h.daemon.start();
    await h.until(adminDown(kernel, 'vrrp0'), 'vrrp0 down before the dump answers');
    await turns(h);
    expect(kernel.requests).toContain('dumpLinks');
    expect(Object.fromEntries(kernel.linkReads().byName)).toEqual({ em0: 1, vrrp0: 1 });
    // The glob group has not decided: it cannot know its destinations yet.
    expect(writesTo(kernel.requests, 'vip0')).toEqual([]);
    expect(h.lines.filter((l) => l.includes('vips:'))).toEqual([]);
    release();
    await started;
    await h.until(adminDown(kernel, 'vip0', 'vip1'), 'the glob destinations down after the dump');
    expect(kernel.writes().filter((w) => w.endsWith(' up'))).toEqual([]);
  });

  it("a glob group's stored hold survives the named groups' first decisions and applies after the dump", async () => {
    const holds = holdDirectory();
    cleanup = holds.remove;
    expect(writeHolds(holds.file, new Map([['vips', 'down'], ['gone', 'down']]))).toBeUndefined();
    const kernel = lab();
    const h = (running = daemonOn(kernel, config(group('uplink', ['em0'], ['vrrp0']), group('vips', ['em1'], ['vip*'])), { holdFile: holds.file }));
    const release = kernel.holdDumps();
    const started = h.daemon.start();
    await h.until(() => h.lines.some((l) => l.includes('uplink: at start')), 'uplink decided');
    await turns(h);
    const during = readHolds(holds.file);
    expect('holds' in during && Object.fromEntries(during.holds)).toEqual({ vips: 'down', gone: 'down' });
    release();
    await started;
    await h.until(adminDown(kernel, 'vip0', 'vip1'), "the held group's destinations down");
    const after = readHolds(holds.file);
    expect('holds' in after && Object.fromEntries(after.holds)).toEqual({ vips: 'down' });
    expect(h.daemon.summary()).toBe('2 groups: uplink up, vips DOWN (held)');
  });

  it('a named group that shares a destination with a glob group waits for the dump too (down wins)', async () => {
    const kernel = lab();
    kernel.set('em1', { carrier: false });
    const h = (running = daemonOn(kernel, config(group('uplink', ['em0'], ['vrrp0']), group('all', ['em1'], ['vrrp*']))));
    kernel.set('vrrp0', { adminUp: false });
    const release = kernel.holdDumps();
    const started = h.daemon.start();
    await h.until(() => kernel.requests.includes('dumpLinks'), 'the dump asked for');
    await turns(h);
    // uplink alone would bring vrrp0 up; it must not before 'all' (down) has decided.
    expect(kernel.writes()).toEqual([]);
    expect(kernel.linkReads().byName.size).toBe(0);
    release();
    await started;
    await h.until(adminDown(kernel, 'vrrp1'), 'vrrp1 down');
    expect(writesTo(kernel.requests, 'vrrp0')).toEqual([]);
  });

  it('a glob in the sources: that group decides only from the dump', async () => {
    const kernel = lab();
    kernel.set('em1', { carrier: false });
    const h = (running = daemonOn(kernel, config(group('uplink', ['em0'], ['vrrp0']), group('any', ['em*'], ['vip0'], { policy: { kind: 'all' } }))));
    const release = kernel.holdDumps();
    const started = h.daemon.start();
    await h.until(() => h.lines.some((l) => l.includes('uplink: at start')), 'uplink decided');
    await turns(h);
    expect(h.lines.filter((l) => l.includes('any:'))).toEqual([]);
    release();
    await started;
    await h.until(adminDown(kernel, 'vip0'), 'vip0 down: em1 has no carrier');
  });

  it('applies a deletion, re-creation or rename that races the read by name', async () => {
    const kernel = lab();
    const h = (running = daemonOn(kernel, config(group('uplink', ['em0', 'em1'], ['vrrp0', 'vrrp1']))));
    const release = kernel.holdNameReads();
    const started = h.daemon.start();
    await h.until(() => kernel.linkReads().byName.size === 4, 'every name asked for');
    // The answers are taken; the changes come after them, as notifications.
    const old = kernel.state('vrrp0')!.index;
    expect(kernel.recreate('vrrp0').index).not.toBe(old);
    kernel.rename('em1', 'em1-old');
    await kernel.delivered();
    release();
    await started;
    await h.until(adminDown(kernel, 'vrrp0', 'vrrp1'), 'destinations down: em1 is gone');
    expect(writesTo(kernel.requests, 'vrrp0')).toEqual(['setAdmin vrrp0 down']);
    expect(h.daemon.summary()).toBe('1 group: uplink DOWN');
  });

  it('a named source that appears later is heard of by its notification', async () => {
    const kernel = new FakeKernel();
    for (const name of ['vrrp0', 'other0']) kernel.add(name);
    const h = (running = daemonOn(kernel, config(group('uplink', ['em0'], ['vrrp0']))));
    await h.daemon.start();
    await h.until(adminDown(kernel, 'vrrp0'), 'vrrp0 down: em0 missing');
    expect(h.lines).toContain('info: uplink: source em0 does not exist (yet); waiting for it');
    kernel.add('em0');
    await h.until(() => kernel.state('vrrp0')?.adminUp === true, 'vrrp0 up once em0 appears');
  });

  it('SIGHUP and an overrun read the named interfaces again by name, a glob configuration dumps', async () => {
    const kernel = lab(50);
    const h = (running = daemonOn(kernel, config(group('uplink', ['em0'], ['vrrp0']))));
    await h.daemon.start();
    let mark = kernel.requests.length;
    await h.daemon.resync({ kind: 'sighup' });
    expect(since(kernel, mark).sort()).toEqual(['linkByName em0', 'linkByName vrrp0']);
    mark = kernel.requests.length;
    kernel.silently(() => kernel.setCarrier('em0', false));
    kernel.overrun();
    await h.until(adminDown(kernel, 'vrrp0'), 'vrrp0 down after the overrun re-read');
    expect(since(kernel, mark).filter((r) => r.startsWith('linkByName') || r === 'dumpLinks').sort()).toEqual(['linkByName em0', 'linkByName vrrp0']);
    h.daemon.stop();

    const globbed = lab(50);
    const g = (running = daemonOn(globbed, config(group('vips', ['em0'], ['vip*']))));
    await g.daemon.start();
    mark = globbed.requests.length;
    await g.daemon.resync({ kind: 'sighup' });
    expect(since(globbed, mark)).toEqual(['dumpLinks']);
  });

  it('a reload reads the names it adds before its groups decide', async () => {
    const kernel = lab();
    kernel.set('em1', { carrier: false });
    const h = (running = daemonOn(kernel, config(group('uplink', ['em0'], ['vrrp0']))));
    await h.daemon.start();
    expect(kernel.linkReads().byName.has('em1')).toBe(false);
    const mark = kernel.requests.length;
    h.reloadsTo(config(group('uplink', ['em0'], ['vrrp0']), group('lan', ['em1'], ['vrrp1'])));
    await h.daemon.reload();
    await h.until(adminDown(kernel, 'vrrp1'), 'vrrp1 down: em1 has no carrier');
    const asked = since(kernel, mark);
    expect(asked.indexOf('linkByName em1')).toBeGreaterThanOrEqual(0);
    expect(asked.indexOf('linkByName em1')).toBeLessThan(asked.indexOf('setAdmin vrrp1 down'));
    expect(h.lines.some((l) => l.includes('em1 does not exist'))).toBe(false);
    expect(h.lines.some((l) => l.includes('lan:') && l.includes('missing'))).toBe(false);

    // Dropped again: its destination is let go, and said so, before the table forgets it.
    h.reloadsTo(config(group('uplink', ['em0'], ['vrrp0'])));
    await h.daemon.reload();
    expect(h.lines).toContain('notice: vrrp1 is no longer a destination; left as it is');
  });
});
