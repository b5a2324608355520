// The package as users get it: `npm pack` (which runs `prepare`, so dist/ is built
// from the sources), then a global install of the tarball into a throw-away prefix,
// as `npm install -g` would do on a router. The installed copy must run, report the
// version of package.json, load the PATCHED netlink addon (built by our postinstall,
// from source, with node-gyp), and ship its manual pages where man finds them.
//
// Offline first: CI must not depend on the registry. After `npm ci` the cache holds
// every dependency, so `--offline` works; `--prefer-offline` is the fallback, and the
// test says which one it used.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; files: string[] };

const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8' });
const skip = npmVersion.error !== undefined || npmVersion.status !== 0 ? `npm is not usable: ${npmVersion.error?.message ?? npmVersion.stderr}` : null;
if (skip) console.warn(`pack: skipped: ${skip}`);

const has = (tool: string, args: readonly string[]): boolean => spawnSync(tool, args, { stdio: 'ignore' }).error === undefined;
const isRoot = process.getuid?.() === 0;

/**
 * The environment of a fresh shell: under `npm test`, npm exports npm_config_* and
 * npm_package_* variables of THIS project, which would steer the npm we start.
 * node's own directory first, for the `#!/usr/bin/env node` of the installed bin and
 * for the postinstall.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
  return { ...env, PATH: [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter), NO_COLOR: '1' };
}

function run(cmd: string, args: readonly string[], cwd = ROOT, timeout = 240_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout, maxBuffer: 64 << 20 });
}

const output = (r: SpawnSyncReturns<string>): string => `status ${r.status} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr}`.trim();

/** Every file under `dir` of the project, relative to the project. */
function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

