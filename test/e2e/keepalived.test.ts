// End to end with keepalived: an HA firewall pair (fw1 primary, fw2 backup) in network
// namespaces, running contrib/keepalived's very keepalived.conf and IFDEPD_ARGS files.
// ifdepd on fw1 watches the uplink and forces keepalived's VMAC down while it has no
// carrier; the test asserts who owns the virtual IP, continuously (ip monitor), with
// deadlines derived from the VRRP timers, and prints the measured takeover times.
//
//   sudo npx vitest run test/e2e/keepalived.test.ts          (advert_int 0.1)
//   sudo IFDEPD_E2E_ADVERT_INT=1 npx vitest run test/e2e     (the example's own 1 s)
//   IFDEPD_E2E_KEEP=1 keeps every process's log in the lab's temp dir.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { HaLab, haLabSkipReason } from '../lab/halab.js';
import { sleep, waitFor, type Proc } from '../lab/index.js';
import {
  optionValue,
  readIfdepdExample,
  readKeepalivedExample,
  renderKeepalived,
  withOption,
  type KeepalivedExample,
  type Node,
} from '../lab/keepalived.js';

const skip = haLabSkipReason();
if (skip) console.warn(`keepalived e2e: skipped: ${skip}`);

/** advert_int the example is run with: 0.1 s keeps the whole file to seconds. */
const ADVERT_INT = Number(process.env.IFDEPD_E2E_ADVERT_INT ?? '0.1');
/** How much later than its VRRP timers a transition may come on a loaded CI machine. */
const SLACK_MS = 2000;

/** RFC 5798 Master_Down_Interval for a backup of this priority, in ms. */
const masterDownMs = (priority: number): number => (3 * ADVERT_INT + ((256 - priority) / 256) * ADVERT_INT) * 1000;
const skewMs = (priority: number): number => ((256 - priority) / 256) * ADVERT_INT * 1000;

/** Per test: generous, and scaled with the VRRP timers. */
const TEST_TIMEOUT = 30_000 + 30 * masterDownMs(1);

const ms = (x: number): string => `${Math.round(x)} ms`;

