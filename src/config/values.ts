import { isAbsolute } from 'node:path';
import { parseDuration } from '../core/duration.js';
import type { ListenAddress } from '../core/listen-address.js';
import { invalidPattern } from '../core/patterns.js';
import { parseReasonBit } from '../core/protodown-reason.js';
import { quote } from '../core/quote.js';
import { invalidIfName } from '../core/ifname.js';
import {
  DEFAULT_DAMPING,
  FRR_VRRPD_SOCKET,
  type ActionSpec,
  type AtomicSpec,
  type DampingSpec,
  type FrrVrrpAction,
  type FrrVrrpMode,
  type Policy,
} from '../core/spec.js';
import type { Millis } from '../core/types.js';
import { ConfigSyntaxError } from './lexer.js';
import { MAX_NAMES_PER_LIST } from './limits.js';
import { parseListenAddress } from './listen-address.js';
import type { Statement } from './statements.js';

/** The values of settings, each checked on its own line. */

const words = (s: Statement): string[] => s.args.map((t) => t.text);
const fail = (s: Statement, message: string) => new ConfigSyntaxError(s.line, message);

/** "em0 bge0", "em0, bge0" and the BSD "em0:bge0" all list two names; each is checked here. */
export function names(s: Statement, group: string): string[] {
  const list = s.args.flatMap((t) => (t.kind === 'word' ? t.text.split(':') : [t.text]));
  if (list.length === 0) throw fail(s, `${s.keyword}: no interfaces listed`);
  if (list.length > MAX_NAMES_PER_LIST) throw fail(s, `group ${group}: ${s.keyword}: ${list.length} names, more than ${MAX_NAMES_PER_LIST}`);
  const seen = new Set<string>();
  for (const name of list) {
    const problem = invalidPattern(name);
    if (problem !== undefined) throw fail(s, `group ${group}: ${problem}`);
    if (seen.has(name)) throw fail(s, `group ${group}: ${quote(name)} is listed twice`);
    seen.add(name);
  }
  return list;
}

export function policy(s: Statement): Policy {
  const [kind, count, ...rest] = words(s);
  if (rest.length === 0) {
    if ((kind === 'all' || kind === 'any') && count === undefined) return { kind };
    if (kind === 'min' && count !== undefined) {
      if (!/^[1-9]\d{0,3}$/.test(count)) throw fail(s, `policy min: ${quote(count)} is not a count of 1 or more`);
      return { kind: 'min', count: Number(count) };
    }
  }
  throw fail(s, `policy: expected all, any or min N, not ${quote(words(s).join(' '))}`);
}

const DAMPING_KEYS: ReadonlyMap<string, keyof DampingSpec> = new Map([
  ['penalty', 'penalty'],
  ['half-life', 'halfLife'],
  ['suppress', 'suppress'],
  ['reuse', 'reuse'],
  ['max-suppress', 'maxSuppress'],
]);

/** `damping` alone takes the defaults; `damping suppress 3000 half-life 10s` changes some. */
export function damping(s: Statement, group: string): DampingSpec {
  const spec: Record<keyof DampingSpec, number> = { ...DEFAULT_DAMPING };
  const args = words(s);
  if (args.length % 2 !== 0) throw fail(s, `damping: ${quote(args.at(-1)!)} has no value`);
  for (let i = 0; i < args.length; i += 2) {
    const key = DAMPING_KEYS.get(args[i]!);
    if (key === undefined) {
      throw fail(s, `damping: unknown parameter ${quote(args[i]!)} (expected ${[...DAMPING_KEYS.keys()].join(', ')})`);
    }
    const value = args[i + 1]!;
    spec[key] = key === 'halfLife' || key === 'maxSuppress' ? duration(s, value) : count(s, args[i]!, value);
  }
  const problem = dampingProblem(spec);
  if (problem !== undefined) throw fail(s, `group ${group}: ${problem}`);
  return spec;
}

function dampingProblem(d: DampingSpec): string | undefined {
  if (d.penalty <= 0) return 'damping penalty must be above 0';
  if (d.halfLife <= 0) return 'damping half-life must be above 0';
  if (d.reuse <= 0 || d.reuse >= d.suppress) return `damping reuse (${d.reuse}) must be above 0 and below suppress (${d.suppress})`;
  if (d.maxSuppress < d.halfLife) return 'damping max-suppress must be at least the half-life';
  return undefined;
}

export function action(s: Statement, group: string): ActionSpec {
  const [kind, path, ...rest] = words(s);
  if (kind === 'frr-vrrp') return frrVrrp(group, s, words(s).slice(1));
  if ((kind === 'admin' || kind === 'protodown') && path === undefined) return { kind };
  if (kind === 'keepalived-track-file' && path !== undefined && rest.length === 0) {
    if (!isAbsolute(path)) throw fail(s, `group ${group}: track file ${quote(path)} must be an absolute path`);
    return { kind: 'track-file', path };
  }
  throw fail(s, 'action: expected admin, protodown, keepalived-track-file PATH or frr-vrrp INTERFACE VRID shutdown|priority UP DOWN');
}

const FRR_USAGE = 'action frr-vrrp: expected INTERFACE VRID shutdown|priority UP DOWN [socket PATH]';

