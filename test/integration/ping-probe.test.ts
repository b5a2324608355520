// The ping sources' probes against a real kernel and the real iputils ping: a gateway in
// its own namespace behind a veth pair, answering or not (icmp echo_ignore_all), the probe
// children run inside the host's namespace (`ip netns exec`, the `wrap` option).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { INITIAL_PING, observePing, type PingObservation, type PingState } from '../../src/core/sources/ping-state.js';
import { parseAddress } from '../../src/core/sources/ip.js';
import { PING_DEFAULTS, sourceName, type PingSource } from '../../src/core/sources/spec.js';
import type { Logger } from '../../src/logging/logger.js';
import { findPingTool } from '../../src/probe/ping-tool.js';
import { Pings } from '../../src/probe/pings.js';
import { describeLab, Netns, uniqueName, waitFor } from '../lab/index.js';

const REPO = join(import.meta.dirname, '..', '..');

/** HOST (the probes) and GW (the gateway), joined by h0 <-> g0; h1 <-> h1p is a second, dead-end link of HOST. */
class PingLab extends Netns {
  readonly gw = uniqueName('ifdepd-gw');

  static create(): PingLab {
    const lab = new PingLab('ifdepd-ping').open();
    lab.addNamespace(lab.gw);
    lab.ip('link', 'add', 'h0', 'type', 'veth', 'peer', 'name', 'g0', 'netns', lab.gw);
    lab.ip('link', 'add', 'h1', 'type', 'veth', 'peer', 'name', 'h1p');
    for (const [dev, addresses] of [
      ['h0', ['198.51.100.2/24', '2001:db8:1::2/64']],
      ['h1', ['203.0.113.2/24', '2001:db8:2::2/64']],
    ] as const) {
      for (const a of addresses) lab.ip('addr', 'add', a, 'dev', dev, ...(a.includes(':') ? ['nodad'] : []));
      lab.ip('link', 'set', dev, 'up');
    }
    lab.ip('link', 'set', 'h1p', 'up');
    // Anything not on h0 goes out h1, where nobody answers.
    lab.ip('route', 'add', 'default', 'dev', 'h1');
    lab.ip('-6', 'route', 'add', 'default', 'dev', 'h1');
    lab.gwIp('addr', 'add', '198.51.100.1/24', 'dev', 'g0');
    lab.gwIp('addr', 'add', '2001:db8:1::1/64', 'dev', 'g0', 'nodad');
    lab.gwIp('link', 'set', 'g0', 'up');
    return lab;
  }

  gwIp(...args: string[]): void {
    this.runIn(this.gw, ['ip', ...args]);
  }

  /** The gateway stops (true) or resumes (false) answering echo requests of both families. */
  ignoreEcho(ignore: boolean): void {
    const v = ignore ? '1' : '0';
    this.runIn(this.gw, ['sysctl', '-q', '-w', `net.ipv4.icmp_echo_ignore_all=${v}`, `net.ipv6.icmp.echo_ignore_all=${v}`]);
  }

  private runIn(ns: string, argv: readonly string[]): void {
    spawnSyncOk(['ip', 'netns', 'exec', ns, ...argv]);
  }

  /** Probes whose children run in HOST. */
  pings(probes: Probes, log: Logger): Pings {
    return new Pings({ tool: TOOL, log, report: probes.report, wrap: ['/usr/sbin/ip', 'netns', 'exec', this.ns] });
  }
}

function spawnSyncOk(argv: readonly string[]): void {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
}

const TOOL = (() => {
  try {
    return findPingTool();
  } catch {
    return '/usr/bin/ping';
  }
})();

const ping = (target: string, more: Partial<PingSource> = {}): PingSource => ({ kind: 'ping', target: parseAddress(target)!, ...PING_DEFAULTS, ...more });

/** What the daemon would hold: each probe's PingState, and every observation with its time. */
class Probes {
  readonly states = new Map<string, PingState>();
  readonly seen: Array<{ t: number; name: string; o: PingObservation; verdict: boolean | undefined }> = [];
  readonly report = (name: string, spec: PingSource, o: PingObservation): void => {
    const state = observePing(this.states.get(name) ?? INITIAL_PING, o, spec);
    this.states.set(name, state);
    this.seen.push({ t: performance.now(), name, o, verdict: state.verdict });
  };
  verdict(name: string): boolean | undefined {
    return this.states.get(name)?.verdict;
  }
  count(name: string, kind: PingObservation['kind']): number {
    return this.seen.filter((s) => s.name === name && s.o.kind === kind).length;
  }
  tail(): string {
    return this.seen.slice(-20).map((s) => `${Math.round(s.t)} ${s.name} ${JSON.stringify(s.o)} -> ${s.verdict}`).join('\n');
  }
}

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (text: string) => void lines.push(`${level}: ${text}`);
  return { lines, error: at('error'), warning: at('warning'), notice: at('notice'), info: at('info'), debug: at('debug'), always: at('always') };
}

