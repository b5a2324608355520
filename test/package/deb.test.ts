// The Debian package as an operator gets it: `npm run deb`'s build script makes the
// .deb, lintian judges it, and dpkg installs, runs, removes and purges it inside a
// throw-away root (a private mount namespace with overlays, see throwaway-root.ts),
// so this machine's packages, /usr and /etc stay as they were, which the last test
// checks. The installed /usr/sbin/ifdepd then fails a macvlan over in a network
// namespace of its own.
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeb, contents, controlFile, debSkipReason, field, fileOf, PKG, type Entry } from './deb-build.js';
import { NetnsLab } from './netns-lab.js';
import { waitFor as waitUntil } from '../lab/wait.js';
import { runHost, ThrowAwayRoot } from './throwaway-root.js';

const hostHasIfdepd = (): boolean => runHost('dpkg-query', ['-W', 'ifdepd']).status === 0 || existsSync('/usr/sbin/ifdepd');
const skip = debSkipReason() ?? (hostHasIfdepd() ? 'ifdepd is installed on this machine: the leak checks would mean nothing' : null);
if (skip) console.warn(`deb: skipped: ${skip}`);
const lintianMissing = runHost('lintian', ['--version']).error !== undefined;

describe.skipIf(skip !== null)(`the Debian package${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let out: string;
  let deb: string;
  let entries: Entry[];
  let root: ThrowAwayRoot | undefined;
  const lab = new NetnsLab();
  let daemon: ChildProcess | undefined;
  let log = '';
  const paths = () => entries.map((e) => e.path);
  const inRoot = (): ThrowAwayRoot => {
    if (!root) throw new Error('the throw-away root is not open (an earlier step failed)');
    return root;
  };

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'ifdepd-deb-'));
    deb = buildDeb(out);
    entries = contents(deb);
    root = await ThrowAwayRoot.open();
  }, 300_000);

  afterAll(async () => {
    daemon?.kill('SIGKILL');
    lab.destroy();
    await root?.close();
    rmSync(out, { recursive: true, force: true });
  }, 60_000);

  it(`is named ifdepd_${PKG.version}-N_ARCH.deb and its control fields are right`, () => {
    const arch = runHost('dpkg', ['--print-architecture']).stdout.trim();
    expect(deb).toMatch(new RegExp(`/ifdepd_${PKG.version.replace(/\./g, '\\.')}-\\d+_${arch}\\.deb$`));
    expect(field(deb, 'Package')).toBe('ifdepd');
    expect(field(deb, 'Version')).toMatch(new RegExp(`^${PKG.version.replace(/\./g, '\\.')}-\\d+$`));
    expect(field(deb, 'Architecture')).toBe(arch);
    expect(field(deb, 'Section')).toBe('net');
    expect(field(deb, 'Priority')).toBe('optional');
    const depends = field(deb, 'Depends');
    expect(depends).toMatch(/^nodejs \(>= 20\), /);
    expect(depends).toMatch(/\blibc6 \(>= [\d.]+\)/);
    expect(depends).toMatch(/\blibstdc\+\+6\b/);
    expect(field(deb, 'Recommends')).toBe('iputils-ping');
    expect(Number(field(deb, 'Installed-Size'))).toBeGreaterThan(100);
    expect(controlFile(deb, 'conffiles').trim().split('\n').sort()).toEqual(['/etc/default/ifdepd', '/etc/ifdepd/ifdepd.conf']);
  });

  it('holds the daemon with its production node_modules and nothing of the build', () => {
    const p = paths();
    for (const want of [
      'usr/sbin/ifdepd',
      'usr/lib/ifdepd/package.json',
      'usr/lib/ifdepd/dist/cli.js',
      'usr/lib/ifdepd/node_modules/netlink/build/Release/netlink_binding.node',
      'usr/lib/ifdepd/node_modules/commander/package.json',
      'usr/share/man/man8/ifdepd.8.gz',
      'usr/share/man/man5/ifdepd.conf.5.gz',
      'usr/lib/systemd/system/ifdepd.service',
      'usr/lib/systemd/system/ifdepd@.service',
      'etc/default/ifdepd',
      'etc/ifdepd/ifdepd.conf',
      'usr/share/doc/ifdepd/copyright',
      'usr/share/doc/ifdepd/changelog.Debian.gz',
      'usr/share/doc/ifdepd/examples/ping-sources.conf',
    ]) {
      expect(p, want).toContain(want);
    }
    // No sources, tests, dev dependencies, build-only modules or stock prebuilds.
    const unwanted = p.filter(
      (f) =>
        /\.(ts|map|cc|h)$/.test(f) ||
        /(^|\/)(src|test|tests|prebuilds|\.bin|typescript|vitest|patch-package|node-addon-api|@types)\//.test(f) ||
        /netlink\/build\/(?!Release\/netlink_binding\.node$)[^/]+$/.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it('names every bundled module and its license in the machine-readable copyright file', () => {
    const copyright = fileOf(deb, 'usr/share/doc/ifdepd/copyright');
    expect(copyright).toMatch(/^Format: https:\/\/www\.debian\.org\/doc\/packaging-manuals\/copyright-format\/1\.0\/\n/);
    expect(copyright).toMatch(/^Files: \*\nCopyright: .+\nLicense: ISC$/m);
    const modules = paths()
      .map((p) => /^usr\/lib\/ifdepd\/node_modules\/(.+)\/package\.json$/.exec(p)?.[1])
      .filter((m): m is string => m !== undefined);
    expect(modules.length).toBeGreaterThan(3);
    for (const m of modules) expect(copyright, m).toMatch(new RegExp(`^Files: usr/lib/ifdepd/node_modules/${m}/\\*\nCopyright: .+\nLicense: \\S+`, 'm'));
    // Every license named has its text.
    for (const [, name] of copyright.matchAll(/^License: (\S+)$/gm)) expect(copyright, name).toMatch(new RegExp(`^License: ${name}\n [^\n]+`, 'm'));
  });

  it('is owned by root, with 0644 files, 0755 directories and executables, one mtime', () => {
    expect(entries.filter((e) => e.owner !== 'root/root')).toEqual([]);
    const exec = new Set(['usr/sbin/ifdepd', 'usr/lib/ifdepd/dist/cli.js']);
    const wrong = entries.filter((e) => {
      const want = e.mode.startsWith('d') ? 'drwxr-xr-x' : exec.has(e.path) ? '-rwxr-xr-x' : '-rw-r--r--';
      return e.mode !== want;
    });
    expect(wrong).toEqual([]);
    expect(new Set(entries.map((e) => e.time)).size).toBe(1);
  });

  it.skipIf(lintianMissing)(`lintian finds no error and no warning${lintianMissing ? ' (skipped: lintian is not installed)' : ''}`, () => {
    const r = runHost('lintian', ['--fail-on', 'error,warning', deb]);
    expect(r.stdout.split('\n').filter((l) => /^[EW]: /.test(l)), r.text).toEqual([]);
    expect(r.status, r.text).toBe(0);
  }, 120_000);

  it('installs with dpkg -i in the throw-away root, not on this machine', () => {
    const r = inRoot().run('dpkg', ['-i', deb], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    expect(r.status, r.text).toBe(0);
    expect(inRoot().run('dpkg-query', ['-W', '-f', '${Status} ${Version}', 'ifdepd']).stdout).toMatch(/^install ok installed /);
    expect(inRoot().run('test', ['-x', '/usr/sbin/ifdepd']).status).toBe(0);
    expect(hostHasIfdepd()).toBe(false);
  }, 120_000);

  it('runs: ifdepd --version is package.json\'s, and the example configuration is valid once uncommented', () => {
    const v = inRoot().run('/usr/sbin/ifdepd', ['--version']);
    expect(v.status, v.text).toBe(0);
    expect(v.stdout.trim()).toBe(PKG.version);
    // The addon netlink loads is the patched build, not a stock prebuild.
    const load = "const d='/usr/lib/ifdepd/node_modules/netlink'; const b=require('module').createRequire(d+'/package.json')('node-gyp-build')(d); console.log(b.ifdepdOverrunSafe === true ? 'patched' : 'stock')";
    const addon = inRoot().run('/usr/bin/node', ['-e', load]);
    expect(addon.stdout.trim(), addon.text).toBe('patched');
    const example = inRoot().run('sh', ['-c', "sed -n '/^# --- example ---$/,$p' /etc/ifdepd/ifdepd.conf | tail -n +2 | sed 's/^#//' > /run/ifdepd-deb-example.conf && /usr/sbin/ifdepd -f /run/ifdepd-deb-example.conf --check-config; s=$?; rm -f /run/ifdepd-deb-example.conf; exit $s"]);
    expect(example.status, example.text).toBe(0);
    expect(example.stdout).toMatch(/OK, 2 group\(s\)/);
  });

  it('puts its manual pages where man looks', () => {
    const where = inRoot().run('man', ['-w', 'ifdepd']);
    expect(where.stdout.trim(), where.text).toBe('/usr/share/man/man8/ifdepd.8.gz');
    const page = inRoot().run('man', ['ifdepd'], { env: { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80' } });
    expect(page.status, page.text).toBe(0);
    expect(page.stdout).toMatch(/SYNOPSIS/);
    expect(page.stdout).toMatch(/ifdepd/);
    const conf = inRoot().run('man', ['-w', '5', 'ifdepd.conf']);
    expect(conf.stdout.trim(), conf.text).toBe('/usr/share/man/man5/ifdepd.conf.5.gz');
  });

  it('fails a macvlan over when its source veth loses carrier, and brings it back', async () => {
    lab.create();
    daemon = inRoot().spawn('/usr/sbin/ifdepd', ['-S', 'up0', '-D', 'vrrp.51', '--up-delay', '0'], lab.name);
    const proc = daemon;
    proc.stdout?.on('data', (b: Buffer) => (log += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (log += b.toString()));
    const context = () => `ifdepd exit ${proc.exitCode ?? '-'}; its log:\n${log}`;
    await waitUntil('ifdepd to take its first decision', () => /at start/.test(log), { timeout: 15_000, context });
    expect(lab.isUp('vrrp.51')).toBe(true);

    lab.ip(['link', 'set', 'sw-up0', 'down']);
    await waitUntil('vrrp.51 to go admin down', () => !lab.isUp('vrrp.51'), { timeout: 5000, context });
    lab.ip(['link', 'set', 'sw-up0', 'up']);
    await waitUntil('vrrp.51 to come back up', () => lab.isUp('vrrp.51'), { timeout: 5000, context });

    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited, context()).toBe(0);
    daemon = undefined;
    lab.destroy();
  }, 60_000);

  it('dpkg -r keeps only the conffiles, dpkg -P leaves nothing of ifdepd in /usr and /etc', () => {
    const r = inRoot().run('dpkg', ['-r', 'ifdepd']);
    expect(r.status, r.text).toBe(0);
    expect(inRoot().run('dpkg-query', ['-W', '-f', '${Status}', 'ifdepd']).stdout).toBe('deinstall ok config-files');
    for (const gone of ['/usr/sbin/ifdepd', '/usr/lib/ifdepd', '/usr/share/man/man8/ifdepd.8.gz', '/usr/lib/systemd/system/ifdepd.service']) {
      expect(inRoot().run('test', ['-e', gone]).status, `${gone} after remove`).not.toBe(0);
    }
    for (const kept of ['/etc/default/ifdepd', '/etc/ifdepd/ifdepd.conf']) {
      expect(inRoot().run('test', ['-f', kept]).status, `${kept} after remove`).toBe(0);
    }

    const p = inRoot().run('dpkg', ['-P', 'ifdepd']);
    expect(p.status, p.text).toBe(0);
    expect(inRoot().run('dpkg-query', ['-W', 'ifdepd']).status).not.toBe(0);
    // The upper layers hold exactly what dpkg wrote: nothing of ifdepd may remain.
    const left = inRoot().run('find', [inRoot().upper('usr'), inRoot().upper('etc'), '-name', '*ifdepd*']);
    expect(left.status, left.text).toBe(0);
    expect(left.stdout.trim()).toBe('');
  }, 120_000);

  it('leaves this machine as it was', async () => {
    const layers = inRoot().layers;
    await root?.close();
    root = undefined;
    expect(hostHasIfdepd()).toBe(false);
    expect(runHost('cat', ['/proc/self/mountinfo']).stdout).not.toContain(layers);
    expect(existsSync(layers)).toBe(false);
    expect(runHost('ip', ['netns', 'list']).stdout).not.toContain(lab.name);
  });
});
