// An overrun storm at scale: 2,000+ interfaces toggled while the daemon is stopped
// (SIGSTOP), the source cut in the middle of it and destinations flipped by someone
// else: on SIGCONT the daemon must survive the lost notifications, say so, re-read
// every link and get all 16 destinations right; a second storm that restores the
// source must bring them all back. (storm.test.ts does 800 interfaces and 8
// destinations; this one is 2.5 times the size, repeated, with foreign flips.)
//
// Cost: creating a veth pair takes 4-40 ms and setting an interface down waits for an
// RCU grace period (~13 ms) on a busy 2-core machine, so the pairs are made before
// the daemon starts (its first dump reads them all), and the storms are the cheap
// operations: admin up (with the carrier changes it brings) and alias changes, each
// a notification to the daemon. IPv6 is off in the namespace: no addrconf work.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultLab, labSkipReason, waitFor, type Admin, type Proc } from './faultlab.js';

const skip = labSkipReason();
const DESTS = Array.from({ length: 16 }, (_, i) => `vrrp${i}`);
/** veth pairs: twice as many interfaces. */
const PAIRS = Number(process.env.IFDEPD_STORM_SCALE_PAIRS ?? 1024);
const OVERRUN = /warning: netlink: receive queue overrun, notifications were lost: re-reading all watched links/;

describe.skipIf(skip !== null)(`overrun storm at scale${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let lab: FaultLab;
  let d: Proc;

  beforeAll(async () => {
    lab = FaultLab.create();
    lab.run(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    const t0 = performance.now();
    lab.batch(Array.from({ length: PAIRS }, (_, i) => `link add s${i} type veth peer name s${i}p`));
    console.log(`storm-scale: ${PAIRS} veth pairs created in ${(performance.now() - t0).toFixed(0)} ms`);
    lab.addSource('up0');
    lab.addSource('up1');
    for (const v of DESTS) lab.addDestination(v);
    d = await lab.daemon(['-S', 'up0:up1', '-D', DESTS.join(':'), '--up-delay', '200ms']);
    await waitAdmin('up', 5000);
  }, 180_000);

  afterAll(() => {
    if (d?.alive) {
      d.signal('SIGCONT');
      d.signal('SIGKILL');
    }
    lab?.destroy();
  });

  /** Lab.waitAdmin, for a namespace with thousands of interfaces. */
  const waitAdmin = (state: Admin, timeout: number) =>
    waitFor(`${DESTS.join(',')} admin ${state}`, () => Object.values(lab.admins(DESTS)).every((s) => s === state), {
      timeout,
      interval: 50,
      context: () => `kernel: ${JSON.stringify(lab.admins(DESTS))}\n${d.tail()}`,
    });

  /** Runs `lines` as one `ip -batch` while the daemon is stopped; returns the drop count it caused. */
  function whileStopped(lines: readonly string[]): void {
    const drops0 = lab.netlinkDrops();
    d.signal('SIGSTOP');
    const t0 = performance.now();
    try {
      lab.batch(lines);
    } finally {
      const drops = lab.netlinkDrops() - drops0;
      d.signal('SIGCONT');
      console.log(`storm-scale: ${lines.length} ip commands in ${(performance.now() - t0).toFixed(0)} ms, ${drops} notifications dropped`);
      expect(drops, 'the storm did not overrun the queue: raise IFDEPD_STORM_SCALE_PAIRS').toBeGreaterThan(0);
    }
  }

  const all = (op: (name: string, i: number) => string): string[] =>
    Array.from({ length: PAIRS }, (_, i) => [op(`s${i}`, i), op(`s${i}p`, i)]).flat();

  it(`${PAIRS * 2} interfaces toggled up, the source cut and destinations flipped mid-storm: all 16 down`, async () => {
    const ups = all((n) => `link set ${n} up`);
    const lines = [
      ...all((n, i) => `link set ${n} alias storm-a${i}`),
      ...ups.slice(0, PAIRS),
      `link set ${lab.peerOf('up1')} down`,
      // Someone else takes half the destinations down and up again: those notifications are lost too.
      ...DESTS.filter((_, i) => i % 2 === 0).map((v) => `link set ${v} down`),
      ...DESTS.filter((_, i) => i % 2 === 0).map((v) => `link set ${v} up`),
      ...ups.slice(PAIRS),
    ];
    whileStopped(lines);
    const resumed = performance.now();
    await d.waitForLog(OVERRUN, 20_000);
    await waitAdmin('down', 20_000);
    console.log(`storm-scale: all 16 destinations down ${(performance.now() - resumed).toFixed(0)} ms after SIGCONT`);
    expect(d.alive, d.tail()).toBe(true);
    const links = lab.links();
    expect(links.length).toBeGreaterThanOrEqual(2 * PAIRS + DESTS.length);
    // Nothing the daemon does not own was touched: every storm interface is as the batch left it.
    expect(links.filter((l) => /^s\d+p?$/.test(l.ifname) && l.flags.includes('UP'))).toHaveLength(2 * PAIRS);
    expect(d.output, d.tail()).not.toMatch(/internal error|uncaught|    at /i);
  });

  it('a second storm that restores the source: all 16 up again, and the daemon still follows single changes', async () => {
    whileStopped([
      ...all((n, i) => `link set ${n} alias storm-b${i}`),
      `link set ${lab.peerOf('up1')} up`,
      ...all((n, i) => `link set ${n} alias storm-c${i}`),
    ]);
    const resumed = performance.now();
    await waitFor('a second overrun report', () => d.count(OVERRUN) >= 2, { timeout: 20_000, context: () => d.tail() });
    await waitAdmin('up', 20_000);
    console.log(`storm-scale: all 16 destinations up ${(performance.now() - resumed).toFixed(0)} ms after SIGCONT`);
    expect(d.alive, d.tail()).toBe(true);

    lab.cutCarrier('up0');
    await waitAdmin('down', 5000);
    lab.restoreCarrier('up0');
    await waitAdmin('up', 5000);
    expect(d.alive, d.tail()).toBe(true);
  });
});
