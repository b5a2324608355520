import { parseDuration } from '../core/duration.js';
import type { Millis } from '../core/types.js';
import { parseAtomic } from './atomic-setting.js';
import { ConfigSyntaxError, tokenize, type Token } from './lexer.js';
import {
  DEFAULT_DAMPING,
  DEFAULT_DOWN_DELAY,
  DEFAULT_HOOK_TIMEOUT,
  DEFAULT_UP_DELAY,
  type ActionSpec,
  type AtomicSpec,
  type DampingSpec,
  type GroupSpec,
  type HookSpec,
  type Policy,
} from '../core/spec.js';

/** A hook as written: its line is where a refused hook is reported. */
export interface ParsedHook extends HookSpec {
  readonly line: number;
}

/** A group as written, before the checks that look across groups. */
export interface ParsedGroup extends GroupSpec {
  readonly line: number;
  readonly hooks: readonly ParsedHook[];
}

export interface ParsedConfig {
  readonly groups: readonly ParsedGroup[];
  readonly startupHold: Millis;
  readonly controlSocket?: string;
}

/** One line's words: `keyword arg arg...`. */
interface Statement {
  readonly line: number;
  readonly keyword: string;
  readonly args: readonly Token[];
  /** The statement ended with '{'. */
  readonly opensBlock: boolean;
}

const GROUP_SETTINGS = ['sources', 'destinations', 'policy', 'down-delay', 'up-delay', 'damping', 'action', 'hook', 'hook-timeout', 'atomic'];
const TOP_SETTINGS = ['group', 'startup-hold', 'control-socket'];

/**
 * Parses ifdepd.conf:
 *
 *   startup-hold 30s
 *   group uplink {
 *       sources em0 bge0
 *       destinations "vrrp.*"
 *       policy all
 *       down-delay 0
 *       up-delay 2s
 *   }
 */
export function parseConfig(text: string): ParsedConfig {
  const statements = new StatementReader(tokenize(text));
  const groups: ParsedGroup[] = [];
  let startupHold: Millis | undefined;
  let controlSocket: string | undefined;
  for (let s = statements.next(); s !== undefined; s = statements.next()) {
    switch (s.keyword) {
      case 'group':
        groups.push(parseGroup(s, statements));
        break;
      case 'startup-hold':
        if (startupHold !== undefined) throw new ConfigSyntaxError(s.line, 'startup-hold given twice');
        startupHold = duration(s, one(s));
        break;
      case 'control-socket':
        if (controlSocket !== undefined) throw new ConfigSyntaxError(s.line, 'control-socket given twice');
        controlSocket = one(s);
        break;
      default:
        throw unknown(s, TOP_SETTINGS, 'at top level');
    }
    if (s.opensBlock && s.keyword !== 'group') throw new ConfigSyntaxError(s.line, `'{' after ${s.keyword}`);
  }
  return { groups, startupHold: startupHold ?? 0, ...(controlSocket !== undefined ? { controlSocket } : {}) };
}

class StatementReader {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** The next statement, or undefined at the end; '}' comes back as keyword '}'. */
  next(): Statement | undefined {
    while (this.peek()?.kind === 'newline') this.i += 1;
    const first = this.peek();
    if (first === undefined) return undefined;
    this.i += 1;
    if (first.kind === '}') {
      this.endOfLine(first);
      return { line: first.line, keyword: '}', args: [], opensBlock: false };
    }
    if (first.kind === '{') throw new ConfigSyntaxError(first.line, "unexpected '{'");
    const args: Token[] = [];
    let opensBlock = false;
    for (let t = this.peek(); t !== undefined && t.kind !== 'newline'; t = this.peek()) {
      this.i += 1;
      if (t.kind === '{') {
        opensBlock = true;
        this.endOfLine(t);
        break;
      }
      if (t.kind === '}') throw new ConfigSyntaxError(t.line, "'}' must stand on a line of its own");
      args.push(t);
    }
    return { line: first.line, keyword: first.text, args, opensBlock };
  }

