import type { Command, CommanderError } from 'commander';
import { commander, commanderText, parseCommandLine } from '../base/command-line.js';
import { parseDuration } from '../core/duration.js';
import { usageError } from '../base/sysexits.js';
import { resolve } from 'node:path';
import type { Verbosity } from '../logging/logger.js';
import type { SyslogFormat } from '../logging/syslog.js';
import type { SyslogTarget } from '../logging/syslog-target.js';
import { loadConfig } from '../config/load.js';
import { checkCommandLinePaths, type FixedPaths } from '../config/written-paths.js';
import { namePattern, overlap } from '../core/patterns.js';
import { quote } from '../core/quote.js';
import { DEFAULT_CONTROL_SOCKET, DEFAULT_DOWN_DELAY, DEFAULT_UP_DELAY, type Config } from '../core/spec.js';
import type { Millis } from '../core/types.js';
import { VERSION } from '../base/version.js';
import type { ListenAddress } from '../core/listen-address.js';
import { DAEMON_OPTIONS, DEFAULT_PIDFILE, type CommandLineAction } from './option-table.js';
import { plainDaemonOptions } from './daemon-words.js';

/** Everything the command line asked for, validated. */
export interface Options {
  readonly verbosity: Verbosity;
  readonly daemon: boolean;
  readonly dryRun: boolean;
  /** The groups to watch: from -f, or the one group of -S/-D. */
  readonly config: Config;
  /** -f: the file SIGHUP and `ifdepd reload` read again. */
  readonly configFile?: string;
  /** --check-config: validate and exit. */
  readonly checkOnly: boolean;
  /** Where the control socket listens; none unless -f or --control-socket. */
  readonly controlSocket?: string;
  /** Written with -d (default /run/ifdepd.pid) or when --pidfile is given. */
  readonly pidfile?: string;
  /** Given explicitly; -d uses DEFAULT_SYSLOG without it. */
  readonly syslog?: SyslogTarget;
  readonly syslogFormat: SyslogFormat;
  /** The files the command line names; a reload checks the file's against them too. */
  readonly fixedPaths: FixedPaths;
}

/** The group the BSD-style -S/-D command line describes. */
export const COMMAND_LINE_GROUP = 'default';

function once<T>(parse: (text: string) => T) {
  return (text: string, previous: T | undefined): T => {
    if (previous !== undefined) throw new (commander().InvalidArgumentError)('given more than once');
    try {
      return parse(text);
    } catch (err) {
      throw new (commander().InvalidArgumentError)((err as Error).message);
    }
  };
}

/** The daemon's command line for commander: --help, --version, and every line the plain reader leaves. */
export function buildProgram(): Command {
  const { Command, Option } = commander();
  const program = new Command('ifdepd')
    .description('Force destination interfaces down while source interfaces have no carrier.')
    .usage('[-v|-q] [-d] (-S src1[:src2...] -D dst1[:dst2...] | -f file) [options]');
  for (const row of DAEMON_OPTIONS) {
    const option = new Option(row.flags, row.description);
    program.addOption(row.parse !== undefined ? option.argParser(once(row.parse)) : option);
  }
  return program
    .version(VERSION, '-V, --version')
    .helpOption('-h, --help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
}

/** The options as read, before validate(): the keys are commander's attribute names. */
export interface RawOptions {
  verbose?: boolean;
  quiet?: boolean;
  daemon?: boolean;
  sources?: string[];
  destinations?: string[];
  dryRun?: boolean;
  config?: string;
  checkConfig?: boolean;
  startupHold?: Millis;
  action?: CommandLineAction;
  protodownReason?: number;
  atomic?: boolean;
  controlSocket?: string;
  metricsListen?: ListenAddress;
  metricsFile?: string;
  downDelay?: Millis;
  upDelay?: Millis;
  pidfile?: string;
  syslog?: SyslogTarget;
  syslogFormat?: SyslogFormat;
}

/** Parses argv (without node and script) into Options, or throws Fatal / InfoExit. */
export function parseOptions(argv: readonly string[]): Options {
  return validate((plainDaemonOptions(argv) as RawOptions | undefined) ?? commanderOptions(argv));
}

/** What commander reads from argv (the plain reader's result, when that reads it: the tests hold them equal). */
export function commanderOptions(argv: readonly string[]): RawOptions {
  const program = buildProgram();
  parseCommandLine(program, argv, {
    info: (err) => (err.code === 'commander.version' ? VERSION : program.helpInformation()),
    usage: commanderMessage,
  });
  return program.opts<RawOptions>();
}

/** "--down-delay: '5' has no unit (write 5ms or 5s)" rather than commander's longer sentence. */
function commanderMessage(err: CommanderError): string {
  const text = commanderText(err);
  const invalid = /^option '(?:-\w, )?(--[\w-]+)[^']*' argument '.*' is invalid\. (.*)$/s.exec(text);
  return invalid ? `${invalid[1]}: ${invalid[2]}` : text;
}

