// An HA firewall pair in throw-away network namespaces, for the keepalived end-to-end
// test: fw1 and fw2 share a LAN (a bridge in the "lan" namespace, reached by a veth
// named like the `interface` of contrib/keepalived/**/keepalived.conf), and each has an
// uplink veth whose peer end lives in the "wan" namespace; cutting the uplink means
// setting that wan-side peer down. keepalived and ifdepd run in fw1/fw2 through
// `ip netns exec`. Every `ip` command names one of the lab's namespaces: nothing here
// touches the host's interfaces, and no packet leaves the lab.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI, labSkipReason } from './cli.js';
import { NODES, type Node } from './keepalived.js';
import { adminOf, parseLinkLine, readLinks, type Admin } from './links.js';
import { KernelMonitor } from './monitor.js';
import { ipIn, Namespaces, uniqueName } from './namespaces.js';
import { STARTED } from './netns.js';
import type { Proc } from './proc.js';
import { waitFor } from './wait.js';

type Space = Node | 'lan' | 'wan';

/** Why the lab cannot run here, or null. */
export function haLabSkipReason(): string | null {
  const skip = labSkipReason();
  if (skip !== null) return skip;
  const ka = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
  if (ka.error !== undefined || ka.status !== 0) {
    return 'keepalived is not installed (apt-get install keepalived; .ci/run installs it)';
  }
  return null;
}

/**
 * A change seen by a node's monitor: 'vip', the VIP was added (on) or removed; 'vmac', the
 * VMAC's admin state (off when gone); 'protodown', its IFLA_PROTO_DOWN (off when gone).
 */
export interface Sample {
  readonly t: number;
  readonly node: Node;
  readonly what: 'vip' | 'vmac' | 'protodown';
  readonly on: boolean;
}

interface IpAddr {
  ifname: string;
  addr_info?: { local?: string; prefixlen?: number }[];
}

/**
 * `ip -n NS -o monitor link address` in one node, after its baseline (monitor.ts):
 * every change of the VIP (on any interface) and of the VMAC's admin state, with the
 * time it arrived. Proof that the VIP never appeared somewhere, and the instant it did.
 */
class NodeMonitor extends KernelMonitor {
  /** Interfaces that hold the VIP now. */
  readonly holders = new Set<string>();
  private vmacUp = false;
  private vmacProtodown = false;
  private vipOn = false;

  private constructor(
    readonly node: Node,
    private readonly lab: HaLab,
    private readonly out: Sample[],
  ) {
    super({ ns: lab.ns(node), track: (c) => lab.track(c) }, ['link', 'address']);
  }

  static async start(node: Node, lab: HaLab, out: Sample[]): Promise<NodeMonitor> {
    const mon = new NodeMonitor(node, lab, out);
    await mon.listen();
    return mon;
  }

  protected baseline(): void {
    this.holders.clear();
    for (const a of this.lab.addrs(this.node)) {
      if (a.addr_info?.some((i) => `${i.local}/${i.prefixlen}` === this.lab.vip)) this.holders.add(a.ifname);
    }
    this.vipOn = this.holders.size > 0;
    this.vmacUp = this.lab.vmacAdmin(this.node) === 'up';
    this.vmacProtodown = this.lab.vmacProtodown(this.node);
  }

  protected apply(t: number, line: string, record: boolean): void {
    const link = parseLinkLine(line);
    if (link !== undefined) {
      if (link.admin === 'missing' && this.holders.delete(link.name)) this.vip(t, record);
      if (link.name === this.lab.vmac) {
        this.vmac(t, link.admin === 'up', record);
        this.protodown(t, link.protodown, record);
      }
      return;
    }
    const addr = /^(Deleted )?\d+: (\S+)\s+inet (\S+) /.exec(line);
    if (addr === null || addr[3] !== this.lab.vip) return;
    if (addr[1]) this.holders.delete(addr[2]!);
    else this.holders.add(addr[2]!);
    this.vip(t, record);
  }

  private vmac(t: number, up: boolean, record: boolean): void {
    if (up === this.vmacUp) return;
    this.vmacUp = up;
    if (record) this.out.push({ t, node: this.node, what: 'vmac', on: up });
  }

  private protodown(t: number, on: boolean, record: boolean): void {
    if (on === this.vmacProtodown) return;
    this.vmacProtodown = on;
    if (record) this.out.push({ t, node: this.node, what: 'protodown', on });
  }

