// The shipped units (contrib/systemd) under a real systemd, in a container booted with
// systemd-nspawn: Type=notify readiness, STATUS=, reload (good and broken file), stop,
// the watchdog restarting a stopped daemon without bouncing anything, and a failover
// done by the dynamic user holding only CAP_NET_ADMIN. Root, systemd-nspawn and
// debootstrap needed; otherwise skipped with the reason.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Container, until, whyNoContainer } from './container.js';

const DROP_IN = readFileSync(new URL('../../contrib/systemd/ping-sources.conf', import.meta.url), 'utf8');

const why = whyNoContainer();
if (why !== undefined) console.warn(`test/systemd: skipped: ${why}`);

const CONFIG = `group uplink {
    sources      src0
    destinations vrrp0
    up-delay     0
}
`;
const TWO_GROUPS = `${CONFIG}
group inside {
    sources      src0
    action       keepalived-track-file /run/ifdepd/inside.track
    up-delay     0
    hook         /usr/bin/touch /run/ifdepd/hook-ran
}
`;

describe.skipIf(why !== undefined)('contrib/systemd/ifdepd.service under systemd', { timeout: 30_000 }, () => {
  let c: Container;
  const ok = (script: string): string => {
    const r = c.sh(script);
    if (r.status !== 0) throw new Error(`${script}: exit ${r.status}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const show = (prop: string, unit = 'ifdepd'): string => ok(`systemctl show -P ${prop} ${unit}`).trim();
  const adminUp = (ifname: string): boolean => /<[^>]*\bUP\b/.test(ok(`ip -o link show ${ifname}`));
  const journal = (): string => c.sh('journalctl -u ifdepd --no-pager -o cat').stdout;

  beforeAll(async () => {
    c = await Container.boot((root) => {
      mkdirSync(join(root, 'etc/ifdepd'), { recursive: true });
      writeFileSync(join(root, 'etc/ifdepd/ifdepd.conf'), CONFIG);
      writeFileSync(join(root, 'etc/default/ifdepd'), 'IFDEPD_ARGS="-f /etc/ifdepd/ifdepd.conf"\n');
    });
    // The lab, in the container's own network namespace: a veth pair as the source (carrier
    // while both ends are up), a macvlan on another veth as the destination (a VRRP VMAC).
    ok(`ip link add src0 type veth peer name peer0 && ip link set peer0 up && ip link set src0 up &&
        ip link add dummy0 type veth peer name dummy1 && ip link set dummy1 up && ip link set dummy0 up &&
        ip link add vrrp0 link dummy0 type macvlan mode bridge && ip link set vrrp0 up`);
  }, 180_000);

  afterAll(async () => {
    await c?.destroy();
  }, 60_000);

  it('returns from systemctl start only once the first decision is taken', () => {
    ok('systemctl start ifdepd');
    expect(show('ActiveState')).toBe('active');
    expect(show('StatusText')).toBe('1 group: uplink up');
    const status = ok('ifdepd status');
    expect(status).toMatch(/uplink/);
    expect(journal()).toMatch(/uplink: .*up/);
  });

  it('runs as a dynamic user holding only CAP_NET_ADMIN, reachable by root through /run/ifdepd', () => {
    const pid = show('MainPID');
    const status = ok(`cat /proc/${pid}/status`);
    expect(/^Uid:\s+(\d+)/m.exec(status)![1]).not.toBe('0');
    expect(/^CapEff:\s+(\S+)/m.exec(status)![1]).toBe('0000000000001000');
    expect(ok('stat -L -c %a /run/ifdepd').trim()).toBe('700');
  });

  it('does not become active when the first decision cannot be taken', () => {
    ok(`echo 'IFDEPD_ARGS="-S src0 -D vrrp0 --control-socket /run/ifdepd/nocap.sock"' > /etc/ifdepd/nocap.env &&
        mkdir -p /etc/systemd/system/ifdepd@nocap.service.d &&
        printf '[Service]\\nCapabilityBoundingSet=\\nAmbientCapabilities=\\n' > /etc/systemd/system/ifdepd@nocap.service.d/nocap.conf &&
        systemctl daemon-reload`);
    const r = c.sh('systemctl start ifdepd@nocap');
    expect(r.status).not.toBe(0);
    expect(show('ActiveState', 'ifdepd@nocap')).toBe('failed');
    expect(show('ExecMainStatus', 'ifdepd@nocap')).toBe('77');
    expect(show('NRestarts', 'ifdepd@nocap')).toBe('0'); // RestartPreventExitStatus
    expect(c.sh('journalctl -u ifdepd@nocap --no-pager -o cat').stdout).toMatch(/CAP_NET_ADMIN/);
    c.sh('systemctl reset-failed');
  });

  // `systemctl reload` returns once SIGHUP is sent (ExecReload=kill -HUP); the file is read
  // and checked in a worker thread after that, so the outcome is waited for.
  it('reloads a good file (RELOADING/READY), refuses a broken one and keeps running', async () => {
    const pid = show('MainPID');
    ok(`cat > /etc/ifdepd/ifdepd.conf <<'X'\n${TWO_GROUPS}X`);
    ok('systemctl reload ifdepd');
    await until('the reloaded status', () => (show('StatusText') === '2 groups: uplink up, inside up' ? true : undefined));
    expect(show('MainPID')).toBe(pid);
    expect(ok('cat /run/ifdepd/inside.track').trim()).toBe('0');

    const refusals = () => journal().match(/reload refused, the running configuration stays: .*ifdepd\.conf:\d+/g)?.length ?? 0;
    const before = refusals();
    ok(`echo 'group broken {' > /etc/ifdepd/ifdepd.conf`);
    ok('systemctl reload ifdepd');
    await until('the refusal in the journal', () => (refusals() > before ? true : undefined));
    expect(show('ActiveState')).toBe('active');
    expect(show('MainPID')).toBe(pid);
    expect(show('StatusText')).toBe('2 groups: uplink up, inside up');
    ok(`cat > /etc/ifdepd/ifdepd.conf <<'X'\n${TWO_GROUPS}X`);
  });

  it('fails over: the dynamic user takes the destination down and writes the track file; a hook runs', async () => {
    ok('ip link set peer0 down');
    await until('vrrp0 admin down', () => (adminUp('vrrp0') ? undefined : true));
    await until('the track file to say down', () => (c.sh('cat /run/ifdepd/inside.track').stdout.trim() === '1' ? true : undefined));
    await until('the hook to run', () => (c.sh('test -e /run/ifdepd/hook-ran').status === 0 ? true : undefined));
    expect(show('StatusText')).toBe('2 groups: uplink DOWN, inside DOWN');
  });

  it('leaves the destinations as they are on stop (down stays down)', async () => {
    ok('systemctl stop ifdepd');
    expect(show('ActiveState')).toBe('inactive');
    ok('ip link set peer0 up');
    await until('src0 carrier', () => (/LOWER_UP/.test(ok('ip -o link show src0')) ? true : undefined));
    expect(adminUp('vrrp0')).toBe(false);
    expect(ok('cat /run/ifdepd/inside.track').trim()).toBe('1'); // RuntimeDirectoryPreserve=yes
    ok('systemctl start ifdepd');
    expect(adminUp('vrrp0')).toBe(true);
    expect(show('StatusText')).toBe('2 groups: uplink up, inside up');
  });

  it('is restarted by the watchdog when SIGSTOPped, and the restart bounces nothing', async () => {
    ok(`mkdir -p /etc/systemd/system/ifdepd.service.d &&
        printf '[Service]\\nWatchdogSec=2s\\nRestartSec=100ms\\n' > /etc/systemd/system/ifdepd.service.d/watchdog.conf &&
        systemctl daemon-reload && systemctl restart ifdepd`);
    expect(show('WatchdogUSec')).toBe('2s');
    const monitor = c.spawnInNetns(['ip', '-o', 'monitor', 'link']);
    let seen = '';
    monitor.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
    try {
      // Baseline: the monitor is listening once it reports a link made for it.
      await until('ip monitor to listen', () => {
        c.sh('ip link add mark0 type veth peer name mark1; ip link del mark0');
        return seen.includes('mark0') ? true : undefined;
      });
      const baseline = seen.length;
      const before = { pid: show('MainPID'), restarts: Number(show('NRestarts')) };
      ok('systemctl kill -s SIGSTOP ifdepd');
      await until('the watchdog restart', () => {
        const state = show('ActiveState');
        return Number(show('NRestarts')) > before.restarts && state === 'active' ? true : undefined;
      }, 30_000, 200);
      expect(show('MainPID')).not.toBe(before.pid);
      expect(c.sh('journalctl -u ifdepd --no-pager').stdout).toMatch(/[Ww]atchdog timeout/);
      expect(adminUp('vrrp0')).toBe(true);
      const changes = seen.slice(baseline).split('\n').filter((l) => /\bvrrp0\b/.test(l));
      expect(changes.filter((l) => !/<[^>]*\bUP\b/.test(l)), changes.join('\n')).toEqual([]);
    } finally {
      monitor.kill();
      ok('rm -r /etc/systemd/system/ifdepd.service.d && systemctl daemon-reload');
    }
  }, 60_000);

  // ping sources run iputils ping as a child of the dynamic user: with contrib's drop-in
  // (CAP_NET_RAW, capset and setuid) the tool runs and probes inside the unit's sandbox.
  it('probes a ping source from inside the unit, with contrib/systemd/ping-sources.conf', async () => {
    const withPing = `${TWO_GROUPS}
group gw {
    ping         127.0.0.1 interval 200ms timeout 300ms
    action       keepalived-track-file /run/ifdepd/gw.track
    up-delay     0
}
`;
    ok(`cat > /etc/ifdepd/ifdepd.conf <<'X'\n${withPing}X`);
    ok(`mkdir -p /etc/systemd/system/ifdepd.service.d && cat > /etc/systemd/system/ifdepd.service.d/ping-sources.conf <<'X'\n${DROP_IN}X`);
    ok('systemctl daemon-reload');
    c.sh('systemctl restart ifdepd');
    await until('the gw group up', () => (show('StatusText') === '3 groups: uplink up, inside up, gw up' ? true : undefined), 20_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${journal().split('\n').slice(-25).join('\n')}`);
    });
    expect(ok('ifdepd status')).toMatch(/source ping 127\.0\.0\.1: ok, answers; last reply/);
    ok('sysctl -qw net.ipv4.icmp_echo_ignore_all=1');
    try {
      await until('the gw group down', () => (c.sh('cat /run/ifdepd/gw.track').stdout.trim() === '1' ? true : undefined), 20_000);
      expect(journal()).toMatch(/gw: ping 127\.0\.0\.1: 3 answers missed -> unhealthy/);
    } finally {
      ok('sysctl -qw net.ipv4.icmp_echo_ignore_all=0');
    }
    await until('the gw group up again', () => (c.sh('cat /run/ifdepd/gw.track').stdout.trim() === '0' ? true : undefined), 20_000);
    expect(journal()).not.toMatch(/probe exited/);
  }, 60_000);
});
