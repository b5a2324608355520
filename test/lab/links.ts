// Interfaces as the kernel describes them (`ip -d -j link show`), and their admin state.
import { spawnSync } from 'node:child_process';
import { ipIn } from './namespaces.js';

export type Admin = 'up' | 'down' | 'missing';

/** One interface as `ip -d -j link show` describes it. */
export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  operstate?: string;
  proto_down?: boolean;
}

export const adminOf = (l: IpLink): Admin => (l.flags.includes('UP') ? 'up' : 'down');

/** Every interface of namespace `ns`, with details (protodown), however many. */
export function readLinks(ns: string): IpLink[] {
  return JSON.parse(ipIn(ns, '-d', '-j', 'link', 'show')) as IpLink[];
}

/** One interface of `ns`, or undefined if it does not exist. */
export function readLink(ns: string, name: string): IpLink | undefined {
  const r = spawnSync('ip', ['-n', ns, '-d', '-j', 'link', 'show', 'dev', name], { encoding: 'utf8' });
  if (r.status !== 0) {
    if (/does not exist/.test(r.stderr)) return undefined;
    throw new Error(`ip link show ${name} failed: ${r.stderr}`);
  }
  return (JSON.parse(r.stdout) as IpLink[])[0];
}

/** One line of `ip -o monitor link`: the interface, its admin state ('missing' once deleted), protodown. */
export function parseLinkLine(line: string): { name: string; admin: Admin; protodown: boolean } | undefined {
  const m = /^(Deleted )?\d+: ([^:@\s]+)(?:@[^:\s]+)?: <([^>]*)>/.exec(line);
  if (m === null) return undefined;
  const admin: Admin = m[1] ? 'missing' : m[3]!.split(',').includes('UP') ? 'up' : 'down';
  return { name: m[2]!, admin, protodown: admin !== 'missing' && / protodown on /.test(line) };
}