  private vip(t: number, record: boolean): void {
    const on = this.holders.size > 0;
    if (on === this.vipOn) return;
    this.vipOn = on;
    if (record) this.out.push({ t, node: this.node, what: 'vip', on });
  }
}

export interface HaLabOptions {
  /** The interface keepalived's instance uses (keepalived.conf `interface`). */
  readonly lanIf: string;
  /** The uplink, ifdepd's source (-S). */
  readonly upIf: string;
  readonly vmac: string;
  /** "192.0.2.1/24" */
  readonly vip: string;
  /** Of the namespaces' names (default "ifdepd-e2e"). */
  readonly prefix?: string;
}

export class HaLab extends Namespaces {
  readonly id: string;
  /** Every change the monitors saw after their baselines, oldest first. */
  readonly samples: Sample[] = [];
  private readonly monitors: NodeMonitor[] = [];

  readonly lanIf: string;
  readonly upIf: string;
  readonly vmac: string;
  readonly vip: string;

  private constructor(opts: HaLabOptions) {
    super('halab-');
    this.id = uniqueName(opts.prefix ?? 'ifdepd-e2e');
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
    for (const space of ['lan', 'wan', 'fw1', 'fw2'] as const) lab.addNamespace(lab.ns(space));
    try {
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
    return ipIn(this.ns(space), ...args);
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

  vmacAdmin(node: Node): Admin {
    const l = readLinks(this.ns(node)).find((x) => x.ifname === this.vmac);
    return l === undefined ? 'missing' : adminOf(l);
  }

  /** IFLA_PROTO_DOWN of the VMAC now (false when it is missing). */
  vmacProtodown(node: Node): boolean {
    return readLinks(this.ns(node)).find((x) => x.ifname === this.vmac)?.proto_down === true;
  }

  /** Cuts `node`'s uplink carrier (its wan-side peer goes down); returns when `ip` returned. */
  cutUplink(node: Node = 'fw1'): void {
    this.ip('wan', 'link', 'set', node, 'down');
  }

  restoreUplink(node: Node = 'fw1'): void {
    this.ip('wan', 'link', 'set', node, 'up');
  }

  /** Starts both monitors; resolves once each has its baseline and records what follows. */
  async monitor(): Promise<void> {
    for (const node of NODES) this.monitors.push(await NodeMonitor.start(node, this, this.samples));
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

  /** Waits until exactly `node` owns the VIP (monitor view); returns when. */
  waitOwner(node: Node, timeout: number, context: () => string): Promise<number> {
    return waitFor(
      `${node} alone to own ${this.vip}`,
      () => {
        const o = this.seenOwners();
        return o.length === 1 && o[0] === node ? performance.now() : undefined;
      },
      {
        timeout,
        interval: 5,
        context: () => `monitors: ${JSON.stringify(this.seenOwners())}, kernel: ${JSON.stringify(this.owners())}\n${context()}`,
      },
    );
  }

  /** Runs argv in a node's namespace, output captured (and appended to <tmp>/<name>.log). */
  exec(node: Node, name: string, argv: readonly string[]): Proc {
    return this.execIn(this.ns(node), argv, { name, logFile: join(this.tmpdir(), `${name}.log`), grace: 5000 });
  }

  /** keepalived in the foreground, VRRP only, its own pid files, logs on the console (captured). */
  keepalived(node: Node, config: string): Proc {
    const conf = join(this.tmpdir(), `${node}-keepalived.conf`);
    writeFileSync(conf, config);
    const pid = (what: string) => join(this.tmpdir(), `${node}-${what}.pid`);
    return this.exec(node, `keepalived-${node}`, [
      'keepalived', '-n', '-l', '-D', '-G', '-P',
      '-f', conf, '-p', pid('keepalived'), '-r', pid('vrrp'), '-c', pid('checkers'), '-b', pid('bfd'),
    ]);
  }

  /** `node dist/cli.js args` in a node; resolves once it logged its start-up decision. */
  async ifdepd(node: Node, args: readonly string[]): Promise<Proc> {
    const p = this.exec(node, `ifdepd-${node}`, [process.execPath, CLI, ...args]);
    await p.waitForLog(STARTED, 10_000);
    return p;
  }

  protected override beforeDestroy(): void {
    for (const m of this.monitors) m.stop();
  }
}
