import type { Command } from 'commander';
import { commander, commanderText, parseCommandLine } from '../base/command-line.js';

export interface DemoArgs {
  /** Leave the namespace for inspection instead of deleting it. */
  readonly keep: boolean;
}

function program(): Command {
  return new (commander().Command)('ifdepd demo')
    .description(
      'Build a throw-away network namespace, run the real ifdepd in it, cut and flap an uplink, ' +
        'and print what the kernel and ifdepd did, with reaction times. Needs root.',
    )
    .option('--keep', 'leave the namespace (and its interfaces) for inspection; print its name')
    .helpOption('-h, --help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
}

/** Throws InfoExit for --help, Fatal (usage) for anything unknown. */
export function parseDemoArgs(argv: readonly string[]): DemoArgs {
  const p = program();
  parseCommandLine(p, argv, { info: () => p.helpInformation(), usage: (err) => `demo: ${commanderText(err)}` });
  return { keep: p.opts<{ keep?: boolean }>().keep === true };
}
