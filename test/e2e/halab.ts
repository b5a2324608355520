// An HA firewall pair in throw-away network namespaces, for the keepalived end-to-end
// test: fw1 and fw2 share a LAN (a bridge in the "lan" namespace, reached by a veth
// named like the `interface` of contrib/keepalived/*/keepalived.conf), and each has an
// uplink veth whose peer end lives in the "wan" namespace; cutting the uplink means
// setting that wan-side peer down. keepalived and ifdepd run in fw1/fw2 through
// `ip netns exec`. Every `ip` command names one of the lab's namespaces: nothing here
// touches the host's interfaces, and no packet leaves the lab.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const CONTRIB = fileURLToPath(new URL('../../contrib/keepalived/', import.meta.url));

export type Node = 'fw1' | 'fw2';
export const NODES: readonly Node[] = ['fw1', 'fw2'];
type Space = Node | 'lan' | 'wan';

/** Why the lab cannot run here, or null. */
export function haLabSkipReason(): string | null {
  if (process.platform !== 'linux') return 'network namespaces and keepalived are Linux-only';
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces and run keepalived';
  const ip = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (ip.status !== 0) return `iproute2 \`ip\` is not usable: ${(ip.error?.message ?? ip.stderr).trim()}`;
  const ka = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
  if (ka.error !== undefined || ka.status !== 0) {
    return 'keepalived is not installed (apt-get install keepalived; .ci/run installs it)';
  }
  if (!existsSync(CLI)) return `${CLI} is missing: run \`npm run build\` first`;
  return null;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy, or throws after `timeout` ms saying what was awaited. */
export async function waitFor<T>(
  what: string,
  fn: () => T,
  timeout: number,
  context?: () => string,
): Promise<NonNullable<T>> {
  const start = performance.now();
  for (;;) {
    const value = fn();
    if (value) return value as NonNullable<T>;
    if (performance.now() - start > timeout) {
      throw new Error(`timed out after ${Math.round(timeout)} ms waiting for ${what}` + (context ? `\n${context()}` : ''));
    }
    await sleep(5);
  }
}

// --- The example files, read and checked ------------------------------------------

/** One node's keepalived.conf from contrib/keepalived, with what the lab needs from it. */
export interface KeepalivedExample {
  readonly text: string;
  readonly iface: string;
  readonly vmac: string;
  /** "192.0.2.1/24" */
  readonly vip: string;
  readonly priority: number;
  readonly advertInt: number;
}

function one(text: string, re: RegExp, what: string, file: string): string {
  const all = [...text.matchAll(new RegExp(re.source, 'gm'))];
  if (all.length !== 1) throw new Error(`${file}: expected exactly one ${what}, found ${all.length}`);
  return all[0]![1]!;
}

export function readKeepalivedExample(node: Node): KeepalivedExample {
  const file = join(CONTRIB, node, 'keepalived.conf');
  const text = readFileSync(file, 'utf8');
  const vips = /virtual_ipaddress\s*\{([^}]*)\}/.exec(text);
  const vip = vips?.[1]?.split('\n').map((l) => l.replace(/#.*/, '').trim()).find((l) => l !== '');
  if (vip === undefined) throw new Error(`${file}: no virtual_ipaddress`);
  return {
    text,
    iface: one(text, /^\s*interface\s+(\S+)/, 'interface', file),
    vmac: one(text, /^\s*use_vmac\s+(\S+)/, 'use_vmac NAME', file),
    vip: vip.split(/\s+/)[0]!,
    priority: Number(one(text, /^\s*priority\s+(\d+)/, 'priority', file)),
    advertInt: Number(one(text, /^\s*advert_int\s+(\S+)/, 'advert_int', file)),
  };
}

/**
 * The example, changed only where the lab needs it: advert_int (speed), and with
 * `xmitBase: false` the vmac_xmit_base line removed. Each edit must hit exactly once.
 */
export function renderKeepalived(ex: KeepalivedExample, opts: { advertInt: number; xmitBase: boolean }): string {
  let text = ex.text;
  const edit = (re: RegExp, to: string, what: string) => {
    const hits = text.match(new RegExp(re.source, 'gm'))?.length ?? 0;
    if (hits !== 1) throw new Error(`keepalived.conf template: expected one ${what}, found ${hits}`);
    text = text.replace(new RegExp(re.source, 'm'), to);
  };
  edit(/^(\s*advert_int\s+)\S+/, `$1${opts.advertInt}`, 'advert_int');
  if (!opts.xmitBase) edit(/^\s*vmac_xmit_base\s*$\n/, '', 'vmac_xmit_base line');
  return text;
}

/** IFDEPD_ARGS from contrib/keepalived/<node>/ifdepd, split like systemd splits $IFDEPD_ARGS. */
export function readIfdepdExample(node: Node): string[] {
  const file = join(CONTRIB, node, 'ifdepd');
  const m = /^IFDEPD_ARGS="([^"]*)"\s*$/m.exec(readFileSync(file, 'utf8'));
  if (m === null) throw new Error(`${file}: no IFDEPD_ARGS="..." line`);
  return m[1]!.split(/\s+/).filter(Boolean);
}