describe.skipIf(skip !== null)('npm pack and a global install of the tarball', () => {
  let tmp: string;
  let tarball: string;
  let packed: string[];
  let packStarted: number;
  let prefix: string;
  let installedWith: string;

  const installed = () => join(prefix, 'lib', 'node_modules', PKG.name);
  const bin = () => join(prefix, 'bin', 'ifdepd');

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'pack-'));
    packStarted = Date.now();
    const pack = run('npm', ['pack', '--json', '--pack-destination', tmp]);
    if (pack.status !== 0) throw new Error(`npm pack failed:\n${output(pack)}`);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(tmp, info!.filename);
    packed = info!.files.map((f) => f.path);

    prefix = join(tmp, 'prefix');
    const attempts: string[] = [];
    for (const mode of ['--offline', '--prefer-offline']) {
      const r = run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', mode, tarball]);
      if (r.status === 0) {
        installedWith = mode;
        break;
      }
      attempts.push(`npm install ${mode}:\n${output(r)}`);
      rmSync(prefix, { recursive: true, force: true });
    }
    if (installedWith === undefined) throw new Error(`the tarball did not install:\n${attempts.join('\n\n')}`);
    console.info(`pack: npm ${npmVersion.stdout.trim()}: installed ${info!.filename} with ${installedWith}${attempts.length ? ` (after: ${attempts.join('; ').slice(0, 400)})` : ''}`);
  }, 300_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('npm pack runs prepare, which builds dist/ from the sources', () => {
    // The bundler rewrites dist/ whole: a fresh dist/cli.js means `prepare` ran during the pack.
    expect(statSync(join(ROOT, 'dist', 'cli.js')).mtimeMs).toBeGreaterThanOrEqual(packStarted - 1000);
    // The bundle (scripts/bundle.mjs): the entry, its chunks, and the note that they are CommonJS.
    expect(packed).toEqual(expect.arrayContaining(['dist/cli.js', 'dist/package.json', 'dist/chunks/http-server.js']));
    expect(packed.filter((p) => p.startsWith('dist/chunks/')).length).toBeGreaterThan(5);
  });

  it('the tarball holds everything "files" promises, and no sources or tests', () => {
    expect(PKG.files).toEqual(expect.arrayContaining(['dist/', 'man/', 'contrib/', 'patches/', 'scripts/', 'README.md', 'LICENSE']));
    const shipped = ['man', 'contrib', 'patches', 'scripts'].flatMap(filesUnder);
    expect(shipped.length).toBeGreaterThan(0);
    expect(packed).toEqual(expect.arrayContaining([...shipped, 'README.md', 'LICENSE', 'package.json']));
    expect(packed.filter((p) => /^(src|test)\//.test(p) || p.endsWith('.ts'))).toEqual([]);
  });

  it('the installed ifdepd reports the version of package.json, and its help', () => {
    const version = run(bin(), ['--version']);
    expect(version.status, output(version)).toBe(0);
    expect(version.stdout.trim()).toBe(PKG.version);
    const help = run(bin(), ['--help']);
    expect(help.status, output(help)).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ifdepd /);
    expect(help.stdout).toContain('-S, --sources <list>');
  });

  it('the postinstall built the patched netlink addon from source', () => {
    const addon = join(installed(), 'node_modules', 'netlink', 'build', 'Release', 'netlink_binding.node');
    expect(existsSync(addon), `${addon} is missing: the postinstall did not run (npm install-scripts policy?)`).toBe(true);
    const probe = run(process.execPath, ['-e', `const b = require(${JSON.stringify(addon)}); process.stdout.write(b.ifdepdOverrunSafe + ' ' + typeof b.ifdepdReleaseFreeMemory)`]);
    expect(probe.stdout, output(probe)).toBe('true function');
  });

  it('the installed ifdepd starts (dry run, in a namespace when root) and exits 0 on SIGTERM', async () => {
    // Dry run: nothing is changed; in a private namespace when possible, so not even read from the host.
    const ns = `ifdepd-pack-${process.pid}`;
    if (isRoot) expect(run('ip', ['netns', 'add', ns]).status).toBe(0);
    try {
      const argv = [...(isRoot ? ['ip', 'netns', 'exec', ns] : []), bin(), '-n', '-v', '-S', 'lo', '-D', 'vrrp0'];
      const child = spawn(argv[0]!, argv.slice(1), { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let log = '';
      const collect = (d: Buffer) => {
        log += d.toString();
        if (/at start .* -> destinations vrrp0 (up|down)/.test(log)) child.kill('SIGTERM');
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on('close', (c, s) => resolve([c, s])),
      );
      clearTimeout(killer);
      expect(log).toMatch(/dry-run: nothing will be changed/);
      expect(log).toMatch(/SIGTERM: exiting/);
      expect(log).not.toMatch(/stock build/);
      expect([code, signal], log).toEqual([0, null]);
    } finally {
      if (isRoot) run('ip', ['netns', 'del', ns]);
    }
  });

  it('npm links the manual pages into the prefix, and they render from there', () => {
    for (const page of ['man8/ifdepd.8', 'man5/ifdepd.conf.5']) {
      const link = join(prefix, 'share', 'man', page);
      expect(existsSync(link), `${link} (npm links "man" pages for global installs)`).toBe(true);
      expect(realpathSync(link)).toBe(realpathSync(join(installed(), 'man', page.split('/')[1]!)));
    }
    const page = join(installed(), 'man', 'ifdepd.8');
    if (has('mandoc', ['-T', 'lint', '/dev/null'])) {
      const lint = run('mandoc', ['-T', 'lint', '-W', 'warning', page]);
      expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
      const text = run('mandoc', ['-T', 'ascii', page]).stdout.replace(/.\x08/g, '');
      expect(text).toMatch(/^NAME\n +ifdepd - /m);
    }
    if (has('man', ['--version'])) {
      const where = run('man', ['-M', join(prefix, 'share', 'man'), '-w', '8', 'ifdepd']);
      // man-db follows the link npm made and names its target.
      expect(where.status, output(where)).toBe(0);
      expect(realpathSync(where.stdout.trim())).toBe(realpathSync(page));
      const shown = spawnSync('man', ['-l', page], { env: { ...cleanEnv(), MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat' }, encoding: 'utf8' });
      expect(shown.status, output(shown)).toBe(0);
      expect(shown.stdout.replace(/.\x08/g, '')).toMatch(/SYNOPSIS/);
    }
  });
});