describe.skipIf(skip !== null)('keepalived pair with ifdepd (contrib/keepalived)', () => {
  let lab: HaLab;
  const ex = {} as Record<Node, KeepalivedExample>;
  const args = {} as Record<Node, string[]>;
  const ka = {} as Record<Node, Proc>;
  let fw2Ifdepd: Proc;
  let d: Proc | undefined;
  let upDelayMs: number;
  const results: string[] = [];

  const record = (line: string) => {
    results.push(line);
    console.log(`keepalived e2e: ${line}`);
  };

  /** Every process's log tail, for failure messages. */
  const context = (): string =>
    [d, ka.fw1, ka.fw2, fw2Ifdepd]
      .filter((p): p is Proc => p !== undefined)
      .map((p) => p.tail(15))
      .join('\n');

  const config = (node: Node, xmitBase = true): string =>
    renderKeepalived(ex[node], { advertInt: ADVERT_INT, xmitBase });

  async function startKeepalived(node: Node, xmitBase = true): Promise<void> {
    ka[node] = lab.keepalived(node, config(node, xmitBase));
    await ka[node].waitForLog(/Entering (BACKUP|MASTER|FAULT) STATE/, 10_000);
  }

  async function stopKeepalived(node: Node): Promise<void> {
    const exit = await ka[node].stop();
    expect(exit, ka[node].tail()).toEqual({ code: 0, signal: null });
  }

  /** fw1 with carrier and its VMAC up, fw1 alone owning the VIP. */
  async function steady(): Promise<void> {
    lab.restoreUplink('fw1');
    // A stopped ifdepd leaves the VMAC as it was: put it back as keepalived would have it.
    if (lab.vmacAdmin('fw1') === 'down') lab.ip('fw1', 'link', 'set', lab.vmac, 'up');
    await lab.waitOwner('fw1', masterDownMs(ex.fw1.priority) + 5000, context);
  }

  /** ifdepd on fw1 with the example's arguments, changed by `edit`; -v for the record. */
  async function startIfdepd(edit: (a: string[]) => string[] = (a) => a): Promise<Proc> {
    d = await lab.ifdepd('fw1', ['-v', ...edit(args.fw1)]);
    return d;
  }

  /** SIGTERM: ifdepd exits 0 and leaves the VMAC as it is. */
  async function stopIfdepd(): Promise<void> {
    if (d === undefined) return;
    const p = d;
    d = undefined;
    const exit = await p.stop();
    expect(exit, p.tail()).toEqual({ code: 0, signal: null });
  }

  /** Cuts fw1's uplink, waits for fw2 to own the VIP; returns the cut instant and the takeover time. */
  async function failover(): Promise<{ cut: number; takeover: number }> {
    const cut = performance.now();
    lab.cutUplink('fw1');
    const owned = await lab.waitOwner('fw2', masterDownMs(ex.fw2.priority) + SLACK_MS, context);
    const on = lab.first('fw2', 'vip', true, cut)?.t ?? owned;
    return { cut, takeover: on - cut };
  }

  beforeAll(async () => {
    for (const node of ['fw1', 'fw2'] as const) {
      ex[node] = readKeepalivedExample(node);
      args[node] = readIfdepdExample(node);
    }
    // The two nodes' examples must describe the same instance, and ifdepd must watch it.
    expect(ex.fw2.vmac).toBe(ex.fw1.vmac);
    expect(ex.fw2.vip).toBe(ex.fw1.vip);
    expect(ex.fw2.iface).toBe(ex.fw1.iface);
    expect(ex.fw1.priority).toBeGreaterThan(ex.fw2.priority);
    for (const node of ['fw1', 'fw2'] as const) {
      expect(optionValue(args[node], '-D')?.split(':'), `contrib/keepalived/${node}/ifdepd -D`).toContain(ex[node].vmac);
    }
    const up = optionValue(args.fw1, '-S');
    expect(up, 'the lab gives each node one uplink: -S names one interface').toMatch(/^[^:]+$/);
    expect(optionValue(args.fw2, '-S')).toBe(up);
    const upDelay = optionValue(args.fw1, '--up-delay') ?? '2s';
    upDelayMs = /ms$/.test(upDelay) ? parseFloat(upDelay) : parseFloat(upDelay) * 1000;

    lab = HaLab.create({ lanIf: ex.fw1.iface, upIf: up!, vmac: ex.fw1.vmac, vip: ex.fw1.vip });
    await lab.monitor();
    await Promise.all([startKeepalived('fw1'), startKeepalived('fw2')]);
    // fw2 runs its own ifdepd as shipped; its uplink stays up, so it must never act.
    fw2Ifdepd = await lab.ifdepd('fw2', args.fw2);
    record(
      `advert_int ${ADVERT_INT} s: master-down interval fw2 ${ms(masterDownMs(ex.fw2.priority))}, ` +
        `fw1 ${ms(masterDownMs(ex.fw1.priority))}; skew time fw2 ${ms(skewMs(ex.fw2.priority))}; ` +
        `ifdepd ${args.fw1.join(' ')}`,
    );
  }, 60_000);

  afterAll(async () => {
    try {
      await stopIfdepd();
      if (fw2Ifdepd !== undefined) {
        // fw2's uplink never moved: its ifdepd never decided down. (It does force up the
        // VMAC keepalived sets down at shutdown and re-creates down, when fw2's
        // keepalived restarts in the last test: its decision is up.)
        expect(fw2Ifdepd.since().filter((l) => /down \(|forcing it down/.test(l)), fw2Ifdepd.tail()).toEqual([]);
        await fw2Ifdepd.stop();
      }
      for (const node of ['fw1', 'fw2'] as const) await ka[node]?.stop();
    } finally {
      lab?.destroy();
      if (results.length > 0) console.log(`keepalived e2e, measured:\n  ${results.join('\n  ')}`);
    }
  }, 30_000);

  it('steady state: fw1 is MASTER and owns the VIP, fw2 is BACKUP', async () => {
    await lab.waitOwner('fw1', masterDownMs(ex.fw1.priority) + 5000, context);
    expect(lab.owners()).toEqual(['fw1']);
    expect(lab.vmacAdmin('fw1')).toBe('up');
    expect(lab.vmacAdmin('fw2')).toBe('up');
    await ka.fw1.waitForLog(/\(LAN\) Entering MASTER STATE/, 5000);
    expect(ka.fw2.find(/Entering MASTER STATE/), ka.fw2.tail()).toBeUndefined();
  }, TEST_TIMEOUT);

  it('uplink cut: ifdepd sets the VMAC down, fw1 goes FAULT, fw2 takes the VIP', async () => {
    await steady();
    const d = await startIfdepd();
    const m1 = ka.fw1.mark();
    const m2 = ka.fw2.mark();
    const { cut, takeover } = await failover();
    await d.waitForLog(new RegExp(`${up()} lost carrier -> destinations ${re(lab.vmac)} down`), 2000);
    await ka.fw1.waitForLog(/Entering FAULT STATE/, 2000, m1);
    await ka.fw2.waitForLog(/Entering MASTER STATE/, 2000, m2);
    expect(lab.owners()).toEqual(['fw2']);

    const vmacDown = lab.first('fw1', 'vmac', false, cut)!.t - cut;
    const fw1Off = lab.first('fw1', 'vip', false, cut)!.t - cut;
    record(
      `uplink cut -> VIP on fw2: ${ms(takeover)} (ifdepd set ${lab.vmac} down after ${ms(vmacDown)}, ` +
        `fw1 dropped the VIP after ${ms(fw1Off)}; vmac_xmit_base)`,
    );
    // The FAULT's priority-0 advert leaves through lan0: fw2 waits its skew time, not
    // the master-down interval. Its log says so.
    expect(ka.fw2.find(/Backup received priority 0 advertisement/, m2), ka.fw2.tail()).toBeDefined();
    await stopIfdepd();
  }, TEST_TIMEOUT);

  it('uplink restored: after the up-delay ifdepd sets the VMAC up and fw1 preempts', async () => {
    await steady();
    const d = await startIfdepd();
    await failover();
    const m1 = ka.fw1.mark();
    const restored = performance.now();
    lab.restoreUplink('fw1');
    const owned = await lab.waitOwner('fw1', upDelayMs + masterDownMs(ex.fw1.priority) + SLACK_MS, context);
    await d.waitForLog(new RegExp(`all sources have carrier -> destinations ${re(lab.vmac)} up`), 1000);
    await ka.fw1.waitForLog(/Entering MASTER STATE/, 1000, m1);

    const vmacUp = lab.first('fw1', 'vmac', true, restored)!.t - restored;
    const back = (lab.first('fw1', 'vip', true, restored)?.t ?? owned) - restored;
    const fw2Off = lab.first('fw2', 'vip', false, restored)!.t - restored;
    // ifdepd counts the up-delay from the kernel's notification, which follows `restored`.
    expect(vmacUp, d.tail()).toBeGreaterThanOrEqual(upDelayMs - 5);
    record(
      `uplink restored -> VIP back on fw1: ${ms(back)} (${lab.vmac} up after ${ms(vmacUp)}, up-delay ${ms(upDelayMs)}; ` +
        `fw2 dropped the VIP after ${ms(fw2Off)})`,
    );
    await stopIfdepd();
  }, TEST_TIMEOUT);

  it('ten 100 ms uplink flaps within a 500 ms down-delay: fw2 never owns the VIP', async () => {
    await steady();
    const d = await startIfdepd((a) => withOption(withOption(a, '--down-delay', '500ms'), '--up-delay', '1s'));
    const from = performance.now();
    const downs: number[] = [];
    for (let i = 0; i < 10; i++) {
      lab.cutUplink('fw1');
      const t = performance.now();
      await sleep(100);
      downs.push(performance.now() - t);
      lab.restoreUplink('fw1');
      await sleep(100);
    }
    // Observation window: long enough for a down decision to turn into a takeover.
    await sleep(500 + masterDownMs(ex.fw2.priority) + 500);

    const fw2Owned = lab.history('fw2', 'vip', from).filter((s) => s.on);
    const vmacMoves = lab.history('fw1', 'vmac', from);
    const flapsIgnored = d.since().filter((l) => /flap ignored/.test(l)).length;
    record(
      `10 flaps (down ${ms(Math.min(...downs))}..${ms(Math.max(...downs))} each): fw2 owned the VIP ${fw2Owned.length} times, ` +
        `${lab.vmac} moved ${vmacMoves.length} times, ifdepd logged ${flapsIgnored} "flap ignored"`,
    );
    if (Math.max(...downs) < 400) {
      expect(fw2Owned, context()).toEqual([]);
      expect(vmacMoves, context()).toEqual([]);
      expect(flapsIgnored).toBeGreaterThanOrEqual(1);
    } else {
      // The machine stretched a 100 ms flap close to the down-delay: one failover is allowed.
      console.warn(`keepalived e2e: a flap lasted ${ms(Math.max(...downs))}: allowing one failover`);
      expect(fw2Owned.length, context()).toBeLessThanOrEqual(1);
    }
    await lab.waitOwner('fw1', upDelayMs + masterDownMs(ex.fw1.priority) + SLACK_MS, context);
    expect(lab.owners()).toEqual(['fw1']);
    await stopIfdepd();
  }, TEST_TIMEOUT);

  it('--dry-run: an uplink cut changes nothing, fw1 keeps the VIP', async () => {
    await steady();
    const d = await startIfdepd((a) => withOption(a, '--dry-run'));
    const cut = performance.now();
    lab.cutUplink('fw1');
    await d.waitForLog(new RegExp(`dry-run: would set ${re(lab.vmac)} down`), 2000);
    // Several master-down intervals: any takeover would have shown by then.
    const window = Math.max(1500, 4 * masterDownMs(ex.fw2.priority));
    await sleep(window - (performance.now() - cut));
    expect(lab.history('fw2', 'vip', cut).filter((s) => s.on), context()).toEqual([]);
    expect(lab.history('fw1', 'vmac', cut), context()).toEqual([]);
    expect(lab.owners()).toEqual(['fw1']);
    record(`dry-run: uplink cut, fw1 kept the VIP for the ${ms(window)} window`);
    lab.restoreUplink('fw1');
    await stopIfdepd();
  }, TEST_TIMEOUT);

  it('keepalived restarted on fw1 while the uplink is down: ifdepd forces the new VMAC down, fw2 keeps the VIP', async () => {
    await steady();
    const d = await startIfdepd();
    await failover();
    await waitFor(`${lab.vmac} down in fw1`, () => lab.vmacAdmin('fw1') === 'down', { timeout: 2000, context });

    // keepalived deletes its VMAC when it stops...
    const gone = d.mark();
    await stopKeepalived('fw1');
    expect(lab.vmacAdmin('fw1')).toBe('missing');
    await d.waitForLog(new RegExp(`${re(lab.vmac)} disappeared; it will be set down when it comes back`), 2000, gone);

    // ...and creates it admin up when it starts again.
    const m = d.mark();
    const restart = performance.now();
    await startKeepalived('fw1');
    const forced = await d.waitForLine(new RegExp(`${re(lab.vmac)} (.*) -> forcing it down`), 5000, m);
    await ka.fw1.waitForLog(/Entering FAULT STATE/, 5000);
    const window = Math.max(2000, 4 * masterDownMs(ex.fw1.priority));
    await sleep(window - (performance.now() - restart));

    expect(lab.first('fw1', 'vip', true, restart), context()).toBeUndefined();
    expect(lab.history('fw2', 'vip', restart), context()).toEqual([]);
    expect(lab.owners()).toEqual(['fw2']);
    expect(ka.fw1.find(/Entering MASTER STATE/), ka.fw1.tail()).toBeUndefined();
    const vmacOn = lab.first('fw1', 'vmac', true, restart);
    const vmacOff = vmacOn && lab.first('fw1', 'vmac', false, vmacOn.t);
    record(
      `keepalived restarted on fw1, uplink down: ifdepd logged "${forced.text.replace(/^.*?ifdepd\[\d+\]: /, '')}"; ` +
        (vmacOn && vmacOff ? `the new ${lab.vmac} was up for ${ms(vmacOff.t - vmacOn.t)}; ` : '') +
        `fw2 kept the VIP for the ${ms(window)} window`,
    );

    // The restarted keepalived recovers like any other.
    lab.restoreUplink('fw1');
    await lab.waitOwner('fw1', upDelayMs + masterDownMs(ex.fw1.priority) + SLACK_MS, context);
    await stopIfdepd();
  }, TEST_TIMEOUT);

  it('without vmac_xmit_base the priority-0 advert is lost: fw2 waits for the master-down interval', async () => {
    await stopKeepalived('fw2');
    await stopKeepalived('fw1');
    await Promise.all([startKeepalived('fw1', false), startKeepalived('fw2', false)]);
    await steady();
    const d = await startIfdepd();
    const m2 = ka.fw2.mark();
    const { takeover } = await failover();
    await d.waitForLog(new RegExp(`${re(lab.vmac)} is admin up -> forcing it down`), 1000);
    record(`without vmac_xmit_base: uplink cut -> VIP on fw2: ${ms(takeover)}`);
    // fw2's timer ran from fw1's last advert, at most one advert_int before the cut.
    expect(takeover, context()).toBeGreaterThanOrEqual(masterDownMs(ex.fw2.priority) - ADVERT_INT * 1000 - 5);
    expect(ka.fw2.find(/Backup received priority 0 advertisement/, m2), ka.fw2.tail()).toBeUndefined();
    const restored = performance.now();
    lab.restoreUplink('fw1');
    await lab.waitOwner('fw1', upDelayMs + masterDownMs(ex.fw1.priority) + SLACK_MS, context);
    record(`without vmac_xmit_base: uplink restored -> VIP back on fw1: ${ms(lab.first('fw1', 'vip', true, restored)!.t - restored)}`);
    await stopIfdepd();
  }, TEST_TIMEOUT);

  const up = () => re(lab.upIf);
});

/** A string as a literal in a RegExp. */
const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