describeLab('ping probes: one supervised iputils ping per probe', () => {
  let lab: PingLab;
  let pings: Pings | undefined;
  let probes: Probes;
  let log: ReturnType<typeof recordingLog>;
  const ctx = () => `${probes.tail()}\n${log.lines.slice(-10).join('\n')}`;

  beforeEach(() => {
    lab = PingLab.create();
    probes = new Probes();
    log = recordingLog();
    pings = undefined;
  });
  afterEach(async () => {
    pings?.close();
    await lab.shutdown();
  });

  for (const [family, gw] of [
    ['IPv4', '198.51.100.1'],
    ['IPv6', '2001:db8:1::1'],
  ] as const) {
    it(`${family}: healthy after 'up' answers, unhealthy about interval x down after the gateway stops answering, healthy again`, async () => {
      const spec = ping(gw, { dev: 'h0', interval: 200, timeout: 200 });
      const name = sourceName(spec);
      pings = lab.pings(probes, log);
      pings.reconcile(new Map([[name, spec]]));
      await waitFor('a verdict: healthy', () => probes.verdict(name) === true, { timeout: 5000, context: ctx });
      expect(probes.count(name, 'answer')).toBeGreaterThanOrEqual(3);
      // A fresh IPv6 path may lose its first requests (neighbour discovery); after the first
      // answer, a miss would be false: one is tolerated (a ping descheduled on a busy machine).
      const firstAnswer = probes.seen.findIndex((s) => s.o.kind === 'answer');
      expect(probes.seen.slice(firstAnswer).filter((s) => s.o.kind === 'missed').length, ctx()).toBeLessThanOrEqual(1);

      lab.ignoreEcho(true);
      const cut = performance.now();
      await waitFor('unhealthy', () => probes.verdict(name) === false, { timeout: 5000, context: ctx });
      const detected = performance.now() - cut;
      // At best: the next request, its timeout, two more intervals; at worst one interval more, and a busy machine.
      expect(detected).toBeGreaterThan(2 * 200);
      expect(detected).toBeLessThan(3000);

      lab.ignoreEcho(false);
      const answers = probes.count(name, 'answer');
      await waitFor('healthy again', () => probes.verdict(name) === true, { timeout: 5000, context: ctx });
      expect(probes.count(name, 'answer') - answers).toBeGreaterThanOrEqual(3);
    });
  }

  it('a child killed with SIGKILL is restarted at once and logged; with the defaults nothing goes down', async () => {
    const spec = ping('198.51.100.1');
    const name = sourceName(spec);
    pings = lab.pings(probes, log);
    pings.reconcile(new Map([[name, spec]]));
    await waitFor('healthy', () => probes.verdict(name) === true, { timeout: 10_000, context: ctx });
    const first = pings.pid(name)!;
    process.kill(first, 'SIGKILL');
    await waitFor('the restart logged', () => log.lines.some((l) => l === `warning: ${name}: probe exited (signal SIGKILL); restarting in 100 ms`), { timeout: 5000, context: ctx });
    await waitFor('a new child', () => (pings!.pid(name) ?? first) !== first, { timeout: 5000, context: ctx });
    const answers = probes.count(name, 'answer');
    await waitFor('three answers from the new child', () => probes.count(name, 'answer') >= answers + 3, { timeout: 10_000, context: ctx });
    expect(probes.seen.filter((s) => s.name === name).map((s) => s.o.kind)).toContain('stopped');
    expect(probes.seen.some((s) => s.verdict === false)).toBe(false);
    expect(probes.verdict(name)).toBe(true);
    expect(probes.states.get(name)?.stopped).toBeUndefined();
  });

  it('a child that hangs (SIGSTOP) still yields misses: unhealthy; continued, healthy again', async () => {
    const spec = ping('198.51.100.1', { interval: 200, timeout: 200 });
    const name = sourceName(spec);
    pings = lab.pings(probes, log);
    pings.reconcile(new Map([[name, spec]]));
    await waitFor('healthy', () => probes.verdict(name) === true, { timeout: 5000, context: ctx });
    const pid = pings.pid(name)!;
    process.kill(pid, 'SIGSTOP');
    try {
      const stopped = performance.now();
      await waitFor('unhealthy while it hangs', () => probes.verdict(name) === false, { timeout: 5000, context: ctx });
      expect(performance.now() - stopped).toBeLessThan(3000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor('healthy again', () => probes.verdict(name) === true, { timeout: 5000, context: ctx });
    expect(pings.pid(name)).toBe(pid);
  });

  it('no ping child outlives its daemon killed with SIGKILL', async () => {
    // A node process holding one probe, killed outright: no close(), no exit handler.
    const script = `
      const { Pings } = await import(${JSON.stringify(join(REPO, 'build/tsc/probe/pings.js'))});
      const nop = () => {};
      const log = { error: nop, warning: nop, notice: nop, info: nop, debug: nop, always: nop };
      const pings = new Pings({ tool: ${JSON.stringify(TOOL)}, log, wrap: ['/usr/sbin/ip', 'netns', 'exec', ${JSON.stringify(lab.ns)}],
        report: (name, spec, seen) => { if (seen.kind === 'answer') console.log('pid', pings.pid(name)); } });
      pings.reconcile(new Map([['p', { kind: 'ping', target: { family: 'inet', text: '198.51.100.1' }, interval: 200, timeout: 200, down: 3, up: 3 }]]));
    `;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    holder.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const pid = Number((await waitFor('the child answering', () => /pid (\d+)/.exec(out), { timeout: 10_000, context: () => out }))[1]);
      expect(alive(pid)).toBe(true);
      holder.kill('SIGKILL');
      // Its next line (one per 200 ms interval) meets a closed pipe: SIGPIPE.
      await waitFor(`ping ${pid} gone`, () => !alive(pid), { timeout: 3000 });
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('a probe bound to a device goes out there only: through the wrong one it never answers', async () => {
    const right = ping('198.51.100.1', { dev: 'h0', interval: 200, timeout: 200 });
    const wrong = ping('198.51.100.1', { dev: 'h1', interval: 200, timeout: 200 });
    const wrong6 = ping('2001:db8:1::1', { dev: 'h1', interval: 200, timeout: 200 });
    pings = lab.pings(probes, log);
    pings.reconcile(new Map([right, wrong, wrong6].map((p) => [sourceName(p), p])));
    for (const p of [wrong, wrong6]) await waitFor(`${sourceName(p)} unhealthy`, () => probes.verdict(sourceName(p)) === false, { timeout: 5000, context: ctx });
    await waitFor('the right one healthy', () => probes.verdict(sourceName(right)) === true, { timeout: 5000, context: ctx });
    // They did run (no restarts), and never saw an answer.
    for (const p of [wrong, wrong6]) {
      expect(probes.count(sourceName(p), 'answer')).toBe(0);
      expect(probes.count(sourceName(p), 'running')).toBe(1);
      expect(probes.count(sourceName(p), 'stopped')).toBe(0);
    }
  });

  it('a tool that cannot run fails closed: restarted with backoff, its stderr logged, unhealthy', async () => {
    const spec = ping('198.51.100.1', { dev: 'nosuch0', interval: 200, timeout: 200 });
    const name = sourceName(spec);
    pings = lab.pings(probes, log);
    pings.reconcile(new Map([[name, spec]]));
    await waitFor('unhealthy', () => probes.verdict(name) === false, { timeout: 5000, context: ctx });
    await waitFor('two restarts', () => log.lines.filter((l) => l.includes('restarting in')).length >= 2, { timeout: 5000, context: ctx });
    const restarts = log.lines.filter((l) => l.includes('restarting in'));
    expect(restarts[0]).toMatch(/^warning: ping 198\.51\.100\.1 dev nosuch0: probe exited \(status 2\): \S*ping: SO_BINDTODEVICE nosuch0: No such device; restarting in 100 ms$/);
    expect(restarts[1]).toMatch(/restarting in 200 ms$/);
    expect(probes.states.get(name)?.stopped).toMatch(/No such device/);
  });

  it('reconcile keeps an unchanged probe, restarts a changed one under its name, stops a dropped one; close() kills all', async () => {
    const a = ping('198.51.100.1', { interval: 200, timeout: 200 });
    const b = ping('2001:db8:1::1', { interval: 200, timeout: 200 });
    pings = lab.pings(probes, log);
    pings.reconcile(new Map([a, b].map((p) => [sourceName(p), p])));
    await waitFor('both running', () => pings!.pid(sourceName(a)) !== undefined && pings!.pid(sourceName(b)) !== undefined && probes.count(sourceName(b), 'answer') > 0);
    const [pa, pb] = [pings.pid(sourceName(a))!, pings.pid(sourceName(b))!];
    pings.reconcile(new Map([[sourceName(a), { ...a, interval: 300 }]]));
    expect(pings.pid(sourceName(a))).not.toBe(pa);
    expect(pings.pid(sourceName(b))).toBeUndefined();
    await waitFor('the dropped and the replaced child gone', () => !alive(pa) && !alive(pb), { timeout: 3000 });
    await waitFor('the new child answering', () => probes.verdict(sourceName(a)) === true, { timeout: 5000, context: ctx });
    expect(probes.count(sourceName(a), 'stopped')).toBe(0);
    const pa2 = pings.pid(sourceName(a))!;
    pings.close();
    await waitFor('every child gone after close()', () => !alive(pa2), { timeout: 3000 });
  });
});

/** Running, not a zombie waiting for its (new) parent to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
