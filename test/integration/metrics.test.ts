// Prometheus metrics from a real daemon: scraped over HTTP inside the lab's namespace (its
// own loopback, so any port is free) and read from the textfile. They must agree with
// `status --json` through a failover; a listener that cannot bind stops the start (73) or
// refuses a reload; the endpoint answers GET /metrics only; the textfile is never seen
// half-written and is removed at exit.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { DaemonStatus } from '../../src/core/status.js';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { CLI, describeLab, STARTED, waitFor } from '../lab/index.js';

const PORT = 9732;
const URL = `http://127.0.0.1:${PORT}/metrics`;

/** `curl` inside the namespace: status code, then the body. */
function curl(lab: Lab, ...args: string[]): Promise<{ code: string; body: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', lab.ns, 'curl', '-s', '-m', '5', '-w', '\n%{http_code}', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.on('error', reject);
    p.on('close', () => {
      const cut = out.lastIndexOf('\n');
      resolve({ body: out.slice(0, cut), code: out.slice(cut + 1) });
    });
  });
}

/** The value of one series, e.g. `ifdepd_group_up{group="uplink"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Where the scrape and the status say different things; empty when they agree. */
function disagreements(text: string, s: DaemonStatus): string[] {
  const wrong: string[] = [];
  const bit = (b: boolean) => (b ? 1 : 0);
  const check = (series: string, want: number) => {
    if (sample(text, series) !== want) wrong.push(`${series} is ${sample(text, series)}, status says ${want}`);
  };
  for (const g of s.groups) {
    check(`ifdepd_group_up{group="${g.name}"}`, bit(g.decision === 'up'));
    check(`ifdepd_group_healthy{group="${g.name}"}`, bit(g.health.healthy));
    for (const src of g.sources) check(`ifdepd_source_healthy{group="${g.name}",source="${src.name}",kind="interface"}`, bit(src.healthy));
  }
  for (const d of s.destinations) {
    check(`ifdepd_destination_up{destination="${d.name}",action="${d.action}"}`, bit(d.state === 'up'));
    check(`ifdepd_destination_wanted_up{destination="${d.name}",action="${d.action}"}`, bit(d.wanted === 'up'));
  }
  return wrong;
}

