// The production half of the package: a staging copy of the project in which
// `npm ci --omit=dev` installs the runtime dependencies from the lockfile, the
// patched netlink addon is built (scripts/build-netlink.mjs, hardened with
// dpkg-buildflags), and then everything that only the build needed is dropped.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { moduleInfo } from './copyright.mjs';
import { cleanEnv, fail, note, run } from './util.mjs';

/** What the staging copy needs from the project: the manifest, the lock, the patch and its build script. */
const STAGED = ['package.json', 'package-lock.json', 'patches', 'scripts/build-netlink.mjs'];

/**
 * Packages that are dependencies only to build the addon, never loaded at run time:
 * patch-package (and its 59 dependencies) applies patches/ before the build;
 * node-addon-api is C++ headers; netlink declares @types/node as a dependency by mistake.
 */
const BUILD_ONLY_DEPENDENCY = 'patch-package';
const BUILD_ONLY_DIRS = ['node-addon-api', 'netlink/node_modules/@types'];

/** Files no running daemon reads: types, source maps, TypeScript and C++ sources, docs, dotfiles. */
const DROPPED_FILE = /(\.d\.[cm]?ts|\.ts|\.map|\.md|\.markdown|\.gyp|\.gypi|\.cc|\.h|\.c|\.ya?ml)$|^\./i;
/** Directories of a module that its code never loads: tests, examples, coverage reports, docs. */
const DROPPED_DIR = /^(\.\w.*|test|tests|__tests__|example|examples|coverage|benchmark|docs?|ref)$/i;
/** License files: kept in the staging copy for copyright.mjs, not shipped (tree.mjs). */
export const LICENSE_FILE = /^(licen[cs]e|copying)(\.\w+)?$/i;

export function stage(project, dir) {
  for (const item of STAGED) cpSync(join(project, item), join(dir, item), { recursive: true });
  const env = cleanEnv({ PATH: process.env.PATH ?? '' });

  // Offline first: after the project's own `npm ci` the cache holds every dependency.
  let installed = false;
  for (const mode of ['--offline', '--prefer-offline']) {
    const args = ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', mode];
    const r = spawnNpm(args, dir, env);
    if (r) {
      note(`npm ci --omit=dev ${mode}`);
      installed = true;
      break;
    }
  }
  if (!installed) fail('npm ci --omit=dev failed in the staging copy, offline and online (is package-lock.json in step with package.json?)');

  // The addon, hardened the way Debian builds C++ (fortify, stack protector, relro, bindnow).
  const flags = run('dpkg-buildflags', ['--export=sh'], {
    what: 'dpkg-buildflags',
    cwd: dir,
    env: { ...env, DEB_BUILD_MAINT_OPTIONS: 'hardening=+all' },
  });
  const buildEnv = { ...env };
  for (const m of flags.matchAll(/^export (\w+)="(.*)"$/gm)) buildEnv[m[1]] = m[2];
  // C preprocessor flags (-D_FORTIFY_SOURCE) reach node-gyp's make only through CFLAGS/CXXFLAGS.
  buildEnv.CFLAGS = `${buildEnv.CPPFLAGS ?? ''} ${buildEnv.CFLAGS ?? ''}`.trim();
  buildEnv.CXXFLAGS = `${buildEnv.CPPFLAGS ?? ''} ${buildEnv.CXXFLAGS ?? ''}`.trim();
  run(process.execPath, ['scripts/build-netlink.mjs'], { what: 'building the patched netlink addon', cwd: dir, env: buildEnv });

  // The manifest as installed: what `--version` reads (dist/package.json makes the bundle CommonJS).
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const { [BUILD_ONLY_DEPENDENCY]: _dropped, ...dependencies } = pkg.dependencies ?? {};
  const manifest = {
    name: pkg.name,
    version: pkg.version,
    description: pkg.description,
    license: pkg.license,
    type: pkg.type,
    engines: pkg.engines,
    dependencies,
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  run('npm', ['prune', '--omit=dev', '--ignore-scripts', '--offline', '--no-audit', '--no-fund'], {
    what: `npm prune of ${BUILD_ONLY_DEPENDENCY}`,
    cwd: dir,
    env,
  });
  if (existsSync(join(dir, 'node_modules', BUILD_ONLY_DEPENDENCY))) fail(`npm prune left ${BUILD_ONLY_DEPENDENCY} in node_modules`);
  // node-addon-api's headers are compiled into the addon: the copyright file names them.
  const embedded = [moduleInfo(join(dir, 'node_modules', 'node-addon-api'))];
  trim(join(dir, 'node_modules'));
  return { manifest, embedded };
}

/** Whether npm succeeded; its output is shown only when it did not. */
function spawnNpm(args, cwd, env) {
  const r = spawnSync('npm', args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status === 0) return true;
  console.error(`${r.error?.message ?? ''}${r.stdout ?? ''}${r.stderr ?? ''}`.trimEnd().split('\n').slice(-10).join('\n'));
  return false;
}

/** Drops what only the build needed, keeping each module's package.json, code and license. */
function trim(modules) {
  for (const d of BUILD_ONLY_DIRS) rmSync(join(modules, d), { recursive: true, force: true });
  const netlink = join(modules, 'netlink');
  // Only the patched binary of the build stays. The stock prebuilds go: node-gyp-build
  // would fall back to them if build/Release were missing, and they are foreign
  // architectures' binaries as well.
  const binary = join(netlink, 'build', 'Release', 'netlink_binding.node');
  if (!existsSync(binary)) fail(`${binary} was not built`);
  const bytes = readFileSync(binary);
  for (const d of ['build', 'prebuilds', 'src', 'binding.gyp']) rmSync(join(netlink, d), { recursive: true, force: true });
  mkdirSync(dirname(binary), { recursive: true });
  writeFileSync(binary, bytes);
  for (const m of readdirSync(modules)) {
    const dirs = m.startsWith('@') ? readdirSync(join(modules, m)).map((n) => join(modules, m, n)) : [join(modules, m)];
    for (const dir of dirs) removeCommands(dir);
  }
  removeMatching(modules);
  removeEmptyDirs(modules);
}

/**
 * A module's command-line tools (its package.json "bin"), such as node-gyp-build's
 * install-time builder: npm would link them into node_modules/.bin, which the
 * package does not ship, and nothing requires them. Its main file is never one of them.
 */
function removeCommands(dir) {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
  const main = join(dir, pkg.main ?? 'index.js');
  for (const bin of bins) if (join(dir, bin) !== main) rmSync(join(dir, bin), { force: true });
}

function removeMatching(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules') removeMatching(path);
      else if (DROPPED_DIR.test(e.name)) rmSync(path, { recursive: true, force: true });
      else removeMatching(path);
    } else if (DROPPED_FILE.test(e.name) && !LICENSE_FILE.test(e.name)) rmSync(path, { force: true });
  }
}

function removeEmptyDirs(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const path = join(dir, e.name);
    removeEmptyDirs(path);
    if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
  }
}
