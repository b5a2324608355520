import { parseDuration } from '../core/duration.js';
import type { ListenAddress } from '../core/listen-address.js';
import { quote } from '../core/quote.js';
import { sourceName, type SourceSpec } from '../core/sources/spec.js';
import {
  DEFAULT_DOWN_DELAY,
  DEFAULT_HOOK_TIMEOUT,
  DEFAULT_UP_DELAY,
  GROUP_NAME,
  type ActionSpec,
  type AtomicSpec,
  type DampingSpec,
  type GroupSpec,
  type HookSpec,
  type Policy,
} from '../core/spec.js';
import type { Millis } from '../core/types.js';
import { ConfigSyntaxError } from './lexer.js';
import { addressSource, pingSource, routeSource } from './sources.js';
import type { Statement, StatementReader } from './statements.js';
import { absolutePath, action, atomic, damping, hook, hookTimeout, metricsListen, names, oneDuration, policy, reasonBit, unknown } from './values.js';

/**
 * The settings of ifdepd.conf, one row each, as systemd-networkd's gperf table and OpenBSD
 * ifstated's keyword list: the keyword, where it may stand, whether it may be given again,
 * how its value is read and where the value goes. Adding a setting is adding a row: the
 * parser, its "unknown setting" messages and the test of ifdepd.conf(5)
 * (test/unit/docs/manpage.test.ts) all read this table.
 */

/** Where a setting may stand: at the top of the file, in a group, or in either. */
export type Scope = 'global' | 'group' | 'both';

/** Once: a second line is refused ("given twice"). Repeated: every line adds to the first. */
export type Times = 'once' | 'repeated';

/** A group as written, before the checks that look across groups. */
export interface ParsedGroup extends GroupSpec {
  /** The `group NAME {` line. */
  readonly line: number;
  /** The line of each setting given (the first, for one given again), by keyword, for errors that involve several. */
  readonly lines: Readonly<Record<string, number>>;
  /** The line of each hook, in order. */
  readonly hookLines: readonly number[];
}

/** The top of the file as read so far; parser.ts turns it into a ParsedConfig. */
export interface FileDraft {
  readonly groups: ParsedGroup[];
  startupHold?: Millis;
  controlSocket?: string;
  metricsListen?: ListenAddress;
  metricsFile?: string;
  protodownReason?: number;
  readonly lines: Record<string, number>;
}

/** A group as read so far, from its `group NAME {` line to its '}'. */
export interface GroupDraft {
  readonly name: string;
  readonly line: number;
  sources?: string[];
  readonly otherSources: SourceSpec[];
  destinations?: string[];
  policy?: Policy;
  down?: Millis;
  up?: Millis;
  damping?: DampingSpec;
  action?: ActionSpec;
  readonly hooks: Array<Omit<HookSpec, 'timeoutMs'>>;
  hookTimeout?: Millis;
  atomic?: AtomicSpec;
  readonly lines: Record<string, number>;
  readonly hookLines: number[];
}

/** What a setting is read into, by where it may stand. */
interface Drafts {
  global: FileDraft;
  group: GroupDraft;
  both: FileDraft | GroupDraft;
}

/** The group a setting stands in, for messages: none at the top of the file. */
interface Groups {
  global: undefined;
  group: string;
  both: string | undefined;
}

/** One row, as written in the table. */
interface Row<S extends Scope, V> {
  readonly name: string;
  readonly scope: S;
  readonly times: Times;
  /** Reads the value, every part checked on the statement's line. */
  readonly value: (s: Statement, group: Groups[S], statements: StatementReader) => V;
  /** Puts the value into the draft; a check against settings read before is made here. */
  readonly assign: (draft: Drafts[S], value: V, s: Statement) => void;
  /** The statement ends with '{' (`group NAME {`): its value reads the block. */
  readonly opensBlock?: true;
}

/** A block of the file (its top, or a group) and the draft its statements are read into. */
export type Block = { readonly scope: 'global'; readonly draft: FileDraft } | { readonly scope: 'group'; readonly draft: GroupDraft };

