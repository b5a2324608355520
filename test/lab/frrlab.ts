// An FRRouting VRRP pair in a HaLab (halab.ts: lan, wan, fw1, fw2), for the FRR end-to-end
// test: contrib/frr's frr.conf (its VRRP part) run by one zebra and one vrrpd per node,
// in the node's namespace, every path (config, pid files, vty sockets, zserv socket, log)
// in the lab's temp dir, so nothing of the host's FRR is used or touched. The VRRP macvlan
// is made here, as the operator makes it (FRR does not); FRR protodowns a Backup's macvlan
// itself, so the node whose macvlan is admin up and not protodown is the one that answers
// for the VIP: that is who "owns" it here. The lan namespace is the LAN client (br0 has
// an address), so that a ping of the VIP proves the gateway answers.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { labSkipReason } from './cli.js';
import { HaLab } from './halab.js';
import { NODES, type Node } from './keepalived.js';
import { readLinks } from './links.js';
import { CONTRIB } from './paths.js';
import type { Proc } from './proc.js';
import { sleep, waitFor } from './wait.js';

const FRR_BIN = '/usr/lib/frr';
export const CLIENT_ADDR = '192.0.2.100/24';

/** Why the FRR lab cannot run here, or null. */
export function frrLabSkipReason(): string | null {
  const skip = labSkipReason();
  if (skip !== null) return skip;
  if (!existsSync(join(FRR_BIN, 'vrrpd')) || !existsSync(join(FRR_BIN, 'zebra'))) {
    return 'FRR is not installed (apt-get install frr; .ci/run installs it)';
  }
  if (spawnSync('id', ['frr']).status !== 0) return 'FRR is installed without its frr user';
  return null;
}

/** One node's files from contrib/frr, with what the lab needs from them. */
export interface FrrExample {
  readonly frrConf: string;
  readonly ifdepdConf: string;
  readonly iface: string;
  readonly vrid: number;
  readonly priority: number;
  readonly vip: string;
}

function one(text: string, re: RegExp, what: string, file: string): string {
  const all = [...text.matchAll(new RegExp(re.source, 'gm'))];
  if (all.length !== 1) throw new Error(`${file}: expected exactly one ${what}, found ${all.length}`);
  return all[0]![1]!;
}

export function readFrrExample(node: Node): FrrExample {
  const file = join(CONTRIB, 'frr', node, 'frr.conf');
  const frrConf = readFileSync(file, 'utf8');
  return {
    frrConf,
    ifdepdConf: readFileSync(join(CONTRIB, 'frr', node, 'ifdepd.conf'), 'utf8'),
    iface: one(frrConf, /^interface\s+(\S+)/, 'interface', file),
    vrid: Number(one(frrConf, /^\s*vrrp\s+(\d+)\s+version\s+3/, 'vrrp N version 3', file)),
    priority: Number(one(frrConf, /^\s*vrrp\s+\d+\s+priority\s+(\d+)/, 'vrrp N priority', file)),
    vip: one(frrConf, /^\s*vrrp\s+\d+\s+ip\s+(\S+)/, 'vrrp N ip', file),
  };
}

/** frr.conf with the advertisement interval the lab runs at (each edit must hit once), and vrrpd's debug log. */
export function renderFrr(ex: FrrExample, advertMs: number, logFile: string): string {
  const re = /^(\s*vrrp\s+\d+\s+advertisement-interval\s+)\d+/m;
  if (!re.test(ex.frrConf)) throw new Error('frr.conf template: no advertisement-interval');
  // "frr defaults" must stay the first command: the log settings go after it.
  return ex.frrConf
    .replace(re, `$1${advertMs}`)
    .replace(/^(frr defaults .*)$/m, `$1\nlog file ${logFile} debugging\nlog timestamp precision 6\ndebug vrrp`);
}

/** The VRRPv3 macvlan name FRR expects to find for IPv4: vrrp4-<ifindex of the parent>-<VRID> by convention; any name with the VMAC works. */
export const FRR_VMAC = 'vrrp4-2-5';

export class FrrLab {
  readonly ha: HaLab;
  readonly procs: Proc[] = [];

  private constructor(ha: HaLab) {
    this.ha = ha;
  }

  /** The HaLab with a macvlan per node (the VIP on it) and a client address on the LAN. */
  static create(ex: FrrExample): FrrLab {
    const ha = HaLab.create({ lanIf: ex.iface, upIf: 'up0', vmac: FRR_VMAC, vip: `${ex.vip}/24`, prefix: 'ifdepd-frr' });
    try {
      // frr drops to its own user: it must reach its directory inside the lab's temp dir.
      chmodSync(ha.tmpdir(), 0o711);
      const mac = `00:00:5e:00:01:${ex.vrid.toString(16).padStart(2, '0')}`;
      for (const node of NODES) {
        // What FRR's documentation has the operator do; addrgenmode apart, as `ip link add` refuses it here.
        ha.ip(node, 'link', 'add', FRR_VMAC, 'link', ex.iface, 'type', 'macvlan', 'mode', 'bridge');
        ha.ip(node, 'link', 'set', 'dev', FRR_VMAC, 'addrgenmode', 'random');
        ha.ip(node, 'link', 'set', 'dev', FRR_VMAC, 'address', mac);
        ha.ip(node, 'addr', 'add', `${ex.vip}/24`, 'dev', FRR_VMAC);
        ha.ip(node, 'link', 'set', FRR_VMAC, 'up');
        // Or lan0 answers ARP for the VIP too, on the Backup as well.
        for (const key of ['arp_ignore=1', 'arp_announce=2']) {
          spawnSync('ip', ['netns', 'exec', ha.ns(node), 'sysctl', '-qw', `net.ipv4.conf.all.${key}`]);
        }
      }
      ha.ip('lan', 'addr', 'add', CLIENT_ADDR, 'dev', 'br0');
    } catch (err) {
      ha.destroy();
      throw err;
    }
    return new FrrLab(ha);
  }

