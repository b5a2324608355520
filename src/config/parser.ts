import { parseDuration } from '../core/duration.js';
import { quote } from '../core/quote.js';
import type { Millis } from '../core/types.js';
import { parseAtomic } from './atomic-setting.js';
import { ConfigSyntaxError, tokenize } from './lexer.js';
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
  type MetricsSettings,
  type Policy,
} from '../core/spec.js';
import type { ListenAddress } from '../core/listen-address.js';
import { metricsListen } from './metrics-settings.js';
import { addressSource, pingSource, routeSource } from './sources.js';
import { sourceName, type SourceSpec } from '../core/sources/spec.js';
import { StatementReader, type Statement } from './statements.js';
import { absolutePath, action, damping, duration, hook, names, one, policy, reasonBit, unknown } from './values.js';

/** A group as written, before the checks that look across groups. */
export interface ParsedGroup extends GroupSpec {
  /** The `group NAME {` line. */
  readonly line: number;
  /** The line of each setting given, by keyword, for errors that involve several. */
  readonly lines: Readonly<Record<string, number>>;
  /** The line of each hook, in order. */
  readonly hookLines: readonly number[];
}

export interface ParsedConfig {
  readonly groups: readonly ParsedGroup[];
  readonly startupHold: Millis;
  readonly controlSocket?: string;
  readonly metrics?: MetricsSettings;
  readonly protodownReason?: number;
  /** The line of each top-level setting given, by keyword. */
  readonly lines: Readonly<Record<string, number>>;
}

const GROUP_SETTINGS = ['sources', 'route', 'address', 'ping', 'destinations', 'policy', 'down-delay', 'up-delay', 'damping', 'action', 'hook', 'hook-timeout', 'atomic'];
const TOP_SETTINGS = ['group', 'startup-hold', 'control-socket', 'metrics-listen', 'metrics-file', 'protodown-reason'];

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
 *
 * Every value is checked on its own line, so that an error names that line.
 */
export function parseConfig(text: string): ParsedConfig {
  const statements = new StatementReader(tokenize(text));
  const groups: ParsedGroup[] = [];
  const lines: Record<string, number> = {};
  let startupHold: Millis | undefined;
  let controlSocket: string | undefined;
  let listen: ListenAddress | undefined;
  let file: string | undefined;
  let protodownReason: number | undefined;
  for (let s = statements.next(); s !== undefined; s = statements.next()) {
    if (s.keyword === 'group') {
      groups.push(parseGroup(s, statements));
      continue;
    }
    if (!TOP_SETTINGS.includes(s.keyword)) throw unknown(s, TOP_SETTINGS, 'at top level');
    if (lines[s.keyword] !== undefined) throw new ConfigSyntaxError(s.line, `${s.keyword} given twice`);
    if (s.opensBlock) throw new ConfigSyntaxError(s.line, `'{' after ${s.keyword}`);
    lines[s.keyword] = s.line;
    if (s.keyword === 'startup-hold') startupHold = duration(s, one(s));
    else if (s.keyword === 'control-socket') controlSocket = absolutePath(s);
    else if (s.keyword === 'metrics-listen') listen = metricsListen(s);
    else if (s.keyword === 'protodown-reason') protodownReason = reasonBit(s);
    else file = absolutePath(s);
  }
  const metrics = { ...(listen !== undefined ? { listen } : {}), ...(file !== undefined ? { file } : {}) };
  return {
    groups,
    startupHold: startupHold ?? 0,
    ...(controlSocket !== undefined ? { controlSocket } : {}),
    ...(Object.keys(metrics).length > 0 ? { metrics } : {}),
    ...(protodownReason !== undefined ? { protodownReason } : {}),
    lines,
  };
}

interface GroupDraft {
  sources?: string[];
  otherSources: SourceSpec[];
  destinations?: string[];
  policy?: Policy;
  down?: Millis;
  up?: Millis;
  damping?: DampingSpec;
  action?: ActionSpec;
  hooks: Array<Omit<HookSpec, 'timeoutMs'>>;
  hookTimeout?: Millis;
  atomic?: AtomicSpec;
  lines: Record<string, number>;
  hookLines: number[];
}

