import { plainClientCall, type ClientCall } from './client-words.js';
import { request } from '../control/client.js';
import type { ControlReply } from '../control/api.js';
import { DEFAULT_CONTROL_SOCKET } from '../core/spec.js';
import { EX_DATAERR, EX_NOPERM, EX_OK, EX_UNAVAILABLE, Fatal, usageError } from '../base/sysexits.js';

/** The usual command lines directly; commander for the rest (--help, errors). */
async function parseClient(argv: readonly string[]): Promise<ClientCall> {
  return plainClientCall(argv, DEFAULT_CONTROL_SOCKET) ?? commanderClientCall(argv);
}

/** Every client command line, read by commander: --help, errors, and whatever plainClientCall leaves. */
export async function commanderClientCall(argv: readonly string[]): Promise<ClientCall> {
  const { Command } = await import('commander');
  const { commanderText, parseCommandLine } = await import('../base/command-line.js');
  let call: ClientCall | undefined;
  const program = new Command('ifdepd')
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} })
    .option('-s, --socket <path>', 'control socket of the running ifdepd', DEFAULT_CONTROL_SOCKET);
  const socket = () => program.opts<{ socket: string }>().socket;
  program
    .command('status')
    .description('show every group, its decision and why, and every destination')
    .option('--json', 'print the status as JSON')
    .action((opts: { json?: boolean }) => {
      call = { socket: socket(), request: { cmd: 'status' }, json: opts.json === true };
    });
  program
    .command('hold')
    .argument('<group>')
    .argument('<state>', 'down or up')
    .description('force a group down (or up) for maintenance, until release')
    .action((group: string, state: string) => {
      if (state !== 'down' && state !== 'up') throw usageError(`hold: state must be down or up, not '${state}'`);
      call = { socket: socket(), request: { cmd: 'hold', group, state }, json: false };
    });
  program
    .command('release')
    .argument('<group>')
    .description('end a hold: the group follows its sources again')
    .action((group: string) => {
      call = { socket: socket(), request: { cmd: 'release', group }, json: false };
    });
  program
    .command('reload')
    .description('re-read the configuration file (a bad one is refused)')
    .action(() => {
      call = { socket: socket(), request: { cmd: 'reload' }, json: false };
    });
  program
    .command('monitor')
    .description('print what happens as it happens, after a snapshot of the status, until interrupted')
    .option('--json', 'JSON Lines (schema in ifdepd(8))')
    .action((opts: { json?: boolean }) => {
      const json = opts.json === true;
      call = { socket: socket(), request: { cmd: 'monitor', json }, json };
    });
  for (const sub of program.commands) sub.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  parseCommandLine(program, argv, { info: () => program.helpInformation(), usage: commanderText });
  if (call === undefined) throw usageError('expected status, hold, release, reload or monitor');
  if (call.socket === '') throw usageError('empty --socket path');
  return call;
}

/**
 * `ifdepd status|hold|release|reload`: asks the running daemon, prints its answer. The
 * status's text form and the monitor are loaded when used: a refused call starts fast.
 */
export async function runClient(argv: readonly string[]): Promise<number> {
  const call = await parseClient(argv);
  if (call.request.cmd === 'monitor') return runMonitor(call.socket, call.json);
  let reply: ControlReply;
  try {
    reply = await request(call.socket, call.request);
  } catch (err) {
    const message = (err as Error).message;
    throw new Fatal(message, /permission denied/.test(message) ? EX_NOPERM : EX_UNAVAILABLE);
  }
  // A daemon says which refusal it is; one that does not (an older one) means bad data.
  const code = !reply.ok && typeof reply.exitCode === 'number' && reply.exitCode >= 64 && reply.exitCode <= 78 ? reply.exitCode : EX_DATAERR;
  if (!reply.ok) throw new Fatal(reply.error, code);
  if (reply.status !== undefined) {
    process.stdout.write(call.json ? `${JSON.stringify(reply.status, null, 2)}\n` : (await import('../control/format.js')).formatStatus(reply.status));
  } else if (reply.message !== undefined) {
    process.stdout.write(`${reply.message}\n`);
  }
  return EX_OK;
}

/**
 * `ifdepd monitor`: the stream on stdout until the daemon hangs up (69), or SIGINT, SIGTERM
 * or a closed stdout (`| head`) end it (0).
 */
async function runMonitor(socket: string, json: boolean): Promise<number> {
  // Loaded by the one command that streams: the others start without it.
  const { monitor, RefusedError } = await import('../control/monitor-client.js');
  const stop = new AbortController();
  const abort = () => stop.abort();
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  try {
    const end = await monitor(socket, json, process.stdout, stop.signal);
    if (end === 'daemon') throw new Fatal(`ifdepd on ${socket} ended the monitor stream (it stopped, or this reader was too slow)`, EX_UNAVAILABLE);
    return EX_OK;
  } catch (err) {
    if (err instanceof Fatal) throw err;
    const message = (err as Error).message;
    if (err instanceof RefusedError) throw new Fatal(message, EX_DATAERR);
    throw new Fatal(message, /permission denied/.test(message) ? EX_NOPERM : EX_UNAVAILABLE);
  } finally {
    process.off('SIGINT', abort);
    process.off('SIGTERM', abort);
  }
}