  private endOfLine(after: Token): void {
    const t = this.peek();
    if (t !== undefined && t.kind !== 'newline') {
      throw new ConfigSyntaxError(t.line, `unexpected '${t.text}' after '${after.text}'`);
    }
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
}

interface GroupDraft {
  sources?: string[];
  destinations?: string[];
  policy?: Policy;
  down?: Millis;
  up?: Millis;
  damping?: DampingSpec;
  action?: ActionSpec;
  hooks: Array<Omit<ParsedHook, 'timeoutMs'>>;
  hookTimeout?: Millis;
  atomic?: AtomicSpec & { readonly line: number };
}

function parseGroup(head: Statement, statements: StatementReader): ParsedGroup {
  if (head.args.length !== 1) throw new ConfigSyntaxError(head.line, 'expected: group NAME {');
  if (!head.opensBlock) throw new ConfigSyntaxError(head.line, `group ${head.args[0]!.text}: '{' missing`);
  const name = head.args[0]!.text;
  const draft: GroupDraft = { hooks: [] };
  for (;;) {
    const s = statements.next();
    if (s === undefined) throw new ConfigSyntaxError(head.line, `group ${name}: '}' missing`);
    if (s.keyword === '}') break;
    if (s.opensBlock) throw new ConfigSyntaxError(s.line, `group ${name}: '{' after ${s.keyword}`);
    parseSetting(name, s, draft);
  }
  const hookTimeout = draft.hookTimeout ?? parseDuration(DEFAULT_HOOK_TIMEOUT);
  if (draft.atomic !== undefined && draft.action?.kind === 'track-file') {
    throw new ConfigSyntaxError(draft.atomic.line, `group ${name}: atomic switches interfaces; keepalived-track-file has none`);
  }
  return {
    line: head.line,
    name,
    sources: draft.sources ?? [],
    destinations: draft.destinations ?? [],
    policy: draft.policy ?? { kind: 'all' },
    delays: { down: draft.down ?? parseDuration(DEFAULT_DOWN_DELAY), up: draft.up ?? parseDuration(DEFAULT_UP_DELAY) },
    ...(draft.damping ? { damping: draft.damping } : {}),
    action: draft.action ?? { kind: 'admin' },
    hooks: draft.hooks.map((h) => ({ ...h, timeoutMs: hookTimeout })),
    ...(draft.atomic ? { atomic: draft.atomic.group === undefined ? {} : { group: draft.atomic.group } } : {}),
  };
}

function parseSetting(group: string, s: Statement, d: GroupDraft): void {
  const twice = (present: unknown) => {
    if (present !== undefined) throw new ConfigSyntaxError(s.line, `group ${group}: ${s.keyword} given twice`);
  };
  switch (s.keyword) {
    case 'sources':
      twice(d.sources);
      d.sources = names(s);
      return;
    case 'destinations':
      twice(d.destinations);
      d.destinations = names(s);
      return;
    case 'policy':
      twice(d.policy);
      d.policy = policy(s);
      return;
    case 'down-delay':
      twice(d.down);
      d.down = duration(s, one(s));
      return;
    case 'up-delay':
      twice(d.up);
      d.up = duration(s, one(s));
      return;
    case 'damping':
      twice(d.damping);
      d.damping = damping(s);
      return;
    case 'action':
      twice(d.action);
      d.action = action(s);
      return;
    case 'hook':
      if (s.args.length === 0) throw new ConfigSyntaxError(s.line, 'expected: hook /path/to/program [ARG...]');
      d.hooks.push({ line: s.line, path: s.args[0]!.text, args: s.args.slice(1).map((t) => t.text) });
      return;
    case 'hook-timeout':
      twice(d.hookTimeout);
      d.hookTimeout = duration(s, one(s));
      return;
    case 'atomic':
      twice(d.atomic);
      d.atomic = { line: s.line, ...parseAtomic(s.line, s.args.map((t) => t.text)) };
      return;
    default:
      throw unknown(s, GROUP_SETTINGS, `in group ${group}`);
  }
}

/** "em0 bge0", "em0, bge0" and the BSD "em0:bge0" all list two names. */
function names(s: Statement): string[] {
  const list = s.args.flatMap((t) => (t.kind === 'word' ? t.text.split(':') : [t.text]));
  if (list.length === 0) throw new ConfigSyntaxError(s.line, `${s.keyword}: no interfaces listed`);
  return list;
}

function policy(s: Statement): Policy {
  const [kind, count, ...rest] = s.args.map((t) => t.text);
  if (rest.length === 0) {
    if ((kind === 'all' || kind === 'any') && count === undefined) return { kind };
    if (kind === 'min' && count !== undefined) {
      if (!/^[1-9]\d{0,3}$/.test(count)) throw new ConfigSyntaxError(s.line, `policy min: '${count}' is not a count of 1 or more`);
      return { kind: 'min', count: Number(count) };
    }
  }
  throw new ConfigSyntaxError(s.line, `policy: expected all, any or min N, not '${s.args.map((t) => t.text).join(' ')}'`);
}

const DAMPING_KEYS: Readonly<Record<string, keyof DampingSpec>> = {
  penalty: 'penalty',
  'half-life': 'halfLife',
  suppress: 'suppress',
  reuse: 'reuse',
  'max-suppress': 'maxSuppress',
};

/** `damping` alone takes the defaults; `damping suppress 3000 half-life 10s` changes some. */
function damping(s: Statement): DampingSpec {
  const spec: Record<keyof DampingSpec, number> = { ...DEFAULT_DAMPING };
  const args = s.args.map((t) => t.text);
  if (args.length % 2 !== 0) throw new ConfigSyntaxError(s.line, `damping: '${args.at(-1)}' has no value`);
  for (let i = 0; i < args.length; i += 2) {
    const key = DAMPING_KEYS[args[i]!];
    if (key === undefined) {
      throw new ConfigSyntaxError(s.line, `damping: unknown parameter '${args[i]}' (expected ${Object.keys(DAMPING_KEYS).join(', ')})`);
    }
    const value = args[i + 1]!;
    spec[key] = key === 'halfLife' || key === 'maxSuppress' ? duration(s, value) : count(s, args[i]!, value);
  }
  return spec;
}

function action(s: Statement): ActionSpec {
  const [kind, path, ...rest] = s.args.map((t) => t.text);
  if ((kind === 'admin' || kind === 'protodown') && path === undefined) return { kind };
  if (kind === 'keepalived-track-file' && path !== undefined && rest.length === 0) return { kind: 'track-file', path };
  throw new ConfigSyntaxError(s.line, 'action: expected admin, protodown or keepalived-track-file PATH');
}

function one(s: Statement): string {
  if (s.args.length !== 1) throw new ConfigSyntaxError(s.line, `${s.keyword}: expected one value, got ${s.args.length}`);
  return s.args[0]!.text;
}

function duration(s: Statement, text: string): Millis {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new ConfigSyntaxError(s.line, `${s.keyword}: ${(err as Error).message}`);
  }
}

function count(s: Statement, key: string, text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new ConfigSyntaxError(s.line, `damping ${key}: '${text}' is not a whole number`);
  return Number(text);
}

function unknown(s: Statement, expected: readonly string[], where: string): ConfigSyntaxError {
  return new ConfigSyntaxError(s.line, `unknown setting '${s.keyword}' ${where} (expected ${expected.join(', ')})`);
}
