// DEBIAN/: the control file (version from package.json and the changelog, Depends
// from the addon's shared libraries), conffiles and md5sums.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fail, run } from './util.mjs';

/**
 * The top entry of packaging/deb/files/changelog: `ifdepd (0.1.0-1) unstable; ...`.
 * Its upstream part must be package.json's version: the changelog owns only the
 * Debian revision, so the two can never disagree silently.
 */
export function debianVersion(changelog, upstream) {
  const m = /^(\S+) \(([^)]+)\) /.exec(changelog);
  if (!m) fail('packaging/deb/files/changelog: the first line is not "ifdepd (VERSION) DIST; urgency=..."');
  const version = m[2];
  const dash = version.lastIndexOf('-');
  if (dash < 0) fail(`packaging/deb/files/changelog: version ${version} has no Debian revision (-1)`);
  if (version.slice(0, dash) !== upstream) {
    fail(`packaging/deb/files/changelog says ${version} but package.json says ${upstream}: add a changelog entry for ${upstream}-1`);
  }
  return version;
}

/**
 * The shared-library Depends of the native addon, as dpkg-shlibdeps reads them
 * from its ELF NEEDED entries and the symbols files of this machine's libraries.
 * dpkg-shlibdeps insists on a debian/control, so it runs in a scratch directory.
 */
export function shlibDepends(scratch, binaries) {
  mkdirSync(join(scratch, 'debian'), { recursive: true });
  writeFileSync(join(scratch, 'debian', 'control'), 'Source: ifdepd\n\nPackage: ifdepd\nArchitecture: any\n');
  const out = run('dpkg-shlibdeps', ['-O', ...binaries.map((b) => `-e${b}`)], { what: 'dpkg-shlibdeps on the addon', cwd: scratch });
  const m = /^shlibs:Depends=(.*)$/m.exec(out);
  if (!m || !m[1].trim()) fail(`dpkg-shlibdeps found no libraries for ${binaries.join(' ')}`);
  return m[1].trim();
}

/** Installed-Size in KiB, counted as dpkg-gencontrol does: every file rounded up, 1 per directory or link. */
export function installedSize(root) {
  let kib = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (dir === root && e.name === 'DEBIAN') continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        kib += 1;
        walk(path);
      } else kib += e.isFile() ? Math.ceil(lstatSync(path).size / 1024) : 1;
    }
  };
  walk(root);
  return kib;
}

/** Every regular file under `root`, as paths relative to it, sorted. */
export function filesOf(root, dir = root) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesOf(root, join(dir, e.name)) : e.isFile() ? [relative(root, join(dir, e.name))] : []))
    .sort();
}

export function writeControl(root, { version, arch, depends, maintainer, description, size }) {
  const [summary, ...body] = description;
  const control = [
    'Package: ifdepd',
    `Version: ${version}`,
    `Architecture: ${arch}`,
    `Maintainer: ${maintainer}`,
    `Installed-Size: ${size}`,
    `Depends: ${depends}`,
    // ping sources (ifdepd.conf(5)) run iputils ping; without one configured it is not needed.
    'Recommends: iputils-ping',
    'Section: net',
    'Priority: optional',
    `Description: ${summary}`,
    ...body.map((l) => (l === '' ? ' .' : ` ${l}`)),
  ];
  const dir = join(root, 'DEBIAN');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'control'), `${control.join('\n')}\n`);
  // Everything under /etc is a conffile: dpkg keeps the operator's changes on
  // upgrade and keeps the files on remove, until purge.
  const conffiles = filesOf(root).filter((p) => p.startsWith('etc/'));
  writeFileSync(join(dir, 'conffiles'), conffiles.map((p) => `/${p}\n`).join(''));
  // md5sums leaves the conffiles out, as dh_md5sums does: dpkg tracks those itself.
  const sums = filesOf(root)
    .filter((p) => !p.startsWith('DEBIAN/') && !conffiles.includes(p))
    .map((p) => `${createHash('md5').update(readFileSync(join(root, p))).digest('hex')}  ${p}\n`);
  writeFileSync(join(dir, 'md5sums'), sums.join(''));
}
