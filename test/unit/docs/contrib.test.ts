// The service files in contrib/: the shell scripts parse, the systemd units keep
// their hardening, and every command line they build (with the examples their
// comments give) is one the real option parser accepts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PIDFILE } from '../../../src/cli/option-table.js';
import { parseOptions } from '../../../src/cli/options.js';
import { EX_CANTCREAT, EX_DATAERR, EX_NOINPUT, EX_NOPERM, EX_USAGE } from '../../../src/base/sysexits.js';

const path = (rel: string): string => fileURLToPath(new URL(`../../../contrib/${rel}`, import.meta.url));
const read = (rel: string): string => readFileSync(path(rel), 'utf8');

/** Exposure recorded in contrib/README.md (`systemd-analyze security --offline=true`). */
const RECORDED_EXPOSURE = 1.6;

const has = (cmd: string, ...args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).error === undefined;
const hasSystemdAnalyze = has('systemd-analyze', '--version');
const hasRsyslogd = has('rsyslogd', '-v');
const hasShellcheck = has('shellcheck', '--version');
const hasDash = has('dash', '-c', 'true');
for (const [ok, why] of [
  [hasSystemdAnalyze, 'systemd-analyze is not installed (apt-get install systemd)'],
  [hasRsyslogd, 'rsyslogd is not installed (apt-get install rsyslog)'],
  [hasShellcheck, 'shellcheck is not installed (apt-get install shellcheck)'],
] as const) {
  if (!ok) console.warn(`contrib: skipping some checks: ${why}`);
}

/** Directive -> values, in order, for one section of a unit file (comments dropped). */
function unitSection(text: string, section: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = header[1]!;
      continue;
    }
    if (current !== section) continue;
    const eq = line.indexOf('=');
    const key = line.slice(0, eq);
    map.set(key, [...(map.get(key) ?? []), line.slice(eq + 1)]);
  }
  return map;
}

