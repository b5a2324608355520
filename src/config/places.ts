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
    // A missing directory is made by ifdepd (below a trusted one).
    const problem = fileProblem(g.action.path, untrustedPlace);
    if (problem !== undefined) throw new ConfigSyntaxError(g.lines['action'] ?? g.line, `group ${g.name}: track file ${problem}`);
  }
  const metricsFile = config.metrics?.file;
  if (metricsFile !== undefined) {
    // node_exporter's directory: it must exist, ifdepd makes none.
    const problem = fileProblem(metricsFile, untrustedDirectory);
    if (problem !== undefined) throw new ConfigSyntaxError(config.lines['metrics-file'] ?? 0, `metrics-file ${problem}`);
  }
}

/** What is wrong with writing `path`: a directory in its place, or a directory that fails `untrusted`. */
function fileProblem(path: string, untrusted: (dir: string) => string | undefined): string | undefined {
  try {
    if (lstatSync(path).isDirectory()) return `${path} is a directory`;
  } catch {
    // missing (written at start), or in a directory checked below
  }
  const problem = untrusted(dirname(path));
  return problem === undefined ? undefined : `${path}: ${problem}`;
}
