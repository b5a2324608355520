import type { SourceHealth } from '../health.js';
import type { LinkLookup } from '../link-table.js';
import { sourceHealth } from '../health.js';
import type { AddressEntry, AddressLookup } from './address-table.js';
import { SCOPE_GLOBAL } from './address-table.js';
import { clockTime, formatRtt } from './evidence.js';
import { prefixContains } from './ip.js';
import type { PingState } from './ping-state.js';
import { RTN_UNICAST, type NextHop, type RouteEntry, type RouteLookup } from './route-table.js';
import type { AddressSource, PingSource, SourceSpec, RouteSource } from './spec.js';

/** Read access to what the adapters last saw of routes, addresses and probes. */
export interface SourceView {
  readonly routes: RouteLookup;
  readonly addresses: AddressLookup;
  /** A ping source's state, by probe name; undefined before its probe has started. */
  ping(name: string): PingState | undefined;
}

/** Nothing seen yet: every probe reads unhealthy. */
export const NO_OTHER_SOURCES: SourceView = { routes: { to: () => [] }, addresses: { of: () => [] }, ping: () => undefined };

export function specHealth(p: SourceSpec, name: string, view: SourceView, links: LinkLookup): SourceHealth {
  switch (p.kind) {
    case 'route':
      return routeHealth(p, view.routes, links);
    case 'address':
      return addressHealth(p, view.addresses, links);
    case 'ping':
      return pingHealth(p, view.ping(name));
  }
}

/**
 * Healthy while a unicast route to the prefix in the table has a live next hop that fits
 * `dev` and `via`. A next hop is live when the kernel has not marked it dead or linkdown
 * and its interface has carrier: IPv4 marks LINKDOWN without telling anyone.
 */
export function routeHealth(p: RouteSource, routes: RouteLookup, links: LinkLookup): SourceHealth {
  const found = routes.to(p.prefix.family, p.prefix.address, p.prefix.length, p.table).filter((r) => r.type === RTN_UNICAST);
  const fitting = found.flatMap((r) => r.nexthops.filter((h) => fits(p, h, links)).map((h) => ({ r, h })));
  const live = fitting.find(({ h }) => !h.dead && sourceHealth(linkOf(h, links)).healthy);
  if (live !== undefined) return { healthy: true, reason: 'present', evidence: routeEvidence(live.r, live.h, links) };
  if (fitting.length > 0) return { healthy: false, reason: 'next hop down', evidence: routeEvidence(fitting[0]!.r, fitting[0]!.h, links) };
  return { healthy: false, reason: 'absent' };
}

function fits(p: RouteSource, h: NextHop, links: LinkLookup): boolean {
  if (p.via !== undefined && h.gateway?.text !== p.via.text) return false;
  if (p.dev !== undefined && (h.index === undefined || links.byName(p.dev)?.index !== h.index)) return false;
  return true;
}

const linkOf = (h: NextHop, links: LinkLookup) => (h.index === undefined ? undefined : links.get(h.index));

function routeEvidence(r: RouteEntry, h: NextHop, links: LinkLookup): string {
  const dev = linkOf(h, links)?.name;
  return [`since ${clockTime(r.since)}`, h.gateway && `via ${h.gateway.text}`, dev && `dev ${dev}`, h.dead && 'dead'].filter(Boolean).join(' ');
}

/** Healthy while the interface holds a matching address that DAD has passed and that is not deprecated. */
export function addressHealth(p: AddressSource, addresses: AddressLookup, links: LinkLookup): SourceHealth {
  const link = links.byName(p.dev);
  if (link === undefined) return { healthy: false, reason: 'missing' };
  const matching = addresses.of(link.index).filter((a) => matches(p, a));
  const usable = matching.find((a) => a.condition === 'usable');
  if (usable !== undefined) return { healthy: true, reason: 'present', evidence: addressEvidence(usable) };
  const held = matching[0];
  if (held !== undefined) return { healthy: false, reason: held.condition, evidence: addressEvidence(held) };
  return { healthy: false, reason: 'absent' };
}

function matches(p: AddressSource, a: AddressEntry): boolean {
  if (p.family !== undefined && a.address.family !== p.family) return false;
  return p.prefix === undefined ? a.scope === SCOPE_GLOBAL : prefixContains(p.prefix, a.address);
}

const addressEvidence = (a: AddressEntry): string => `${a.address.text}/${a.length} since ${clockTime(a.since)}`;

/** The verdict of its probe; none yet, or a probe that cannot run, is not healthy. */
export function pingHealth(p: PingSource, state: PingState | undefined): SourceHealth {
  if (state === undefined) return { healthy: false, reason: 'no verdict yet', evidence: 'probe not started' };
  const evidence = pingEvidence(state);
  if (state.verdict === true) return { healthy: true, reason: 'answers', evidence };
  if (state.verdict === false) return { healthy: false, reason: `${p.down} answers missed`, evidence };
  return { healthy: false, reason: 'no verdict yet', evidence };
}

function pingEvidence(s: PingState): string {
  const last = s.lastReply === undefined ? 'no reply yet' : `last reply ${clockTime(s.lastReply, true)}, rtt ${formatRtt(s.rttMs ?? 0)}`;
  const stopped = s.stopped === undefined ? '' : `; probe stopped: ${s.stopped}`;
  return `${last}, ${s.missedInRow} missed in a row${stopped}`;
}
