// A throw-away network lab for the integration tests: one network namespace per
// test, veth pairs as sources (carrier is cut by setting the PEER end down), macvlans
// on a bridge as destinations (like keepalived's VMACs), and the real daemon running
// inside the namespace. Nothing here touches the host's interfaces: every `ip`
// command goes through `ip -n <ns>`, and every process is started inside <ns>.
// grouplab.ts builds on this for the multi-group daemon (`-f FILE`).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe } from 'vitest';

/** The daemon under test; IFDEPD_TEST_CLI points elsewhere (e.g. a deliberately broken build, to see a test fail). */
export const CLI = process.env['IFDEPD_TEST_CLI'] ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
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

/** `describe` for namespace tests: skipped where they cannot run, its title saying why. */
export function describeLab(title: string, body: () => void): void {
  const skip = labSkipReason();
  describe.skipIf(skip !== null)(`${title}${skip ? ` (skipped: ${skip})` : ''}`, body);
}

export interface WaitOptions {
  timeout?: number;
  interval?: number;
  /** Extra text for the timeout message, e.g. the daemon's log tail. */
  context?: () => string;
}

/**
 * Polls `fn` until it returns a truthy value (which is returned) or the deadline
 * passes; then throws saying what was awaited, the last result and, if given, the context.
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

/** One interface as `ip -d -j link show` describes it. */
export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  operstate?: string;
  proto_down?: boolean;
}

const adminOf = (l: IpLink): Admin => (l.flags.includes('UP') ? 'up' : 'down');

/** An observed admin state of one interface, from `ip monitor link`. */
export interface AdminEvent {
  readonly t: number;
  readonly name: string;
  readonly admin: Admin;
}

/** An observed state of one interface: admin (IFF_UP) and protodown (false when missing). */
export interface LinkEvent extends AdminEvent {
  readonly protodown: boolean;
}

export interface RecorderOptions {
  /** Record changes of protodown (IFLA_PROTO_DOWN) too, not only of the admin state. Default false. */
  readonly protodown?: boolean;
  /**
   * Forget what the monitor reported before it was known to be listening: that is
   * history, not a change under test. Default false: it is kept.
   */
  readonly fromReady?: boolean;
}

/**
 * Records the admin state changes of every interface of the namespace, from
 * `ip -n NS -d -o monitor link`, with their arrival time: proof that something never
 * happened, and when something did. Notifications that do not change the admin
 * state (operstate, carrier, statistics; protodown unless asked for) are not recorded.
 */
export class AdminRecorder {
  /** Changes of admin state (including 'missing' for a deletion), oldest first. */
  readonly events: LinkEvent[] = [];
  private readonly last = new Map<string, string>();
  private buffer = '';
  private marked = false;
  private readonly proc: ChildProcess;

