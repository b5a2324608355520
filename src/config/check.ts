import { isAbsolute } from 'node:path';
import picomatch from 'picomatch';
import { invalidIfName } from '../core/ifname.js';
import { isGlob, namePattern, overlap } from '../core/patterns.js';
import { GROUP_NAME } from '../core/spec.js';
import { ConfigSyntaxError } from './lexer.js';
import type { ParsedConfig, ParsedGroup } from './parser.js';

/** Checks what a single line cannot show: names, counts, and how groups relate. */
/** Far beyond any router; bounds the quadratic cross-group checks. */
export const MAX_GROUPS = 1024;

export function checkConfig(config: ParsedConfig): void {
  if (config.groups.length > MAX_GROUPS) {
    throw new ConfigSyntaxError(config.groups[MAX_GROUPS]!.line, `more than ${MAX_GROUPS} groups`);
  }
  const seen = new Map<string, number>();
  const trackFiles = new Map<string, string>();
  for (const g of config.groups) {
    if (!GROUP_NAME.test(g.name)) {
      throw new ConfigSyntaxError(g.line, `group name '${g.name}' must be 1-64 letters, digits, '_', '.' or '-'`);
    }
    const previous = seen.get(g.name);
    if (previous !== undefined) throw new ConfigSyntaxError(g.line, `group ${g.name} is already defined on line ${previous}`);
    seen.set(g.name, g.line);
    checkGroup(g);
    if (g.action.kind === 'track-file') {
      const other = trackFiles.get(g.action.path);
      if (other !== undefined) throw new ConfigSyntaxError(g.line, `group ${g.name}: track file ${g.action.path} is group ${other}'s too`);
      trackFiles.set(g.action.path, g.name);
    }
  }
  if (config.controlSocket !== undefined && !isAbsolute(config.controlSocket)) {
    throw new ConfigSyntaxError(1, `control-socket '${config.controlSocket}' must be an absolute path`);
  }
  const cycle = findCycle(config.groups);
  if (cycle !== undefined) {
    throw new ConfigSyntaxError(cycle[0]!.line, `dependency cycle: ${cycle.map((g) => g.name).join(' -> ')} -> ${cycle[0]!.name}`);
  }
}

function checkGroup(g: ParsedGroup): void {
  const fail = (message: string) => new ConfigSyntaxError(g.line, `group ${g.name}: ${message}`);
  if (g.sources.length === 0) throw fail('no sources');
  if (g.action.kind === 'track-file') {
    if (g.destinations.length > 0) throw fail('keepalived-track-file changes no interface: remove destinations');
    if (!isAbsolute(g.action.path)) throw fail(`track file '${g.action.path}' must be an absolute path`);
  } else if (g.destinations.length === 0) {
    throw fail('no destinations');
  }
  for (const name of [...g.sources, ...g.destinations]) {
    const problem = invalidPattern(name);
    if (problem !== undefined) throw fail(problem);
  }
  const dup = firstDuplicate([...g.sources, ...g.destinations]);
  if (dup !== undefined) {
    const where = g.sources.includes(dup) && g.destinations.includes(dup) ? 'both a source and a destination' : 'listed twice';
    throw fail(`'${dup}' is ${where}`);
  }
  if (g.policy.kind === 'min' && g.sources.every((s) => !isGlob(s)) && g.policy.count > g.sources.length) {
    throw fail(`policy min ${g.policy.count} can never be met with ${g.sources.length} source(s)`);
  }
  const d = g.damping;
  if (d !== undefined) {
    if (d.penalty <= 0) throw fail('damping penalty must be above 0');
    if (d.halfLife <= 0) throw fail('damping half-life must be above 0');
    if (d.reuse <= 0 || d.reuse >= d.suppress) throw fail(`damping reuse (${d.reuse}) must be above 0 and below suppress (${d.suppress})`);
    if (d.maxSuppress < d.halfLife) throw fail('damping max-suppress must be at least the half-life');
  }
  for (const h of g.hooks) {
    if (!isAbsolute(h.path)) throw fail(`hook '${h.path}' must be an absolute path`);
    if (h.timeoutMs <= 0) throw fail('hook-timeout must be above 0');
  }
}

function invalidPattern(text: string): string | undefined {
  if (!isGlob(text)) return invalidIfName(text);
  if (/[/\s:]/.test(text)) return `pattern '${text}' contains a character no interface name has`;
  try {
    picomatch.makeRe(text);
  } catch {
    return `'${text}' is not a valid glob pattern`;
  }
  return undefined;
}

function firstDuplicate(items: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item)) return item;
    seen.add(item);
  }
  return undefined;
}

/**
 * Group A feeds group B when a destination of A can be a source of B: a chain,
 * which is allowed. A cycle would make groups hold each other down for ever.
 * Two globs are compared conservatively (see overlap()).
 */
function findCycle(groups: readonly ParsedGroup[]): ParsedGroup[] | undefined {
  const feeds = new Map(
    groups.map((a) => [
      a,
      groups.filter((b) =>
        a.destinations.some((d) => b.sources.some((s) => overlap(namePattern(d), namePattern(s)))),
      ),
    ]),
  );
  const state = new Map<ParsedGroup, 'visiting' | 'done'>();
  const path: ParsedGroup[] = [];
  const visit = (g: ParsedGroup): ParsedGroup[] | undefined => {
    if (state.get(g) === 'done') return undefined;
    if (state.get(g) === 'visiting') return path.slice(path.indexOf(g));
    state.set(g, 'visiting');
    path.push(g);
    for (const next of feeds.get(g) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(g, 'done');
    return undefined;
  };
  for (const g of groups) {
    const cycle = visit(g);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}
