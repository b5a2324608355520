#!/usr/bin/env node
import { isClientCall, runClient } from './cli/client-commands.js';
import { runDemo } from './demo/run.js';
import { isDetachedChild, reportStartup } from './daemon/detach.js';
import { run, shutdown, type Running } from './daemon/run.js';
import { InfoExit } from './cli/options.js';
import { EX_SOFTWARE, Fatal } from './base/sysexits.js';

let running: Running | undefined;

/** One line for the operator, never a stack trace; the exit code says what kind of failure. */
async function fail(err: unknown): Promise<void> {
  const fatal = err instanceof Fatal ? err : new Fatal(`internal error: ${describe(err)}`, EX_SOFTWARE);
  if (running !== undefined) {
    running.log.error(oneLine(fatal.message));
    shutdown(running, fatal.exitCode);
    return;
  }
  if (isDetachedChild()) await reportStartup({ fatal: oneLine(fatal.message), exitCode: fatal.exitCode });
  else process.stderr.write(`ifdepd: ${oneLine(fatal.message)}\n`);
  process.exit(fatal.exitCode);
}

/** A message quoting the operator's input must stay one line: control characters are escaped. */
const oneLine = (text: string): string =>
  text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err));

process.on('uncaughtException', (err) => void fail(err));
process.on('unhandledRejection', (err) => void fail(err));

const argv = process.argv.slice(2);
const start: Promise<number | Running> =
  argv[0] === 'demo' ? runDemo(argv.slice(1)) : isClientCall(argv) ? runClient(argv) : run(argv);

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