  protected constructor(
    lab: Netns,
    private readonly opts: RecorderOptions,
  ) {
    this.proc = spawn('ip', ['-n', lab.ns, '-d', '-o', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'pipe'] });
    lab.track(this.proc);
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (/ lo: /.test(chunk)) this.marked = true;
      this.feed(chunk);
    });
  }

  static start(lab: Netns, opts: RecorderOptions = {}): Promise<AdminRecorder> {
    return new AdminRecorder(lab, opts).ready(lab);
  }

  /** Resolves once the monitor listens, with the kernel's state as the baseline (the monitor only reports changes). */
  protected async ready(lab: Netns): Promise<this> {
    // Ready once it reports a change made after it started: a new alias on lo.
    await waitFor(
      'ip monitor to report the marker change',
      () => {
        lab.ip('link', 'set', 'dev', 'lo', 'alias', `rec-${randomBytes(4).toString('hex')}`);
        return this.marked;
      },
      { timeout: 5000, interval: 50 },
    );
    const now = lab.links();
    if (this.opts.fromReady) {
      this.events.length = 0;
      this.last.clear();
    }
    for (const l of now) this.last.set(l.ifname, this.key(adminOf(l), l.proto_down === true));
    return this;
  }

  private key(admin: Admin, protodown: boolean): string {
    return this.opts.protodown && protodown ? `${admin}/protodown` : admin;
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
      const k = this.key(admin, protodown);
      if (this.last.get(name) === k) continue;
      this.last.set(name, k);
      this.events.push({ t, name, admin, protodown });
    }
  }

  /** The recorded changes of `name` at or after `since`. */
  of(name: string, since = 0): LinkEvent[] {
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

  /** Every recorded change (of `names`, if given), for failure messages. */
  dump(names?: readonly string[]): string {
    const shown = names ? this.events.filter((e) => names.includes(e.name)) : this.events;
    return shown.map((e) => `${e.t.toFixed(1)} ${e.name} admin ${e.admin}${e.protodown ? ' protodown' : ''}`).join('\n');
  }

  stop(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}

/**
 * Every change of admin state or protodown, from the moment the monitor is known to
 * listen (nothing before that counts): the recorder of the multi-group tests.
 */
export class LinkRecorder extends AdminRecorder {
  static override start(lab: Netns): Promise<LinkRecorder> {
    return new LinkRecorder(lab, { protodown: true, fromReady: true }).ready(lab);
  }

  /** firstAt, by the name the group tests use. */
  firstAdmin(name: string, admin: Admin, since = 0): number | undefined {
    return this.firstAt(name, admin, since);
  }

  /** waitSeen, by the name the group tests use. */
  waitAdmin(name: string, admin: Admin, since: number, timeout = 5000, context?: () => string): Promise<number> {
    return this.waitSeen(name, admin, since, timeout, context);
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

  /** How many log lines match. */
  count(re: RegExp): number {
    return this.lines().filter((l) => re.test(l)).length;
  }

  /** Waits for a log line matching `re`, among the lines after `since` (a mark()). */
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

/**
 * One throw-away network namespace, its interfaces and the processes started in it:
 * what every lab has. Lab adds the `-S/-D` daemon, grouplab's Lab the `-f FILE` one.
 */
export class Netns {
  readonly ns: string;
  private readonly procs: ChildProcess[] = [];
  private readonly started: Proc[] = [];
  private tmp?: string;
  private bridge = false;
  private readonly peers = new Map<string, string>();

  /** `prefix` names the namespace: PREFIX-<pid>-<random>. */
  constructor(prefix = 'ifdepd-t') {
    this.ns = `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  /** Adds the namespace, lo up; removes what it made if that fails. */
  protected open(): this {
    try {
      execFileSync('ip', ['netns', 'add', this.ns], { stdio: ['ignore', 'ignore', 'pipe'] });
      this.ip('link', 'set', 'lo', 'up');
    } catch (err) {
      this.destroy();
      throw err;
    }
    return this;
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

  /** Every interface of the namespace, with details (protodown). */
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

  /** The admin state (IFF_UP) as the kernel has it now. */
  admin(name: string): Admin {
    const link = this.link(name);
    return link === undefined ? 'missing' : adminOf(link);
  }

  /** IFLA_PROTO_DOWN as the kernel has it now. */
  protodown(name: string): boolean | 'missing' {
    const link = this.link(name);
    return link === undefined ? 'missing' : link.proto_down === true;
  }

  /** Admin state of every interface of the namespace. */
  allAdmins(): Record<string, Admin> {
    return Object.fromEntries(this.links().map((l) => [l.ifname, adminOf(l)]));
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

  /** A process destroy() must kill. */
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
    const p = new Proc(child);
    this.started.push(p);
    return p;
  }

  /** Stops what exec() started (SIGTERM, then SIGKILL after `grace` ms), then destroys the lab. */
  async shutdown(grace = 3000): Promise<void> {
    try {
      await Promise.all(this.started.map((p) => p.stop(grace)));
    } finally {
      this.destroy();
    }
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
    // Detached daemons (-d), hooks and other helpers live only in this namespace.
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

/** One throw-away network namespace for the `-S/-D` daemon. */
export class Lab extends Netns {
  static create(): Lab {
    return new Lab().open();
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
}

/**
 * A fresh lab for each test of the enclosing describe block: made by `create` and
 * handed to `use` (to keep and to furnish) before each test; shut down after it
 * (everything it started stopped, recorders included, the namespace deleted).
 */
export function perTest<L extends Netns>(create: () => L, use: (lab: L) => void): void {
  let lab: L | undefined;
  beforeEach(() => {
    lab = undefined;
    lab = create();
    use(lab);
  });
  afterEach(async () => {
    await lab?.shutdown();
  });
}

/** perTest with Lab.create(). */
export function eachLab(use: (lab: Lab) => void): void {
  perTest(() => Lab.create(), use);
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
