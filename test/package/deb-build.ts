// Building the .deb for the test, and reading it back with dpkg-deb.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runHost } from './throwaway-root.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

const works = (cmd: string, args: readonly string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** Why the package tests cannot run here, or null. */
export function debSkipReason(): string | null {
  if (process.platform !== 'linux') return 'a .deb is built and installed on Linux only';
  if (process.getuid?.() !== 0) return 'needs root: dpkg -i into a private mount namespace, and a network namespace';
  if (!works('dpkg-deb', ['--version'])) return 'dpkg-deb is missing (apt-get install dpkg-dev)';
  if (!works('dpkg-shlibdeps', ['--version'])) return 'dpkg-shlibdeps is missing (apt-get install dpkg-dev)';
  for (const tool of ['unshare', 'nsenter']) if (!works(tool, ['--version'])) return `${tool} is missing (util-linux)`;
  if (!works('ip', ['-V'])) return 'iproute2 `ip` is missing';
  return null;
}

/** Builds the package into `out` with packaging/deb/build.mjs (what `npm run deb` runs after its build of dist/), and returns its path. */
export function buildDeb(out: string): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = runHost(process.execPath, [join(ROOT, 'packaging', 'deb', 'build.mjs'), '--out', out], env);
  if (r.status !== 0) throw new Error(`the .deb build failed: ${r.text}`);
  const path = r.stdout.trim().split('\n').at(-1) ?? '';
  if (!path.endsWith('.deb')) throw new Error(`the .deb build printed no package path: ${r.text}`);
  return path;
}

export interface Entry {
  mode: string;
  owner: string;
  time: string;
  path: string;
}

/** `dpkg-deb -c`: every entry with its mode, owner and time, paths without the leading "./". */
export function contents(deb: string): Entry[] {
  const r = runHost('dpkg-deb', ['-c', deb]);
  if (r.status !== 0) throw new Error(`dpkg-deb -c: ${r.text}`);
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [mode = '', owner = '', , date = '', time = '', ...rest] = line.split(/\s+/);
      return { mode, owner, time: `${date} ${time}`, path: rest.join(' ').replace(/^\.\//, '').replace(/ -> .*$/, '') };
    });
}

export function field(deb: string, name: string): string {
  const r = runHost('dpkg-deb', ['-f', deb, name]);
  if (r.status !== 0) throw new Error(`dpkg-deb -f ${name}: ${r.text}`);
  return r.stdout.trim();
}

/** A file of the control archive (conffiles, md5sums), as `dpkg-deb --info DEB NAME` prints it. */
export function controlFile(deb: string, name: string): string {
  const r = runHost('dpkg-deb', ['--info', deb, name]);
  if (r.status !== 0) throw new Error(`dpkg-deb --info ${name}: ${r.text}`);
  return r.stdout;
}

/** One file of the package's data archive, as text. */
export function fileOf(deb: string, path: string): string {
  const r = spawnSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO "./$2"', 'sh', deb, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path} from ${deb}: ${r.stderr}`);
  return r.stdout;
}
