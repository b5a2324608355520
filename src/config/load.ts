import { EX_DATAERR, Fatal } from '../base/sysexits.js';
import { checkConfig } from './check.js';
import { checkHookFiles } from './hook-trust.js';
import { ConfigSyntaxError } from './lexer.js';
import type { Config } from '../core/spec.js';
import { parseConfig } from './parser.js';
import { checkPlaces } from './places.js';
import { readConfigFile } from './read.js';
import { checkWrittenPaths, type FixedPaths } from './written-paths.js';

export interface TextOptions {
  /** Check the files the configuration names (hooks, track files), not only its text. */
  readonly checkFiles?: boolean;
  /** With checkFiles: the command line's files, which the file's must not clash with. */
  readonly fixed?: FixedPaths;
}

/** Parses and checks configuration text; errors read `file:line: problem`. */
export function configFromText(text: string, file: string, options: TextOptions = {}): Config {
  try {
    // An editor's byte-order mark would read as part of the first keyword.
    const parsed = parseConfig(text.replace(/^\uFEFF/, ''));
    checkConfig(parsed);
    if (options.checkFiles === true) {
      checkHookFiles(parsed);
      checkPlaces(parsed);
      checkWrittenPaths(parsed, file, options.fixed ?? {});
    }
    return {
      groups: parsed.groups.map(({ line: _line, lines: _lines, hookLines: _hookLines, ...group }) => group),
      startupHold: parsed.startupHold,
      ...(parsed.controlSocket !== undefined ? { controlSocket: parsed.controlSocket } : {}),
      ...(parsed.metrics !== undefined ? { metrics: parsed.metrics } : {}),
      ...(parsed.protodownReason !== undefined ? { protodownReason: parsed.protodownReason } : {}),
      file,
    };
  } catch (err) {
    if (err instanceof ConfigSyntaxError) throw new Fatal(`${file}:${err.line}: ${err.message}`, EX_DATAERR);
    throw err;
  }
}

/** The same for --check-config, start and reload: see readConfigFile() for what is refused. */
export function loadConfig(file: string, fixed: FixedPaths = {}): Config {
  return configFromText(readConfigFile(file), file, { checkFiles: true, fixed });
}
