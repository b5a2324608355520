#!/usr/bin/env node
/**
 * The entry point: `ifdepd [options]` runs the daemon, `ifdepd status|hold|release|reload`
 * talks to a running one, `ifdepd demo` plays the namespace lab. Whatever fails ends in
 * one line for the operator and a sysexits(3) code, never a stack trace.
 */
import { messageOf, oneLine } from './base/errors.js';
import { EX_OK, EX_SOFTWARE, Fatal, InfoExit } from './base/sysexits.js';
import { CrashRoute } from './daemon/crash-route.js';
import { isDetachedChild, tellLauncher } from './daemon/detach.js';
import { isClientCall } from './cli/client-call.js';

async function fail(err: unknown): Promise<void> {
  const fatal = err instanceof Fatal ? err : new Fatal(`internal error: ${messageOf(err)}`, EX_SOFTWARE);
  if (isDetachedChild()) await tellLauncher({ fatal: oneLine(fatal.message), exitCode: fatal.exitCode });
  else process.stderr.write(`ifdepd: ${oneLine(fatal.message)}\n`);
  process.exit(fatal.exitCode);
}

/** An exception that reached the process ends it, but for the daemon's, which takes them over (cli/run.ts). */
const crashes = new CrashRoute((_kind, err) => void fail(err));

/*
 * Each command loads only what it uses: `ifdepd --version` and `ifdepd status` start in
 * about the time Node itself does, and the daemon's modules (netlink, metrics, the control
 * server) are read only by the daemon.
 */

/** The demo builds namespaces and runs ip(8): loaded only when asked for, never into the daemon. */
async function demo(args: readonly string[]): Promise<number> {
  const { runDemo } = await import('./demo/run.js');
  return runDemo(args);
}

/** `ifdepd status|hold|release|reload|monitor`: a client of the running daemon. */
async function client(args: readonly string[]): Promise<number> {
  const { runClient } = await import('./cli/client-commands.js');
  return runClient(args);
}

/**
 * `ifdepd --version` alone: the version, without the option parser and the configuration
 * loader behind it (with other options, commander says it, or what is wrong, as always).
 */
const VERSION_ONLY: ReadonlySet<string> = new Set(['--version', '-V']);

async function version(): Promise<number> {
  const { VERSION } = await import('./base/version.js');
  process.stdout.write(`${VERSION}\n`);
  return EX_OK;
}

/** The daemon, once its options are read and checked (--version, --help and --check-config end there). */
async function daemon(args: readonly string[]): Promise<number> {
  const { parseOptions } = await import('./cli/options.js');
  const options = parseOptions(args);
  if (options.checkOnly) {
    const groups = options.config.groups.map((g) => g.name).join(', ');
    process.stdout.write(`${options.configFile ?? 'command line'}: OK, ${options.config.groups.length} group(s): ${groups}\n`);
    return EX_OK;
  }
  const { run } = await import('./cli/run.js');
  return run(options, crashes);
}

const argv = process.argv.slice(2);
function command(args: readonly string[]): Promise<number> {
  if (args[0] === 'demo') return demo(args.slice(1));
  if (isClientCall(args)) return client(args);
  if (args.length === 1 && VERSION_ONLY.has(args[0]!)) return version();
  return daemon(args);
}

const start = command(argv);

start.then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof InfoExit) {
      process.stdout.write(err.text.endsWith('\n') ? err.text : `${err.text}\n`);
      process.exit(0);
    }
    void fail(err);
  },
);
