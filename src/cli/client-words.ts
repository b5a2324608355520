import type { ControlRequest } from '../control/api.js';

/** One call of the running daemon, as the command line asked for it. */
export interface ClientCall {
  readonly socket: string;
  readonly request: ControlRequest;
  readonly json: boolean;
}

/**
 * The client command lines as written in scripts and by hand (`ifdepd status`, `ifdepd -s
 * /run/x.sock hold uplink down`), read without commander, whose loading is a third of a
 * client's start-up (issue 21). Anything else (--help, a word it does not know, an error)
 * is undefined: commander reads it, and says what it prints or refuses as it always has.
 * What this accepts, commander accepts and reads the same.
 */
export function plainClientCall(argv: readonly string[], defaultSocket: string): ClientCall | undefined {
  const { socket, rest } = socketOption(argv, defaultSocket);
  if (socket === undefined || socket === '' || socket.startsWith('-')) return undefined;
  const [word, ...args] = rest;
  // status and monitor take --json; no other option after the word is read here.
  const json = args.length === 1 && args[0] === '--json';
  const plain = args.every((a) => !a.startsWith('-'));
  switch (word) {
    case 'status':
      return args.length === 0 || json ? { socket, request: { cmd: 'status' }, json } : undefined;
    case 'monitor':
      return args.length === 0 || json ? { socket, request: { cmd: 'monitor', json }, json } : undefined;
    case 'reload':
      return args.length === 0 ? { socket, request: { cmd: 'reload' }, json: false } : undefined;
    case 'release':
      return args.length === 1 && plain ? { socket, request: { cmd: 'release', group: args[0]! }, json: false } : undefined;
    case 'hold': {
      const [group, state] = args;
      if (args.length !== 2 || !plain || (state !== 'down' && state !== 'up')) return undefined;
      return { socket, request: { cmd: 'hold', group: group!, state }, json: false };
    }
    default:
      return undefined;
  }
}

/** A leading -s PATH, --socket PATH or --socket=PATH (where cli/client-call.ts looks for it). */
function socketOption(argv: readonly string[], defaultSocket: string): { socket: string | undefined; rest: readonly string[] } {
  const first = argv[0];
  if (first === '-s' || first === '--socket') return { socket: argv[1], rest: argv.slice(2) };
  if (first?.startsWith('--socket=')) return { socket: first.slice('--socket='.length), rest: argv.slice(1) };
  return { socket: defaultSocket, rest: argv };
}
