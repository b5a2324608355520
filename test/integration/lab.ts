// A throw-away network lab for the integration tests: one network namespace per
// test, veth pairs as sources (carrier is cut by setting the PEER end down), macvlans
// on a bridge as destinations (like keepalived's VMACs), and the real daemon running
// inside the namespace. Nothing here touches the host's interfaces: every `ip`
// command goes through `ip -n <ns>`, and every process is started inside <ns>.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Why the namespace tests cannot run here, or null. Computed once per file. */
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
 * passes; then throws a message saying what was awaited and, if given, the context.
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
}

/** An observed admin state of one interface, from `ip monitor link`. */
export interface AdminEvent {
  readonly t: number;
  readonly name: string;
  readonly admin: Admin;
}

/**
 * Records the admin state changes of every interface of the namespace, from
 * `ip -n NS monitor link`, with their arrival time: proof that something never
 * happened, and when something did. Notifications that do not change the admin
 * state (operstate, carrier, statistics) are not recorded.
 */
export class AdminRecorder {
  /** Changes of admin state (including 'missing' for a deletion), oldest first. */
  readonly events: AdminEvent[] = [];
  private readonly last = new Map<string, Admin>();
  private buffer = '';
  private constructor(private readonly proc: ChildProcess) {}

  static async start(lab: Lab): Promise<AdminRecorder> {
    const proc = spawn('ip', ['-n', lab.ns, '-o', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'pipe'] });
    lab.track(proc);
    const rec = new AdminRecorder(proc);
    let marked = false;
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (/ lo: /.test(chunk)) marked = true;
      rec.feed(chunk);
    });
    // Ready once it reports a change made after it started: a new alias on lo.
    const marker = `rec-${randomBytes(4).toString('hex')}`;
    await waitFor(
      'ip monitor to report the marker change',
      () => {
        lab.ip('link', 'set', 'dev', 'lo', 'alias', marker);
        return marked;
      },
      { timeout: 5000, interval: 50 },
    );
    for (const [name, admin] of Object.entries(lab.allAdmins())) rec.last.set(name, admin);
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
      if (this.last.get(name) === admin) continue;
      this.last.set(name, admin);
      this.events.push({ t, name, admin });
    }
  }

  /** The admin changes of `name` recorded at or after `since`. */
  of(name: string, since = 0): AdminEvent[] {
    return this.events.filter((e) => e.name === name && e.t >= since);
  }

  /** The first time `name` was seen in state `admin` at or after `since`. */
  firstAt(name: string, admin: Admin, since = 0): number | undefined {
    return this.of(name, since).find((e) => e.admin === admin)?.t;
  }

  /** Waits until the recorder has seen `name` in state `admin` at or after `since`; returns when. */
  waitSeen(name: string, admin: Admin, since: number, timeout = 5000, context?: () => string): Promise<number> {
    return waitFor(`ip monitor to report ${name} admin ${admin}`, () => this.firstAt(name, admin, since), {
      timeout,
      ...(context ? { context } : {}),
    });
  }

  stop(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The daemon (or any command) running in the namespace, its output captured. */
export class Proc {
  output = '';
  exited?: DaemonExit;
  readonly exit: Promise<DaemonExit>;

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

  tail(n = 40): string {
    const status = this.exited ? `[exited: code ${this.exited.code}, signal ${this.exited.signal}]\n` : '';
    return status + this.lines().slice(-n).join('\n');
  }

  /** How many log lines match. */
  count(re: RegExp): number {
    return this.lines().filter((l) => re.test(l)).length;
  }

  waitForLog(re: RegExp, timeout = 5000): Promise<string> {
    return waitFor(`a log line matching ${re}`, () => this.lines().find((l) => re.test(l)), {
      timeout,
      context: () => this.tail(),
    });
  }

  signal(sig: NodeJS.Signals): void {
    if (this.alive) process.kill(this.pid, sig);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `grace` ms. */
  async stop(grace = 3000): Promise<DaemonExit> {
    if (!this.alive) return this.exited!;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.alive && process.kill(this.pid, 'SIGKILL'), grace);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
}

export interface RunOptions {
  /** Wrap the command, e.g. setpriv to drop privileges. */
  prefix?: readonly string[];
  /** Program to run instead of `node dist/cli.js`. */
  argv0?: readonly string[];
  /** Wait for the start-up decision log line (foreground only). Default true. */
  waitReady?: boolean;
}

/** One throw-away network namespace. */
export class Lab {
  readonly ns = `ifdepd-t-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly procs: ChildProcess[] = [];
  private tmp?: string;
  private bridge = false;
  private readonly peers = new Map<string, string>();

  static create(): Lab {
    const lab = new Lab();
    execFileSync('ip', ['netns', 'add', lab.ns], { stdio: ['ignore', 'ignore', 'pipe'] });
    lab.ip('link', 'set', 'lo', 'up');
    return lab;
  }

  /** `ip -n NS <args>`; throws with ip's stderr on failure. */
  ip(...args: string[]): string {
    return execFileSync('ip', ['-n', this.ns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Runs a short command inside the namespace to completion; returns its stdout. */
  run(argv: readonly string[]): string {
    return execFileSync('ip', ['netns', 'exec', this.ns, ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** `ip -n NS -batch -`: one process for many changes; -force keeps going past errors. */
  batch(lines: readonly string[]): void {
    const r = spawnSync('ip', ['-n', this.ns, '-force', '-batch', '-'], {
      input: `${lines.join('\n')}\n`,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    if (r.status !== 0) throw new Error(`ip -batch failed (status ${r.status}): ${r.stderr.slice(0, 2000)}`);
  }

  /** A private temporary directory, removed with the lab. Its name does not contain "ifdepd". */
  tmpdir(): string {
    this.tmp ??= mkdtempSync(join(tmpdir(), 'lab-'));
    return this.tmp;
  }

  /** A source: veth `name`, peer `<name>p`, both up, so `name` has carrier. */
  addSource(name: string, { carrier = true, peer = `${name}p` } = {}): void {
    this.ip('link', 'add', name, 'type', 'veth', 'peer', 'name', peer);
    this.peers.set(name, peer);
    this.ip('link', 'set', name, 'up');
    if (carrier) this.ip('link', 'set', peer, 'up');
  }

  /** The veth peer of a source made by addSource: the end whose admin state is its carrier. */
  peerOf(source: string): string {
    return this.peers.get(source) ?? `${source}p`;
  }

  cutCarrier(source: string): void {
    this.ip('link', 'set', this.peerOf(source), 'down');
  }

  restoreCarrier(source: string): void {
    this.ip('link', 'set', this.peerOf(source), 'up');
  }

  /** A destination: macvlan (bridge mode) on br0, admin up or down. */
  addDestination(name: string, { up = true } = {}): void {
    if (!this.bridge) {
      this.ip('link', 'add', 'br0', 'type', 'bridge');
      this.ip('link', 'set', 'br0', 'up');
      this.bridge = true;
    }
    // `up` in the creation request: the kernel announces the new link once, already up.
    this.ip('link', 'add', 'link', 'br0', 'name', name, ...(up ? ['up'] : []), 'type', 'macvlan', 'mode', 'bridge');
  }

  setUp(name: string): void {
    this.ip('link', 'set', name, 'up');
  }

  setDown(name: string): void {
    this.ip('link', 'set', name, 'down');
  }

  rename(from: string, to: string): void {
    this.ip('link', 'set', 'dev', from, 'name', to);
  }

  del(name: string): void {
    this.ip('link', 'del', name);
  }

  link(name: string): IpLink | undefined {
    const r = spawnSync('ip', ['-n', this.ns, '-j', 'link', 'show', 'dev', name], { encoding: 'utf8' });
    if (r.status !== 0) {
      if (/does not exist/.test(r.stderr)) return undefined;
      throw new Error(`ip link show ${name} failed: ${r.stderr}`);
    }
    return (JSON.parse(r.stdout) as IpLink[])[0];
  }

  /** The admin state (IFF_UP) as the kernel has it now. */
  admin(name: string): Admin {
    const link = this.link(name);
    if (link === undefined) return 'missing';
    return link.flags.includes('UP') ? 'up' : 'down';
  }

  /** Admin state of every interface of the namespace. */
  allAdmins(): Record<string, Admin> {
    const out = JSON.parse(this.ip('-j', 'link', 'show')) as IpLink[];
    return Object.fromEntries(out.map((l) => [l.ifname, l.flags.includes('UP') ? 'up' : 'down']));
  }

  /** Admin state of several interfaces: { vrrp0: 'down', ... } */
  admins(names: readonly string[]): Record<string, Admin> {
    const all = this.allAdmins();
    return Object.fromEntries(names.map((n) => [n, all[n] ?? 'missing']));
  }

  ifindex(name: string): number | undefined {
    return this.link(name)?.ifindex;
  }

  /** Waits until every one of `names` is admin `state`, with the daemon's log tail on timeout. */
  async waitAdmin(names: readonly string[], state: Admin, timeout = 5000, daemon?: Proc): Promise<void> {
    await waitFor(
      `${names.join(',')} to be admin ${state}`,
      () => Object.values(this.admins(names)).every((s) => s === state),
      {
        timeout,
        context: () => `kernel: ${JSON.stringify(this.admins(names))}\n${daemon ? daemon.tail() : ''}`,
      },
    );
  }

  track(child: ChildProcess): void {
    this.procs.push(child);
  }

  /** Runs a command inside the namespace (ip netns exec), output captured. */
  exec(argv: readonly string[], opts: { prefix?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Proc {
    const child = spawn('ip', ['netns', 'exec', this.ns, ...(opts.prefix ?? []), ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    this.track(child);
    return new Proc(child);
  }

  /**
   * Starts `node dist/cli.js <args>` in the namespace. Unless told otherwise, waits for
   * its start-up decision ("at start ... -> destinations ...").
   */
  async daemon(args: readonly string[], opts: RunOptions = {}): Promise<Proc> {
    const p = this.exec([...(opts.argv0 ?? [process.execPath, CLI]), ...args], opts);
    if (opts.waitReady ?? true) await p.waitForLog(/at start .* -> destinations \S+ (up|down)/, 10_000);
    return p;
  }

  /** Kills every process left in the namespace (all started by this lab), deletes it. */
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
    // Detached daemons (-d) and their helpers live only in this namespace.
    const pids = spawnSync('ip', ['netns', 'pids', this.ns], { encoding: 'utf8' });
    for (const pid of (pids.stdout ?? '').split(/\s+/).filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('ip', ['netns', 'del', this.ns]);
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
  }
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
