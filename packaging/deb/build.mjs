#!/usr/bin/env node
// npm run deb: builds ifdepd_<version>_<arch>.deb with dpkg-deb, for a firewall
// that has Debian's nodejs and no compiler, npm or network.
//
//   node packaging/deb/build.mjs [--out DIR]      (or IFDEPD_DEB_OUT=DIR)
//
// DIR defaults to build/deb/ (ignored by git). Needs dist/ (npm run build), npm
// with the dependencies in its cache (after `npm ci`), a C++ compiler, dpkg-dev.
// Reproducible: file times are clamped to SOURCE_DATE_EPOCH (default: the time of
// the last git commit), owners are root:root, modes are 0644/0755.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyrightFile } from './copyright.mjs';
import { debianVersion, installedSize, shlibDepends, writeControl } from './control.mjs';
import { stage } from './stage.mjs';
import { ADDON, LIB, layOut, normalize } from './tree.mjs';
import { BuildError, TAG, fail, have, note, run } from './util.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROJECT = resolve(HERE, '..', '..');
const FILES = join(HERE, 'files');

const DESCRIPTION = [
  'interface dependency watchdog for HA router and firewall pairs',
  'ifdepd watches the carrier of source interfaces over rtnetlink and keeps',
  'destination interfaces, typically the VRRP VMAC macvlans of keepalived,',
  'administratively down while the sources are unhealthy, so that the peer',
  'takes over; when the sources are healthy again it sets them back up.',
  '',
  'It is a drop-in for the command line of the BSD ifdepd(8), and adds groups',
  'with policies, delays, flap damping, holds, protodown and keepalived',
  'track-file actions, hooks and a control socket. Installing the package',
  'starts nothing: set the arguments in /etc/default/ifdepd, then enable',
  'ifdepd.service.',
];

function args() {
  const argv = process.argv.slice(2);
  let out = process.env.IFDEPD_DEB_OUT || join(PROJECT, 'build', 'deb');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out = argv[++i];
    else if (argv[i] === '-h' || argv[i] === '--help') {
      console.log('usage: node packaging/deb/build.mjs [--out DIR]   (or IFDEPD_DEB_OUT=DIR; default build/deb)');
      process.exit(0);
    } else fail(`unknown argument ${argv[i]}; usage: build.mjs [--out DIR]`);
  }
  return { out: resolve(out) };
}

/** The time of the last commit, so that two builds of one commit are the same archive. */
function sourceDateEpoch() {
  const env = process.env.SOURCE_DATE_EPOCH;
  if (env) {
    if (!/^\d+$/.test(env)) fail(`SOURCE_DATE_EPOCH=${env} is not a number of seconds`);
    return Number(env);
  }
  const r = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: PROJECT, encoding: 'utf8' });
  if (r.status !== 0 || !/^\d+$/.test(r.stdout.trim())) fail('no git history to take SOURCE_DATE_EPOCH from: set SOURCE_DATE_EPOCH');
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: PROJECT, encoding: 'utf8' });
  if (dirty.stdout?.trim()) note('warning: the work tree has uncommitted changes; the package is not the last commit\'s');
  return Number(r.stdout.trim());
}

function preflight() {
  if (process.platform !== 'linux') fail('a .deb is built on Linux');
  for (const [tool, pkg] of [
    ['dpkg-deb', 'dpkg'],
    ['dpkg-shlibdeps', 'dpkg-dev'],
    ['dpkg-buildflags', 'dpkg-dev'],
    ['strip', 'binutils'],
    ['npm', 'npm'],
  ]) {
    if (!have(tool)) fail(`${tool} is missing: install ${pkg}`);
  }
  if (!existsSync(join(PROJECT, 'dist', 'cli.js'))) fail('dist/cli.js is missing: run `npm run build` first (npm run deb does)');
  if (!existsSync(join(PROJECT, 'package-lock.json'))) fail('package-lock.json is missing: npm ci needs it');
}

function main() {
  const { out } = args();
  preflight();
  const epoch = sourceDateEpoch();
  const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8'));
  const version = debianVersion(readFileSync(join(FILES, 'changelog'), 'utf8'), pkg.version);
  const arch = run('dpkg', ['--print-architecture'], { what: 'dpkg --print-architecture' }).trim();
  const maintainer = /^ -- (.+?)  /m.exec(readFileSync(join(FILES, 'changelog'), 'utf8'))?.[1];
  if (!maintainer) fail('packaging/deb/files/changelog: no " -- NAME <MAIL>  DATE" trailer line');

  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(out, '.work-'));
  try {
    const stageDir = join(work, 'stage');
    const root = join(work, 'root');
    mkdirSync(stageDir, { recursive: true });
    const { embedded } = stage(PROJECT, stageDir);
    const copyright = copyrightFile({
      projectName: pkg.name,
      projectCopyright: /^Copyright (?:\(c\) )?(.+)$/m.exec(readFileSync(join(PROJECT, 'LICENSE'), 'utf8'))?.[1] ?? 'the ifdepd authors',
      projectLicense: pkg.license,
      modulesDir: join(stageDir, 'node_modules'),
      libDir: LIB,
      addon: { path: ADDON, embedded },
    });
    layOut({ project: PROJECT, stage: stageDir, root, files: FILES, copyright: copyright.text });
    // Every native binary shipped (the netlink addon we build, node-unix-socket's prebuilt one).
    const binaries = readdirSync(join(root, LIB), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.node'))
      .map((f) => join(root, LIB, f));
    if (!binaries.includes(join(root, ADDON))) fail(`the netlink addon is missing from the package tree: ${ADDON}`);
    const depends = `nodejs (>= 20), ${shlibDepends(join(work, 'shlibdeps'), binaries)}`;
    writeControl(root, { version, arch, depends, maintainer, description: DESCRIPTION, size: installedSize(root) });
    normalize(root, epoch);

    const deb = join(out, `ifdepd_${version}_${arch}.deb`);
    rmSync(deb, { force: true });
    run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, deb], {
      what: 'dpkg-deb --build',
      env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
    });
    note(`bundled: ${copyright.modules.map((m) => `${m.name}@${m.version} (${m.license})`).join(', ')}`);
    note(`Depends: ${depends}`);
    console.log(deb);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  if (!(err instanceof BuildError)) throw err;
  console.error(`${TAG} ${err.message}`);
  process.exit(1);
}
