import { createRequire } from 'node:module';
import type * as CommanderPackage from 'commander';
import type { Command, CommanderError } from 'commander';
import { EX_OK, InfoExit, usageError } from './sysexits.js';

/**
 * commander, loaded with require(): imported as an ES module, Node would first run its
 * CommonJS export lexer over it, 11 ms of every start (measured with --cpu-prof).
 */
export const commander: typeof CommanderPackage = createRequire(import.meta.url)('commander') as typeof CommanderPackage;

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
    if (!(err instanceof commander.CommanderError)) throw err;
    if (err.exitCode === EX_OK) throw new InfoExit(words.info(err));
    throw usageError(words.usage(err));
  }
}