/** The value that follows `option` in args (e.g. -S), or undefined. */
export function optionValue(args: readonly string[], option: string): string | undefined {
  const i = args.indexOf(option);
  return i >= 0 ? args[i + 1] : undefined;
}

/** args with `option value` replaced (or appended): ifdepd refuses an option given twice. */
export function withOption(args: readonly string[], option: string, value?: string): string[] {
  const out = [...args];
  const i = out.indexOf(option);
  const tail = value === undefined ? [option] : [option, value];
  if (i >= 0) out.splice(i, value === undefined ? 1 : 2, ...tail);
  else out.push(...tail);
  return out;
}

// --- Processes ----------------------------------------------------------------------

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A program running in a namespace, its stdout and stderr captured line by line with arrival times. */
export class Proc {
  private buffer = '';
  readonly lines: { t: number; text: string }[] = [];
  exited?: Exit;
  readonly exit: Promise<Exit>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    private readonly logFile?: string,
  ) {
    const feed = (chunk: string) => {
      this.buffer += chunk;
      const parts = this.buffer.split('\n');
      this.buffer = parts.pop() ?? '';
      const t = performance.now();
      for (const text of parts) this.lines.push({ t, text });
      if (this.logFile) {
        try {
          appendFileSync(this.logFile, parts.map((p) => `${p}\n`).join(''));
        } catch {
          // the lab's temp dir is gone: output after destroy() is of no interest
        }
      }
    };
    child.stdout?.setEncoding('utf8').on('data', feed);
    child.stderr?.setEncoding('utf8').on('data', feed);
    this.exit = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exited = { code, signal };
        resolve(this.exited);
      });
    });
  }

  /** `ip netns exec` execs, so this is the program's own pid. */
  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  /** A position in the log: lines after it are "since". */
  mark(): number {
    return this.lines.length;
  }

  since(mark = 0): string[] {
    return this.lines.slice(mark).map((l) => l.text);
  }

  tail(n = 30): string {
    const status = this.exited ? ` [exited: code ${this.exited.code}, signal ${this.exited.signal}]` : '';
    return `--- ${this.name}${status} ---\n${this.since(Math.max(0, this.lines.length - n)).join('\n')}`;
  }

  find(re: RegExp, mark = 0): { t: number; text: string } | undefined {
    return this.lines.slice(mark).find((l) => re.test(l.text));
  }

  waitForLog(re: RegExp, timeout: number, mark = 0): Promise<{ t: number; text: string }> {
    return waitFor(`${this.name} to log ${re}`, () => this.find(re, mark), timeout, () => this.tail());
  }

  /** SIGTERM, then SIGKILL after `grace` ms. */
  async stop(grace = 5000): Promise<Exit> {
    if (!this.alive) return this.exited!;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.alive && this.child.kill('SIGKILL'), grace);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
}