/** The IFDEPD_ARGS="..." examples a file's comments give. */
function examples(text: string): string[] {
  return [...text.matchAll(/^#\s+IFDEPD_ARGS="([^"]*)"/gm)].map((m) => m[1]!);
}

/** systemd's unbraced $VAR and the scripts' unquoted $IFDEPD_ARGS: split on white space. */
const words = (s: string): string[] => s.split(/\s+/).filter((w) => w !== '');

const UNITS = ['systemd/ifdepd.service', 'systemd/ifdepd@.service'] as const;

/** The sandbox both units must keep: directive -> exact value. */
const HARDENING: Record<string, string> = {
  DynamicUser: 'yes',
  CapabilityBoundingSet: 'CAP_NET_ADMIN',
  AmbientCapabilities: 'CAP_NET_ADMIN',
  NoNewPrivileges: 'yes',
  ProtectSystem: 'strict',
  ProtectHome: 'yes',
  PrivateTmp: 'yes',
  PrivateDevices: 'yes',
  ProtectKernelTunables: 'yes',
  ProtectKernelModules: 'yes',
  ProtectKernelLogs: 'yes',
  ProtectControlGroups: 'yes',
  ProtectClock: 'yes',
  ProtectHostname: 'yes',
  ProtectProc: 'invisible',
  ProcSubset: 'pid',
  RestrictAddressFamilies: 'AF_NETLINK AF_UNIX AF_INET AF_INET6',
  RuntimeDirectory: 'ifdepd',
  RuntimeDirectoryMode: '0700',
  RuntimeDirectoryPreserve: 'yes',
  RestrictNamespaces: 'yes',
  LockPersonality: 'yes',
  RestrictRealtime: 'yes',
  RestrictSUIDSGID: 'yes',
  SystemCallArchitectures: 'native',
  SystemCallErrorNumber: 'EPERM',
  UMask: '0077',
};

describe.each(UNITS)('contrib/%s', (unit) => {
  const text = read(unit);
  const service = unitSection(text, 'Service');
  const one = (key: string): string | undefined => service.get(key)?.at(-1);

  it('runs ifdepd in the foreground, notifies readiness, has a watchdog, reloads with SIGHUP and restarts on failure', () => {
    expect(one('Type')).toBe('notify');
    expect(one('NotifyAccess')).toBe('main');
    expect(one('WatchdogSec')).toBe('10s');
    expect(one('ExecStart')).toBe('/usr/sbin/ifdepd $IFDEPD_ARGS');
    expect(one('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(one('SyslogIdentifier')).toBe('ifdepd');
    expect(one('Restart')).toBe('on-failure');
    const noRestart = words(one('RestartPreventExitStatus') ?? '').map(Number);
    expect(noRestart).toEqual([EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_CANTCREAT, EX_NOPERM]);
    expect(unitSection(text, 'Unit').get('Before')).toEqual(['keepalived.service']);
  });

  it('takes its arguments from the environment file', () => {
    const env = service.get('EnvironmentFile') ?? [];
    expect(env).toEqual([unit.includes('@') ? '/etc/ifdepd/%i.env' : '-/etc/default/ifdepd']);
  });

  it.each(Object.entries(HARDENING))('keeps %s=%s', (key, value) => {
    expect(one(key)).toBe(value);
  });

  it('filters system calls to @system-service without @privileged and @resources', () => {
    expect(service.get('SystemCallFilter')).toEqual(['@system-service', '~@privileged @resources']);
  });

  it('leaves off what would break ifdepd: host network, capabilities, the JIT, a remote syslog collector', () => {
    for (const key of ['PrivateNetwork', 'PrivateUsers', 'MemoryDenyWriteExecute', 'User', 'IPAddressDeny']) {
      expect(service.has(key), key).toBe(false);
    }
  });

  it('gives IFDEPD_ARGS examples that the real parser accepts, in the foreground', () => {
    const samples = examples(text);
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) {
      // ExecStart=/usr/sbin/ifdepd $IFDEPD_ARGS -> argv after the program name
      const argv = words(one('ExecStart')!.replace('$IFDEPD_ARGS', sample)).slice(1);
      if (argv.includes('-f')) {
        // the file is the operator's: only the command line is checked here
        expect(argv.filter((w) => w === '-d' || w === '--pidfile')).toEqual([]);
        continue;
      }
      const options = parseOptions(argv);
      expect(options.daemon).toBe(false);
      expect(options.pidfile).toBeUndefined();
      expect(options.config.groups[0]!.sources.length).toBeGreaterThan(0);
      expect(options.config.groups[0]!.destinations.length).toBeGreaterThan(0);
    }
  });

  it('is the same service in both unit files, but for where the arguments come from', () => {
    const other = read(UNITS.find((u) => u !== unit)!);
    const strip = (t: string) =>
      t
        .slice(t.indexOf('[Service]'))
        .split('\n')
        .filter((l) => !/^(Environment|EnvironmentFile)=/.test(l))
        .join('\n');
    expect(strip(text)).toBe(strip(other));
  });

  it.skipIf(!hasSystemdAnalyze)('passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', path(unit)], { encoding: 'utf8' });
    // The Debian package's /usr/sbin/ifdepd need not exist where the tests run.
    const said = (r.stderr + r.stdout).replace(/^.*Command \/usr\/sbin\/ifdepd is not executable.*\n/m, '');
    expect(said).toBe('');
  });
});

describe.skipIf(!hasSystemdAnalyze)('systemd-analyze security --offline=true', () => {
  it.each(UNITS)(`rates contrib/%s at most ${RECORDED_EXPOSURE} (below recorded + 0.1)`, (unit) => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', '--no-pager', path(unit)], {
      encoding: 'utf8',
    });
    const m = /Overall exposure level for \S+: (\d+\.\d+)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    // in tenths, as systemd-analyze prints it: 1.2 must fail against 1.1 + 0.1
    expect(Math.round(Number(m![1]) * 10)).toBeLessThan(Math.round(RECORDED_EXPOSURE * 10) + 1);
  });
});

