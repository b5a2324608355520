/**
 * The words that make `ifdepd` a client of a running daemon rather than the daemon. Apart
 * from client-commands.ts, which loads commander and the control client: cli.ts reads this
 * before it knows which command's modules to load.
 */
const CLIENT_COMMANDS: ReadonlySet<string> = new Set(['status', 'hold', 'release', 'reload', 'monitor']);

/** `ifdepd status ...`, also as `ifdepd -s /run/x.sock status ...`. */
export function isClientCall(argv: readonly string[]): boolean {
  let i = 0;
  if (argv[0] === '-s' || argv[0] === '--socket') i = 2;
  else if (argv[0]?.startsWith('--socket=')) i = 1;
  return CLIENT_COMMANDS.has(argv[i] ?? '');
}
