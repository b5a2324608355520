// A throw-away network lab for the multi-group integration tests (groups-*.test.ts):
// one network namespace per test, veth pairs as sources (carrier is cut by setting
// the PEER end down), macvlans on a bridge as destinations (like keepalived's VMACs),
// and the real daemon (`node dist/cli.js -f FILE`) running inside the namespace.
// Nothing here touches the host's interfaces: every `ip` command goes through
// `ip -n <ns>`, and every process that needs the network is started inside <ns>.
// The control socket, the configuration and the track files live in a private
// temporary directory that is removed with the lab.
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { GroupStatus, StatusReport } from '../../src/control/api.js';
import { request } from '../../src/control/client.js';

/** The daemon under test; IFDEPD_TEST_CLI points elsewhere (e.g. a deliberately broken build, to see a test fail). */
export const CLI = process.env['IFDEPD_TEST_CLI'] ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Why the namespace tests cannot run here, or null. */
export function labSkipReason(): string | null {
  if (process.platform !== 'linux') return 'netlink and network namespaces are Linux-only';
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces, veth pairs and macvlans';
  const ip = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (ip.status !== 0) return `iproute2 \`ip\` is not usable: ${(ip.error?.message ?? ip.stderr).trim()}`;
  if (!existsSync(CLI)) return `${CLI} is missing: run \`npm run build\` first`;
  return null;
}

export interface WaitOptions {
  timeout?: number;
  interval?: number;
  /** Extra text for the timeout message, e.g. the daemon's log tail. */
  context?: () => string;
}

/**
 * Polls `fn` until it returns a truthy value (which is returned) or the deadline
 * passes; then throws saying what was awaited, the last result and the context.
 */
