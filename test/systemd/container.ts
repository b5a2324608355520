// A throw-away systemd container (systemd-nspawn, Debian trixie with Debian's nodejs) to run
// the shipped units under a real systemd. See shared notes "systemd-container".
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildDeb, debSkipReason } from '../package/deb-build.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

const has = (cmd: string, ...args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).error === undefined;

/** Why the container tests cannot run here, or undefined. */
export function whyNoContainer(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: systemd-nspawn needs root';
  if (!has('systemd-nspawn', '--version')) return 'systemd-nspawn is missing (apt-get install systemd-container)';
  if (!has('debootstrap', '--version') && !existsSync('/usr/sbin/debootstrap')) return 'debootstrap is missing (apt-get install debootstrap)';
  if (!existsSync(join(REPO, 'dist/cli.js'))) return 'dist/ is not built (npm run build)';
  const noDeb = debSkipReason();
  if (noDeb !== null) return `the .deb cannot be built: ${noDeb}`;
  return undefined;
}

/** Polls until check() returns a value other than undefined; throws after the deadline. */
export async function until<T>(what: string, check: () => T | undefined, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Installs ifdepd as an operator does: the Debian package (packaging/deb/build.mjs, what
 * `npm run deb` runs), built once per test file from this checkout, installed with dpkg
 * into the container's root before it boots. The root has Debian's nodejs, which the
 * package depends on; dpkg refuses it otherwise, and the test fails.
 */
let deb: string | undefined;
export function installIfdepd(root: string): void {
  if (deb === undefined) {
    const out = mkdtempSync(join(tmpdir(), 'ifdepd-deb-'));
    process.once('exit', () => rmSync(out, { recursive: true, force: true }));
    deb = buildDeb(out);
  }
  const r = spawnSync('dpkg', [`--root=${root}`, '--force-script-chrootless', '-i', deb], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`dpkg -i ${deb} into ${root}: ${r.stderr || r.stdout}`);
}

/** The cached trimmed root tarball (built on first use by rootfs.sh, ~40 s). */
function rootTarball(): string {
  const r = spawnSync('bash', [join(REPO, 'test/systemd/rootfs.sh')], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`rootfs.sh failed: ${r.stderr || r.error?.message}`);
  return r.stdout.trim().split('\n').at(-1)!;
}

const CGROUP_ROOTS = ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified', '/sys/fs/cgroup'];

export class Container {
  private nspawn: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  /** The container's PID 1 (systemd), as the host sees it. */
  pid = 0;
  readonly cgroups: string[] = [];

  private constructor(
    readonly name: string,
    readonly dir: string,
  ) {}

  get root(): string {
    return join(this.dir, 'root');
  }

  /** Unpacks the root, installs ifdepd through installIfdepd(), boots, waits for systemd. */
  static async boot(prepare: (root: string) => void): Promise<Container> {
    const name = `ifdepd-test-${process.pid}-${Date.now().toString(36)}`;
    const dir = mkdtempSync('/var/tmp/ifdepd-nspawn-');
    const c = new Container(name, dir);
    try {
      mkdirSync(c.root);
      const tar = spawnSync('tar', ['-xzf', rootTarball(), '-C', c.root]);
      if (tar.status !== 0) throw new Error(`tar: ${tar.stderr.toString()}`);
      installIfdepd(c.root);
      prepare(c.root);
      await c.start();
      return c;
    } catch (err) {
      await c.destroy();
      throw err;
    }
  }

  private async start(): Promise<void> {
    // nspawn leaves payload/ and supervisor/ cgroups behind: give it one of its own to clean.
    const mounted = CGROUP_ROOTS.filter((r) => existsSync(join(r, 'cgroup.procs')));
    const hybrid = mounted.filter((r) => r !== '/sys/fs/cgroup');
    for (const r of hybrid.length > 0 ? hybrid : mounted) this.cgroups.push(join(r, this.name));
    const enter = this.cgroups.map((g) => `mkdir -p '${g}' && echo $$ > '${g}/cgroup.procs' && `).join('');
    const args = ['-D', this.root, '-b', '-M', this.name, '--private-network', '--register=no', '--keep-unit', '--console=read-only'];
    this.nspawn = spawn('bash', ['-c', `${enter}exec systemd-nspawn "$@"`, 'nspawn', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    this.nspawn.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    this.exited = new Promise((resolve) => this.nspawn!.on('exit', () => resolve()));
    this.pid = await until('the container to boot', () => {
      if (this.nspawn!.exitCode !== null) throw new Error(`systemd-nspawn exited: ${stderr}`);
      return this.findInit();
    }, 30_000);
    await until('systemd to finish booting', () => {
      const r = this.exec(['systemctl', 'is-system-running']);
      return ['running', 'degraded'].includes(r.stdout.trim()) ? true : undefined;
    }, 60_000, 200);
  }

  /** PID 1 of the container: in our cgroup, and 1 in its own pid namespace. */
  private findInit(): number | undefined {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (!readFileSync(`/proc/${entry}/cgroup`, 'utf8').includes(`/${this.name}/`)) continue;
        const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]?.trim().split(/\s+/);
        if (nspid !== undefined && nspid.length > 1 && nspid.at(-1) === '1') return Number(entry);
      } catch {
        // gone meanwhile
      }
    }
    return undefined;
  }

  /** Runs a command inside the container (all its namespaces), as root. */
  exec(cmd: readonly string[], input?: string, timeoutMs = 30_000): SpawnSyncReturns<string> {
    return spawnSync('nsenter', ['-t', String(this.pid), '-a', '--', ...cmd], { encoding: 'utf8', input, timeout: timeoutMs });
  }

  sh(script: string, timeoutMs = 30_000): SpawnSyncReturns<string> {
    return this.exec(['/bin/sh', '-c', script], undefined, timeoutMs);
  }

  /** A long-running command in the container's network namespace only (ip monitor). */
  spawnInNetns(cmd: readonly string[]): ChildProcess {
    return spawn('nsenter', ['-t', String(this.pid), '-n', '--', ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Powers off (falls back to SIGKILL), removes the root and the cgroups. Safe to call twice. */
  async destroy(): Promise<void> {
    if (this.nspawn !== undefined && this.nspawn.exitCode === null && this.pid > 0) {
      this.exec(['systemctl', 'poweroff', '--no-block'], undefined, 5000);
      const done = await Promise.race([this.exited!.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
      if (!done) {
        this.nspawn.kill('SIGKILL');
        await Promise.race([this.exited!, new Promise((r) => setTimeout(r, 5000))]);
      }
    } else if (this.nspawn !== undefined && this.nspawn.exitCode === null) {
      this.nspawn.kill('SIGKILL');
      await Promise.race([this.exited!, new Promise((r) => setTimeout(r, 5000))]);
    }
    for (const g of this.cgroups) removeCgroup(g);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Depth first: a cgroup can be removed only once it has no children and no processes. */
function removeCgroup(path: string): void {
  if (!existsSync(path)) return;
  for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) removeCgroup(join(path, entry.name));
  try {
    rmdirSync(path);
  } catch {
    // still busy: left for the operator, named after the test's pid
  }
}
