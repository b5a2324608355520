import { readFileSync } from 'node:fs';
import { EX_DATAERR, EX_NOINPUT, Fatal } from '../base/sysexits.js';
import { checkConfig } from './check.js';
import { checkHookFiles } from './hook-trust.js';
import { ConfigSyntaxError } from './lexer.js';
import type { Config } from '../core/spec.js';
import { parseConfig } from './parser.js';

export interface TextOptions {
  /** Check the files the configuration names (hooks), not only its text. */
  readonly checkFiles?: boolean;
}

/** Parses and checks configuration text; errors read `file:line: problem`. */
export function configFromText(text: string, file: string, options: TextOptions = {}): Config {
  try {
    // An editor's byte-order mark would read as part of the first keyword.
    const parsed = parseConfig(text.replace(/^\uFEFF/, ''));
    if (parsed.groups.length === 0) throw new ConfigSyntaxError(1, 'no group defined');
    checkConfig(parsed);
    if (options.checkFiles === true) checkHookFiles(parsed);
    return {
      groups: parsed.groups.map(({ line: _line, ...group }) => ({ ...group, hooks: group.hooks.map(({ line: _at, ...hook }) => hook) })),
      startupHold: parsed.startupHold,
      ...(parsed.controlSocket !== undefined ? { controlSocket: parsed.controlSocket } : {}),
      file,
    };
  } catch (err) {
    if (err instanceof ConfigSyntaxError) throw new Fatal(`${file}:${err.line}: ${err.message}`, EX_DATAERR);
    throw err;
  }
}

export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Fatal(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EX_NOINPUT);
  }
  return configFromText(text, file, { checkFiles: true });
}