/** A row as the parser uses it, its value's type hidden. */
export interface Setting {
  readonly name: string;
  readonly scope: Scope;
  readonly times: Times;
  readonly opensBlock: boolean;
  readonly read: (s: Statement, block: Block, statements: StatementReader) => void;
}

function row<S extends Scope, V>(r: Row<S, V>): Setting {
  const read = (s: Statement, block: Block, statements: StatementReader): void => {
    // readSetting() looks a statement up among the rows that may stand in its block: a row
    // of scope S is only ever given a block of that scope.
    const draft = block.draft as Drafts[S];
    const group = (block.scope === 'group' ? block.draft.name : undefined) as Groups[S];
    r.assign(draft, r.value(s, group, statements), s);
  };
  return { name: r.name, scope: r.scope, times: r.times, opensBlock: r.opensBlock === true, read };
}

/** The settings, in the order the "unknown setting" messages list them. */
export const SETTINGS: readonly Setting[] = [
  row({ name: 'group', scope: 'global', times: 'repeated', opensBlock: true, value: (head, _, statements) => readGroup(head, statements), assign: (f, v) => { f.groups.push(v); } }),
  row({ name: 'startup-hold', scope: 'global', times: 'once', value: oneDuration, assign: (f, v) => { f.startupHold = v; } }),
  row({ name: 'control-socket', scope: 'global', times: 'once', value: absolutePath, assign: (f, v) => { f.controlSocket = v; } }),
  row({ name: 'metrics-listen', scope: 'global', times: 'once', value: metricsListen, assign: (f, v) => { f.metricsListen = v; } }),
  row({ name: 'metrics-file', scope: 'global', times: 'once', value: absolutePath, assign: (f, v) => { f.metricsFile = v; } }),
  row({ name: 'protodown-reason', scope: 'global', times: 'once', value: reasonBit, assign: (f, v) => { f.protodownReason = v; } }),
  row({ name: 'sources', scope: 'group', times: 'once', value: names, assign: (g, v, s) => { g.sources = v; bothWays(g, s); } }),
  row({ name: 'route', scope: 'group', times: 'repeated', value: routeSource, assign: addSource }),
  row({ name: 'address', scope: 'group', times: 'repeated', value: addressSource, assign: addSource }),
  row({ name: 'ping', scope: 'group', times: 'repeated', value: pingSource, assign: addSource }),
  row({ name: 'destinations', scope: 'group', times: 'once', value: names, assign: (g, v, s) => { g.destinations = v; bothWays(g, s); } }),
  row({ name: 'policy', scope: 'group', times: 'once', value: policy, assign: (g, v) => { g.policy = v; } }),
  row({ name: 'down-delay', scope: 'group', times: 'once', value: oneDuration, assign: (g, v) => { g.down = v; } }),
  row({ name: 'up-delay', scope: 'group', times: 'once', value: oneDuration, assign: (g, v) => { g.up = v; } }),
  row({ name: 'damping', scope: 'group', times: 'once', value: damping, assign: (g, v) => { g.damping = v; } }),
  row({ name: 'action', scope: 'group', times: 'once', value: action, assign: (g, v) => { g.action = v; } }),
  row({ name: 'hook', scope: 'group', times: 'repeated', value: hook, assign: (g, v, s) => { g.hooks.push(v); g.hookLines.push(s.line); } }),
  row({ name: 'hook-timeout', scope: 'group', times: 'once', value: hookTimeout, assign: (g, v) => { g.hookTimeout = v; } }),
  row({ name: 'atomic', scope: 'group', times: 'once', value: atomic, assign: (g, v) => { g.atomic = v; } }),
];

/** The settings that may stand at the top of the file, or in a group, in the table's order. */
export function settingsIn(where: Exclude<Scope, 'both'>): readonly Setting[] {
  return SETTINGS.filter((s) => s.scope === where || s.scope === 'both');
}

