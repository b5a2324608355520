// Ping sources (issue 11) through the real daemon: a gateway in another namespace over a
// veth pair, real iputils ping. It stops answering (icmp_echo_ignore_all inside its own
// namespace) -> failover after about interval x down + timeout; answers again -> back after
// `up` answers. The probe child killed -> restarted, logged, no failover; the daemon killed
// -> no probe left behind; a reload that changes the interval -> nothing bounces.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterEach, expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { CLI, describeLab, isAlive, waitFor } from '../lab/index.js';

/** The pids of the processes whose parent is `pid` and whose command is ping. */
function pingChildren(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? [];
      if (comm === 'ping' && Number(rest?.split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The wall-clock time of "last reply 12:03:04.512" today, in epoch ms; 0 without one. */
function lastReply(evidence: string | undefined): number {
  const m = /last reply (\d\d):(\d\d):(\d\d)\.(\d{3})/.exec(evidence ?? '');
  if (m === null) return 0;
  const d = new Date();
  d.setHours(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]));
  return d.getTime();
}

describeLab('ping sources', () => {
  let lab: Lab;
  let gw: Lab | undefined;
  eachLab((fresh) => (lab = fresh));
  afterEach(() => {
    gw?.destroy();
    gw = undefined;
  });

  /** wan0 in the daemon's namespace, wan0p in the gateway's: 192.0.2.2 -> 192.0.2.1, 2001:db8::2 -> 2001:db8::1. */
  function gateway(): Lab {
    gw = Lab.create();
    lab.ip('link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'wan0p', 'netns', gw.ns);
    lab.ip('addr', 'add', '192.0.2.2/24', 'dev', 'wan0');
    lab.ip('addr', 'add', '2001:db8::2/64', 'dev', 'wan0', 'nodad');
    lab.ip('link', 'set', 'wan0', 'up');
    gw.ip('addr', 'add', '192.0.2.1/24', 'dev', 'wan0p');
    gw.ip('addr', 'add', '2001:db8::1/64', 'dev', 'wan0p', 'nodad');
    gw.ip('link', 'set', 'wan0p', 'up');
    return gw;
  }
  /** A gateway already reachable before the daemon starts, as on a router: IPv6 needs its link-local addresses through DAD first. */
  const reachable = () =>
    waitFor('the gateway to answer', () => ['192.0.2.1', '2001:db8::1'].every((a) => spawnSync('ip', ['netns', 'exec', lab.ns, 'ping', '-c1', '-W1', a]).status === 0), {
      timeout: 10_000,
      interval: 100,
    });
  const answering = (g: Lab, on: boolean) =>
    g.run(['sysctl', '-qw', `net.ipv4.icmp_echo_ignore_all=${on ? 0 : 1}`, `net.ipv6.icmp.echo_ignore_all=${on ? 0 : 1}`]);

  it('fails over when the gateway stops answering, comes back after `up` answers, IPv4 and IPv6', async () => {
    const g = gateway();
    lab.addDestination('d4');
    lab.addDestination('d6');
    await reachable();
    const d = await lab.start(
      config(
        lab,
        group('v4', 'ping 192.0.2.1 dev wan0 interval 100ms timeout 300ms down 3 up 3', 'destinations d4', 'up-delay 0'),
        group('v6', 'ping 2001:db8::1 interval 100ms timeout 300ms down 3 up 2', 'destinations d6', 'up-delay 0'),
      ),
    );
    // Each group waits for its own first verdict, its destinations left as they are (up),
    // then takes them: both up, and never down on the way.
    await d.waitForLog(/v4: at start waiting for the first verdict of ping 192\.0\.2\.1 dev wan0, \d+ ms at most; destinations left as they are/, 5000);
    await lab.waitGroup('v4', 'its first verdict', (g) => g.waiting === undefined, 10_000);
    await lab.waitGroup('v6', 'its first verdict', (g) => g.waiting === undefined, 10_000);
    await d.waitForLog(/v4: first verdicts in: all sources are healthy -> destinations d4 up/, 5000);
    expect(lab.admins(['d4', 'd6']), d.tail()).toEqual({ d4: 'up', d6: 'up' });
    expect(d.lines().join('\n')).not.toMatch(/-> destinations d[46] down/);
    const s = (await lab.group('v4')).sources[0]!;
    expect(s).toMatchObject({ name: 'ping 192.0.2.1 dev wan0', kind: 'ping', healthy: true, reason: 'answers' });
    expect(s.evidence).toMatch(/^last reply \d\d:\d\d:\d\d\.\d{3}, rtt \d+(\.\d)? ms, 0 missed in a row$/);

    let mark = d.mark();
    let t = performance.now();
    answering(g, false);
    await lab.waitAdmin(['d4', 'd6'], 'down', 10_000);
    const detected = performance.now() - t;
    // 3 requests unanswered, the last one for its 300 ms timeout: never sooner than ~500 ms.
    expect(detected).toBeGreaterThan(450);
    await d.waitForLog(/v4: ping 192\.0\.2\.1 dev wan0: 3 answers missed -> unhealthy \(last reply .*, 3 missed in a row\)/, 5000, mark);
    await d.waitForLog(/v6: ping 2001:db8::1: 3 answers missed -> destinations d6 down/, 5000, mark);

    mark = d.mark();
    t = performance.now();
    answering(g, true);
    await lab.waitAdmin(['d4', 'd6'], 'up', 10_000);
    // Three answers 100 ms apart for v4.
    expect(performance.now() - t).toBeGreaterThan(150);
    await d.waitForLog(/v4: ping 192\.0\.2\.1 dev wan0: answers -> healthy/, 5000, mark);
  });

  it('restarts a killed probe without a failover, leaves no probe behind the daemon, and a reload of the interval bounces nothing', async () => {
    gateway();
    lab.addDestination('d4');
    await reachable();
    const text = (interval: string) => config(lab, group('v4', `ping 192.0.2.1 dev wan0 interval ${interval}`, 'destinations d4', 'up-delay 0'));
    const d = await lab.start(text('1s'));
    await lab.waitGroup('v4', 'its first verdict', (g) => g.waiting === undefined, 10_000);
    expect(lab.admin('d4')).toBe('up');

    // The probe killed: restarted, logged; with the defaults (down 3) no failover.
    const [child] = pingChildren(d.pid);
    expect(child, 'no ping child of the daemon').toBeDefined();
    let mark = d.mark();
    process.kill(child!, 'SIGKILL');
    await d.waitForLog(/ping 192\.0\.2\.1 dev wan0: probe exited \(signal SIGKILL\); restarting in/, 5000, mark);
    await waitFor('a new ping child', () => pingChildren(d.pid).some((p) => p !== child), { timeout: 5000 });
    // Answering again on the new child, and the group never flapped: no failover on the way.
    const killedAt = Date.now();
    const back = await lab.waitGroup('v4', 'an answer on the new child', (g) => lastReply(g.sources[0]?.evidence) > killedAt, 10_000);
    expect(back).toMatchObject({ decision: 'up', flaps: 0, transitions: 0 });
    expect(d.since(mark).join('\n')).not.toMatch(/-> destinations d4 down|-> unhealthy/);

    // A reload that changes the interval: a new child, the same verdict, nothing bounces.
    mark = d.mark();
    const before = pingChildren(d.pid);
    lab.writeConfig(text('500ms'));
    const r = await lab.ctl('reload');
    expect(r.code, r.stderr).toBe(0);
    await waitFor('the probe restarted with the new interval', () => pingChildren(d.pid).some((p) => !before.includes(p)), { timeout: 5000 });
    const reloadedAt = Date.now();
    const after = await lab.waitGroup('v4', 'an answer on the new child', (g) => lastReply(g.sources[0]?.evidence) > reloadedAt, 10_000);
    expect(after).toMatchObject({ decision: 'up', flaps: 0, transitions: 0 });
    expect(d.since(mark).join('\n')).not.toMatch(/-> destinations d4 down|-> unhealthy/);
    expect(lab.admin('d4')).toBe('up');

    // A reload that adds a ping source to the running group: the group keeps its decision
    // until the new probe's first verdict, so it does not go down meanwhile.
    mark = d.mark();
    lab.writeConfig(config(lab, group('v4', 'ping 192.0.2.1 dev wan0 interval 500ms', 'ping 2001:db8::1 interval 200ms', 'destinations d4', 'up-delay 0')));
    const added = await lab.ctl('reload');
    expect(added.code, added.stderr).toBe(0);
    const waiting = await lab.group('v4');
    expect(waiting).toMatchObject({ decision: 'up', waiting: { sources: ['ping 2001:db8::1'], claims: true } });
    const both = await lab.waitGroup('v4', 'the new source\'s first verdict', (g) => g.waiting === undefined, 10_000);
    expect(both.sources.map((x) => [x.name, x.healthy])).toEqual([
      ['ping 192.0.2.1 dev wan0', true],
      ['ping 2001:db8::1', true],
    ]);
    expect(both).toMatchObject({ decision: 'up', flaps: 0, transitions: 0 });
    expect(d.since(mark).join('\n')).not.toMatch(/-> destinations d4 down|-> unhealthy/);

    // The daemon killed outright: its probe follows within an interval (SIGPIPE on its next line).
    const orphans = pingChildren(d.pid);
    d.signal('SIGKILL');
    await waitFor('no ping left of the killed daemon', () => orphans.every((p) => !isAlive(p)), { timeout: 5000 });
  });

  it('a group waiting for an unreachable ping source holds up no other group, nor the start', async () => {
    lab.addSource('s0');
    lab.addDestination('m0');
    lab.addDestination('m2');
    // 10.9.5.5 has no route in the namespace: the probe never answers, its window is 61 s.
    const d = await lab.start(
      config(lab, group('up', 'sources s0', 'destinations m0'), group('p', 'ping 10.9.5.5 interval 20s', 'destinations m2', 'up-delay 0')),
    );
    expect(await lab.group('p')).toMatchObject({ waiting: { sources: ['ping 10.9.5.5'], claims: false } });
    expect(await lab.group('up')).toMatchObject({ decision: 'up' });
    const t = performance.now();
    lab.cutCarrier('s0');
    await lab.waitAdmin(['m0'], 'down', 5000);
    // Before the fix the cut waited for p's first verdict: 11 s and more.
    expect(performance.now() - t, d.tail()).toBeLessThan(2000);
    expect(lab.admin('m2')).toBe('up');
  });

  it('does not start without iputils ping (exit 69), and says which package', () => {
    lab.addDestination('d4');
    const file = lab.writeConfig(config(lab, group('v4', 'ping 192.0.2.1', 'destinations d4')));
    // ping hidden in a private mount namespace: the host's stays as it is.
    const hide = 'for p in /usr/bin/ping /bin/ping; do [ -e "$p" ] && mount --bind /dev/null "$p"; done; exec "$0" "$@"';
    const r = spawnSync('ip', ['netns', 'exec', lab.ns, 'unshare', '-m', 'sh', '-c', hide, process.execPath, CLI, '-f', file], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(69);
    expect(r.stderr).toMatch(/^ifdepd: ping sources need iputils ping: .*\(apt install iputils-ping\)\n$/);
    // Nothing was touched.
    expect(lab.admin('d4')).toBe('up');
  });
});
