// A burst of SIGHUPs with the largest configuration file the limits allow (issue 19,
// defect 2): before, every signal started a reload of its own, each in a worker of its
// own (91 of 100 ran, RSS peaked at 1.4-1.7 GB, a failover during the burst took
// 280-452 ms). Now a burst is one reload under way and one more of the newest file, and
// the daemon's memory stays bounded.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { MAX_GROUPS } from '../../src/config/limits.js';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { maximalConfig } from '../lab/maxconf.js';
import { describeLab, LinkRecorder, sleep, waitFor } from '../lab/index.js';

const SIGNALS = 100;
const APART_MS = 10;

/** The daemon's resident set, in KiB. */
const rssKiB = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

describeLab('a burst of reloads', () => {
  let lab: Lab;
  eachLab((fresh) => (lab = fresh));

  it('is one reload under way and one more of the newest file; memory stays bounded; a failover during it is not held', async () => {
    lab.addSource('a0');
    lab.addDestination('vrrp0');
    const real = group('real', 'sources a0', 'destinations vrrp0', 'down-delay 0', 'up-delay 0');
    const text = maximalConfig(config(lab, real), 1, 2);
    const d = await lab.start(text, { verbose: false });
    // One reload first: what a reload allocates for good (the new groups) is in the baseline.
    let mark = d.mark();
    d.signal('SIGHUP');
    await d.waitForLog(new RegExp(`reloaded ${lab.configFile}: ${MAX_GROUPS} group\\(s\\)`), 15_000, mark);
    const before = rssKiB(d.pid);

    const rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec.dump(['vrrp0'])}\n${d.tail()}`;
    mark = d.mark();
    let cut = 0;
    for (let i = 0; i < SIGNALS; i += 1) {
      d.signal('SIGHUP');
      if (i === SIGNALS / 2) {
        cut = performance.now();
        lab.cutCarrier('a0');
      }
      // The pace of the burst, not a wait for state.
      await sleep(APART_MS);
    }
    const down = await rec.waitAdmin('vrrp0', 'down', cut, 5000, ctx);
    // A failover in the middle of the burst: the interference matrix compares it with a
    // quiet one (test/faults/interference.test.ts); here, that it is not held behind reloads.
    expect(down - cut, ctx()).toBeLessThan(1000);

    // Every signal is answered by a reload that began after it: the last one read ends the burst.
    const reloaded = new RegExp(`reloaded ${lab.configFile}: ${MAX_GROUPS} group\\(s\\)`);
    await waitFor('the burst to end', () => d.since(mark).filter((l) => /SIGHUP: re-reading all links/.test(l)).length > 0 && !busy(), {
      timeout: 30_000,
      interval: 200,
      context: ctx,
    });
    function busy(): boolean {
      const lines = d.since(mark);
      return lines.filter((l) => /SIGHUP: reloading/.test(l)).length > lines.filter((l) => /SIGHUP: re-reading all links/.test(l)).length;
    }
    const steps = d.since(mark).flatMap((l) => (/SIGHUP: reloading/.test(l) ? ['check'] : /SIGHUP: re-reading all links/.test(l) ? ['done'] : []));
    const runs = steps.filter((x) => x === 'check').length;
    console.log(`reload burst: ${SIGNALS} SIGHUPs ${APART_MS} ms apart -> ${runs} reloads; failover in it ${(down - cut).toFixed(1)} ms`);
    // One at a time: each run ends before the next begins.
    expect(steps.join(' '), ctx()).toBe(Array.from({ length: runs }, () => 'check done').join(' '));
    // A check of this file takes 0.2-1 s and the burst 1 s: a handful of runs, not one per
    // signal (91 of 100 before).
    expect(runs, ctx()).toBeGreaterThanOrEqual(2);
    expect(runs, ctx()).toBeLessThanOrEqual(SIGNALS / 5);
    expect(d.since(mark).filter((l) => reloaded.test(l)).length).toBe(runs);

    // Memory stays bounded: one checker at a time, not 91 (1.4-1.7 GB). Issue 19 asks for
    // RSS back within 10 % of before; measured 13-23 % after one burst, ~1.45x after three,
    // then flat through eight (bench/README.md, "A burst of reloads"): the main thread's heap,
    // not the checkers (the same with the check in-process), and a full collection does not
    // give it back. That target is open; this bound guards against a checker per signal.
    const after = rssKiB(d.pid);
    console.log(`reload burst: RSS ${before} KiB before, ${after} KiB after (${((after / before - 1) * 100).toFixed(1)} %)`);
    expect(after, `RSS ${after} KiB, before ${before} KiB`).toBeLessThanOrEqual(before * 1.5);
  }, 90_000);
});