function validate(raw: RawOptions): Options {
  if (raw.verbose && raw.quiet) throw usageError('-v and -q exclude each other');
  if (raw.pidfile === '') throw usageError('empty --pidfile path');
  if (raw.controlSocket === '') throw usageError('empty --control-socket path');
  if (raw.metricsFile === '') throw usageError('empty --metrics-file path');
  if (raw.syslogFormat === 'rfc5424' && (raw.syslog?.transport ?? (raw.daemon ? 'unix' : undefined)) === 'unix') {
    throw usageError('--syslog-format rfc5424 is for udp:// and tcp:// collectors: a local syslog socket takes RFC 3164, as syslog(3) writes it');
  }
  // Resolved now: the daemon leaves the working directory once started.
  const pidfile = raw.pidfile !== undefined ? resolve(raw.pidfile) : raw.daemon ? DEFAULT_PIDFILE : undefined;
  const fixedPaths: FixedPaths = {
    ...(pidfile !== undefined ? { pidfile: { path: pidfile, option: raw.pidfile !== undefined ? '--pidfile' : '-d' } } : {}),
    ...(raw.controlSocket !== undefined ? { controlSocket: resolve(raw.controlSocket) } : {}),
  };
  const fromFile = raw.config !== undefined;
  return {
    verbosity: raw.verbose ? 'verbose' : raw.quiet ? 'quiet' : 'normal',
    daemon: raw.daemon === true,
    dryRun: raw.dryRun === true,
    checkOnly: raw.checkConfig === true,
    ...(fromFile ? fileConfig(raw, fixedPaths) : commandLineConfig(raw, fixedPaths)),
    ...(pidfile !== undefined ? { pidfile } : {}),
    ...(raw.syslog !== undefined ? { syslog: raw.syslog } : {}),
    syslogFormat: raw.syslogFormat ?? 'rfc3164',
    fixedPaths,
  };
}

type GroupOptions = Pick<Options, 'config' | 'configFile' | 'controlSocket'>;

/** -S/-D: the BSD command line, one group, no control socket unless asked for. */
function commandLineConfig(raw: RawOptions, fixed: FixedPaths): GroupOptions {
  if (raw.sources === undefined) throw usageError('no source interfaces: give -S src1[:src2...] (or -f file)');
  if (raw.destinations === undefined) throw usageError('no destination interfaces: give -D dst1[:dst2...]');
  const both = raw.sources.filter((name) => raw.destinations!.includes(name));
  if (both.length > 0) throw usageError(`interface ${quote(both[0]!)} is both a source and a destination`);
  if (raw.protodownReason !== undefined && raw.action?.kind !== 'protodown') throw usageError('--protodown-reason is for --action protodown');
  const loop = selfFeeding(raw.sources, raw.destinations);
  if (loop !== undefined) throw usageError(`source ${quote(loop[0])} and destination ${quote(loop[1])} can name the same interface`);
  const config: Config = {
    groups: [
      {
        name: COMMAND_LINE_GROUP,
        sources: raw.sources,
        destinations: raw.destinations,
        policy: { kind: 'all' },
        delays: {
          down: raw.downDelay ?? parseDuration(DEFAULT_DOWN_DELAY),
          up: raw.upDelay ?? parseDuration(DEFAULT_UP_DELAY),
        },
        action: raw.action ?? { kind: 'admin' },
        hooks: [],
        ...(raw.atomic === true ? { atomic: {} } : {}),
      },
    ],
    startupHold: raw.startupHold ?? 0,
    ...commandLineMetrics(raw),
    ...(raw.protodownReason !== undefined ? { protodownReason: raw.protodownReason } : {}),
  };
  checkCommandLinePaths(fixed, config.metrics?.file);
  return { config, ...(raw.controlSocket !== undefined ? { controlSocket: resolve(raw.controlSocket) } : {}) };
}

/** --metrics-listen, --metrics-file: for -S/-D; the file has its own settings, which a reload reads. */
function commandLineMetrics(raw: RawOptions): Pick<Config, 'metrics'> {
  const file = raw.metricsFile !== undefined ? resolve(raw.metricsFile) : undefined;
  if (raw.metricsListen === undefined && file === undefined) return {};
  return { metrics: { ...(raw.metricsListen !== undefined ? { listen: raw.metricsListen } : {}), ...(file !== undefined ? { file } : {}) } };
}

/** A group whose destination can be its own source would hold itself down for ever. */
function selfFeeding(sources: readonly string[], destinations: readonly string[]): [string, string] | undefined {
  for (const s of sources) for (const d of destinations) if (overlap(namePattern(s), namePattern(d))) return [s, d];
  return undefined;
}

/** -f: every group comes from the file; group settings on the command line would be ambiguous. */
function fileConfig(raw: RawOptions, fixed: FixedPaths): GroupOptions {
  const clash = (
    [
      ['-S', raw.sources],
      ['-D', raw.destinations],
      ['--down-delay', raw.downDelay],
      ['--up-delay', raw.upDelay],
      ['--startup-hold', raw.startupHold],
      ['--action', raw.action],
      ['--protodown-reason', raw.protodownReason],
      ['--atomic', raw.atomic],
      ['--metrics-listen', raw.metricsListen],
      ['--metrics-file', raw.metricsFile],
    ] as const
  ).find(([, value]) => value !== undefined);
  if (clash !== undefined) throw usageError(`${clash[0]} cannot be combined with -f: set it in the configuration file`);
  const configFile = resolve(raw.config!);
  const config = loadConfig(configFile, fixed);
  const controlSocket = raw.controlSocket !== undefined ? resolve(raw.controlSocket) : (config.controlSocket ?? DEFAULT_CONTROL_SOCKET);
  return { config, configFile, controlSocket };
}
