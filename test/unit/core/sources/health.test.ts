import { describe, expect, it } from 'vitest';
import { AddressTable, type AddressEntry } from '../../../../src/core/sources/address-table.js';
import { describeCause } from '../../../../src/core/cause.js';
import type { SourceHealth } from '../../../../src/core/health.js';
import { addressHealth as addressCause, pingHealth as pingCause, routeHealth as routeCause } from '../../../../src/core/sources/health.js';
import { utcClockText } from '../../../../src/core/sources/evidence.js';
import { parseAddress, parsePrefix, type IpPrefix } from '../../../../src/core/sources/ip.js';
import { INITIAL_PING, observePing, type PingState } from '../../../../src/core/sources/ping-state.js';
import { RouteTable, type NextHop, type RouteEntry } from '../../../../src/core/sources/route-table.js';
import { MAIN_TABLE, type AddressSource, type PingSource, type RouteSource } from '../../../../src/core/sources/spec.js';
import type { LinkLookup } from '../../../../src/core/link-table.js';
import { ifIndex } from '../../../../src/core/types.js';
import { link, noCarrier, table } from '../../../support/links.js';

/** Health as status and the log say it: the cause in words. */
const said = ({ healthy, cause, evidence }: SourceHealth) => ({ healthy, reason: describeCause(cause), ...(evidence === undefined ? {} : { evidence }) });
const routeHealth = (...a: [RouteSource, RouteTable, LinkLookup]) => said(routeCause(...a, utcClockText));
const addressHealth = (...a: [AddressSource, AddressTable, LinkLookup]) => said(addressCause(...a, utcClockText));
const pingHealth = (...a: [PingSource, PingState | undefined]) => said(pingCause(...a, utcClockText));

const prefix = (text: string): IpPrefix => {
  const p = parsePrefix(text);
  if (typeof p === 'string') throw new Error(p);
  return p;
};
const hop = (index: number, gateway?: string, dead = false): NextHop => ({ index: ifIndex(index), ...(gateway ? { gateway: parseAddress(gateway)! } : {}), dead });
const route = (nexthops: NextHop[], over: Partial<RouteEntry> = {}): RouteEntry => ({
  family: 'inet', dst: '0.0.0.0', length: 0, table: MAIN_TABLE, type: 1, priority: 0, tos: 0, nexthops, since: 0, ...over,
});
const routes = (...entries: RouteEntry[]): RouteTable => {
  const t = new RouteTable();
  for (const e of entries) t.add(e, false);
  return t;
};
const probe = (over: Partial<RouteSource> = {}): RouteSource => ({ kind: 'route', prefix: prefix('default'), table: MAIN_TABLE, ...over });
const links = table(link(2, 'eth0'), link(3, 'eth1'), link(4, 'eth2', noCarrier));

describe('route sources', () => {
  it('count a unicast route to the prefix in the table, with a fitting live next hop', () => {
    const r = routes(route([hop(2, '192.0.2.1')]));
    expect(routeHealth(probe(), r, links)).toMatchObject({ healthy: true, reason: 'present' });
    expect(routeHealth(probe({ dev: 'eth0', via: parseAddress('192.0.2.1')! }), r, links).healthy).toBe(true);
    expect(routeHealth(probe({ dev: 'eth1' }), r, links)).toEqual({ healthy: false, reason: 'absent' });
    expect(routeHealth(probe({ via: parseAddress('192.0.2.9')! }), r, links).healthy).toBe(false);
    expect(routeHealth(probe({ table: 100 }), r, links).healthy).toBe(false);
    expect(routeHealth(probe({ prefix: prefix('::/0') }), r, links).healthy).toBe(false);
  });

  it('do not count a blackhole, a dead or linkdown next hop, or one through an interface without carrier', () => {
    expect(routeHealth(probe(), routes(route([hop(2)], { type: 6 })), links).healthy).toBe(false);
    expect(routeHealth(probe(), routes(route([hop(2, '192.0.2.1', true)])), links)).toMatchObject({ healthy: false, reason: 'next hop down' });
    expect(routeHealth(probe(), routes(route([hop(4)])), links).reason).toBe('next hop down');
    expect(routeHealth(probe(), routes(route([hop(9)])), links).reason).toBe('next hop down');
  });

  it('count a multipath route while a next hop through the device lives', () => {
    const r = routes(route([hop(2, '192.0.2.1'), hop(4, '198.51.100.1')]));
    expect(routeHealth(probe({ dev: 'eth0' }), r, links).healthy).toBe(true);
    expect(routeHealth(probe({ dev: 'eth2' }), r, links).reason).toBe('next hop down');
  });
});

describe('evidence', () => {
  it('says its times as the clock it is given says them: the core knows no time zone', () => {
    const clock = (epochMs: number, millis: boolean) => `T${epochMs}${millis ? 'ms' : ''}`;
    const r = routes(route([hop(2, '192.0.2.1')], { since: 42 }));
    expect(routeCause(probe(), r, links, clock).evidence).toBe('since T42 via 192.0.2.1 dev eth0');
    const answered = observePing(INITIAL_PING, { kind: 'answer', at: 7, rttMs: 12.3 }, { kind: 'ping', target: parseAddress('192.0.2.1')!, interval: 1000, timeout: 1000, down: 3, up: 1 });
    expect(pingCause({ kind: 'ping', target: parseAddress('192.0.2.1')!, interval: 1000, timeout: 1000, down: 3, up: 1 }, answered, clock).evidence).toBe(
      'last reply T7ms, rtt 12 ms, 0 missed in a row',
    );
  });

  it('the UTC clock of views that see no time is arithmetic, to the millisecond', () => {
    expect(utcClockText(Date.UTC(2026, 11, 6, 23, 4, 5, 67), true)).toBe('23:04:05.067');
    expect(utcClockText(Date.UTC(2026, 11, 6, 0, 0, 9), false)).toBe('00:00:09');
  });
});

