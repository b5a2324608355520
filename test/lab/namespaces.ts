// The lifecycle of throw-away network namespaces: named <prefix>-<pid>-<random>, created
// with lo up, and destroyed with every process inside them and the lab's temp dir.
// Nothing here touches the host's interfaces: every `ip` command names one of the
// lab's namespaces (`ip -n NS`), every process is started inside one (`ip netns exec`).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Proc, type ProcOptions } from './proc.js';

/** `<prefix>-<pid>-<random>`: unique on this machine, and says which run made it. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** `ip -n NS <args>`; throws with ip's stderr on failure. */
export function ipIn(ns: string, ...args: string[]): string {
  return execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
}

export interface ExecOptions extends ProcOptions {
  /** Wrap the command, e.g. setpriv to drop privileges. */
  readonly prefix?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * What every lab has: its namespaces, the processes started in them, a private temp
 * dir. destroy() (or shutdown(), which stops the processes first) removes all of it;
 * so does the test runner's exit, should a test file end without its afterAll.
 */
export class Namespaces {
  private readonly created: string[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly started: Proc[] = [];
  private tmp?: string;
  private destroyed = false;
  private readonly onExit = (): void => this.destroy();

  constructor(private readonly tmpPrefix = 'lab-') {
    process.once('exit', this.onExit);
  }

  /** Adds namespace `ns` with lo up; destroys the whole lab if that fails. */
  protected addNamespace(ns: string): void {
    try {
      execFileSync('ip', ['netns', 'add', ns], { stdio: ['ignore', 'ignore', 'pipe'] });
      this.created.push(ns);
      ipIn(ns, 'link', 'set', 'lo', 'up');
    } catch (err) {
      this.destroy();
      throw err;
    }
  }

  /** A private temporary directory, removed with the lab. Its name does not contain "ifdepd". */
  tmpdir(): string {
    this.tmp ??= mkdtempSync(join(tmpdir(), this.tmpPrefix));
    return this.tmp;
  }

  /** A process destroy() must kill. */
  track(child: ChildProcess): void {
    this.children.push(child);
  }

  /** Runs `argv` inside namespace `ns` (ip netns exec), output captured. */
  execIn(ns: string, argv: readonly string[], opts: ExecOptions = {}): Proc {
    const child = spawn('ip', ['netns', 'exec', ns, ...(opts.prefix ?? []), ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    this.track(child);
    const p = new Proc(child, opts);
    this.started.push(p);
    return p;
  }

  /** Stops what execIn() started (SIGTERM, then SIGKILL after `grace` ms), then destroys the lab. */
  async shutdown(grace = 3000): Promise<void> {
    try {
      await Promise.all(this.started.map((p) => p.stop(grace)));
    } finally {
      this.destroy();
    }
  }

  /** Called by destroy() first: subclasses stop their monitors here. */
  protected beforeDestroy(): void {}

  /**
   * Kills every process left in the lab's namespaces (all started by this lab),
   * deletes them and the temp dir (kept, with any log files, when IFDEPD_LAB_KEEP is set).
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.off('exit', this.onExit);
    this.beforeDestroy();
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // Detached daemons (-d), hooks, keepalived's children: whatever else is still inside.
    for (const ns of this.created) {
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
      for (const pid of (pids.stdout ?? '').split(/\s+/).filter(Boolean).map(Number)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const ns of this.created) spawnSync('ip', ['netns', 'del', ns]);
    if (this.tmp === undefined) return;
    if (process.env['IFDEPD_LAB_KEEP'] || process.env['IFDEPD_E2E_KEEP']) console.warn(`lab: files kept in ${this.tmp}`);
    else rmSync(this.tmp, { recursive: true, force: true });
  }
}
