// The file system tree of the package, laid out under a scratch root: where each
// file goes, compressed and stripped the way Debian packages are, with Debian's
// ownership-free modes and every mtime clamped to SOURCE_DATE_EPOCH.
import { chmodSync, copyFileSync, cpSync, lutimesSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LICENSE_FILE } from './stage.mjs';
import { run } from './util.mjs';

export const LIB = 'usr/lib/ifdepd';
export const ADDON = `${LIB}/node_modules/netlink/build/Release/netlink_binding.node`;
/**
 * The only files with the executable bit: the launcher, and the daemon's entry
 * point, a script with a #! line (lintian: script-not-executable) that runs as
 * well by its own path as through the launcher.
 */
const EXECUTABLES = new Set(['usr/sbin/ifdepd', `${LIB}/dist/cli.js`]);

function put(root, path, data) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), data);
}

/**
 * gzip -9n: maximum compression, and no file name or time stamp in the header, so
 * the same input gives the same bytes (Debian policy 12.3 for man pages and changelogs).
 */
function gzip(bytes) {
  const out = gzipSync(bytes, { level: 9 });
  out[9] = 3; // OS byte: Unix, as gzip(1) writes; zlib's default differs by platform
  return out;
}

/** Lays out the package's files under `root`. `stage` holds the pruned node_modules and manifest. */
export function layOut({ project, stage, root, files, copyright }) {
  // /usr/lib/ifdepd: the compiled daemon (no source maps: they point at sources
  // that are not shipped), its manifest, and the production node_modules.
  cpSync(join(project, 'dist'), join(root, LIB, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  copyFileSync(join(stage, 'package.json'), join(root, LIB, 'package.json'));
  // Without the modules' own license files: the copyright file carries their
  // copyright lines and license texts, where Debian looks for them.
  cpSync(join(stage, 'node_modules'), join(root, LIB, 'node_modules'), {
    recursive: true,
    filter: (src) => !LICENSE_FILE.test(basename(src)),
  });
  // Strip the addon as dh_strip strips a shared object: its debug info holds build paths.
  run('strip', ['--remove-section=.comment', '--remove-section=.note', '--strip-unneeded', join(root, ADDON)], {
    what: 'strip of the netlink addon',
  });

  put(root, 'usr/sbin/ifdepd', readFileSync(join(files, 'ifdepd.sh')));
  for (const [page, section] of [
    ['ifdepd.8', 8],
    ['ifdepd.conf.5', 5],
  ]) {
    put(root, `usr/share/man/man${section}/${page}.gz`, gzip(readFileSync(join(project, 'man', page))));
  }
  // Debian 13 (trixie) keeps units in /usr/lib/systemd/system; merged /usr makes
  // /lib/systemd/system the same directory on Debian 12.
  const units = join(project, 'contrib', 'systemd');
  for (const unit of readdirSync(units).filter((n) => /\.(service|socket|timer|path)$/.test(n)).sort()) {
    put(root, `usr/lib/systemd/system/${unit}`, readFileSync(join(units, unit)));
  }
  // The drop-in ping sources need under the shipped unit: an example, installed by the operator.
  put(root, 'usr/share/doc/ifdepd/examples/ping-sources.conf', readFileSync(join(units, 'ping-sources.conf')));
  put(root, 'etc/default/ifdepd', readFileSync(join(files, 'default')));
  put(root, 'etc/ifdepd/ifdepd.conf', readFileSync(join(files, 'ifdepd.conf')));
  put(root, 'usr/share/doc/ifdepd/copyright', copyright);
  put(root, 'usr/share/doc/ifdepd/changelog.Debian.gz', gzip(readFileSync(join(files, 'changelog'))));
  put(root, 'usr/share/lintian/overrides/ifdepd', readFileSync(join(files, 'lintian-overrides')));
}

/**
 * 0755 for directories and the launcher, 0644 for everything else (the addon too:
 * a shared object is mapped, not executed); every mtime set to `epoch`, links
 * included, so the archive does not depend on when or where it was built.
 */
export function normalize(root, epoch, dir = root, rel = '') {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    const relPath = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      chmodSync(path, 0o755);
      normalize(root, epoch, path, relPath);
    } else if (!e.isSymbolicLink()) chmodSync(path, EXECUTABLES.has(relPath) ? 0o755 : 0o644);
    lutimesSync(path, epoch, epoch);
  }
  if (dir === root) {
    chmodSync(root, 0o755);
    lutimesSync(root, epoch, epoch);
  }
}
