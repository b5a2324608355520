// Topologies, built with `ip -batch` inside a fresh namespace.
import { ipBatch } from './ns.mjs';

export const GROUP = 7;
export const VIP = '10.99.0.100';

/** Source veth pair (carrier cut by setting the PEER down) and n macvlan destinations on a bridge. */
export function reactionTopo(ns, n) {
  const tag = process.pid % 100000;
  const src = `bs${tag}`;
  const peer = `bp${tag}`;
  const bridge = 'br0';
  const dests = Array.from({ length: n }, (_, i) => `d${i}`);
  const lines = [
    `link add ${bridge} type bridge`,
    `link set ${bridge} up`,
    `addr add 10.99.0.1/24 dev ${bridge}`,
    `link add ${src} type veth peer name ${peer}`,
    `link set ${src} up`,
    `link set ${peer} up`,
  ];
  for (const d of dests) lines.push(`link add ${d} link ${bridge} type macvlan mode bridge`, `link set ${d} group ${GROUP}`, `link set ${d} up`);
  ipBatch(ns, lines);
  return { src, peer, bridge, dests, group: GROUP, vip: VIP };
}

/** `pairs` extra veth pairs (2 x pairs interfaces), to make the link table big. */
export function fillerPairs(ns, pairs) {
  const lines = [];
  for (let i = 0; i < pairs; i++) lines.push(`link add f${i}a type veth peer name f${i}b`);
  for (let k = 0; k < lines.length; k += 1000) ipBatch(ns, lines.slice(k, k + 1000));
}