function parseGroup(head: Statement, statements: StatementReader): ParsedGroup {
  if (head.args.length !== 1) throw new ConfigSyntaxError(head.line, 'expected: group NAME {');
  const name = head.args[0]!.text;
  // Checked first: every later message names the group.
  if (!GROUP_NAME.test(name)) throw new ConfigSyntaxError(head.line, `group name ${quote(name)} must be 1-64 letters, digits, '_', '.' or '-'`);
  if (!head.opensBlock) throw new ConfigSyntaxError(head.line, `group ${name}: '{' missing`);
  const draft: GroupDraft = { otherSources: [], hooks: [], lines: {}, hookLines: [] };
  for (;;) {
    const s = statements.next();
    if (s === undefined) throw new ConfigSyntaxError(head.line, `group ${name}: '}' missing`);
    if (s.keyword === '}') break;
    if (s.opensBlock) throw new ConfigSyntaxError(s.line, `group ${name}: '{' after ${s.keyword}`);
    parseSetting(name, s, draft);
  }
  const hookTimeout = draft.hookTimeout ?? parseDuration(DEFAULT_HOOK_TIMEOUT);
  if (draft.atomic !== undefined && (draft.action?.kind === 'track-file' || draft.action?.kind === 'frr-vrrp')) {
    const kind = draft.action.kind === 'track-file' ? 'keepalived-track-file' : 'frr-vrrp';
    throw new ConfigSyntaxError(draft.lines['atomic']!, `group ${name}: atomic switches interfaces; ${kind} has none`);
  }
  return {
    line: head.line,
    lines: draft.lines,
    hookLines: draft.hookLines,
    name,
    sources: draft.sources ?? [],
    ...(draft.otherSources.length > 0 ? { otherSources: draft.otherSources } : {}),
    destinations: draft.destinations ?? [],
    policy: draft.policy ?? { kind: 'all' },
    delays: { down: draft.down ?? parseDuration(DEFAULT_DOWN_DELAY), up: draft.up ?? parseDuration(DEFAULT_UP_DELAY) },
    ...(draft.damping ? { damping: draft.damping } : {}),
    action: draft.action ?? { kind: 'admin' },
    hooks: draft.hooks.map((h) => ({ ...h, timeoutMs: hookTimeout })),
    ...(draft.atomic ? { atomic: draft.atomic } : {}),
  };
}

function parseSetting(group: string, s: Statement, d: GroupDraft): void {
  const twice = (present: unknown) => {
    if (present !== undefined) throw new ConfigSyntaxError(s.line, `group ${group}: ${s.keyword} given twice`);
  };
  if (GROUP_SETTINGS.includes(s.keyword)) d.lines[s.keyword] ??= s.line;
  switch (s.keyword) {
    case 'sources':
      twice(d.sources);
      d.sources = names(group, s);
      return bothWays(group, s, d);
    case 'route':
      return addOtherSource(group, s, d, routeSource(group, s));
    case 'address':
      return addOtherSource(group, s, d, addressSource(group, s));
    case 'ping':
      return addOtherSource(group, s, d, pingSource(group, s));
    case 'destinations':
      twice(d.destinations);
      d.destinations = names(group, s);
      return bothWays(group, s, d);
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
      d.damping = damping(group, s);
      return;
    case 'action':
      twice(d.action);
      d.action = action(group, s);
      return;
    case 'hook':
      d.hooks.push(hook(group, s));
      d.hookLines.push(s.line);
      return;
    case 'hook-timeout':
      twice(d.hookTimeout);
      d.hookTimeout = duration(s, one(s));
      if (d.hookTimeout <= 0) throw new ConfigSyntaxError(s.line, `group ${group}: hook-timeout must be above 0`);
      return;
    case 'atomic':
      twice(d.atomic);
      d.atomic = parseAtomic(s.line, s.args.map((t) => t.text));
      return;
    default:
      throw unknown(s, GROUP_SETTINGS, `in group ${group}`);
  }
}

/** The same probe twice in a group would count twice under `min N`. */
function addOtherSource(group: string, s: Statement, d: GroupDraft, probe: SourceSpec): void {
  const name = sourceName(probe);
  if (d.otherSources.some((p) => sourceName(p) === name)) throw new ConfigSyntaxError(s.line, `group ${group}: ${quote(name)} is given twice`);
  d.otherSources.push(probe);
}

/** A name both a source and a destination would hold its group down for ever. */
function bothWays(group: string, s: Statement, d: GroupDraft): void {
  if (d.sources === undefined || d.destinations === undefined) return;
  const destinations = new Set(d.destinations);
  const both = d.sources.find((name) => destinations.has(name));
  if (both !== undefined) throw new ConfigSyntaxError(s.line, `group ${group}: ${quote(both)} is both a source and a destination`);
}