export async function waitFor<T>(
  what: string,
  fn: () => T | Promise<T>,
  { timeout = 5000, interval = 10, context }: WaitOptions = {},
): Promise<NonNullable<T>> {
  const start = performance.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (err) {
      last = err;
    }
    if (performance.now() - start > timeout) {
      const lastText = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(
        `timed out after ${timeout} ms waiting for ${what} (last result: ${lastText})` +
          (context ? `\n--- context ---\n${context()}` : ''),
      );
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

export type Admin = 'up' | 'down' | 'missing';

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  operstate?: string;
  proto_down?: boolean;
}

/** One observed state of one interface: admin (IFF_UP) and protodown, or missing. */
export interface LinkEvent {
  readonly t: number;
  readonly name: string;
  readonly admin: Admin;
  readonly protodown: boolean;
}

/**
 * Records every change of admin state or protodown of every interface of the
 * namespace from `ip -d -o monitor link`, with its arrival time: proof that
 * something never happened (no bounce), and when something did. Carrier,
 * operstate and statistics changes are not recorded.
 */
export class LinkRecorder {
  readonly events: LinkEvent[] = [];
  private readonly last = new Map<string, string>();
  private buffer = '';
  private constructor(private readonly proc: ChildProcess) {}

  static async start(lab: Lab): Promise<LinkRecorder> {
    const proc = spawn('ip', ['-n', lab.ns, '-d', '-o', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'pipe'] });
    lab.track(proc);
    const rec = new LinkRecorder(proc);
    let marked = false;
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (/ lo: /.test(chunk)) marked = true;
      rec.feed(chunk);
    });
    // Ready once it reports a change made after it started: a new alias on lo.
    await waitFor(
      'ip monitor to report the marker change',
      () => {
        lab.ip('link', 'set', 'dev', 'lo', 'alias', `rec-${randomBytes(4).toString('hex')}`);
        return marked;
      },
      { timeout: 5000, interval: 50 },
    );
    // The baseline: what the kernel has now (the monitor only reports changes). What the
    // monitor said before it was known to be listening is history, not a change under test.
    const now = lab.links();
    rec.events.length = 0;
    rec.last.clear();
    for (const l of now) rec.last.set(l.ifname, key(l.flags.includes('UP') ? 'up' : 'down', l.proto_down === true));
    return rec;
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    const t = performance.now();
    for (const line of lines) {
      const m = /^(Deleted )?\d+: ([^:@\s]+)(?:@[^:\s]+)?: <([^>]*)>/.exec(line);
      if (m === null) continue;
      const name = m[2]!;
      const admin: Admin = m[1] ? 'missing' : m[3]!.split(',').includes('UP') ? 'up' : 'down';
      const protodown = admin !== 'missing' && / protodown on /.test(line);
      const k = key(admin, protodown);
      if (this.last.get(name) === k) continue;
      this.last.set(name, k);
      this.events.push({ t, name, admin, protodown });
    }
  }

  /** The recorded changes of `name` at or after `since`. */
  of(name: string, since = 0): LinkEvent[] {
    return this.events.filter((e) => e.name === name && e.t >= since);
  }

  /** The first time `name` was seen admin `admin` at or after `since`. */
  firstAdmin(name: string, admin: Admin, since = 0): number | undefined {
    return this.of(name, since).find((e) => e.admin === admin)?.t;
  }

  /** Waits until the monitor has reported `name` admin `admin` at or after `since`; returns when. */
  waitAdmin(name: string, admin: Admin, since: number, timeout = 5000, context?: () => string): Promise<number> {
    return waitFor(`ip monitor to report ${name} admin ${admin}`, () => this.firstAdmin(name, admin, since), {
      timeout,
      ...(context ? { context } : {}),
    });
  }

  /** Every recorded change, for failure messages. */
  dump(names?: readonly string[]): string {
    const shown = names ? this.events.filter((e) => names.includes(e.name)) : this.events;
    return shown.map((e) => `${e.t.toFixed(1)} ${e.name} admin ${e.admin}${e.protodown ? ' protodown' : ''}`).join('\n');
  }

  stop(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

const key = (admin: Admin, protodown: boolean): string => `${admin}${protodown ? '/protodown' : ''}`;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A process (the daemon) running in the namespace, its output captured. */
export class Proc {
  output = '';
  exited?: Exit;
  readonly exit: Promise<Exit>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    this.exit = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exited = { code, signal };
        resolve(this.exited);
      });
    });
  }

  /** `ip netns exec` execs, so this is the pid of the program itself. */
  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  lines(): string[] {
    return this.output.split('\n').filter((l) => l !== '');
  }

  /** The lines logged after the first `mark` lines: `const m = d.mark(); ...; d.since(m)`. */
  mark(): number {
    return this.lines().length;
  }

  since(mark: number): string[] {
    return this.lines().slice(mark);
  }

  tail(n = 40): string {
    const status = this.exited ? `[exited: code ${this.exited.code}, signal ${this.exited.signal}]\n` : '';
    return status + this.lines().slice(-n).join('\n');
  }

  count(re: RegExp): number {
    return this.lines().filter((l) => re.test(l)).length;
  }

  waitForLog(re: RegExp, timeout = 5000, since = 0): Promise<string> {
    return waitFor(`a log line matching ${re}`, () => this.since(since).find((l) => re.test(l)), {
      timeout,
      context: () => this.tail(),
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (this.alive) process.kill(this.pid, sig);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `grace` ms. */
  async stop(grace = 3000): Promise<Exit> {
    if (!this.alive) return this.exited!;
    this.signal('SIGTERM');
    const timer = setTimeout(() => {
      if (this.alive) process.kill(this.pid, 'SIGKILL');
    }, grace);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
}

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
}

/** One throw-away network namespace, with a private temporary directory. */
export class Lab {
  readonly ns = `ifdepd-g-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly dir: string;
  /** The control socket every configuration of this lab should name. */
  readonly sock: string;
  readonly configFile: string;
  daemon?: Proc;
  private readonly procs: ChildProcess[] = [];
  private bridge = false;
  private readonly peers = new Map<string, string>();

  private constructor() {
    // Its name does not contain "ifdepd": nothing in it may be mistaken for the daemon.
    this.dir = mkdtempSync(join(tmpdir(), 'glab-'));
    this.sock = join(this.dir, 'run', 'ctl.sock');
    this.configFile = join(this.dir, 'groups.conf');
  }

  static create(): Lab {
    const lab = new Lab();
    try {
      execFileSync('ip', ['netns', 'add', lab.ns], { stdio: ['ignore', 'ignore', 'pipe'] });
      lab.ip('link', 'set', 'lo', 'up');
    } catch (err) {
      lab.destroy();
      throw err;
    }
    return lab;
  }

  /** `ip -n NS <args>`; throws with ip's stderr on failure. */
  ip(...args: string[]): string {
    return execFileSync('ip', ['-n', this.ns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** A source: veth `name`, peer `<name>p`, both up, so `name` has carrier. */
  addSource(name: string, { carrier = true } = {}): void {
    const peer = `${name}p`;
    this.ip('link', 'add', name, 'type', 'veth', 'peer', 'name', peer);
    this.peers.set(name, peer);
    this.ip('link', 'set', name, 'up');
    if (carrier) this.ip('link', 'set', peer, 'up');
  }

  cutCarrier(source: string): void {
    this.ip('link', 'set', this.peerOf(source), 'down');
  }

  restoreCarrier(source: string): void {
    this.ip('link', 'set', this.peerOf(source), 'up');
  }

  private peerOf(source: string): string {
    const peer = this.peers.get(source);
    if (peer === undefined) throw new Error(`${source} is not a source of this lab`);
    return peer;
  }

  /** A destination: macvlan (bridge mode) on br0, created admin up or down. */
  addDestination(name: string, { up = true } = {}): void {
    if (!this.bridge) {
      this.ip('link', 'add', 'br0', 'type', 'bridge');
      this.ip('link', 'set', 'br0', 'up');
      this.bridge = true;
    }
    // `up` in the creation request: the kernel announces the new link once, already up.
    this.ip('link', 'add', 'link', 'br0', 'name', name, ...(up ? ['up'] : []), 'type', 'macvlan', 'mode', 'bridge');
  }

  rename(from: string, to: string): void {
    this.ip('link', 'set', 'dev', from, 'name', to);
  }

  links(): IpLink[] {
    return JSON.parse(this.ip('-d', '-j', 'link', 'show')) as IpLink[];
  }

  link(name: string): IpLink | undefined {
    const r = spawnSync('ip', ['-n', this.ns, '-d', '-j', 'link', 'show', 'dev', name], { encoding: 'utf8' });
    if (r.status !== 0) {
      if (/does not exist/.test(r.stderr)) return undefined;
      throw new Error(`ip link show ${name} failed: ${r.stderr}`);
    }
    return (JSON.parse(r.stdout) as IpLink[])[0];
  }

  /** Admin state (IFF_UP) of several interfaces: { vrrp0: 'down', ... } */
  admins(names: readonly string[]): Record<string, Admin> {
    const all = new Map(this.links().map((l) => [l.ifname, l.flags.includes('UP') ? 'up' : 'down'] as const));
    return Object.fromEntries(names.map((n) => [n, all.get(n) ?? 'missing']));
  }

  admin(name: string): Admin {
    return this.admins([name])[name]!;
  }

  /** IFLA_PROTO_DOWN as the kernel has it now. */
  protodown(name: string): boolean | 'missing' {
    const l = this.link(name);
    return l === undefined ? 'missing' : l.proto_down === true;
  }

  /** Waits until every one of `names` is admin `state`, with the daemon's log tail on timeout. */
  async waitAdmin(names: readonly string[], state: Admin, timeout = 5000): Promise<void> {
    await waitFor(`${names.join(',')} to be admin ${state}`, () => Object.values(this.admins(names)).every((s) => s === state), {
      timeout,
      context: () => `kernel: ${JSON.stringify(this.admins(names))}\n${this.daemon?.tail() ?? ''}`,
    });
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

  track(child: ChildProcess): void {
    this.procs.push(child);
  }

  /**
   * Writes `config` and starts `node dist/cli.js [-v] -f FILE` in the namespace;
   * resolves once the control socket listens (after the first decisions).
   */
  async start(config: string, opts: StartOptions = {}): Promise<Proc> {
    this.writeConfig(config);
    const argv = [process.execPath, CLI, ...((opts.verbose ?? true) ? ['-v'] : []), '-f', this.configFile, ...(opts.args ?? [])];
    const child = spawn('ip', ['netns', 'exec', this.ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.track(child);
    const p = new Proc(child);
    this.daemon = p;
    await waitFor('the daemon to listen on its control socket', () => p.lines().some((l) => l.includes(`control socket ${this.sock}`)) || !p.alive, {
      timeout: 10_000,
      context: () => p.tail(),
    });
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
  async status(): Promise<StatusReport> {
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

  /** Kills the daemon (SIGTERM, then SIGKILL) and everything else this lab started, deletes the namespace and the directory. */
  async shutdown(): Promise<void> {
    try {
      await this.daemon?.stop(2000);
    } finally {
      this.destroy();
    }
  }

  destroy(): void {
    for (const child of this.procs) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    // Hooks the daemon started live only in this namespace too.
    const pids = spawnSync('ip', ['netns', 'pids', this.ns], { encoding: 'utf8' });
    for (const pid of (pids.stdout ?? '').split(/\s+/).filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('ip', ['netns', 'del', this.ns]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A `group NAME { ... }` block; `settings` are whole lines. */
export function group(name: string, ...settings: string[]): string {
  return `group ${name} {\n${settings.map((s) => `    ${s}\n`).join('')}}\n`;
}

/** A configuration: start-up hold 0 and the lab's control socket, then the groups. */
export function config(lab: Lab, ...groups: string[]): string {
  return `startup-hold 0\ncontrol-socket ${lab.sock}\n${groups.join('')}`;
}

/** True if the process exists (signal 0). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
