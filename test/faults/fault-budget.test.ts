// A bug in a callback must not freeze the destinations. IFDEPD_TEST_FAULT=TEXT (test only,
// src/daemon/test-fault.ts) makes the daemon's log throw in the code that logs a line
// containing TEXT: here the decision line, said inside a netlink event handler (down-delay
// 0) or a group's timer (down-delay > 0), just after the actuators heard of the decision. The
// real built daemon must log the fault with where it happened, read everything again and
// move the destinations anyway, keep enforcing later changes, and exit 70 only at the 5th
// fault within 60 s.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STARTED } from '../lab/netns.js';
import { FaultLab, labSkipReason, type Proc } from './faultlab.js';
import { CLI } from '../lab/cli.js';

const skip = labSkipReason();
const DESTS = ['vrrp0', 'vrrp1'];
/** Only the line of a decision to go down: the way back up is logged, and applied, as usual. */
const TRIGGER = 'lost carrier -> destinations';

describe.skipIf(skip !== null)(`faults in callbacks${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let lab: FaultLab;
  let d: Proc;

  beforeEach(() => {
    lab = FaultLab.create();
    lab.addSource('up0');
    for (const v of DESTS) lab.addDestination(v);
  });

  afterEach(async () => {
    await lab.shutdown();
  });

  async function start(args: string[] = [], trigger = TRIGGER): Promise<Proc> {
    d = lab.exec([process.execPath, CLI, '-S', 'up0', '-D', DESTS.join(':'), '--up-delay', '0', ...args], {
      env: { ...process.env, IFDEPD_TEST_FAULT: trigger },
    });
    await d.waitForLog(STARTED, 10_000);
    await lab.waitAdmin(DESTS, 'up', 3000, d);
    return d;
  }

  /** Cuts the carrier: the fault, logged with its place; the destinations go down all the same. */
  async function faultyCut(where: RegExp, n: number, trigger = TRIGGER): Promise<void> {
    const mark = d.mark();
    lab.cutCarrier('up0');
    const line = await d.waitForLog(new RegExp(`internal error in ${where.source}`), 5000, mark);
    // The place: a file of the shipped bundle and a line in it (scripts/bundle.mjs names its chunks).
    expect(line).toMatch(new RegExp(`internal error in ${where.source} at chunks/[\\w-]+\\.js:\\d+: `));
    expect(line).toMatch(new RegExp(`IFDEPD_TEST_FAULT: injected fault; re-reading all watched links \\(fault ${n} of 5 allowed within 60 s\\)$`));
    await lab.waitAdmin(DESTS, 'down', 5000, d);
    expect(d.since(mark).join('\n')).not.toContain(trigger);
  }

  async function restore(): Promise<void> {
    lab.restoreCarrier('up0');
    await lab.waitAdmin(DESTS, 'up', 5000, d);
  }

  it('a fault in a netlink event handler: logged with its place, everything re-read, the destinations still move, no exit', async () => {
    await start();
    await faultyCut(/link sync: netlink event/, 1);
    // It keeps enforcing: the way back up, a destination flipped by hand, a second fault.
    await restore();
    lab.setDown('vrrp1');
    await lab.waitAdmin(['vrrp1'], 'up', 3000, d);
    await faultyCut(/link sync: netlink event/, 2);
    expect(d.alive, d.tail()).toBe(true);
    // No stack without -v.
    expect(d.output).not.toMatch(/^\s+at /m);
  });

  it('a fault in a timer (down-delay) names the groups, and -v adds the stack', async () => {
    await start(['-v', '--down-delay', '150ms']);
    const mark = d.mark();
    await faultyCut(/groups: timer/, 1);
    // The stack follows the error line, as lines of their own: waited for, not assumed written yet.
    await d.waitForLog(/\]: +at Daemon\.decided \(/, 5000, mark);
    await d.waitForLog(/read \d+ links \(fault in groups: timer\)/, 5000, mark);
    await restore();
    expect(d.alive, d.tail()).toBe(true);
  });

  it('the 5th fault within 60 s exits 70, and a fresh start takes over from there', async () => {
    await start();
    for (let n = 1; n <= 4; n++) {
      await faultyCut(/link sync: netlink event/, n);
      await restore();
    }
    lab.cutCarrier('up0');
    const exit = await d.exit;
    expect(exit, d.tail()).toEqual({ code: 70, signal: null });
    expect(d.tail()).toMatch(/5 faults within 60 s: exiting \(70\) for the supervisor to restart ifdepd; destinations are left as they are/);
    // The successor, started as a supervisor would start it, takes over: the source is still cut.
    d = lab.exec([process.execPath, CLI, '-S', 'up0', '-D', DESTS.join(':')]);
    await d.waitForLog(STARTED, 10_000);
    await lab.waitAdmin(DESTS, 'down', 3000, d);
  });
});
