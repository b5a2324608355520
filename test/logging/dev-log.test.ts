// -d logs to the local syslog daemon through /dev/log, as syslog(3) does. This machine has no
// /dev/log: the test binds its own datagram socket and, in a private mount (and network)
// namespace, puts a tmpfs over /dev and bind-mounts the socket on /dev/log there. The host's
// /dev is never touched. Root needed (unshare -m); otherwise skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { bindDatagram } from '../../src/base/unix-datagram.js';
import { localSyslogLine, rfc3164Time } from '../../src/logging/local-syslog.js';
import { parseSyslogTarget } from '../../src/logging/syslog-target.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const why =
  process.getuid?.() !== 0 ? 'not root: needs unshare -m' : !existsSync(CLI) ? 'dist/ is not built (npm run build)' : undefined;
if (why !== undefined) console.warn(`test/logging: namespace tests skipped: ${why}`);

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the local syslog line', () => {
  it('is what syslog(3) writes: <PRI>Mmm dd hh:mm:ss ifdepd[pid]: text, facility daemon', () => {
    const at = new Date(2026, 10, 2, 1, 1, 45);
    expect(rfc3164Time(at)).toBe('Nov  2 01:01:45');
    expect(localSyslogLine('notice', 'hello', at, 812)).toBe('<29>Nov  2 01:01:45 ifdepd[812]: hello');
    expect(localSyslogLine('error', 'x', at, 1)).toMatch(/^<27>/);
    expect(localSyslogLine('debug', 'x', at, 1)).toMatch(/^<31>/);
  });

  it('targets parse: unix:///path, and a host in a unix URL is refused', () => {
    expect(parseSyslogTarget('unix:///dev/log')).toEqual({ transport: 'unix', path: '/dev/log' });
    expect(parseSyslogTarget('unix:///run/my%20log')).toEqual({ transport: 'unix', path: '/run/my log' });
    expect(() => parseSyslogTarget('unix://dev/log')).toThrow(/three slashes/);
    expect(() => parseSyslogTarget('unix:///')).toThrow(/no socket path/);
  });
});

describe.skipIf(why !== undefined)('ifdepd -d and /dev/log', () => {
  let dir = '';
  let socket: { close(): void } | undefined;
  let daemonPid = 0;

  afterEach(async () => {
    if (daemonPid > 0) {
      try {
        process.kill(daemonPid, 'SIGTERM');
      } catch {
        // already gone
      }
      await until('the daemon to exit', () => (existsSync(`/proc/${daemonPid}`) ? undefined : true)).catch(() => {
        process.kill(daemonPid, 'SIGKILL');
      });
      daemonPid = 0;
    }
    socket?.close();
    socket = undefined;
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  /** `ifdepd -d -n` in private mount and network namespaces; /dev/log bound to sock, if given. */
  function startDaemon(sock: string | undefined): { status: number | null; stderr: string } {
    dir ||= mkdtempSync(join(tmpdir(), 'ifdepd-devlog-'));
    const pidfile = join(dir, 'ifdepd.pid');
    const script = `set -e
      mount -t tmpfs -o mode=755 tmpfs /dev
      mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5
      mknod -m 666 /dev/random c 1 8; mknod -m 666 /dev/urandom c 1 9
      if [ -n "$1" ]; then touch /dev/log; mount --bind "$1" /dev/log; fi
      exec "$2" "$3" -d -n -S src0 -D vrrp0 --pidfile "$4"`;
    const r = spawnSync('unshare', ['-m', '-n', '--propagation', 'private', 'sh', '-c', script, 'sh', sock ?? '', process.execPath, CLI, pidfile], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    if (existsSync(pidfile)) daemonPid = Number(readFileSync(pidfile, 'utf8').trim());
    return { status: r.status, stderr: r.stderr };
  }

  it('sends RFC 3164 lines tagged ifdepd[pid] with facility daemon to /dev/log', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ifdepd-devlog-'));
    const sock = join(dir, 'log.sock');
    const got: string[] = [];
    socket = bindDatagram(sock, (text) => got.push(text));
    const r = startDaemon(sock);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(daemonPid).toBeGreaterThan(0);
    await until('the start line', () => (got.length > 0 ? true : undefined));
    const line = new RegExp(`^<29>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ifdepd\\[${daemonPid}\\]: ifdepd \\S+ starting: sources src0 -> destinations vrrp0`);
    expect(got[0]).toMatch(line);
    // a warning has severity 4: <28>; the missing source is said at severity info, 6: <30>
    await until('the decision lines', () => (got.some((l) => /^<30>.*src0 does not exist/.test(l)) ? true : undefined));
  });

  it('says a missing /dev/log on stderr before detaching, runs anyway, and reports the lost lines later', async () => {
    const r = startDaemon(undefined);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^ifdepd: warning: cannot log to syslog unix:\/\/\/dev\/log: .*(No such file|ENOENT).*running anyway/m);
    expect(daemonPid).toBeGreaterThan(0);
    expect(existsSync(`/proc/${daemonPid}`)).toBe(true);
    // The syslog daemon comes up: /dev/log appears in the daemon's namespace.
    const sock = join(dir, 'log.sock');
    const got: string[] = [];
    socket = bindDatagram(sock, (text) => got.push(text));
    const mount = spawnSync('nsenter', ['-t', String(daemonPid), '-m', 'sh', '-c', 'touch /dev/log && mount --bind "$1" /dev/log', 'sh', sock]);
    expect(mount.status, mount.stderr?.toString()).toBe(0);
    process.kill(daemonPid, 'SIGUSR1'); // logs the status: lines to send
    await until('a line after the gap', () => (got.length > 0 ? true : undefined));
    expect(got[0]).toMatch(/\[\d+ earlier log lines lost: syslog socket \/dev\/log unavailable\]$/);
    expect(got.slice(1).some((l) => /lines lost/.test(l))).toBe(false);
  });
});
