// An event storm that overruns the daemon's netlink receive queue while it is
// stopped (SIGSTOP): notifications are lost, the daemon must notice, re-read every
// link and still end up enforcing the right state.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { Lab, labSkipReason, type Proc } from '../lab/index.js';

const skip = labSkipReason();
if (skip) console.warn(`storm: skipped: ${skip}`);

const DESTS = Array.from({ length: 8 }, (_, i) => `vrrp${i}`);
const ARGS = ['-S', 'up0', '-D', DESTS.join(':'), '--up-delay', '200ms'];
/** veth pairs created and toggled per storm. */
const PAIRS = Number(process.env.IFDEPD_STORM_PAIRS ?? 400);
const OVERRUN = /warning: netlink: receive queue overrun, notifications were lost: re-reading all watched links/;

/** `ip -batch` lines: create PAIRS veth pairs, bring both ends up, then toggle them twice. */
function stormLines(tag: string): string[] {
  const lines: string[] = [];
  for (let i = 0; i < PAIRS; i++) lines.push(`link add ${tag}${i} type veth peer name ${tag}${i}p`);
  for (const state of ['up', 'down', 'up', 'down', 'up']) {
    for (let i = 0; i < PAIRS; i++) {
      lines.push(`link set ${tag}${i} ${state}`, `link set ${tag}${i}p ${state}`);
    }
  }
  return lines;
}

/** Sum of the Drops column of /proc/net/netlink as seen in the namespace (the daemon's sockets). */
function netlinkDrops(lab: Lab): number {
  const text = lab.run(['cat', '/proc/net/netlink']);
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 10)
    .reduce((sum, f) => sum + Number(f[8]), 0);
}

describe.skipIf(skip !== null)('netlink receive-queue overrun', () => {
  let lab: Lab;
  let d: Proc | undefined;

  beforeEach(() => {
    lab = Lab.create();
    lab.addSource('up0');
    for (const v of DESTS) lab.addDestination(v);
    d = undefined;
  });

  afterEach(async () => {
    if (d?.alive) d.signal('SIGCONT');
    await d?.stop();
    lab.destroy();
  });

  /** Stops the daemon, runs `before`, a storm and `after` in one batch, resumes it. */
  function storm(daemon: Proc, tag: string, { before = [], after = [] }: { before?: string[]; after?: string[] }): void {
    daemon.signal('SIGSTOP');
    const lines = [...before, ...stormLines(tag), ...after];
    const t0 = performance.now();
    lab.batch(lines);
    const ms = performance.now() - t0;
    const links = (JSON.parse(lab.ip('-j', 'link', 'show')) as unknown[]).length;
    const drops = netlinkDrops(lab);
    console.log(
      `storm: ${lines.length} ip commands (${PAIRS} veth pairs created and toggled) in ${ms.toFixed(0)} ms ` +
        `while the daemon was stopped; ${links} links; netlink drops in the namespace: ${drops}`,
    );
    expect(links).toBeGreaterThanOrEqual(2 * PAIRS);
    // A precondition, not the daemon's doing: the kernel really dropped notifications.
    expect(drops, 'the storm did not overrun the queue: raise IFDEPD_STORM_PAIRS').toBeGreaterThan(0);
    daemon.signal('SIGCONT');
  }

  it('source cut during the storm: the daemon survives, reports the overrun, takes every destination down', async () => {
    d = await lab.daemon(ARGS);
    await lab.waitAdmin(DESTS, 'up', 3000, d);

    storm(d, 'a', { after: [`link set ${lab.peerOf('up0')} down`] });
    const resumed = performance.now();
    await d.waitForLog(OVERRUN, 15_000);
    await lab.waitAdmin(DESTS, 'down', 15_000, d);
    console.log(`storm: every destination down ${(performance.now() - resumed).toFixed(0)} ms after SIGCONT`);
    expect(d.alive, d.tail()).toBe(true);
    await d.waitForLog(/up0 lost carrier -> destinations vrrp0,.*vrrp7 down/);

    // And it still follows the source afterwards.
    lab.restoreCarrier('up0');
    await lab.waitAdmin(DESTS, 'up', 5000, d);
    expect(d.alive, d.tail()).toBe(true);
  });

  it('source restored during the storm: every destination comes back up', async () => {
    lab.cutCarrier('up0');
    d = await lab.daemon(ARGS);
    await lab.waitAdmin(DESTS, 'down', 3000, d);

    storm(d, 'b', { after: [`link set ${lab.peerOf('up0')} up`] });
    const resumed = performance.now();
    await d.waitForLog(OVERRUN, 15_000);
    await lab.waitAdmin(DESTS, 'up', 15_000, d);
    console.log(`storm: every destination up ${(performance.now() - resumed).toFixed(0)} ms after SIGCONT`);
    expect(d.alive, d.tail()).toBe(true);
  });

  it('destinations set up by someone else during the storm are forced back down', async () => {
    lab.cutCarrier('up0');
    d = await lab.daemon(ARGS);
    await lab.waitAdmin(DESTS, 'down', 3000, d);

    // The changes come first, so that their notifications are among the ones lost.
    storm(d, 'c', { before: DESTS.map((v) => `link set ${v} up`) });
    await d.waitForLog(OVERRUN, 15_000);
    await lab.waitAdmin(DESTS, 'down', 15_000, d);
    expect(d.alive, d.tail()).toBe(true);
  });
});
