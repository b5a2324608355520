#!/usr/bin/env node
/**
 * The entry point: `ifdepd [options]` runs the daemon, `ifdepd status|hold|release|reload`
 * talks to a running one, `ifdepd demo` plays the namespace lab. Whatever fails ends in
 * one line for the operator and a sysexits(3) code, never a stack trace.
 */
import { messageOf, oneLine } from './base/message.js';
import { EX_SOFTWARE, Fatal, InfoExit } from './base/sysexits.js';
import { isClientCall, runClient } from './cli/client-commands.js';
import { isDetachedChild, tellLauncher } from './daemon/detach.js';
import { run } from './cli/run.js';
import { shutdown, type Running } from './daemon/signals.js';

let running: Running | undefined;

async function fail(err: unknown): Promise<void> {
  const fatal = err instanceof Fatal ? err : new Fatal(`internal error: ${messageOf(err)}`, EX_SOFTWARE);
  if (running !== undefined) {
    running.log.error(oneLine(fatal.message));
    shutdown(running, fatal.exitCode);
    return;
  }
  if (isDetachedChild()) await tellLauncher({ fatal: oneLine(fatal.message), exitCode: fatal.exitCode });
  else process.stderr.write(`ifdepd: ${oneLine(fatal.message)}\n`);
  process.exit(fatal.exitCode);
}

/** Once the daemon runs, an exception that reached the process is a fault: logged, recovered from, counted. */
function crashed(kind: string, err: unknown): void {
  if (running !== undefined) running.daemon.fault(`process: ${kind}`, err);
  else void fail(err);
}

process.on('uncaughtException', (err) => crashed('uncaught exception', err));
process.on('unhandledRejection', (err) => crashed('unhandled rejection', err));

/** The demo builds namespaces and runs ip(8): loaded only when asked for, never into the daemon. */
async function demo(args: readonly string[]): Promise<number> {
  const { runDemo } = await import('./demo/run.js');
  return runDemo(args);
}

const argv = process.argv.slice(2);
const start: Promise<number | Running> = argv[0] === 'demo' ? demo(argv.slice(1)) : isClientCall(argv) ? runClient(argv) : run(argv);

start.then(
  (result) => {
    if (typeof result === 'number') process.exit(result);
    running = result;
  },
  (err: unknown) => {
    if (err instanceof InfoExit) {
      process.stdout.write(err.text.endsWith('\n') ? err.text : `${err.text}\n`);
      process.exit(0);
    }
    void fail(err);
  },
);
