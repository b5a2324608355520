// The smallest failover lab for the installed package: one network namespace with
// a veth source (its carrier is cut by setting the peer end down) and a macvlan
// destination on a second veth, as keepalived's VMACs are. Every `ip` command names
// the namespace (ip -n), so the host's interfaces are never touched.
import { randomBytes } from 'node:crypto';
import { runHost } from './throwaway-root.js';

export class NetnsLab {
  /** Unique per run and process, so parallel or leftover runs cannot collide. */
  readonly name = `ifdepd-deb-${process.pid}-${randomBytes(3).toString('hex')}`;
  private created = false;

  create(): void {
    this.ipHost(['netns', 'add', this.name]);
    this.created = true;
    this.ip(['link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'sw-up0']);
    this.ip(['link', 'add', 'lan0', 'type', 'veth', 'peer', 'name', 'lan0p']);
    this.ip(['link', 'add', 'vrrp.51', 'link', 'lan0', 'type', 'macvlan', 'mode', 'bridge']);
    for (const dev of ['up0', 'sw-up0', 'lan0', 'lan0p', 'vrrp.51']) this.ip(['link', 'set', dev, 'up']);
  }

  ip(args: readonly string[]): void {
    this.ipHost(['-n', this.name, ...args]);
  }

  private ipHost(args: readonly string[]): void {
    const r = runHost('ip', args);
    if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.text}`);
  }

  /** Whether a device is administratively up (IFF_UP), from the kernel. */
  isUp(dev: string): boolean {
    const r = runHost('ip', ['-n', this.name, '-j', 'link', 'show', 'dev', dev]);
    if (r.status !== 0) throw new Error(`ip link show ${dev}: ${r.text}`);
    const [link] = JSON.parse(r.stdout) as { flags: string[] }[];
    return link?.flags.includes('UP') ?? false;
  }

  /** Deletes the namespace and every interface in it. Idempotent. */
  destroy(): void {
    if (!this.created) return;
    this.created = false;
    runHost('ip', ['netns', 'delete', this.name]);
  }
}
