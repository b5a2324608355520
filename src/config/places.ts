import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { untrustedPlace } from '../base/safe-directory.js';
import { untrustedDirectory } from '../base/trusted-path.js';
import { ConfigSyntaxError } from './lexer.js';
import type { ParsedConfig } from './parser.js';

/**
 * The places root will write to, checked when the file is read (at --check-config, at start,
 * at reload): a track file must not be a directory, and its directory must pass the
 * StrictModes checks, or, when missing, the nearest one that exists, where ifdepd makes it.
 * The same for the metrics file.
 */
export function checkPlaces(config: ParsedConfig): void {
  for (const g of config.groups) {
    if (g.action.kind !== 'track-file') continue;
    const problem = trackFileProblem(g.action.path);
    if (problem !== undefined) throw new ConfigSyntaxError(g.lines['action'] ?? g.line, `group ${g.name}: track file ${problem}`);
  }
  const metricsFile = config.metrics?.file;
  if (metricsFile !== undefined) {
    const problem = untrustedDirectoryOf(metricsFile);
    if (problem !== undefined) throw new ConfigSyntaxError(config.lines['metrics-file'] ?? 0, `metrics-file ${problem}`);
  }
}

/** The metrics file's directory must exist (node_exporter's) and pass the checks: ifdepd creates none. */
function untrustedDirectoryOf(path: string): string | undefined {
  try {
    if (lstatSync(path).isDirectory()) return `${path} is a directory`;
  } catch {
    // missing: written at start
  }
  const problem = untrustedDirectory(dirname(path));
  return problem === undefined ? undefined : `${path}: ${problem}`;
}

function trackFileProblem(path: string): string | undefined {
  try {
    if (lstatSync(path).isDirectory()) return `${path} is a directory`;
  } catch {
    // missing, or in a directory checked below
  }
  const problem = untrustedPlace(dirname(path));
  return problem === undefined ? undefined : `${path}: ${problem}`;
}
