import type { IfIndex } from '../types.js';
import type { IpAddress, IpFamily } from './ip.js';

/** One way out of a route: an interface, perhaps a gateway. */
export interface NextHop {
  readonly index?: IfIndex;
  readonly gateway?: IpAddress;
  /** RTNH_F_DEAD or RTNH_F_LINKDOWN as the kernel reported it. */
  readonly dead: boolean;
}

/** A route as the kernel reports it, reduced to what a route source matches. */
export interface RouteEntry {
  readonly family: IpFamily;
  /** The destination network, canonical, and its length. */
  readonly dst: string;
  readonly length: number;
  readonly table: number;
  /** RTN_UNICAST (1) carries traffic; blackhole, unreachable and prohibit do not. */
  readonly type: number;
  readonly priority: number;
  readonly tos: number;
  readonly nexthops: readonly NextHop[];
  /** Wall-clock time it was first seen (epoch ms). */
  readonly since: number;
}

export const RTN_UNICAST = 1;

/** Read access to the routes kept, for the core's verdicts. */
export interface RouteLookup {
  /** The routes to exactly this network in this table. */
  to(family: IpFamily, dst: string, length: number, table: number): readonly RouteEntry[];
}

/** The kernel's identity of a route: a second one differs in metric or TOS. */
const keyOf = (r: Pick<RouteEntry, 'family' | 'dst' | 'length' | 'table' | 'priority' | 'tos'>): string =>
  `${r.family} ${r.table} ${r.dst}/${r.length} ${r.priority} ${r.tos}`;
const networkKey = (family: IpFamily, dst: string, length: number, table: number): string => `${family} ${table} ${dst}/${length}`;
const sameHop = (a: NextHop, b: NextHop): boolean => a.index === b.index && a.gateway?.text === b.gateway?.text;

/**
 * The routes that route sources watch, as last reported by the kernel. Only those: a
 * BGP full table is a million routes, of which a firewall watches one or two.
 */
export class RouteTable implements RouteLookup {
  private readonly routes = new Map<string, RouteEntry>();

  get size(): number {
    return this.routes.size;
  }

  to(family: IpFamily, dst: string, length: number, table: number): readonly RouteEntry[] {
    const want = networkKey(family, dst, length, table);
    return [...this.routes.values()].filter((r) => networkKey(r.family, r.dst, r.length, r.table) === want);
  }

  /**
   * RTM_NEWROUTE. A replaced route keeps the time it was first seen. With NLM_F_APPEND
   * (IPv6 adding a next hop to a multipath route) the next hops are added to the route's.
   */
  add(route: RouteEntry, append: boolean): void {
    const key = keyOf(route);
    const before = this.routes.get(key);
    if (before === undefined) {
      this.routes.set(key, route);
      return;
    }
    const nexthops = append ? [...before.nexthops.filter((h) => !route.nexthops.some((n) => sameHop(h, n))), ...route.nexthops] : route.nexthops;
    this.routes.set(key, { ...route, nexthops, since: before.since });
  }

  /** RTM_DELROUTE: IPv6 may delete one next hop of a multipath route; otherwise the route goes. */
  delete(route: RouteEntry): void {
    const key = keyOf(route);
    const before = this.routes.get(key);
    if (before === undefined) return;
    const left = before.nexthops.filter((h) => !route.nexthops.some((n) => sameHop(h, n)));
    const partial = route.nexthops.length > 0 && left.length > 0 && left.length < before.nexthops.length;
    if (partial) this.routes.set(key, { ...before, nexthops: left });
    else this.routes.delete(key);
  }

  /**
   * An interface went admin down or away: the kernel flushes the IPv4 routes through it
   * without a notification, so they are dropped here as the kernel drops them.
   */
  dropDevice(index: IfIndex): boolean {
    let changed = false;
    for (const [key, r] of this.routes) {
      const left = r.nexthops.filter((h) => h.index !== index);
      if (left.length === r.nexthops.length) continue;
      changed = true;
      if (left.length === 0) this.routes.delete(key);
      else this.routes.set(key, { ...r, nexthops: left });
    }
    return changed;
  }

  /** The interfaces some next hop goes through. */
  devices(): Set<IfIndex> {
    const found = new Set<IfIndex>();
    for (const r of this.routes.values()) for (const h of r.nexthops) if (h.index !== undefined) found.add(h.index);
    return found;
  }

  /** After a dump: the times first seen are kept for routes still there. */
  replaceAll(routes: Iterable<RouteEntry>): void {
    const before = new Map(this.routes);
    this.routes.clear();
    for (const r of routes) {
      const key = keyOf(r);
      const old = before.get(key);
      this.add(old === undefined ? r : { ...r, since: old.since }, true);
    }
  }
}