describeLab('Prometheus metrics', () => {
  let lab: Lab;
  eachLab((fresh) => (lab = fresh));

  const uplink = group('uplink', 'sources u0', 'destinations vrrp0 vrrp1', 'down-delay 0', 'up-delay 100ms');
  const furnish = () => {
    lab.addSource('u0');
    lab.addDestination('vrrp0');
    lab.addDestination('vrrp1');
  };

  it('agree with status --json through a failover and back, over HTTP and in the textfile', async () => {
    furnish();
    const prom = lab.file('ifdepd.prom');
    const d = await lab.start(`metrics-listen 127.0.0.1:${PORT}\nmetrics-file ${prom}\n${config(lab, uplink)}`);
    let last = '';
    const agree = (want: 'up' | 'down') =>
      waitFor(
        `the scrape to agree with the status, decision ${want}`,
        async () => {
          const s = await lab.status();
          const r = await curl(lab, URL);
          last = `${r.code}\n${disagreements(r.body, s).join('\n')}\n${JSON.stringify(s.destinations)}`;
          const settled = s.groups[0]?.decision === want && s.destinations.every((x) => x.state === want);
          return r.code === '200' && settled && disagreements(r.body, s).length === 0 ? r.body : undefined;
        },
        { timeout: 5000, interval: 50, context: () => `${last}\n${d.tail()}` },
      );

    await agree('up');
    lab.cutCarrier('u0');
    await agree('down');
    lab.restoreCarrier('u0');
    const text = await agree('up');
    expect(sample(text, 'ifdepd_group_transitions_total{group="uplink",direction="down"}')).toBe(1);
    expect(sample(text, 'ifdepd_group_transitions_total{group="uplink",direction="up"}')).toBe(1);
    expect(sample(text, 'ifdepd_source_flaps_total{group="uplink",source="u0",kind="interface"}')).toBe(1);
    expect(sample(text, 'ifdepd_reaction_seconds_count{group="uplink"}')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'ifdepd_destination_confirmation_seconds{destination="vrrp0",action="admin"}')).toBeGreaterThan(0);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);

    // The textfile follows within its second, without the process metrics.
    const file = await waitFor('the textfile to show the transitions', () => {
      const t = existsSync(prom) ? readFileSync(prom, 'utf8') : '';
      return sample(t, 'ifdepd_group_transitions_total{group="uplink",direction="up"}') === 1 ? t : undefined;
    });
    expect(sample(file, 'ifdepd_group_up{group="uplink"}')).toBe(1);
    expect(file).not.toMatch(/^(process|nodejs)_/m);

    d.signal('SIGTERM');
    await waitFor('the daemon to exit', () => !d.alive);
    expect(existsSync(prom), 'the textfile is removed at exit').toBe(false);
  });

  it('--metrics-listen and --metrics-file with -S/-D; refused with -f (set them in the file)', async () => {
    furnish();
    const prom = lab.file('cli.prom');
    const d = lab.exec([process.execPath, CLI, '-S', 'u0', '-D', 'vrrp0', '--metrics-listen', `127.0.0.1:${PORT}`, '--metrics-file', prom]);
    await d.waitForLog(STARTED, 10_000);
    const r = await curl(lab, URL);
    expect(sample(r.body, 'ifdepd_group_up{group="default"}'), r.body.slice(0, 500)).toBe(1);
    await waitFor('the textfile', () => existsSync(prom));
    const both = await lab.client(['-f', lab.configFile, '--metrics-listen', `127.0.0.1:${PORT}`, '--check-config']);
    expect(both.stderr).toBe('ifdepd: --metrics-listen cannot be combined with -f: set it in the configuration file\n');
    expect(both.code).toBe(64);
  });

  it('answers GET and HEAD of /metrics only', async () => {
    furnish();
    await lab.start(`metrics-listen 127.0.0.1:${PORT}\n${config(lab, uplink)}`);
    expect((await curl(lab, URL)).code).toBe('200');
    expect((await curl(lab, '-I', URL)).code).toBe('200');
    expect(await curl(lab, `http://127.0.0.1:${PORT}/`)).toEqual({ code: '404', body: 'not found: ifdepd serves /metrics only\n' });
    expect((await curl(lab, '-X', 'POST', URL)).code).toBe('405');
  });

  it('a scrape flood is cut beyond 20 a second, and the daemon fails over meanwhile', async () => {
    furnish();
    const d = await lab.start(`metrics-listen 127.0.0.1:${PORT}\n${config(lab, uplink)}`);
    // 1,000 requests, 50 at a time; curl writes one status code per transfer (000: cut).
    const started = performance.now();
    const flood = curl(lab, '--parallel', '--parallel-max', '50', '-w', '%{http_code}\n', ...Array.from({ length: 1000 }, () => ['-o', '/dev/null', URL]).flat());
    lab.cutCarrier('u0');
    await lab.waitAdmin(['vrrp0', 'vrrp1'], 'down', 5000, d);
    const codes = (await flood).body.split('\n');
    const seconds = (performance.now() - started) / 1000;
    const summary = `${codes.filter((c) => c === '200').length} served of ${codes.length} in ${seconds.toFixed(2)} s`;
    expect(codes, summary).toHaveLength(1000);
    const served = codes.filter((c) => c === '200').length;
    expect(served, summary).toBeGreaterThan(0);
    // A burst of 20, then 20 a second: whatever the flood lasted, no more were answered.
    expect(served, summary).toBeLessThanOrEqual(20 + Math.ceil(20 * seconds));
    expect(codes.filter((c) => c === '000').length, summary).toBe(1000 - served);
    // Served again once the flood is over.
    await waitFor('a scrape answered after the flood', async () => (await curl(lab, URL)).code === '200', { timeout: 3000, interval: 100 });
  });

  it('a listener that cannot bind: exit 73 at start; a refused reload keeps the old one, a good one moves it', async () => {
    furnish();
    // 192.0.2.1 is not an address of the namespace: EADDRNOTAVAIL.
    lab.writeConfig(`metrics-listen 192.0.2.1:${PORT}\n${config(lab, uplink)}`);
    const bad = lab.exec([process.execPath, CLI, '-f', lab.configFile]);
    const exit = await bad.exit;
    expect(exit.code, bad.tail()).toBe(73);
    expect(bad.lines().filter((l) => /metrics-listen/.test(l)), bad.tail()).toEqual([
      expect.stringMatching(/metrics-listen 192\.0\.2\.1:9732: cannot listen: .*EADDRNOTAVAIL/),
    ]);

    const d = await lab.start(`metrics-listen 127.0.0.1:${PORT}\n${config(lab, uplink)}`);
    lab.writeConfig(`metrics-listen 192.0.2.1:${PORT}\n${config(lab, uplink)}`);
    const refused = await lab.ctl('reload');
    expect(refused.code, refused.stderr).not.toBe(0);
    expect(refused.stderr).toMatch(/metrics-listen 192\.0\.2\.1:9732: cannot listen/);
    expect((await curl(lab, URL)).code).toBe('200');

    lab.writeConfig(`metrics-listen 127.0.0.1:${PORT + 1}\n${config(lab, uplink)}`);
    const moved = await lab.ctl('reload');
    expect(moved.code, `${moved.stderr}\n${d.tail()}`).toBe(0);
    expect((await curl(lab, `http://127.0.0.1:${PORT + 1}/metrics`)).code).toBe('200');
    await waitFor('the old listener to close', async () => (await curl(lab, URL)).code === '000');
  });

  it('the textfile is replaced whole: read during a flap storm, every copy is complete', async () => {
    furnish();
    const prom = lab.file('ifdepd.prom');
    await lab.start(`metrics-file ${prom}\n${config(lab, uplink)}`);
    const families = await waitFor('the textfile', () => (existsSync(prom) ? readFileSync(prom, 'utf8').match(/^# TYPE /gm)?.length : undefined));
    let reads = 0;
    const storm = (async () => {
      for (let i = 0; i < 20; i++) {
        lab.cutCarrier('u0');
        lab.restoreCarrier('u0');
      }
    })();
    const deadline = performance.now() + 3000;
    while (performance.now() < deadline) {
      const text = readFileSync(prom, 'utf8');
      expect(text.match(/^# TYPE /gm)?.length, text.slice(-200)).toBe(families);
      expect(text.endsWith('\n')).toBe(true);
      reads += 1;
      await new Promise((r) => setImmediate(r));
    }
    await storm;
    expect(reads).toBeGreaterThan(100);
  });
});
