import type { SourceHealth } from '../health.js';
import type { LinkLookup } from '../link-table.js';
import { sourceHealth } from '../health.js';
import type { SourceCause } from '../cause.js';
import type { AddressCondition, AddressEntry, AddressLookup } from './address-table.js';
import { SCOPE_GLOBAL } from './address-table.js';
import { formatRtt, utcClockText, type ClockText } from './evidence.js';
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
  /** How evidence says a wall-clock time: the core reads no clock or time zone. */
  readonly clockText: ClockText;
}

/** Nothing seen yet: every probe reads unhealthy. */
export const NO_OTHER_SOURCES: SourceView = { routes: { to: () => [] }, addresses: { of: () => [] }, ping: () => undefined, clockText: utcClockText };

export function specHealth(p: SourceSpec, name: string, view: SourceView, links: LinkLookup): SourceHealth {
  switch (p.kind) {
    case 'route':
      return routeHealth(p, view.routes, links, view.clockText);
    case 'address':
      return addressHealth(p, view.addresses, links, view.clockText);
    case 'ping':
      return pingHealth(p, view.ping(name), view.clockText);
  }
}

/**
 * Healthy while a unicast route to the prefix in the table has a live next hop that fits
 * `dev` and `via`. A next hop is live when the kernel has not marked it dead or linkdown
 * and its interface has carrier: IPv4 marks LINKDOWN without telling anyone.
 */
export function routeHealth(p: RouteSource, routes: RouteLookup, links: LinkLookup, clock: ClockText): SourceHealth {
  const found = routes.to(p.prefix.family, p.prefix.address, p.prefix.length, p.table).filter((r) => r.type === RTN_UNICAST);
  const fitting = found.flatMap((r) => r.nexthops.filter((h) => fits(p, h, links)).map((h) => ({ r, h })));
  const live = fitting.find(({ h }) => !h.dead && sourceHealth(linkOf(h, links)).healthy);
  if (live !== undefined) return { healthy: true, cause: { kind: 'route-present' }, evidence: routeEvidence(live.r, live.h, links, clock) };
  const down = fitting[0];
  if (down !== undefined) return { healthy: false, cause: { kind: 'next-hop-down' }, evidence: routeEvidence(down.r, down.h, links, clock) };
  return { healthy: false, cause: { kind: 'route-absent' } };
}

function fits(p: RouteSource, h: NextHop, links: LinkLookup): boolean {
  if (p.via !== undefined && h.gateway?.text !== p.via.text) return false;
  if (p.dev !== undefined && (h.index === undefined || links.byName(p.dev)?.index !== h.index)) return false;
  return true;
}

const linkOf = (h: NextHop, links: LinkLookup) => (h.index === undefined ? undefined : links.get(h.index));

function routeEvidence(r: RouteEntry, h: NextHop, links: LinkLookup, clock: ClockText): string {
  const dev = linkOf(h, links)?.name;
  return [`since ${clock(r.since, false)}`, h.gateway && `via ${h.gateway.text}`, dev && `dev ${dev}`, h.dead && 'dead'].filter(Boolean).join(' ');
}

/** Healthy while the interface holds a matching address that DAD has passed and that is not deprecated. */
export function addressHealth(p: AddressSource, addresses: AddressLookup, links: LinkLookup, clock: ClockText): SourceHealth {
  const link = links.byName(p.dev);
  if (link === undefined) return { healthy: false, cause: { kind: 'missing' } };
  const matching = addresses.of(link.index).filter((a) => matches(p, a));
  const usable = matching.find((a) => a.condition === 'usable');
  if (usable !== undefined) return { healthy: true, cause: { kind: 'address-present' }, evidence: addressEvidence(usable, clock) };
  const held = matching[0];
  if (held !== undefined) return { healthy: false, cause: unusable(held.condition), evidence: addressEvidence(held, clock) };
  return { healthy: false, cause: { kind: 'address-absent' } };
}

function matches(p: AddressSource, a: AddressEntry): boolean {
  if (p.family !== undefined && a.address.family !== p.family) return false;
  return p.prefix === undefined ? a.scope === SCOPE_GLOBAL : prefixContains(p.prefix, a.address);
}

/** Why an address that is held does not count. */
function unusable(condition: AddressCondition): SourceCause {
  switch (condition) {
    case 'tentative':
      return { kind: 'address-tentative' };
    case 'dadfailed':
      return { kind: 'dadfailed' };
    case 'deprecated':
      return { kind: 'address-deprecated' };
    case 'usable':
      return { kind: 'address-present' };
  }
}

const addressEvidence = (a: AddressEntry, clock: ClockText): string => `${a.address.text}/${a.length} since ${clock(a.since, false)}`;

/** The verdict of its probe; none yet, or a probe that cannot run, is not healthy. */
export function pingHealth(p: PingSource, state: PingState | undefined, clock: ClockText): SourceHealth {
  if (state === undefined) return { healthy: false, cause: { kind: 'no-verdict-yet' }, evidence: 'probe not started' };
  return { ...pingVerdict(p, state), evidence: pingEvidence(state, clock) };
}

/** What a ping source's state says, without its evidence: what decides whether its groups look again. */
export function pingVerdict(p: PingSource, state: PingState): SourceHealth {
  if (state.verdict === true) return { healthy: true, cause: { kind: 'answers' } };
  if (state.verdict === false) return { healthy: false, cause: { kind: 'answers-missed', count: p.down } };
  return { healthy: false, cause: { kind: 'no-verdict-yet' } };
}

function pingEvidence(s: PingState, clock: ClockText): string {
  const last = s.lastReply === undefined ? 'no reply yet' : `last reply ${clock(s.lastReply, true)}, rtt ${formatRtt(s.rttMs ?? 0)}`;
  const stopped = s.stopped === undefined ? '' : `; probe stopped: ${s.stopped}`;
  return `${last}, ${s.missedInRow} missed in a row${stopped}`;
}
