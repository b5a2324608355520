// The lab of the multi-group integration tests (groups-*.test.ts): netns.ts's throw-away
// network namespace (veth sources, macvlan destinations, nothing on the host's
// interfaces) with the real daemon started as `node dist/cli.js -f FILE`. The control
// socket, the configuration and the track files live in the lab's private temporary
// directory, removed with it.
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonStatus, GroupStatus } from '../../src/core/status.js';
import { request } from '../../src/control/client.js';
import { CLI } from './cli.js';
import type { Admin } from './links.js';
import { Netns, perTest } from './netns.js';
import type { Proc } from './proc.js';
import { waitFor } from './wait.js';

export interface ClientResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface StartOptions {
  /** -v: every interface change at debug level. Default true. */
  verbose?: boolean;
  /** More command-line arguments. */
  args?: readonly string[];
  /** Wraps the daemon's command (it must exec it), e.g. to give it a private mount namespace. */
  prefix?: readonly string[];
}

/** One throw-away network namespace for the `-f FILE` daemon, with a private temporary directory. */
export class Lab extends Netns {
  readonly dir: string;
  /** The control socket every configuration of this lab should name. */
  readonly sock: string;
  readonly configFile: string;
  daemon?: Proc;

  private constructor(prefix: string) {
    super(prefix);
    this.dir = this.tmpdir();
    this.sock = join(this.dir, 'run', 'ctl.sock');
    this.configFile = join(this.dir, 'groups.conf');
  }

  /** `prefix` names the namespace (a suite's own, so that a leftover says whose it is). */
  static create(prefix = 'ifdepd-g'): Lab {
    return new Lab(prefix).open();
  }

  /** Waits until every one of `names` is admin `state`, with the daemon's log tail on timeout. */
  override waitAdmin(names: readonly string[], state: Admin, timeout = 5000, daemon = this.daemon): Promise<void> {
    return super.waitAdmin(names, state, timeout, daemon);
  }

  /** A private file in the lab directory. */
  file(name: string): string {
    return join(this.dir, name);
  }

  /** An executable shell script in the lab directory. */
  script(name: string, body: string): string {
    const path = this.file(name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  writeConfig(text: string, path = this.configFile): string {
    writeFileSync(path, text);
    return path;
  }

  /**
   * Writes `config` and starts `node dist/cli.js [-v] -f FILE` in the namespace;
   * resolves once the control socket listens (after the first decisions).
   */
  async start(config: string, opts: StartOptions = {}): Promise<Proc> {
    this.writeConfig(config);
    const p = this.exec([process.execPath, CLI, ...((opts.verbose ?? true) ? ['-v'] : []), '-f', this.configFile, ...(opts.args ?? [])], opts.prefix ? { prefix: opts.prefix } : {});
    this.daemon = p;
    await waitFor('the daemon to listen on its control socket', () => p.lines().some((l) => l.includes(`control socket ${this.sock}`)) || !p.alive, {
      timeout: 10_000,
      context: () => p.tail(),
    });
    if (!p.alive) throw new Error(`the daemon exited at start:\n${p.tail()}`);
    // The socket opens before the first decisions; the status has groups once they are taken.
    await waitFor(
      'the daemon to take its first decisions',
      async () => !p.alive || (await this.status().catch(() => undefined))?.groups.length,
      { timeout: 10_000, interval: 20, context: () => p.tail() },
    );
    if (!p.alive) throw new Error(`the daemon exited at start:\n${p.tail()}`);
    return p;
  }

  /** `ifdepd <args>` as a client (outside the namespace: it only needs the socket file). */
  client(args: readonly string[]): Promise<ClientResult> {
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 15_000 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** `ifdepd COMMAND ... -s SOCK`. */
  ctl(...args: string[]): Promise<ClientResult> {
    return this.client([...args, '-s', this.sock]);
  }

  /** The daemon's status, straight from the control socket (fast enough to poll). */
  async status(): Promise<DaemonStatus> {
    const reply = await request(this.sock, { cmd: 'status' });
    if (!reply.ok) throw new Error(`status refused: ${reply.error}`);
    return reply.status!;
  }

  async group(name: string): Promise<GroupStatus> {
    const g = (await this.status()).groups.find((x) => x.name === name);
    if (g === undefined) throw new Error(`no group ${name} in the status`);
    return g;
  }

  /** Waits until the status of group `name` satisfies `check`; returns that status. */
  waitGroup(name: string, what: string, check: (g: GroupStatus) => boolean, timeout = 5000): Promise<GroupStatus> {
    let last: GroupStatus | undefined;
    return waitFor(
      `group ${name}: ${what}`,
      async () => {
        last = await this.group(name);
        return check(last) ? last : undefined;
      },
      { timeout, context: () => `status: ${JSON.stringify(last)}\n${this.daemon?.tail() ?? ''}` },
    );
  }
}

/** A fresh group lab for each test of the enclosing describe block, handed to `use`; shut down after it. */
export function eachLab(use: (lab: Lab) => void): void {
  perTest(() => Lab.create(), use);
}

/** A `group NAME { ... }` block; `settings` are whole lines. */
export function group(name: string, ...settings: string[]): string {
  return `group ${name} {\n${settings.map((s) => `    ${s}\n`).join('')}}\n`;
}

/** A configuration: start-up hold 0 and the lab's control socket, then the groups. */
export function config(lab: Lab, ...groups: string[]): string {
  return `startup-hold 0\ncontrol-socket ${lab.sock}\n${groups.join('')}`;
}
