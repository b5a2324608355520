// End to end with keepalived, the demotion recipe: contrib/keepalived's very keepalived.conf
// (track_file with weight -60) and ifdepd.conf (action keepalived-track-file) on an HA pair
// in network namespaces (test/lab/halab.ts), ifdepd on both nodes, and a LAN client (the
// lan namespace, an address on its bridge) pinging the VIP. Who owns the VIP is watched
// continuously (ip monitor); keepalived's logs say its priority and state.
//
//   sudo npx vitest run test/e2e/keepalived-demotion.test.ts      (advert_int 0.1)
//   IFDEPD_E2E_ADVERT_INT=1 ...                                   (the example's own)
//   IFDEPD_E2E_TRACK_WEIGHT=0 ...   the FAULT recipe instead, which these tests must catch,
//     and do (run once): both "both uplinks cut" tests time out waiting for fw1 to own the
//     VIP ("monitors: []", both nodes in FAULT, nobody answers the LAN), as with
//     contrib/keepalived/vmac-down; the other three pass (fw2 took over in 82 ms, the FAULT's
//     priority-0 advert).
//   IFDEPD_E2E_KEEP=1 keeps every process's log in the lab's temp dir.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { haLabSkipReason, HaLab } from '../lab/halab.js';
import { ADVERT_INT, masterDownMs, ms, re, SLACK_MS, TEST_TIMEOUT } from '../lab/hapair.js';
import { NODES, readIfdepdConf, readKeepalivedExample, renderKeepalived, type KeepalivedExample, type Node } from '../lab/keepalived.js';
import { CLI, sleep, waitFor, type Proc } from '../lab/index.js';

const skip = haLabSkipReason();
if (skip) console.warn(`keepalived demotion e2e: skipped: ${skip}`);

const WEIGHT_OVERRIDE = process.env['IFDEPD_E2E_TRACK_WEIGHT'];
/** The kernel may report a veth's carrier loss up to 1 s late (linkwatch): on top of the VRRP timers. */
const SLACK = SLACK_MS + 1500;
const CLIENT = '192.0.2.10/24';

