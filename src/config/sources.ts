import { invalidIfName } from '../core/ifname.js';
import { parseAddress, parsePrefix, type IpFamily } from '../core/sources/ip.js';
import {
  MAIN_TABLE,
  MAX_PING_COUNT,
  MIN_PING_INTERVAL,
  PING_DEFAULTS,
  type AddressSource,
  type PingSource,
  type RouteSource,
} from '../core/sources/spec.js';
import { quote } from '../core/quote.js';
import { ConfigSyntaxError } from './lexer.js';
import type { Statement } from './statements.js';
import { duration } from './values.js';

/** The `route`, `address` and `ping` lines of a group (ifdepd.conf(5) SOURCES BEYOND CARRIER). */

const fail = (s: Statement, message: string) => new ConfigSyntaxError(s.line, message);

/** `dev IF table N via GW`: the options after a probe's subject, each given at most once. */
function options(group: string, s: Statement, words: readonly string[], known: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (let i = 0; i < words.length; i += 2) {
    const key = words[i]!;
    if (!known.includes(key)) throw fail(s, `group ${group}: ${s.keyword}: unknown option ${quote(key)} (expected ${known.join(', ')})`);
    const value = words[i + 1];
    if (value === undefined) throw fail(s, `group ${group}: ${s.keyword}: ${key} has no value`);
    if (found.has(key)) throw fail(s, `group ${group}: ${s.keyword}: ${key} given twice`);
    found.set(key, value);
  }
  return found;
}

function device(group: string, s: Statement, name: string): string {
  const problem = invalidIfName(name);
  if (problem !== undefined) throw fail(s, `group ${group}: ${s.keyword}: ${problem}`);
  return name;
}

const TABLE_NAMES: ReadonlyMap<string, number> = new Map([
  ['main', MAIN_TABLE],
  ['local', 255],
  ['default', 253],
]);

function table(group: string, s: Statement, text: string): number {
  const named = TABLE_NAMES.get(text);
  if (named !== undefined) return named;
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > 0xffffffff) {
    throw fail(s, `group ${group}: route: table ${quote(text)} is not a table number (1-4294967295, main, local or default)`);
  }
  return Number(text);
}

/** `route PREFIX [dev IF] [table N] [via GW]` */
export function routeSource(s: Statement, group: string): RouteSource {
  const [subject, ...rest] = s.args.map((t) => t.text);
  if (subject === undefined) throw fail(s, `group ${group}: expected: route PREFIX [dev IF] [table N] [via GW]`);
  const prefix = parsePrefix(subject);
  if (typeof prefix === 'string') throw fail(s, `group ${group}: route: ${prefix}`);
  const o = options(group, s, rest, ['dev', 'table', 'via']);
  const via = o.has('via') ? parseAddress(o.get('via')!) : undefined;
  if (o.has('via') && via === undefined) throw fail(s, `group ${group}: route: via ${quote(o.get('via')!)} is not an address`);
  if (via !== undefined && via.family !== prefix.family) throw fail(s, `group ${group}: route: via ${via.text} is not of the prefix's family`);
  return {
    kind: 'route',
    prefix,
    table: o.has('table') ? table(group, s, o.get('table')!) : MAIN_TABLE,
    ...(o.has('dev') ? { dev: device(group, s, o.get('dev')!) } : {}),
    ...(via !== undefined ? { via } : {}),
  };
}

/** `address IF [inet|inet6] [PREFIX]` */
export function addressSource(s: Statement, group: string): AddressSource {
  const [dev, ...rest] = s.args.map((t) => t.text);
  if (dev === undefined || rest.length > 2) throw fail(s, `group ${group}: expected: address IF [inet|inet6] [PREFIX]`);
  let family: IpFamily | undefined;
  if (rest[0] === 'inet' || rest[0] === 'inet6') family = rest.shift() as IpFamily;
  const text = rest.shift();
  if (rest.length > 0) throw fail(s, `group ${group}: expected: address IF [inet|inet6] [PREFIX]`);
  const prefix = text === undefined ? undefined : parsePrefix(text);
  if (typeof prefix === 'string') throw fail(s, `group ${group}: address: ${prefix}`);
  if (prefix !== undefined && family !== undefined && prefix.family !== family) {
    throw fail(s, `group ${group}: address: ${quote(text!)} is not an ${family} prefix`);
  }
  return { kind: 'address', dev: device(group, s, dev), ...(family ? { family } : {}), ...(prefix ? { prefix } : {}) };
}

/** `ping ADDR [dev IF] [interval T] [timeout T] [down N] [up M]` */
export function pingSource(s: Statement, group: string): PingSource {
  const [subject, ...rest] = s.args.map((t) => t.text);
  const target = subject === undefined ? undefined : parseAddress(subject);
  if (target === undefined) {
    throw fail(s, subject === undefined ? `group ${group}: expected: ping ADDR [dev IF] [interval T] [timeout T] [down N] [up M]` : `group ${group}: ping: ${quote(subject)} is not an address`);
  }
  const o = options(group, s, rest, ['dev', 'interval', 'timeout', 'down', 'up']);
  const interval = o.has('interval') ? duration(s, o.get('interval')!) : PING_DEFAULTS.interval;
  if (interval < MIN_PING_INTERVAL) throw fail(s, `group ${group}: ping: interval ${quote(o.get('interval')!)} is below the minimum of ${MIN_PING_INTERVAL}ms`);
  const timeout = o.has('timeout') ? duration(s, o.get('timeout')!) : PING_DEFAULTS.timeout;
  if (timeout <= 0) throw fail(s, `group ${group}: ping: timeout must be above 0`);
  return {
    kind: 'ping',
    target,
    interval,
    timeout,
    down: count(group, s, o, 'down'),
    up: count(group, s, o, 'up'),
    ...(o.has('dev') ? { dev: device(group, s, o.get('dev')!) } : {}),
  };
}

function count(group: string, s: Statement, o: ReadonlyMap<string, string>, key: 'down' | 'up'): number {
  const text = o.get(key);
  if (text === undefined) return PING_DEFAULTS[key];
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_PING_COUNT) {
    throw fail(s, `group ${group}: ping: ${key} ${quote(text)} is not a count from 1 to ${MAX_PING_COUNT}`);
  }
  return Number(text);
}
