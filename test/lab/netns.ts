// The lab of the integration and fault tests: one throw-away network namespace per
// lab, veth pairs as sources (carrier is cut by setting the PEER end down), macvlans on
// a bridge as destinations (like keepalived's VMACs), and the real daemon running inside
// the namespace. grouplab.ts builds on this for the multi-group daemon (`-f FILE`).
import { execFileSync, spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe } from 'vitest';
import { cliFor, labSkipReason } from './cli.js';
import { adminOf, readLink, readLinks, type Admin, type IpLink } from './links.js';
import { ipIn, Namespaces, uniqueName, type ExecOptions } from './namespaces.js';
import type { Proc } from './proc.js';
import { waitFor } from './wait.js';

/** `describe` for namespace tests: skipped where they cannot run, its title saying why. */
export function describeLab(title: string, body: () => void): void {
  const skip = labSkipReason();
  describe.skipIf(skip !== null)(`${title}${skip ? ` (skipped: ${skip})` : ''}`, body);
}

/** One throw-away network namespace and its interfaces: what the -S/-D and -f labs share. */
export class Netns extends Namespaces {
  readonly ns: string;
  private bridge = false;
  private readonly peers = new Map<string, string>();

  /** `prefix` names the namespace: PREFIX-<pid>-<random>. */
  constructor(prefix = 'ifdepd-t') {
    super();
    this.ns = uniqueName(prefix);
  }

  /** Adds the namespace, lo up; removes what it made if that fails. */
  protected open(): this {
    this.addNamespace(this.ns);
    return this;
  }

  /** `ip -n NS <args>`; throws with ip's stderr on failure. */
  ip(...args: string[]): string {
    return ipIn(this.ns, ...args);
  }

  /** Notifications the kernel dropped for the namespace's netlink sockets (/proc/net/netlink, Drops): an overrun happened. */
  netlinkDrops(): number {
    return this.run(['cat', '/proc/net/netlink'])
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 10)
      .reduce((sum, f) => sum + Number(f[8]), 0);
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

  /** Runs a command inside the namespace (ip netns exec), output captured. */
  exec(argv: readonly string[], opts: ExecOptions = {}): Proc {
    return this.execIn(this.ns, argv, opts);
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

  /** Every interface of the namespace, with details (protodown), however many. */
  links(): IpLink[] {
    return readLinks(this.ns);
  }

  link(name: string): IpLink | undefined {
    return readLink(this.ns, name);
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
}

export interface RunOptions {
  /** Wrap the command, e.g. setpriv to drop privileges (the CLI copy for other users is run then). */
  prefix?: readonly string[];
  /** Program to run instead of `node dist/cli.js`. */
  argv0?: readonly string[];
  /** Wait for the start-up decision log line (foreground only). Default true. */
  waitReady?: boolean;
}

/** The start-up decision every -S/-D daemon logs; an action other than admin is named before it. */
export const STARTED = /at start .* -> destinations \S+(?: and \d+ more)? (?:\(\S+\) )?(up|down)/;

/** One throw-away network namespace for the `-S/-D` daemon; `prefix` names it. */
export class Lab extends Netns {
  static create(prefix?: string): Lab {
    return new Lab(prefix).open();
  }

  /**
   * Starts `node dist/cli.js <args>` in the namespace. Unless told otherwise, waits for
   * its start-up decision ("at start ... -> destinations ...").
   */
  async daemon(args: readonly string[], opts: RunOptions = {}): Promise<Proc> {
    const argv0 = opts.argv0 ?? [process.execPath, cliFor(opts.prefix)];
    const p = this.exec([...argv0, ...args], opts.prefix ? { prefix: opts.prefix } : {});
    if (opts.waitReady ?? true) await p.waitForLog(STARTED, 10_000);
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
