// A throw-away view of this machine's root file system for installing a .deb:
// a private mount namespace (unshare -m --propagation private) held open by a
// sleeping process, in which /usr, /etc and /var are overlays whose upper layers
// live on a tmpfs. dpkg writes there and nowhere else; when the holder dies the
// namespace, its mounts and the tmpfs vanish, and the host's dpkg database, /usr
// and /etc are as they were.
//
// Why not a chroot into a copy: copying / costs gigabytes and minutes; an overlay
// costs nothing, and commands inside still see the host's /proc, /dev, /run and
// network namespaces, so the installed ifdepd can run in a test's netns.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor as waitUntil } from '../lab/wait.js';

/** The directories dpkg writes to when it installs, removes and purges a package. */
export const OVERLAID = ['usr', 'etc', 'var'] as const;

export interface Run extends SpawnSyncReturns<string> {
  /** status, signal, stdout and stderr, for an assertion message. */
  readonly text: string;
}

function describeRun(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status ?? r.signal} ${r.error?.message ?? ''}\n${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim();
}

export function runHost(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 240_000, maxBuffer: 64 << 20 });
  return Object.assign(r, { text: describeRun(r) });
}

export class ThrowAwayRoot {
  /** Mount point of the tmpfs (only inside the namespace; an empty dir on the host). */
  readonly layers: string;
  private holder: ChildProcess | undefined;

  private constructor(layers: string) {
    this.layers = layers;
  }

  static async open(): Promise<ThrowAwayRoot> {
    const root = new ThrowAwayRoot(mkdtempSync(join(tmpdir(), 'ifdepd-deb-root-')));
    try {
      await root.start();
    } catch (err) {
      await root.close();
      throw err;
    }
    return root;
  }

  private async start(): Promise<void> {
    const holder = spawn('unshare', ['-m', '--propagation', 'private', 'sleep', '86400'], { stdio: 'ignore' });
    this.holder = holder;
    const own = readlinkSync('/proc/self/ns/mnt');
    // unshare execs sleep once the namespace exists: wait for the pid to be in another one.
    await waitUntil('the holder to enter its own mount namespace', () => {
      if (holder.exitCode !== null) throw new Error(`unshare exited ${holder.exitCode}`);
      try {
        return readlinkSync(`/proc/${holder.pid}/ns/mnt`) !== own;
      } catch {
        return false;
      }
    });
    this.must('mount', ['-t', 'tmpfs', '-o', 'mode=0700', 'ifdepd-deb', this.layers]);
    for (const dir of OVERLAID) {
      const upper = this.upper(dir);
      const work = join(this.layers, dir, 'work');
      this.must('mkdir', ['-p', upper, work]);
      this.must('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=/${dir},upperdir=${upper},workdir=${work}`, `/${dir}`]);
    }
  }

  /** The upper layer of an overlaid directory: exactly what was written to it. */
  upper(dir: (typeof OVERLAID)[number]): string {
    return join(this.layers, dir, 'upper');
  }

  private nsenterArgs(extra: readonly string[]): string[] {
    if (this.holder?.pid === undefined || this.holder.exitCode !== null) throw new Error('the throw-away root is closed');
    return ['-t', String(this.holder.pid), '-m', ...extra, '--'];
  }

  /** Runs a command inside the namespace (and, with `netns`, inside that network namespace too). */
  run(cmd: string, args: readonly string[], { netns, env }: { netns?: string; env?: NodeJS.ProcessEnv } = {}): Run {
    const extra = netns ? [`--net=/run/netns/${netns}`] : [];
    return runHost('nsenter', [...this.nsenterArgs(extra), cmd, ...args], env);
  }

  /** Starts a long-running command inside the namespace, in a network namespace. */
  spawn(cmd: string, args: readonly string[], netns: string): ChildProcess {
    return spawn('nsenter', [...this.nsenterArgs([`--net=/run/netns/${netns}`]), cmd, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  private must(cmd: string, args: readonly string[]): void {
    const r = this.run(cmd, args);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} in the throw-away root failed: ${r.text}`);
  }

  /** Ends the namespace (its mounts and tmpfs go with it) and removes the mount point. Idempotent. */
  async close(): Promise<void> {
    const holder = this.holder;
    this.holder = undefined;
    if (holder && holder.exitCode === null && holder.signalCode === null) {
      const exited = new Promise<void>((resolve) => holder.once('exit', () => resolve()));
      holder.kill('SIGKILL');
      await exited;
    }
    rmSync(this.layers, { recursive: true, force: true });
  }
}