/** `frr-vrrp lan0 5 shutdown` or `frr-vrrp lan0 5 priority 200 150`, then optionally `socket /path/vrrpd.vty`. */
function frrVrrp(group: string, s: Statement, args: readonly string[]): FrrVrrpAction {
  const [iface, vridText, modeWord, ...rest] = args;
  if (iface === undefined || vridText === undefined || modeWord === undefined) throw fail(s, FRR_USAGE);
  const ifProblem = invalidIfName(iface);
  if (ifProblem !== undefined) throw fail(s, `group ${group}: frr-vrrp: ${ifProblem}`);
  const vrid = frrNumber(s, 'VRID', vridText, 1, 255);
  let mode: FrrVrrpMode;
  let tail: readonly string[];
  if (modeWord === 'shutdown') {
    mode = { kind: 'shutdown' };
    tail = rest;
  } else if (modeWord === 'priority' && rest.length >= 2) {
    // vrrpd takes 1-254 (255 is the address owner's, which a demotion cannot be).
    const up = frrNumber(s, 'priority', rest[0]!, 1, 254);
    const down = frrNumber(s, 'priority', rest[1]!, 1, 254);
    if (down >= up) throw fail(s, `group ${group}: frr-vrrp: the priority while down (${down}) must be below the priority while up (${up})`);
    mode = { kind: 'priority', up, down };
    tail = rest.slice(2);
  } else {
    throw fail(s, FRR_USAGE);
  }
  let socket = FRR_VRRPD_SOCKET;
  if (tail.length > 0) {
    if (tail.length !== 2 || tail[0] !== 'socket') throw fail(s, FRR_USAGE);
    socket = tail[1]!;
    if (!isAbsolute(socket)) throw fail(s, `group ${group}: frr-vrrp: socket ${quote(socket)} must be an absolute path`);
  }
  return { kind: 'frr-vrrp', interface: iface, vrid, mode, socket };
}

function frrNumber(s: Statement, what: string, text: string, min: number, max: number): number {
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw fail(s, `action frr-vrrp: ${what} ${quote(text)} is not a number from ${min} to ${max}`);
  return n;
}

/** `hook /path/to/program [ARG...]`. */
export function hook(s: Statement, group: string): { path: string; args: string[] } {
  const [path, ...args] = words(s);
  if (path === undefined) throw fail(s, 'expected: hook /path/to/program [ARG...]');
  if (!isAbsolute(path)) throw fail(s, `group ${group}: hook ${quote(path)} must be an absolute path`);
  return { path, args };
}

export function absolutePath(s: Statement): string {
  const path = one(s);
  if (!isAbsolute(path)) throw fail(s, `${s.keyword} ${quote(path)} must be an absolute path`);
  return path;
}

export function one(s: Statement): string {
  if (s.args.length !== 1) throw fail(s, `${s.keyword}: expected one value, got ${s.args.length}`);
  return s.args[0]!.text;
}

export function duration(s: Statement, text: string): Millis {
  // parseDuration echoes its input: a long one is refused before it can be.
  if (text.length > 32) throw fail(s, `${s.keyword}: ${quote(text)} is not a duration`);
  try {
    return parseDuration(text);
  } catch (err) {
    throw fail(s, `${s.keyword}: ${(err as Error).message}`);
  }
}

/** `down-delay 2s`: one duration. */
export const oneDuration = (s: Statement): Millis => duration(s, one(s));

/** `hook-timeout T`: a hook that may not run at all would be no hook. */
export function hookTimeout(s: Statement, group: string): Millis {
  const timeout = oneDuration(s);
  if (timeout <= 0) throw fail(s, `group ${group}: hook-timeout must be above 0`);
  return timeout;
}

const MAX_KERNEL_GROUP = 0xffff_ffff;

/** `atomic`, or `atomic group N` with N a kernel interface group other than 0 (the kernel's default group). */
export function atomic(s: Statement): AtomicSpec {
  const args = words(s);
  if (args.length === 0) return {};
  const [word, number] = args;
  if (args.length === 2 && word === 'group' && /^[1-9]\d{0,9}$/.test(number!) && Number(number) <= MAX_KERNEL_GROUP) {
    return { group: Number(number) };
  }
  throw fail(s, `atomic: expected 'atomic' or 'atomic group N' (N from 1 to ${MAX_KERNEL_GROUP}), not '${args.join(' ')}'`);
}

/** `metrics-listen 127.0.0.1:9732`: where /metrics is served. */
export function metricsListen(s: Statement): ListenAddress {
  const text = one(s);
  try {
    return parseListenAddress(text);
  } catch (err) {
    throw fail(s, `metrics-listen ${quote(text)}: ${(err as Error).message}`);
  }
}

function count(s: Statement, key: string, text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw fail(s, `damping ${key}: ${quote(text)} is not a whole number`);
  return Number(text);
}

export function unknown(s: Statement, expected: readonly string[], where: string): ConfigSyntaxError {
  return fail(s, `unknown setting ${quote(s.keyword)} ${where} (expected ${expected.join(', ')})`);
}

/** `protodown-reason N`: ifdepd's bit in the interface's protodown reasons. */
export function reasonBit(s: Statement): number {
  try {
    return parseReasonBit(one(s));
  } catch (err) {
    if (err instanceof ConfigSyntaxError) throw err;
    throw fail(s, `${s.keyword}: ${(err as Error).message}`);
  }
}