describe('the route table', () => {
  it('appends and deletes IPv6 next hops one by one, keeps when a route was first seen, drops a device', () => {
    const t = new RouteTable();
    t.add(route([hop(2)], { since: 1 }), false);
    t.add(route([hop(3)], { since: 2 }), true);
    expect(t.to('inet', '0.0.0.0', 0, MAIN_TABLE)[0]).toMatchObject({ since: 1, nexthops: [hop(2), hop(3)] });
    t.delete(route([hop(2)]));
    expect(t.to('inet', '0.0.0.0', 0, MAIN_TABLE)[0]?.nexthops).toEqual([hop(3)]);
    t.add(route([hop(3), hop(4)], { since: 5 }), false);
    expect(t.dropDevice(ifIndex(3))).toBe(true);
    expect(t.to('inet', '0.0.0.0', 0, MAIN_TABLE)[0]).toMatchObject({ since: 1, nexthops: [hop(4)] });
    t.delete(route([hop(4)]));
    expect(t.size).toBe(0);
    t.replaceAll([route([hop(2)], { since: 9 })]);
    expect(t.to('inet', '0.0.0.0', 0, MAIN_TABLE)).toHaveLength(1);
  });
});

describe('address sources', () => {
  const entry = (text: string, over: Partial<AddressEntry> = {}): AddressEntry => ({
    index: ifIndex(2), address: parseAddress(text)!, length: 24, scope: 0, condition: 'usable', since: 0, ...over,
  });
  const of = (...entries: AddressEntry[]) => {
    const t = new AddressTable();
    for (const e of entries) t.add(e);
    return t;
  };

  it('count a global address by default, a matching one with a prefix, never a tentative one', () => {
    const p = { kind: 'address', dev: 'eth0' } as const;
    expect(addressHealth(p, of(entry('192.0.2.7')), links)).toMatchObject({ healthy: true, reason: 'present' });
    expect(addressHealth(p, of(entry('fe80::1', { scope: 253, length: 64 })), links)).toEqual({ healthy: false, reason: 'absent' });
    expect(addressHealth({ ...p, prefix: prefix('fe80::/64') }, of(entry('fe80::1', { scope: 253, length: 64 })), links).healthy).toBe(true);
    expect(addressHealth({ ...p, family: 'inet6' }, of(entry('192.0.2.7')), links).healthy).toBe(false);
    expect(addressHealth(p, of(entry('2001:db8::7', { condition: 'tentative' })), links)).toMatchObject({ healthy: false, reason: 'tentative' });
    expect(addressHealth(p, of(entry('2001:db8::7', { condition: 'dadfailed' })), links).reason).toBe('dadfailed');
    expect(addressHealth(p, of(entry('2001:db8::7', { condition: 'deprecated' })), links).reason).toBe('deprecated');
    expect(addressHealth({ ...p, dev: 'nope0' }, of(), links).reason).toBe('missing');
  });
});

describe('ping sources', () => {
  const spec: PingSource = { kind: 'ping', target: parseAddress('192.0.2.1')!, interval: 1000, timeout: 1000, down: 3, up: 2 };
  const fold = (seen: Array<'a' | 'm'>, from: PingState = INITIAL_PING): PingState =>
    seen.reduce((s, x) => observePing(s, x === 'a' ? { kind: 'answer', at: 0, rttMs: 0.4 } : { kind: 'missed' }, spec), from);

  it('fail closed until a verdict; up answers in a row make it healthy, down misses in a row unhealthy', () => {
    expect(pingHealth(spec, undefined)).toMatchObject({ healthy: false, reason: 'no verdict yet' });
    expect(pingHealth(spec, fold(['a'])).reason).toBe('no verdict yet');
    expect(pingHealth(spec, fold(['a', 'a']))).toMatchObject({ healthy: true, reason: 'answers' });
    expect(pingHealth(spec, fold(['a', 'a', 'm', 'm'])).healthy).toBe(true);
    expect(pingHealth(spec, fold(['a', 'a', 'm', 'm', 'a', 'm', 'm'])).healthy).toBe(true);
    const lost = fold(['a', 'a', 'm', 'm', 'm']);
    expect(pingHealth(spec, lost)).toMatchObject({ healthy: false, reason: '3 answers missed' });
    expect(pingHealth(spec, lost).evidence).toMatch(/^last reply \d\d:\d\d:\d\d\.\d{3}, rtt 0\.4 ms, 3 missed in a row$/);
    expect(pingHealth(spec, fold(['a'], lost)).healthy).toBe(false);
    expect(pingHealth(spec, fold(['a', 'a'], lost)).healthy).toBe(true);
  });

  it('keep the verdict while the probe restarts, and say it stopped', () => {
    const stopped = observePing(fold(['a', 'a']), { kind: 'stopped', why: 'exited (signal SIGKILL)' }, spec);
    expect(pingHealth(spec, stopped)).toMatchObject({ healthy: true });
    expect(pingHealth(spec, stopped).evidence).toContain('probe stopped: exited (signal SIGKILL)');
    expect(observePing(stopped, { kind: 'running' }, spec).stopped).toBeUndefined();
  });
});
