// -d: detaching, the pidfile, and logging to a syslog collector (all inside the
// test's namespace: the collector listens on the namespace's own 127.0.0.1).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI, FIXTURES, Lab, labSkipReason, waitFor, type Proc } from '../lab/index.js';

const skip = labSkipReason();
if (skip) console.warn(`daemon: skipped: ${skip}`);

const DESTS = ['vrrp0', 'vrrp1'];
const ARGS = ['-S', 'up0', '-D', DESTS.join(':'), '--up-delay', '200ms'];
const RECEIVER = join(FIXTURES, 'syslog-receiver.mjs');
/** RFC 3164: <PRI>Mmm dd hh:mm:ss host ifdepd[pid]: text  (PRI 29 = LOG_DAEMON 3 * 8 + LOG_NOTICE 5) */
const RFC3164_NOTICE = /^<29>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ ifdepd\[\d+\]: /;
/** Any LOG_DAEMON severity (PRI 24..31). */
const RFC3164_DAEMON = /^<(2[4-9]|3[01])>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ ifdepd\[\d+\]: /;

/** Alive and not a zombie (a detached daemon is reaped by whoever adopted it, maybe never). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX] /s.test(stat);
  } catch {
    return false;
  }
}

describe.skipIf(skip !== null)('-d: detach, pidfile, syslog', () => {
  let lab: Lab;
  let tmp: string;
  let pidfile: string;
  /** The installed command name matters: the pidfile check recognises "ifdepd" in /proc/PID/cmdline. */
  let argv0: string[];

  beforeEach(() => {
    lab = Lab.create(); // lo is up in the namespace
    lab.addSource('up0');
    for (const v of DESTS) lab.addDestination(v);
    tmp = lab.tmpdir();
    pidfile = join(tmp, 'ifdepd.pid');
    symlinkSync(CLI, join(tmp, 'ifdepd'));
    argv0 = [process.execPath, join(tmp, 'ifdepd')];
  });

  afterEach(() => lab.destroy()); // kills every process left in the namespace, the daemon included

  async function receiver(proto: 'udp' | 'tcp', port = 0): Promise<{ port: number; messages: () => string[] }> {
    const out = join(tmp, `syslog-${proto}-${port}.jsonl`);
    const p = lab.exec([process.execPath, RECEIVER, proto, String(port), out]);
    const ready = await waitFor('the syslog receiver to be ready', () => /ready (\d+)/.exec(p.output), {
      context: () => p.tail(),
    });
    const messages = () =>
      existsSync(out)
        ? readFileSync(out, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as string)
        : [];
    return { port: Number(ready[1]), messages };
  }

  /** Runs `ifdepd -d ...` and waits for the launching command to return. */
  async function launch(args: readonly string[]): Promise<{ p: Proc; ms: number }> {
    const t0 = performance.now();
    const p = await lab.daemon(['-d', '--pidfile', pidfile, ...args], { argv0, waitReady: false });
    try {
      await waitFor('the launching command to exit', () => !p.alive, { timeout: 10_000, context: () => p.tail() });
    } finally {
      if (p.alive) p.signal('SIGKILL');
    }
    return { p, ms: performance.now() - t0 };
  }

  function daemonPid(): number {
    const pid = Number.parseInt(readFileSync(pidfile, 'utf8').trim(), 10);
    expect(Number.isInteger(pid) && pid > 0, `pidfile holds ${JSON.stringify(readFileSync(pidfile, 'utf8'))}`).toBe(true);
    return pid;
  }

  it('detaches, writes the pidfile, logs to syslog over UDP, refuses a second copy, cleans up on SIGTERM', async () => {
    const syslog = await receiver('udp');
    const { p, ms } = await launch([...ARGS, '--syslog', `udp://127.0.0.1:${syslog.port}`]);
    console.log(`daemon: the launching command returned after ${ms.toFixed(0)} ms`);
    expect(p.exited, p.tail()).toEqual({ code: 0, signal: null });
    expect(p.output).toBe(''); // the daemon logs to syslog, not to the terminal
    expect(ms).toBeLessThan(5000);

    const pid = daemonPid();
    expect(pid).not.toBe(p.pid);
    expect(running(pid)).toBe(true);
    expect(lab.run(['ip', 'netns', 'identify', String(pid)]).trim()).toBe(lab.ns);
    // The daemon names itself: ps, pidof, killall and the pidfile check see "ifdepd".
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('ifdepd');

    const context = () => `syslog received:\n${syslog.messages().join('')}`;
    const start = await waitFor('the start line at the collector', () => syslog.messages().find((m) => /ifdepd \S+ starting: /.test(m)), { context });
    expect(start).toMatch(RFC3164_NOTICE);

    lab.cutCarrier('up0');
    await lab.waitAdmin(DESTS, 'down', 3000);
    const line = await waitFor(
      'the failover line at the collector',
      () => syslog.messages().find((m) => /default: up0 lost carrier -> destinations vrrp0,vrrp1 down/.test(m)),
      { context },
    );
    expect(line).toMatch(RFC3164_NOTICE);
    expect(line.endsWith('\n')).toBe(true);

    // A second copy with the same pidfile: refused, naming the running one; the first is untouched.
    const second = await launch(ARGS);
    expect(second.p.exited, second.p.tail()).toEqual({ code: 73, signal: null });
    expect(second.p.lines()).toHaveLength(1);
    expect(second.p.output).toMatch(new RegExp(`^ifdepd: .*pid ${pid}\\b`));
    expect(daemonPid()).toBe(pid);
    expect(running(pid)).toBe(true);

    // Still at work after all that.
    lab.restoreCarrier('up0');
    await lab.waitAdmin(DESTS, 'up', 3000);

    process.kill(pid, 'SIGTERM');
    await waitFor('the daemon to exit', () => !running(pid), { timeout: 5000, context });
    await waitFor('the pidfile to be removed', () => !existsSync(pidfile), { timeout: 2000 });
    await waitFor('the exit line at the collector', () => syslog.messages().some((m) => /SIGTERM: exiting/.test(m)), { context });
    expect(lab.admins(DESTS)).toEqual({ vrrp0: 'up', vrrp1: 'up' });
  });

  // RFC 3164's TAG: without it a collector takes the first word of the text for the program name.
  it('RFC 3164 messages carry the "ifdepd[PID]:" tag after the hostname', async () => {
    const syslog = await receiver('udp');
    const { p } = await launch([...ARGS, '--syslog', `udp://127.0.0.1:${syslog.port}`]);
    expect(p.exited, p.tail()).toEqual({ code: 0, signal: null });
    const pid = daemonPid();
    const start = await waitFor('the start line at the collector', () => syslog.messages().find((m) => /starting: /.test(m)));
    expect(start).toMatch(new RegExp(`^<29>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\S+ ifdepd\\[${pid}\\]: ifdepd \\S+ starting: `));
  });

  it('--syslog-format rfc5424 sends version 1 headers with the app name and pid', async () => {
    const syslog = await receiver('udp');
    const { p } = await launch([...ARGS, '--syslog', `udp://127.0.0.1:${syslog.port}`, '--syslog-format', 'rfc5424']);
    expect(p.exited, p.tail()).toEqual({ code: 0, signal: null });
    const pid = daemonPid();
    const start = await waitFor('the start line at the collector', () => syslog.messages().find((m) => /starting: /.test(m)));
    expect(start).toMatch(new RegExp(`^<29>1 \\d{4}-\\d\\d-\\d\\dT\\S+ \\S+ ifdepd ${pid} - - ifdepd \\S+ starting: `));
  });

  it.each([
    { what: 'a dead pid', holder: () => spawnSync('true').pid! },
    { what: 'a live process that is not ifdepd', holder: () => process.pid },
  ])('a pidfile naming $what is taken over', async ({ holder }) => {
    writeFileSync(pidfile, `${holder()}\n`);
    const { p } = await launch([...ARGS, '--syslog', 'udp://127.0.0.1:9']);
    expect(p.exited, p.tail()).toEqual({ code: 0, signal: null });
    const pid = daemonPid();
    expect(running(pid)).toBe(true);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/ifdepd/);
    lab.cutCarrier('up0');
    await lab.waitAdmin(DESTS, 'down', 3000);
  });

  it('a start-up failure in the background is reported by the launching command with its exit code', async () => {
    // The pidfile's directory does not exist: the detached copy cannot create it.
    const p = await lab.daemon(['-d', '--pidfile', join(tmp, 'missing-dir', 'ifdepd.pid'), '--syslog', 'udp://127.0.0.1:9', ...ARGS], {
      argv0,
      waitReady: false,
    });
    await waitFor('the launching command to exit', () => !p.alive, { timeout: 10_000, context: () => p.tail() });
    expect(p.exited, p.tail()).toEqual({ code: 73, signal: null });
    expect(p.lines()).toHaveLength(1);
    expect(p.output).toMatch(/^ifdepd: cannot create pidfile .*missing-dir.*ENOENT/);
  });

  it.each([
    { what: 'udp:// with no collector', target: 'udp://127.0.0.1:5514' },
    { what: 'tcp:// with nothing listening', target: 'tcp://127.0.0.1:5601' },
    { what: 'tcp:// to an unroutable address', target: 'tcp://192.0.2.1:601' },
  ])('syslog unreachable ($what): the daemon keeps running and still enforces', async ({ target }) => {
    const { p } = await launch([...ARGS, '--syslog', target]);
    expect(p.exited, p.tail()).toEqual({ code: 0, signal: null });
    const pid = daemonPid();

    for (let round = 0; round < 2; round++) {
      lab.cutCarrier('up0');
      await lab.waitAdmin(DESTS, 'down', 3000);
      lab.restoreCarrier('up0');
      await lab.waitAdmin(DESTS, 'up', 3000);
    }
    expect(running(pid)).toBe(true);
    process.kill(pid, 'SIGTERM');
    await waitFor('the daemon to exit', () => !running(pid), { timeout: 5000 });
    expect(existsSync(pidfile)).toBe(false);
  });

  it('tcp:// collector that starts late: later lines arrive, with a count of the lost ones', async () => {
    const port = 5601;
    const { p } = await launch([...ARGS, '--syslog', `tcp://127.0.0.1:${port}`]);
    expect(p.exited, p.tail()).toEqual({ code: 0, signal: null });
    lab.cutCarrier('up0');
    await lab.waitAdmin(DESTS, 'down', 3000);

    const syslog = await receiver('tcp', port);
    lab.restoreCarrier('up0');
    await lab.waitAdmin(DESTS, 'up', 3000);
    const context = () => `syslog received:\n${syslog.messages().join('')}`;
    // Reconnecting may cost the first line or two; keep making transitions until one arrives.
    await waitFor(
      'a line at the late collector',
      () => {
        if (syslog.messages().length > 0) return true;
        lab.ip('link', 'set', lab.peerOf('up0'), lab.admin(lab.peerOf('up0')) === 'up' ? 'down' : 'up');
        return false;
      },
      { timeout: 8000, interval: 500, context },
    );
    expect(syslog.messages()[0]).toMatch(RFC3164_DAEMON);
    expect(syslog.messages().join('')).toMatch(/\[\d+ earlier log lines lost: syslog collector unreachable\]/);
  });
});