  dir(node: Node): string {
    return join(this.ha.tmpdir(), `frr-${node}`);
  }

  socket(node: Node): string {
    return join(this.dir(node), 'vrrpd.vty');
  }

  vrrpdLog(node: Node): string {
    try {
      return readFileSync(join(this.dir(node), 'vrrpd.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** zebra, then vrrpd, in the node's namespace, foreground; resolves once vrrpd runs its instance. */
  async startFrr(node: Node, frrConf: string): Promise<void> {
    const d = this.dir(node);
    mkdirSync(d, { recursive: true });
    const frr = Number(spawnSync('id', ['-u', 'frr'], { encoding: 'utf8' }).stdout.trim());
    const frrGroup = Number(spawnSync('id', ['-g', 'frr'], { encoding: 'utf8' }).stdout.trim());
    writeFileSync(join(d, 'zebra.conf'), `hostname ${node}\n`);
    writeFileSync(join(d, 'vrrpd.conf'), frrConf);
    for (const f of ['', 'zebra.conf', 'vrrpd.conf']) chownSync(join(d, f), frr, frrGroup);
    const common = ['--vty_socket', d, '-z', join(d, 'zserv.api'), '-A', '127.0.0.1', '-P', '0'];
    const start = (daemon: string): void => {
      const args = ['-f', join(d, `${daemon}.conf`), '-i', join(d, `${daemon}.pid`), ...common];
      this.procs.push(this.ha.exec(node, `${daemon}-${node}`, [join(FRR_BIN, daemon), ...args]));
    };
    // vrrpd finds its macvlan among the interfaces zebra tells it of at start; started
    // before zebra knows them, it never starts the instance ("no interface found w/ MAC").
    start('zebra');
    await waitFor(`zebra in ${node} to know ${FRR_VMAC}`, () => this.vtysh(node, 'zebra', 'show interface brief').includes(FRR_VMAC), {
      timeout: 15_000,
      interval: 50,
    });
    start('vrrpd');
    await waitFor(`vrrpd in ${node} to run its instance`, () => /"status":"(Master|Backup)"/.test(this.vtysh(node, 'vrrpd', 'show vrrp json').replace(/\s/g, '')), {
      timeout: 15_000,
      interval: 50,
      context: () => this.vrrpdLog(node).split('\n').slice(-10).join('\n'),
    });
  }

  /** vtysh's output for one command to one daemon of the node ('' when it fails). */
  vtysh(node: Node, daemon: string, command: string): string {
    const r = spawnSync('vtysh', ['--vty_socket', this.dir(node), '-d', daemon, '-c', command], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : '';
  }

  /** Nodes whose macvlan is admin up and not protodown, asked of the kernel now. */
  owners(): Node[] {
    return NODES.filter((node) => {
      const l = readLinks(this.ha.ns(node)).find((x) => x.ifname === FRR_VMAC);
      return l !== undefined && l.flags.includes('UP') && l.proto_down !== true;
    });
  }

  /**
   * Waits until `node` alone owns the VIP; returns when it was first seen so (polled: two
   * `ip` runs, 10-30 ms apart on a loaded machine, which bounds the figures' precision).
   */
  waitOwner(node: Node, timeout: number, context: () => string): Promise<number> {
    return waitFor(`${node} alone to answer for the VIP`, () => {
      const o = this.owners();
      return o.length === 1 && o[0] === node ? performance.now() : undefined;
    }, { timeout, interval: 10, context: () => `owners: ${JSON.stringify(this.owners())}\n${context()}` });
  }

  /**
   * Polls the owners for `ms` (every 10-30 ms): every node seen answering for the VIP
   * meanwhile. A takeover lasts at least a master-down interval before anyone can take it
   * back, far longer than the polling period, so none is missed.
   */
  async ownersDuring(ms: number): Promise<Set<Node>> {
    const seen = new Set<Node>();
    const end = performance.now() + ms;
    while (performance.now() < end) {
      for (const n of this.owners()) seen.add(n);
      await sleep(10);
    }
    return seen;
  }

  /** One ping of the VIP from the LAN client (inside the lab); true if it answered. */
  pingVip(timeoutS = 1): boolean {
    const vip = this.ha.vip.split('/')[0]!;
    const r = spawnSync('ip', ['netns', 'exec', this.ha.ns('lan'), 'ping', '-c', '1', '-W', String(timeoutS), vip], { encoding: 'utf8' });
    return r.status === 0;
  }

  async shutdown(): Promise<void> {
    try {
      await Promise.all(this.procs.map((p) => p.stop(3000)));
    } finally {
      this.ha.destroy();
    }
  }
}
