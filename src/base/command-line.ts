import { createRequire } from 'node:module';
import type * as CommanderPackage from 'commander';
import type { Command, CommanderError } from 'commander';
import { EX_OK, InfoExit, usageError } from './sysexits.js';

let loaded: typeof CommanderPackage | undefined;

/**
 * commander, loaded when first asked for: the daemon's and the client's usual command
 * lines are read without it (cli/daemon-words.ts, cli/client-words.ts), and loading it
 * (with node:child_process, which it requires) is ~12 ms of a start. With require(): imported
 * as an ES module, Node would first run its CommonJS export lexer over it (11 ms more).
 */
export function commander(): typeof CommanderPackage {
  loaded ??= createRequire(import.meta.url)('commander') as typeof CommanderPackage;
  return loaded;
}

/** How a command names what commander refused or printed. */
export interface CommandLineWords {
  /** --help, --version: the text to print. */
  info(err: CommanderError): string;
  /** Anything refused: the one line for the operator (exit 64). */
  usage(err: CommanderError): string;
}

/** commander's message without its "error: " prefix. */
export const commanderText = (err: CommanderError): string => err.message.replace(/^error: /, '');

/**
 * Runs commander on argv (without node and script): --help and --version become
 * InfoExit (print, exit 0), whatever it refuses a usage error, never its own exit.
 */
export function parseCommandLine(program: Command, argv: readonly string[], words: CommandLineWords): void {
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (!(err instanceof commander().CommanderError)) throw err;
    if (err.exitCode === EX_OK) throw new InfoExit(words.info(err));
    throw usageError(words.usage(err));
  }
}