/** Reads one statement of a block into the block's draft, by the row of its keyword. */
export function readSetting(s: Statement, block: Block, statements: StatementReader): void {
  const rows = settingsIn(block.scope);
  const setting = rows.find((r) => r.name === s.keyword);
  const group = block.scope === 'group' ? block.draft.name : undefined;
  if (setting === undefined) {
    throw unknown(s, rows.map((r) => r.name), group === undefined ? 'at top level' : `in group ${group}`);
  }
  const inGroup = group === undefined ? '' : `group ${group}: `;
  const lines = block.draft.lines;
  if (setting.times === 'once' && lines[s.keyword] !== undefined) throw new ConfigSyntaxError(s.line, `${inGroup}${s.keyword} given twice`);
  if (s.opensBlock && !setting.opensBlock) throw new ConfigSyntaxError(s.line, `${inGroup}'{' after ${s.keyword}`);
  lines[s.keyword] ??= s.line;
  setting.read(s, block, statements);
}

/** `group NAME {`, its settings, and the '}' on a line of its own. */
function readGroup(head: Statement, statements: StatementReader): ParsedGroup {
  if (head.args.length !== 1) throw new ConfigSyntaxError(head.line, 'expected: group NAME {');
  const name = head.args[0]!.text;
  // Checked first: every later message names the group.
  if (!GROUP_NAME.test(name)) throw new ConfigSyntaxError(head.line, `group name ${quote(name)} must be 1-64 letters, digits, '_', '.' or '-'`);
  if (!head.opensBlock) throw new ConfigSyntaxError(head.line, `group ${name}: '{' missing`);
  const draft: GroupDraft = { name, line: head.line, otherSources: [], hooks: [], lines: {}, hookLines: [] };
  for (;;) {
    const s = statements.next();
    if (s === undefined) throw new ConfigSyntaxError(head.line, `group ${name}: '}' missing`);
    if (s.keyword === '}') return finishGroup(draft);
    // No block opens inside a group: said before an unknown keyword is.
    if (s.opensBlock) throw new ConfigSyntaxError(s.line, `group ${name}: '{' after ${s.keyword}`);
    readSetting(s, { scope: 'group', draft }, statements);
  }
}

/** The group with the defaults of what it does not say. */
function finishGroup(draft: GroupDraft): ParsedGroup {
  const { name, action } = draft;
  if (draft.atomic !== undefined && (action?.kind === 'track-file' || action?.kind === 'frr-vrrp')) {
    const kind = action.kind === 'track-file' ? 'keepalived-track-file' : 'frr-vrrp';
    throw new ConfigSyntaxError(draft.lines['atomic']!, `group ${name}: atomic switches interfaces; ${kind} has none`);
  }
  const timeoutMs = draft.hookTimeout ?? parseDuration(DEFAULT_HOOK_TIMEOUT);
  return {
    line: draft.line,
    lines: draft.lines,
    hookLines: draft.hookLines,
    name,
    sources: draft.sources ?? [],
    ...(draft.otherSources.length > 0 ? { otherSources: draft.otherSources } : {}),
    destinations: draft.destinations ?? [],
    policy: draft.policy ?? { kind: 'all' },
    delays: { down: draft.down ?? parseDuration(DEFAULT_DOWN_DELAY), up: draft.up ?? parseDuration(DEFAULT_UP_DELAY) },
    ...(draft.damping ? { damping: draft.damping } : {}),
    action: action ?? { kind: 'admin' },
    hooks: draft.hooks.map((h) => ({ ...h, timeoutMs })),
    ...(draft.atomic ? { atomic: draft.atomic } : {}),
  };
}

/** The same probe twice in a group would count twice under `min N`. */
function addSource(g: GroupDraft, source: SourceSpec, s: Statement): void {
  const name = sourceName(source);
  if (g.otherSources.some((p) => sourceName(p) === name)) throw new ConfigSyntaxError(s.line, `group ${g.name}: ${quote(name)} is given twice`);
  g.otherSources.push(source);
}

/** A name both a source and a destination would hold its group down for ever. */
function bothWays(g: GroupDraft, s: Statement): void {
  if (g.sources === undefined || g.destinations === undefined) return;
  const destinations = new Set(g.destinations);
  const both = g.sources.find((name) => destinations.has(name));
  if (both !== undefined) throw new ConfigSyntaxError(s.line, `group ${g.name}: ${quote(both)} is both a source and a destination`);
}