describe.skipIf(skip !== null)('keepalived pair, demotion through a track file (contrib/keepalived)', () => {
  let lab: HaLab;
  const ex = {} as Record<Node, KeepalivedExample>;
  const ka = {} as Record<Node, Proc>;
  const ifdepd = {} as Record<Node, Proc>;
  const track = {} as Record<Node, string>;
  let weight = 0;
  let upDelayMs = 0;
  const results: string[] = [];
  const record = (line: string): void => {
    results.push(line);
    console.log(`keepalived demotion e2e: ${line}`);
  };
  const demoted = (node: Node): number => ex[node].priority + weight;
  const context = (): string =>
    NODES.map((n) => `${n} track file: ${JSON.stringify(readTrack(n))}`).join(', ') +
    '\n' +
    [...NODES.map((n) => ifdepd[n]), ...NODES.map((n) => ka[n])].filter((p) => p !== undefined).map((p) => p.tail(12)).join('\n');
  const readTrack = (node: Node): string | undefined => (existsSync(track[node]) ? readFileSync(track[node], 'utf8') : undefined);
  const waitTrack = (node: Node, value: '0' | '1', timeout = 3000): Promise<boolean> =>
    waitFor(`${node}'s track file to read ${value}`, () => readTrack(node) === `${value}\n` || undefined, { timeout, context });
  /** One ping of the VIP from the LAN client; true if it answered. */
  const pingVip = (timeoutS = 1): boolean =>
    spawnSync('ip', ['netns', 'exec', lab.ns('lan'), 'ping', '-c', '1', '-W', String(timeoutS), lab.vip.split('/')[0]!]).status === 0;
  /**
   * The LAN client reaches the VIP, within a few pings as a real client retries: right after
   * fw1 took the VIP back, a single ping went unanswered (2 runs in 6), before the new
   * MASTER's gratuitous ARPs had reached the bridge and the client. Returns how many it took.
   */
  const reachVip = async (what: string): Promise<number> => {
    let pings = 0;
    const answered = (): true | undefined => {
      pings++;
      return pingVip(1) || undefined;
    };
    await waitFor(`the LAN client to reach the VIP ${what}`, answered, { timeout: 10_000, context });
    return pings;
  };
  /** keepalived's line for a priority change of the instance (2.2.7: "(LAN) Changing effective priority from 150 to 90"). */
  const priorityLine = (from: number, to: number): RegExp => new RegExp(`effective priority from ${from} to ${to}\\b`);

  /** Both uplinks up, both track files 0, fw1 alone owning the VIP. */
  const steady = async (): Promise<void> => {
    for (const node of NODES) lab.restoreUplink(node);
    await Promise.all(NODES.map((n) => waitTrack(n, '0', upDelayMs + SLACK)));
    await lab.waitOwner('fw1', masterDownMs(ex.fw1.priority) + SLACK, context);
  };

  /**
   * After both cuts: both demoted, fw1 alone owns the VIP, and fw2 is not MASTER (its last
   * state line since `m`); returns when. The two cuts are reported apart (up to a second,
   * linkwatch), as two real uplinks fail apart: with fw1 demoted first, fw2 at 100 may take
   * the VIP for a moment, and fw1, the higher again once fw2 is demoted too, takes it back.
   */
  const settleBothCut = (m: Record<Node, number>): Promise<number> => {
    const fw2Master = (): boolean => {
      const states = ka.fw2.since(m.fw2).filter((l) => /Entering (MASTER|BACKUP|FAULT) STATE/i.test(l));
      return states.length > 0 && /MASTER/i.test(states[states.length - 1]!);
    };
    return waitFor(
      'both demoted, fw1 alone owning the VIP',
      () => {
        if (weight !== 0 && NODES.some((n) => ka[n].find(priorityLine(ex[n].priority, demoted(n)), m[n]) === undefined)) return undefined;
        const o = lab.seenOwners();
        return o.length === 1 && o[0] === 'fw1' && !fw2Master() ? performance.now() : undefined;
      },
      {
        timeout: masterDownMs(ex.fw2.priority) + masterDownMs(demoted('fw1')) + SLACK,
        interval: 10,
        context: () => `monitors: ${JSON.stringify(lab.seenOwners())}\n${context()}`,
      },
    );
  };

  beforeAll(async () => {
    for (const node of NODES) ex[node] = readKeepalivedExample(node);
    // The recipe's arithmetic, as the files state it: the same weight on both nodes, larger
    // than the gap (fw1 alone failing loses), smaller than the lower priority (no clamp to 1).
    const w = ex.fw1.track?.weight;
    expect(w, 'contrib/keepalived/fw1/keepalived.conf: a track_file with a weight').toBeDefined();
    expect(ex.fw2.track).toEqual(ex.fw1.track);
    weight = WEIGHT_OVERRIDE !== undefined ? Number(WEIGHT_OVERRIDE) : w!;
    if (WEIGHT_OVERRIDE === undefined) {
      expect(ex.fw1.priority + weight).toBeLessThan(ex.fw2.priority);
      expect(ex.fw2.priority + weight).toBeGreaterThanOrEqual(1);
    }
    const confs = NODES.map((n) => readIfdepdConf(n));
    for (const text of confs) expect(text).toMatch(new RegExp(`^\\s*action\\s+keepalived-track-file\\s+${re(ex.fw1.track!.path)}\\s*$`, 'm'));
    const upDelay = /^\s*up-delay\s+(\d+)(ms|s)\s*$/m.exec(confs[0]!);
    upDelayMs = upDelay === null ? 2000 : Number(upDelay[1]) * (upDelay[2] === 's' ? 1000 : 1);

    lab = HaLab.create({ lanIf: ex.fw1.iface, upIf: 'up0', vmac: ex.fw1.vmac, vip: ex.fw1.vip, prefix: 'ifdepd-kad' });
    lab.ip('lan', 'addr', 'add', CLIENT, 'dev', 'br0');
    await lab.monitor();
    NODES.forEach((node, i) => {
      // Each node its own /run/ifdepd, inside the lab's temp dir (root's, 0700).
      const run = join(lab.tmpdir(), `${node}-run`);
      mkdirSync(run, { mode: 0o755 });
      track[node] = join(run, 'uplink.track');
      const conf = join(lab.tmpdir(), `${node}-ifdepd.conf`);
      // The action line only (the comments name the path too); nothing may point at the host's.
      const text = confs[i]!.replace(/^(\s*action\s+keepalived-track-file\s+)\S+/m, `$1${track[node]}`);
      expect(text.replace(/#.*$/gm, '')).not.toContain(ex.fw1.track!.path);
      // Not /run/ifdepd/ifdepd.sock, the default with -f: the host's.
      writeFileSync(conf, `control-socket ${join(run, 'ifdepd.sock')}\n${text}`);
    });
    // ifdepd first, as contrib/systemd/ifdepd.service (Before=keepalived.service): the
    // track file exists when keepalived starts.
    for (const node of NODES) {
      ifdepd[node] = lab.exec(node, `ifdepd-${node}`, [process.execPath, CLI, '-v', '-f', join(lab.tmpdir(), `${node}-ifdepd.conf`)]);
      await ifdepd[node].waitForLog(/at start .* -> track file /, 10_000);
      await waitTrack(node, '0');
    }
    for (const node of NODES) {
      ka[node] = lab.keepalived(node, renderKeepalived(ex[node], { advertInt: ADVERT_INT, xmitBase: true, trackFile: track[node], trackWeight: weight }));
    }
    for (const node of NODES) await ka[node].waitForLog(/entering (BACKUP|MASTER|FAULT) state/i, 10_000);
    record(
      `advert_int ${ADVERT_INT} s, track_file weight ${weight}: fw1 ${ex.fw1.priority}/${demoted('fw1')}, fw2 ${ex.fw2.priority}/${demoted('fw2')} ` +
        `(healthy/uplink down); master-down interval fw2 ${ms(masterDownMs(ex.fw2.priority))}`,
    );
  }, 60_000);

  afterAll(async () => {
    try {
      for (const node of NODES) {
        const exit = await ifdepd[node]?.stop();
        if (exit !== undefined) expect(exit, ifdepd[node].tail()).toEqual({ code: 0, signal: null });
      }
      for (const node of NODES) await ka[node]?.stop();
    } finally {
      lab?.destroy();
      if (results.length > 0) console.log(`keepalived demotion e2e, measured:\n  ${results.join('\n  ')}`);
    }
  }, 30_000);

  it('steady state: fw1 is MASTER and owns the VIP, the LAN client reaches it', async () => {
    await steady();
    expect(lab.owners()).toEqual(['fw1']);
    await reachVip('on fw1');
  }, TEST_TIMEOUT);

  it("fw1's uplink cut: fw1 is demoted below fw2 (not FAULT), fw2 takes the VIP; restored: fw1 takes it back", async () => {
    await steady();
    const m1 = ka.fw1.mark();
    const cut = performance.now();
    lab.cutUplink('fw1');
    // A demoted MASTER keeps advertising, lower: fw2 discards the adverts (preempt) and
    // takes over after its master-down interval.
    const owned = await lab.waitOwner('fw2', masterDownMs(ex.fw2.priority) + SLACK, context);
    await waitTrack('fw1', '1');
    expect(readTrack('fw2')).toBe('0\n');
    if (weight !== 0) {
      await ka.fw1.waitForLog(priorityLine(ex.fw1.priority, demoted('fw1')), 2000, m1);
      expect(ka.fw1.find(/FAULT/i, m1), ka.fw1.tail()).toBeUndefined();
    }
    await reachVip('on fw2');
    const takeover = (lab.first('fw2', 'vip', true, cut)?.t ?? owned) - cut;

    const restored = performance.now();
    lab.restoreUplink('fw1');
    const back = await lab.waitOwner('fw1', upDelayMs + masterDownMs(ex.fw1.priority) + SLACK, context);
    await waitTrack('fw1', '0', 1000);
    // The up-delay holds the demotion: the VIP cannot come back sooner.
    expect(back - restored, context()).toBeGreaterThanOrEqual(upDelayMs - 5);
    const pings = await reachVip('on fw1');
    record(`fw1's uplink cut -> VIP on fw2: ${ms(takeover)}; restored -> VIP back on fw1: ${ms(back - restored)} (up-delay ${ms(upDelayMs)}); the VIP answered after ${pings} ping(s)`);
  }, TEST_TIMEOUT);

  it("fw2's uplink cut while fw1 is MASTER: fw2 is demoted, nothing moves", async () => {
    await steady();
    const from = performance.now();
    lab.cutUplink('fw2');
    await waitTrack('fw2', '1');
    if (weight !== 0) await ka.fw2.waitForLog(priorityLine(ex.fw2.priority, demoted('fw2')), 2000);
    await sleep(Math.max(1000, 4 * masterDownMs(ex.fw2.priority)) - (performance.now() - from));
    expect(lab.history('fw2', 'vip', from), context()).toEqual([]);
    expect(lab.history('fw1', 'vip', from), context()).toEqual([]);
    lab.restoreUplink('fw2');
    await waitTrack('fw2', '0', upDelayMs + SLACK);
  }, TEST_TIMEOUT);

  it('both uplinks cut: both demoted, fw1 stays MASTER and the LAN client still reaches the VIP; restored: fw2, then fw1', async () => {
    await steady();
    const m = { fw1: ka.fw1.mark(), fw2: ka.fw2.mark() };
    const cut = performance.now();
    lab.cutUplink('fw1');
    lab.cutUplink('fw2');
    await Promise.all(NODES.map((n) => waitTrack(n, '1')));
    const settled = await settleBothCut(m);
    const transient = lab.history('fw2', 'vip', cut).filter((s) => s.on).length;
    // Long enough for a takeover to show: several master-down intervals.
    const window = Math.max(2000, 4 * masterDownMs(demoted('fw2')));
    await sleep(window);
    expect(lab.history('fw2', 'vip', settled), context()).toEqual([]);
    expect(lab.history('fw1', 'vip', settled), context()).toEqual([]);
    expect(lab.owners()).toEqual(['fw1']);
    for (const n of NODES) expect(ka[n].find(/FAULT/i, m[n]), ka[n].tail()).toBeUndefined();
    const pings = await reachVip('with both uplinks down');
    record(
      `both uplinks cut: fw1 (${demoted('fw1')}) kept the VIP against fw2 (${demoted('fw2')}) for the ${ms(window)} window, the VIP answered the LAN client (${pings} ping(s))` +
        (transient > 0 ? `; fw2 held it ${transient} time(s) in between, the cuts reported apart` : ''),
    );

    // fw2's uplink back first: healthy at 100 against fw1's 90, it takes over.
    const back2 = performance.now();
    lab.restoreUplink('fw2');
    const fw2Back = await lab.waitOwner('fw2', upDelayMs + masterDownMs(ex.fw2.priority) + SLACK, context);
    await reachVip('on fw2');
    const back1 = performance.now();
    lab.restoreUplink('fw1');
    const fw1Back = await lab.waitOwner('fw1', upDelayMs + masterDownMs(ex.fw1.priority) + SLACK, context);
    await Promise.all(NODES.map((n) => waitTrack(n, '0', 1000)));
    await reachVip('on fw1');
    record(`then fw2's uplink back: fw2 MASTER after ${ms(fw2Back - back2)}; then fw1's: fw1 MASTER again after ${ms(fw1Back - back1)}`);
  }, TEST_TIMEOUT);

  it('both uplinks cut, fw1 restored first: fw1 keeps the VIP throughout', async () => {
    await steady();
    const m = { fw1: ka.fw1.mark(), fw2: ka.fw2.mark() };
    lab.cutUplink('fw1');
    lab.cutUplink('fw2');
    await Promise.all(NODES.map((n) => waitTrack(n, '1')));
    await settleBothCut(m);
    lab.restoreUplink('fw1');
    await waitTrack('fw1', '0', upDelayMs + SLACK);
    const from = performance.now();
    lab.restoreUplink('fw2');
    await waitTrack('fw2', '0', upDelayMs + SLACK);
    // fw1 healthy at 150 against anything fw2 has: nothing moves from here.
    await sleep(Math.max(1000, 4 * masterDownMs(ex.fw2.priority)) - (performance.now() - from));
    expect(lab.history('fw2', 'vip', from), context()).toEqual([]);
    expect(lab.owners()).toEqual(['fw1']);
  }, TEST_TIMEOUT);
});
