// The real Daemon on the fake kernel (test/support/fake-kernel.ts): start-up order. The
// links are read (by name: the configuration names them all) before the first decision, nothing is written before that, and an
// operator's hold is restored from the hold file before the first decision is made.
import { afterEach, describe, expect, it } from 'vitest';
import { writeHolds } from '../../../src/daemon/hold-file.js';
import { FakeKernel } from '../../support/fake-kernel.js';
import { config, daemonOn, group, holdDirectory, type Harness } from './daemon-harness.js';

const uplink = () => config(group('uplink', ['em0'], ['vrrp0', 'vrrp1']));

let running: Harness | undefined;
let cleanup: (() => void) | undefined;
afterEach(() => {
  running?.daemon.stop();
  running = undefined;
  cleanup?.();
  cleanup = undefined;
});

function lab(em0Carrier: boolean): FakeKernel {
  const kernel = new FakeKernel();
  kernel.add('em0', { carrier: em0Carrier });
  kernel.add('vrrp0');
  kernel.add('vrrp1');
  return kernel;
}

describe('Daemon start-up on the fake kernel', () => {
  it('subscribes, reads every named link, and only then decides and writes', async () => {
    const kernel = lab(false);
    const h = (running = daemonOn(kernel, uplink()));
    const release = kernel.holdNameReads();
    const started = h.daemon.start();
    await h.until(() => kernel.requests.includes('linkByName em0'), 'the links asked for');
    for (let turn = 0; turn < 10; turn++) await h.clock.advanceAsync(0);
    // The reads have not answered: no decision, no write.
    expect(kernel.writes()).toEqual([]);
    expect(h.lines.filter((l) => l.includes('uplink:'))).toEqual([]);

    release();
    await started;
    expect(kernel.requests.indexOf('subscribeLinks')).toBeLessThan(kernel.requests.indexOf('linkByName em0'));
    await h.until(() => kernel.state('vrrp0')?.adminUp === false && kernel.state('vrrp1')?.adminUp === false, 'both destinations down');
    expect(kernel.writes().sort()).toEqual(['setAdmin vrrp0 down', 'setAdmin vrrp1 down']);
    const firstWrite = kernel.requests.findIndex((r) => r.startsWith('setAdmin'));
    expect(firstWrite).toBeGreaterThan(kernel.requests.indexOf('linkByName vrrp1'));
    expect(kernel.requests).not.toContain('dumpLinks');
  });

  it('writes nothing at start when every destination already is as decided', async () => {
    const kernel = lab(true);
    const h = (running = daemonOn(kernel, uplink()));
    await h.daemon.start();
    await kernel.delivered();
    await h.clock.advanceAsync(5000);
    expect(kernel.writes()).toEqual([]);
    expect(h.daemon.summary()).toBe('1 group: uplink up');
  });

  it('applies a change that arrives during the first read on top of it', async () => {
    const kernel = lab(true);
    const h = (running = daemonOn(kernel, uplink()));
    const release = kernel.holdNameReads();
    const started = h.daemon.start();
    await h.until(() => kernel.requests.includes('linkByName em0'), 'the links asked for');
    // The read's answer has em0 healthy; the notification of its loss comes during the read.
    kernel.setCarrier('em0', false);
    await kernel.delivered();
    release();
    await started;
    await h.until(() => kernel.state('vrrp0')?.adminUp === false && kernel.state('vrrp1')?.adminUp === false, 'both destinations down');
    expect(kernel.writes().filter((w) => w.endsWith(' up'))).toEqual([]);
  });

  it('restores a stored hold before the first decision: a held-down group never brings its destinations up', async () => {
    const holds = holdDirectory();
    cleanup = holds.remove;
    expect(writeHolds(holds.file, new Map([['uplink', 'down']]))).toBeUndefined();
    const kernel = lab(true);
    const h = (running = daemonOn(kernel, uplink(), { holdFile: holds.file }));
    await h.daemon.start();
    await h.until(() => kernel.state('vrrp0')?.adminUp === false && kernel.state('vrrp1')?.adminUp === false, 'both destinations held down');
    expect(kernel.writes().sort()).toEqual(['setAdmin vrrp0 down', 'setAdmin vrrp1 down']);
    const restored = h.lines.findIndex((l) => l.includes('uplink: hold down restored from'));
    const decided = h.lines.findIndex((l) => l.includes('uplink: at start held down by operator -> destinations vrrp0,vrrp1 down'));
    expect(restored).toBeGreaterThanOrEqual(0);
    expect(decided).toBeGreaterThan(restored);
    expect(h.daemon.summary()).toBe('1 group: uplink DOWN (held)');
  });

  it('fails the start when the first read of the links fails, having written nothing', async () => {
    const kernel = lab(false);
    kernel.refuse('linkByName', 'EPERM', { target: 'vrrp1' });
    const h = (running = daemonOn(kernel, uplink()));
    await expect(h.daemon.start()).rejects.toThrow(/EPERM/);
    expect(kernel.writes()).toEqual([]);
  });
});
