import { isGlob } from '../core/patterns.js';
import { sourceName } from '../core/sources/spec.js';
import { quote } from '../core/quote.js';
import { ConfigSyntaxError } from './lexer.js';
import { findCycle } from './cycles.js';
import { MAX_GLOBS, MAX_GROUPS, MAX_NAMES, MAX_PINGS, MAX_PROBES } from './limits.js';
import type { ParsedConfig } from './parser.js';
import type { ParsedGroup } from './settings.js';

/** Checks what a single line cannot show: counts, and how settings and groups relate. */
export function checkConfig(config: ParsedConfig): void {
  if (config.groups.length === 0) throw new ConfigSyntaxError(1, 'no group defined');
  if (config.groups.length > MAX_GROUPS) {
    throw new ConfigSyntaxError(config.groups[MAX_GROUPS]!.line, `more than ${MAX_GROUPS} groups`);
  }
  checkTotals(config.groups);
  const seen = new Map<string, number>();
  const trackFiles = new Map<string, string>();
  const frrInstances = new Map<string, string>();
  for (const g of config.groups) {
    const previous = seen.get(g.name);
    if (previous !== undefined) throw new ConfigSyntaxError(g.line, `group ${g.name} is already defined on line ${previous}`);
    seen.set(g.name, g.line);
    checkGroup(g);
    if (g.action.kind === 'track-file') {
      const other = trackFiles.get(g.action.path);
      if (other !== undefined) {
        throw new ConfigSyntaxError(g.lines.action ?? g.line, `group ${g.name}: track file ${quote(g.action.path)} is group ${other}'s too`);
      }
      trackFiles.set(g.action.path, g.name);
    }
    if (g.action.kind === 'frr-vrrp') {
      // Two groups telling one instance different things would undo each other.
      const key = `${g.action.socket} ${g.action.interface} ${g.action.vrid}`;
      const other = frrInstances.get(key);
      if (other !== undefined) {
        throw new ConfigSyntaxError(g.lines.action ?? g.line, `group ${g.name}: frr-vrrp ${g.action.interface} ${g.action.vrid} is group ${other}'s too`);
      }
      frrInstances.set(key, g.name);
    }
  }
  checkSharedSources(config.groups);
  const cycle = findCycle(config.groups);
  if (cycle !== undefined) {
    throw new ConfigSyntaxError(cycle[0]!.line, `dependency cycle: ${cycle.map((g) => g.name).join(' -> ')} -> ${cycle[0]!.name}`);
  }
}

/** The limits over the whole file; they bound the cost of the cycle check. */
function checkTotals(groups: readonly ParsedGroup[]): void {
  let names = 0;
  let globs = 0;
  let probes = 0;
  let pings = 0;
  for (const g of groups) {
    for (const p of g.otherSources ?? []) {
      if (p.kind === 'ping') pings += 1;
      else probes += 1;
      const line = g.lines[p.kind] ?? g.line;
      if (pings > MAX_PINGS) throw new ConfigSyntaxError(line, `more than ${MAX_PINGS} ping sources in the file`);
      if (probes > MAX_PROBES) throw new ConfigSyntaxError(line, `more than ${MAX_PROBES} route and address sources in the file`);
    }
    for (const list of ['sources', 'destinations'] as const) {
      names += g[list].length;
      globs += g[list].filter(isGlob).length;
      const line = g.lines[list] ?? g.line;
      if (names > MAX_NAMES) throw new ConfigSyntaxError(line, `more than ${MAX_NAMES} interface names and patterns in the file`);
      if (globs > MAX_GLOBS) throw new ConfigSyntaxError(line, `more than ${MAX_GLOBS} glob patterns in the file`);
    }
  }
}

/** A probe two groups name is one probe: one child, one verdict. Its settings must agree. */
function checkSharedSources(groups: readonly ParsedGroup[]): void {
  const seen = new Map<string, { group: string; text: string }>();
  for (const g of groups) {
    for (const p of g.otherSources ?? []) {
      const name = sourceName(p);
      const text = JSON.stringify(p);
      const first = seen.get(name);
      if (first === undefined) seen.set(name, { group: g.name, text });
      else if (first.text !== text) {
        throw new ConfigSyntaxError(g.lines[p.kind] ?? g.line, `group ${g.name}: ${quote(name)} is also in group ${first.group}, with other settings`);
      }
    }
  }
}

function checkGroup(g: ParsedGroup): void {
  const fail = (line: number | undefined, message: string) => new ConfigSyntaxError(line ?? g.line, `group ${g.name}: ${message}`);
  const probes = g.otherSources?.length ?? 0;
  if (g.sources.length === 0 && probes === 0) throw fail(g.line, 'no sources (sources, route, address or ping)');
  if (g.action.kind === 'track-file') {
    if (g.destinations.length > 0) throw fail(g.lines.destinations, 'keepalived-track-file changes no interface: remove destinations');
  } else if (g.action.kind === 'frr-vrrp') {
    if (g.destinations.length > 0) throw fail(g.lines.destinations, 'frr-vrrp changes no interface: remove destinations');
  } else if (g.destinations.length === 0) {
    throw fail(g.line, 'no destinations');
  }
  if (g.policy.kind === 'min' && g.sources.every((s) => !isGlob(s)) && g.policy.count > g.sources.length + probes) {
    throw fail(g.lines.policy, `policy min ${g.policy.count} can never be met with ${g.sources.length + probes} source(s)`);
  }
}
