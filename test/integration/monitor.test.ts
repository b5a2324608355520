// `ifdepd monitor` against the real daemon in a throw-away namespace: the snapshot first,
// then a carrier cut's source, decision, write and confirmation in that order, holds,
// releases, a refused reload, the text form, and ending on SIGINT or a closed stdout.
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import type { DaemonStatus } from '../../src/core/status.js';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { MonitorClient, type EventLine } from '../lab/ifdepd-monitor.js';
import { CLI, describeLab, waitFor } from '../lab/index.js';

/** Index of the first event matching, after `from`; -1 if none. */
function indexOf(events: readonly EventLine[], match: (e: EventLine) => boolean, from = 0): number {
  for (let i = from; i < events.length; i++) if (match(events[i]!)) return i;
  return -1;
}

describeLab('ifdepd monitor', () => {
  let lab: Lab;
  eachLab((fresh) => (lab = fresh));

  async function startUplink(verbose = true) {
    lab.addSource('u0');
    lab.addDestination('vrrp0');
    lab.addDestination('vrrp1');
    return lab.start(config(lab, group('uplink', 'sources u0', 'destinations vrrp0 vrrp1', 'down-delay 0', 'up-delay 0')), { verbose });
  }

  it('--json: the snapshot first, then source, decision, write and confirmation in order; hold, release, a refused reload', async () => {
    await startUplink();
    // A new veth's carrier may come a moment after the daemon's start.
    await lab.waitGroup('uplink', 'up', (g) => g.decision === 'up');
    await lab.waitAdmin(['vrrp0', 'vrrp1'], 'up');
    const m = MonitorClient.start(lab.sock, '--json');
    try {
      const snapshot = await m.waitEvent('the snapshot', () => true);
      expect(snapshot).toMatchObject({ v: 1, seq: 0, kind: 'snapshot' });
      const status = snapshot['status'] as DaemonStatus;
      expect(status.groups.map((g) => [g.name, g.decision])).toEqual([['uplink', 'up']]);
      const now = await lab.status();
      expect(status).toMatchObject({ version: now.version, pid: now.pid, configFile: lab.configFile, dryRun: false });
      expect(status.destinations.map((x) => [x.name, x.state, x.wanted])).toEqual([
        ['vrrp0', 'up', 'up'],
        ['vrrp1', 'up', 'up'],
      ]);

      lab.cutCarrier('u0');
      await lab.waitAdmin(['vrrp0', 'vrrp1'], 'down');
      for (const name of ['vrrp0', 'vrrp1']) {
        await m.waitEvent(`${name} confirmed down`, (e) => e.kind === 'destination' && e['name'] === name && e['outcome'] === 'confirmed');
      }
      const events = m.events();
      const source = indexOf(events, (e) => e.kind === 'source' && e['name'] === 'u0');
      expect(events[source]).toMatchObject({ group: 'uplink', sourceKind: 'interface', healthy: false, reason: 'no carrier', was: 'has carrier' });
      const decision = indexOf(events, (e) => e.kind === 'decision', source);
      expect(events[decision]).toMatchObject({ group: 'uplink', decision: 'down', cause: 'sources', action: 'admin', destinations: ['vrrp0', 'vrrp1'] });
      for (const name of ['vrrp0', 'vrrp1']) {
        const write = indexOf(events, (e) => e.kind === 'destination' && e['name'] === name && e['outcome'] === 'write', decision);
        expect(write, `no write of ${name} after the decision`).toBeGreaterThan(decision);
        expect(events[write]).toMatchObject({ action: 'admin', wanted: 'down' });
        const confirmed = indexOf(events, (e) => e.kind === 'destination' && e['name'] === name && e['outcome'] === 'confirmed', write);
        expect(confirmed, `no confirmation of ${name} after its write`).toBeGreaterThan(write);
        expect(events[confirmed]!['latencyMs']).toBeGreaterThanOrEqual(0);
      }
      // The log lines come too, as `log` events.
      await m.waitEvent('the decision log line', (e) => e.kind === 'log' && /uplink: u0 lost carrier -> destinations vrrp0,vrrp1 down/.test(String(e['text'])));

      lab.restoreCarrier('u0');
      await lab.waitAdmin(['vrrp0', 'vrrp1'], 'up');
      expect((await lab.ctl('hold', 'uplink', 'down')).code).toBe(0);
      await m.waitEvent('the hold', (e) => e.kind === 'hold' && e['group'] === 'uplink' && e['decision'] === 'down');
      await m.waitEvent('the held decision', (e) => e.kind === 'decision' && e['cause'] === 'override' && e['decision'] === 'down');
      expect((await lab.ctl('release', 'uplink')).code).toBe(0);
      await m.waitEvent('the release', (e) => e.kind === 'release' && e['group'] === 'uplink' && e['decision'] === 'up');

      lab.writeConfig('group broken {\n');
      const r = await lab.ctl('reload');
      expect(r.code).toBe(65);
      const refused = await m.waitEvent('the refused reload', (e) => e.kind === 'reload');
      expect(refused).toMatchObject({ result: 'refused' });
      expect(String(refused['reason'])).not.toBe('');

      // Every line has the schema version and both clocks; sequence numbers count the events without a gap.
      const all = m.events();
      expect(all.every((e) => e.v === 1 && typeof e.at === 'number' && !Number.isNaN(Date.parse(e.time)))).toBe(true);
      expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i));
      for (let i = 1; i < all.length; i++) expect(all[i]!.at).toBeGreaterThanOrEqual(all[i - 1]!.at);

      m.child.kill('SIGINT');
      expect(await m.exit).toBe(0);
      expect(m.stderr).toBe('');
    } finally {
      m.stop();
    }
  });

  it('without --json: the status, then the log lines with their time; `| head` ends it cleanly', async () => {
    await startUplink(false);
    await lab.waitGroup('uplink', 'up', (g) => g.decision === 'up');
    const m = MonitorClient.start(lab.sock);
    try {
      await waitFor('the status block', () => m.lines.some((l) => l.startsWith('group uplink: UP')), { context: () => m.lines.join('\n') });
      expect(m.lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z status:$/);
      expect(m.lines[1]).toMatch(/^ifdepd \S+, pid \d+, up /);
      expect((await lab.ctl('hold', 'uplink', 'down')).code).toBe(0);
      await waitFor('the hold line', () => m.lines.find((l) => /^\S+Z uplink: held down by operator until 'ifdepd release uplink'$/.test(l)), {
        context: () => m.lines.join('\n'),
      });
      m.child.kill('SIGTERM');
      expect(await m.exit).toBe(0);
    } finally {
      m.stop();
    }

    // A reader that goes away: the client ends with 0 and no complaint.
    // pipefail: the pipeline's status is the client's when it fails.
    const head = spawn('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" monitor -s "${lab.sock}" | head -n 1`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const piped = new MonitorClient(head);
    await waitFor('head to take its line', () => piped.lines.length >= 1, { context: () => piped.stderr });
    // The next log line the daemon says (a reload's) makes the client write to the pipe head closed.
    let exited = false;
    void piped.exit.then(() => (exited = true));
    await waitFor('the client to end once head is gone', async () => exited || ((await lab.ctl('reload')).code === 0 && false), {
      timeout: 10_000,
      interval: 100,
      context: () => piped.stderr,
    });
    expect(await piped.exit).toBe(0);
    expect(piped.stderr).toBe('');
  });

  it('--json: a change waiting out its delay is "pending"; one called off in time is a "flap"', async () => {
    lab.addSource('u0');
    lab.addDestination('vrrp0');
    await lab.start(config(lab, group('uplink', 'sources u0', 'destinations vrrp0', 'down-delay 0', 'up-delay 30s')));
    // A new veth's carrier comes a moment after the start: the group is down, then waits 30 s.
    lab.cutCarrier('u0');
    await lab.waitGroup('uplink', 'down, carrier lost', (g) => g.decision === 'down' && !g.health.healthy && g.pending === undefined);
    const m = MonitorClient.start(lab.sock, '--json');
    try {
      await m.waitEvent('the snapshot', (e) => e.kind === 'snapshot');
      lab.restoreCarrier('u0');
      const pending = await m.waitEvent('the pending change', (e) => e.kind === 'pending');
      expect(pending).toMatchObject({ group: 'uplink', decision: 'down', target: 'up', inMs: 30_000, delay: 'up-delay' });
      lab.cutCarrier('u0');
      const flap = await m.waitEvent('the flap', (e) => e.kind === 'flap');
      expect(flap).toMatchObject({ group: 'uplink', decision: 'down', target: 'up', reason: 'u0 lost carrier' });
      expect(flap['afterMs']).toBeGreaterThanOrEqual(0);
      expect(m.events().filter((e) => e.kind === 'decision')).toEqual([]);
    } finally {
      m.stop();
    }
  });

  it('--json: a hook run and its result (ok, failed with its status, timed out)', async () => {
    lab.addSource('h0');
    lab.addDestination('vrrp0');
    const ok = lab.script('ok.sh', 'exit 0');
    const fail = lab.script('fail.sh', 'exit 3');
    const hang = lab.script('hang.sh', 'exec sleep 60');
    await lab.start(
      config(lab, group('h', 'sources h0', 'destinations vrrp0', 'down-delay 0', 'up-delay 0', `hook ${ok}`, `hook ${fail}`, `hook ${hang}`, 'hook-timeout 500ms')),
    );
    await lab.waitGroup('h', 'up', (g) => g.decision === 'up');
    const m = MonitorClient.start(lab.sock, '--json');
    try {
      await m.waitEvent('the snapshot', (e) => e.kind === 'snapshot');
      lab.cutCarrier('h0');
      const hook = (path: string) => (e: EventLine) => e.kind === 'hook' && e['path'] === path;
      expect(await m.waitEvent('ok.sh', hook(ok))).toMatchObject({ group: 'h', decision: 'down', result: 'ok', exitCode: 0 });
      expect(await m.waitEvent('fail.sh', hook(fail))).toMatchObject({ group: 'h', decision: 'down', result: 'failed', exitCode: 3 });
      const timedOut = await m.waitEvent('hang.sh', hook(hang), 10_000);
      expect(timedOut).toMatchObject({ group: 'h', decision: 'down', result: 'timeout', signal: 'SIGTERM' });
      expect(timedOut['ms']).toBeGreaterThanOrEqual(500);
    } finally {
      m.stop();
    }
  });

  it('refuses what is not a monitor: a bad --socket, an unknown option', async () => {
    const r = await lab.client(['monitor', '-s', lab.file('nothing.sock')]);
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/^ifdepd: no ifdepd is listening on .*nothing\.sock/);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    const bad = await lab.client(['monitor', '--jsn', '-s', lab.sock]);
    expect(bad.code).toBe(64);
    expect(bad.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
  });
});