// --- What the kernel says, continuously ------------------------------------------

export interface Sample {
  readonly t: number;
  readonly node: Node;
  /** 'vip': the VIP was added (on = true) or removed; 'vmac': the VMAC's admin state, or gone. */
  readonly what: 'vip' | 'vmac';
  readonly on: boolean;
}

interface IpAddr {
  ifname: string;
  addr_info?: { local?: string; prefixlen?: number }[];
}
interface IpLink {
  ifname: string;
  flags: string[];
}

/**
 * `ip -n NS -o monitor link address` in one node: every change of the VIP (on any
 * interface) and of the VMAC's admin state, with the time it arrived. Proof that the
 * VIP never appeared somewhere, and the instant it did.
 */
class NodeMonitor {
  private buffer = '';
  /** Interfaces that hold the VIP now. */
  readonly holders = new Set<string>();
  vmacUp = false;

  constructor(
    readonly node: Node,
    private readonly lab: HaLab,
    private readonly proc: ChildProcess,
    private readonly out: Sample[],
  ) {
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.feed(chunk));
  }

  /** The state now, read once the monitor runs: later changes arrive as events. */
  snapshot(t: number): void {
    this.holders.clear();
    for (const a of this.lab.addrs(this.node)) {
      if (a.addr_info?.some((i) => `${i.local}/${i.prefixlen}` === this.lab.vip)) this.holders.add(a.ifname);
    }
    this.vmacUp = this.lab.vmacAdmin(this.node) === 'up';
    this.out.push({ t, node: this.node, what: 'vip', on: this.holders.size > 0 });
    this.out.push({ t, node: this.node, what: 'vmac', on: this.vmacUp });
  }

  sawMarker = false;

  private feed(chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    const t = performance.now();
    for (const line of lines) this.line(t, line);
  }

  private line(t: number, line: string): void {
    const link = /^(Deleted )?\d+: ([^:@\s]+)(?:@\S+)?: <([^>]*)>/.exec(line);
    if (link !== null) {
      const [, deleted, name, flags] = link;
      if (name === 'lo') this.sawMarker = true;
      if (deleted && this.holders.delete(name!)) this.vip(t);
      if (name === this.lab.vmac) {
        const up = !deleted && flags!.split(',').includes('UP');
        if (up !== this.vmacUp) {
          this.vmacUp = up;
          this.out.push({ t, node: this.node, what: 'vmac', on: up });
        }
      }
      return;
    }
    const addr = /^(Deleted )?\d+: (\S+)\s+inet (\S+) /.exec(line);
    if (addr === null || addr[3] !== this.lab.vip) return;
    if (addr[1]) this.holders.delete(addr[2]!);
    else this.holders.add(addr[2]!);
    this.vip(t);
  }

  private last?: boolean;
  private vip(t: number): void {
    const on = this.holders.size > 0;
    if (on === this.last) return;
    this.last = on;
    this.out.push({ t, node: this.node, what: 'vip', on });
  }

  stop(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

// --- The lab ------------------------------------------------------------------------

export interface HaLabOptions {
  /** The interface keepalived's instance uses (keepalived.conf `interface`). */
  readonly lanIf: string;
  /** The uplink, ifdepd's source (-S). */
  readonly upIf: string;
  readonly vmac: string;
  /** "192.0.2.1/24" */
  readonly vip: string;
}

export class HaLab {
  readonly id = `ifdepd-e2e-${process.pid}-${randomBytes(3).toString('hex')}`;
  readonly tmp = mkdtempSync(join(tmpdir(), 'halab-'));
  readonly samples: Sample[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly monitors: NodeMonitor[] = [];
  private readonly created: Space[] = [];
  private destroyed = false;
  private readonly onExit = () => this.destroy();

  readonly lanIf: string;
  readonly upIf: string;
  readonly vmac: string;
  readonly vip: string;

  private constructor(opts: HaLabOptions) {
    ({ lanIf: this.lanIf, upIf: this.upIf, vmac: this.vmac, vip: this.vip } = opts);
  }

  ns(space: Space): string {
    return `${this.id}-${space}`;
  }

  /**
   * lan: bridge br0 with ports fw1, fw2 (veth peers of each node's LAN interface).
   * wan: ports fw1, fw2 (peers of each node's uplink), no bridge: only carrier matters.
   * The LAN interfaces get 192.0.2.2 and .3 (keepalived sends VRRPv3 from them).
   */
  static create(opts: HaLabOptions): HaLab {
    const lab = new HaLab(opts);
    // Cleans up even if the test runner exits between beforeAll and afterAll.
    process.once('exit', lab.onExit);
    try {
      for (const space of ['lan', 'wan', 'fw1', 'fw2'] as const) {
        execFileSync('ip', ['netns', 'add', lab.ns(space)], { stdio: ['ignore', 'ignore', 'pipe'] });
        lab.created.push(space);
        lab.ip(space, 'link', 'set', 'lo', 'up');
      }
      lab.ip('lan', 'link', 'add', 'br0', 'type', 'bridge');
      lab.ip('lan', 'link', 'set', 'br0', 'up');
      NODES.forEach((node, i) => {
        lab.ip(node, 'link', 'add', lab.lanIf, 'type', 'veth', 'peer', 'name', node, 'netns', lab.ns('lan'));
        lab.ip('lan', 'link', 'set', node, 'master', 'br0');
        lab.ip('lan', 'link', 'set', node, 'up');
        lab.ip(node, 'addr', 'add', `192.0.2.${i + 2}/24`, 'dev', lab.lanIf);
        lab.ip(node, 'link', 'set', lab.lanIf, 'up');
        lab.ip(node, 'link', 'add', lab.upIf, 'type', 'veth', 'peer', 'name', node, 'netns', lab.ns('wan'));
        lab.ip(node, 'link', 'set', lab.upIf, 'up');
        lab.ip('wan', 'link', 'set', node, 'up');
      });
    } catch (err) {
      lab.destroy();
      throw err;
    }
    return lab;
  }

  /** `ip -n <ns> ...`; throws with ip's stderr. */
  ip(space: Space, ...args: string[]): string {
    return execFileSync('ip', ['-n', this.ns(space), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  addrs(node: Node): IpAddr[] {
    return JSON.parse(this.ip(node, '-j', 'addr', 'show')) as IpAddr[];
  }

  /** Which nodes have the VIP on an interface, asked of the kernel now. */
  owners(): Node[] {
    return NODES.filter((node) =>
      this.addrs(node).some((a) => a.addr_info?.some((i) => `${i.local}/${i.prefixlen}` === this.vip)),
    );
  }

  vmacAdmin(node: Node): 'up' | 'down' | 'missing' {
    const links = JSON.parse(this.ip(node, '-j', 'link', 'show')) as IpLink[];
    const l = links.find((x) => x.ifname === this.vmac);
    return l === undefined ? 'missing' : l.flags.includes('UP') ? 'up' : 'down';
  }

  /** Cuts `node`'s uplink carrier (its wan-side peer goes down); returns when `ip` returned. */
  cutUplink(node: Node = 'fw1'): void {
    this.ip('wan', 'link', 'set', node, 'down');
  }

  restoreUplink(node: Node = 'fw1'): void {
    this.ip('wan', 'link', 'set', node, 'up');
  }

  /** Starts both monitors; resolves once each has reported a marker change made after it started. */
  async monitor(): Promise<void> {
    for (const node of NODES) {
      const proc = spawn('ip', ['-n', this.ns(node), '-o', 'monitor', 'link', 'address'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      this.children.push(proc);
      const mon = new NodeMonitor(node, this, proc, this.samples);
      this.monitors.push(mon);
      await waitFor(
        `ip monitor in ${node} to run`,
        () => {
          this.ip(node, 'link', 'set', 'dev', 'lo', 'alias', `mark-${randomBytes(3).toString('hex')}`);
          return mon.sawMarker;
        },
        5000,
      );
      mon.snapshot(performance.now());
    }
  }

  /** VIP ownership now, as the monitors saw it. */
  seenOwners(): Node[] {
    return this.monitors.filter((m) => m.holders.size > 0).map((m) => m.node);
  }

  /** First sample matching, at or after `since`. */
  first(node: Node, what: Sample['what'], on: boolean, since: number): Sample | undefined {
    return this.samples.find((s) => s.t >= since && s.node === node && s.what === what && s.on === on);
  }

  /** Every sample of one kind since `since`. */
  history(node: Node, what: Sample['what'], since: number): Sample[] {
    return this.samples.filter((s) => s.t >= since && s.node === node && s.what === what);
  }

  /** Waits until exactly `node` owns the VIP (monitor view), then checks the kernel agrees. */
  async waitOwner(node: Node, timeout: number, context: () => string): Promise<number> {
    const at = await waitFor(
      `${node} alone to own ${this.vip}`,
      () => {
        const o = this.seenOwners();
        return o.length === 1 && o[0] === node ? performance.now() : undefined;
      },
      timeout,
      () => `monitors: ${JSON.stringify(this.seenOwners())}, kernel: ${JSON.stringify(this.owners())}\n${context()}`,
    );
    return at;
  }

  /** Runs argv in a node's namespace, output captured (and appended to <tmp>/<name>.log). */
  exec(node: Node, name: string, argv: readonly string[]): Proc {
    const child = spawn('ip', ['netns', 'exec', this.ns(node), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    return new Proc(name, child, join(this.tmp, `${name}.log`));
  }

  /** keepalived in the foreground, VRRP only, its own pid files, logs on the console (captured). */
  keepalived(node: Node, config: string): Proc {
    const conf = join(this.tmp, `${node}-keepalived.conf`);
    writeFileSync(conf, config);
    const pid = (what: string) => join(this.tmp, `${node}-${what}.pid`);
    return this.exec(node, `keepalived-${node}`, [
      'keepalived', '-n', '-l', '-D', '-G', '-P',
      '-f', conf, '-p', pid('keepalived'), '-r', pid('vrrp'), '-c', pid('checkers'), '-b', pid('bfd'),
    ]);
  }

  /** `node dist/cli.js args` in a node; resolves once it logged its start-up decision. */
  async ifdepd(node: Node, args: readonly string[]): Promise<Proc> {
    const p = this.exec(node, `ifdepd-${node}`, [process.execPath, CLI, ...args]);
    await p.waitForLog(/at start .* -> destinations \S+ (up|down)/, 10_000);
    return p;
  }

  /**
   * Kills everything started in the lab's namespaces (SIGKILL), deletes them and the
   * temp dir (kept, with every process's log, when IFDEPD_E2E_KEEP is set).
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    process.off('exit', this.onExit);
    for (const m of this.monitors) m.stop();
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // keepalived's VRRP children, anything else still inside: only our namespaces' pids.
    for (const space of this.created) {
      const pids = spawnSync('ip', ['netns', 'pids', this.ns(space)], { encoding: 'utf8' });
      for (const pid of (pids.stdout ?? '').split(/\s+/).filter(Boolean).map(Number)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const space of this.created) spawnSync('ip', ['netns', 'del', this.ns(space)]);
    if (process.env.IFDEPD_E2E_KEEP) console.warn(`halab: logs kept in ${this.tmp}`);
    else rmSync(this.tmp, { recursive: true, force: true });
  }
}