describe('contrib/README.md', () => {
  it('records the exposure figure the test above holds the units to', () => {
    expect(read('README.md')).toContain(`exposure level for ifdepd.service: ${RECORDED_EXPOSURE}`);
  });
});

const SCRIPTS = ['init.d/ifdepd', 'openrc/ifdepd'] as const;

describe.each(SCRIPTS)('contrib/%s', (script) => {
  const text = read(script);

  it('parses with sh -n', () => {
    const r = spawnSync('sh', ['-n', path(script)], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!hasDash)('parses with dash -n', () => {
    expect(spawnSync('dash', ['-n', path(script)]).status).toBe(0);
  });

  it.skipIf(!hasShellcheck)('is shellcheck clean', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', path(script)], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('starts ifdepd -d with the pidfile, and its IFDEPD_ARGS examples parse', () => {
    const samples = examples(text);
    expect(samples.length).toBeGreaterThan(0);
    expect(text).toMatch(/-d --pidfile "?\$\{?(PIDFILE|IFDEPD_PIDFILE)\}?"? \$\{?IFDEPD_ARGS\}?/);
    for (const sample of samples) {
      const options = parseOptions(['-d', '--pidfile', DEFAULT_PIDFILE, ...words(sample)]);
      expect(options.daemon).toBe(true);
      expect(options.pidfile).toBe(DEFAULT_PIDFILE);
    }
  });

  it('uses /run/ifdepd.pid and reloads with SIGHUP', () => {
    expect(text).toContain(`=${DEFAULT_PIDFILE}`);
    expect(text).toMatch(/kill -HUP/);
  });
});

describe('contrib/init.d/ifdepd', () => {
  const text = read('init.d/ifdepd');
  it('has an LSB header and every action', () => {
    expect(text).toMatch(/### BEGIN INIT INFO[\s\S]*# Provides:\s+ifdepd[\s\S]*### END INIT INFO/);
    expect(text).toMatch(/X-Start-Before:\s+keepalived/);
    for (const action of ['start', 'stop', 'restart', 'reload', 'status']) {
      expect(text).toMatch(new RegExp(`^(\\S+ \\| )?${action}( \\| \\S+)?\\)$`, 'm'));
    }
    expect(text).toContain('/etc/default/$NAME');
  });

  it('prints its usage and exits 3 on an unknown action, without touching anything', () => {
    const r = spawnSync('sh', [path('init.d/ifdepd'), 'bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/Usage: .*start\|stop/);
  });
});

describe('contrib/openrc/ifdepd', () => {
  const text = read('openrc/ifdepd');
  it('is an openrc-run script that needs net, starts before keepalived and can reload', () => {
    expect(text.startsWith('#!/sbin/openrc-run\n')).toBe(true);
    expect(text).toMatch(/depend\(\) \{[^}]*need net[^}]*before keepalived[^}]*\}/);
    expect(text).toContain('extra_started_commands="reload"');
    expect(text).toMatch(/^pidfile="\$\{IFDEPD_PIDFILE\}"$/m);
  });
});

describe('contrib/rsyslog/ifdepd.conf', () => {
  const text = read('rsyslog/ifdepd.conf');
  const rules = text
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');

  it('listens on the loopback address only and files ifdepd lines separately', () => {
    expect(rules).toMatch(/input\(type="imudp" address="127\.0\.0\.1" port="514"\)/);
    expect(rules).toMatch(/if \$programname == "ifdepd" then \{[^}]*file="\/var\/log\/ifdepd\.log"[^}]*stop\s*\}/);
  });

  it.skipIf(!hasRsyslogd)('passes rsyslogd -N1', () => {
    const r = spawnSync('rsyslogd', ['-N1', '-f', path('rsyslog/ifdepd.conf')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
