import type { Command, CommanderError } from 'commander';
import { commander, commanderText, parseCommandLine } from '../base/command-line.js';
import { parseDuration } from '../core/duration.js';
import { parseDestinationList, parseSourceList } from './interface-lists.js';
import { usageError } from '../base/sysexits.js';
import { resolve } from 'node:path';
import type { Verbosity } from '../logging/logger.js';
import type { SyslogFormat } from '../logging/syslog.js';
import { DEFAULT_SYSLOG, parseSyslogTarget, type SyslogTarget } from '../logging/syslog-target.js';
import { loadConfig } from '../config/load.js';
import { checkCommandLinePaths, type FixedPaths } from '../config/written-paths.js';
import { namePattern, overlap } from '../core/patterns.js';
import { quote } from '../core/quote.js';
import { DEFAULT_CONTROL_SOCKET, DEFAULT_DOWN_DELAY, DEFAULT_UP_DELAY, type ActionSpec, type Config } from '../core/spec.js';
import type { Millis } from '../core/types.js';
import { DEFAULT_PROTODOWN_REASON, parseReasonBit } from '../core/protodown-reason.js';
import { VERSION } from '../base/version.js';
import { parseListenAddress } from '../config/listen-address.js';
import type { ListenAddress } from '../core/listen-address.js';

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

export const DEFAULT_PIDFILE = '/run/ifdepd.pid';
/** The group the BSD-style -S/-D command line describes. */
export const COMMAND_LINE_GROUP = 'default';

function once<T>(parse: (text: string) => T) {
  return (text: string, previous: T | undefined): T => {
    if (previous !== undefined) throw new commander.InvalidArgumentError('given more than once');
    try {
      return parse(text);
    } catch (err) {
      throw new commander.InvalidArgumentError((err as Error).message);
    }
  };
}

export function buildProgram(): Command {
  return new commander.Command('ifdepd')
    .description('Force destination interfaces down while source interfaces have no carrier.')
    .usage('[-v|-q] [-d] (-S src1[:src2...] -D dst1[:dst2...] | -f file) [options]')
    .addOption(new commander.Option('-v, --verbose', 'log every interface change and every decision with its reason'))
    .addOption(new commander.Option('-q, --quiet', 'log errors only'))
    .addOption(new commander.Option('-d, --daemon', 'detach, write the pidfile and log to syslog'))
    .addOption(new commander.Option('-S, --sources <list>', 'source interfaces, colon separated').argParser(once(parseSourceList)))
    .addOption(
      new commander.Option('-D, --destinations <list>', 'destination interfaces, colon separated').argParser(once(parseDestinationList)),
    )
    .addOption(new commander.Option('-f, --config <file>', 'read groups from this configuration file').argParser(once(String)))
    .addOption(new commander.Option('--check-config', 'validate the command line or configuration file and exit'))
    .addOption(new commander.Option('-n, --dry-run', 'decide and log, but change nothing in the kernel'))
    .addOption(
      new commander.Option(
        '--down-delay <time>',
        `how long sources must stay unhealthy before destinations go down (default: ${DEFAULT_DOWN_DELAY})`,
      ).argParser(once(parseDuration)),
    )
    .addOption(
      new commander.Option(
        '--up-delay <time>',
        `how long sources must stay healthy before destinations come up (default: ${DEFAULT_UP_DELAY})`,
      ).argParser(once(parseDuration)),
    )
    .addOption(
      new commander.Option(
        '--action <action>',
        'what to do with the destinations: admin (IFF_UP, as the BSD ifdepd) or protodown (IFLA_PROTO_DOWN, for keepalived VMACs) (default: admin)',
      ).argParser(once(parseAction)),
    )
    .addOption(
      new commander.Option(
        '--protodown-reason <bit>',
        `with --action protodown: ifdepd's own protodown reason bit, 0-31 (default: ${DEFAULT_PROTODOWN_REASON})`,
      ).argParser(once(parseReasonBit)),
    )
    .addOption(new commander.Option('--atomic', 'switch all destinations with one kernel request, through a kernel interface group'))
    .addOption(
      new commander.Option('--startup-hold <time>', 'keep destinations down this long after start (default: 0)').argParser(
        once(parseDuration),
      ),
    )
    .addOption(
      new commander.Option('--control-socket <path>', `listen for ifdepd status/hold/release/reload (default with -f: ${DEFAULT_CONTROL_SOCKET})`).argParser(
        once(String),
      ),
    )
    .addOption(new commander.Option('--metrics-listen <address:port>', 'serve Prometheus metrics at http://address:port/metrics (no default)').argParser(once(parseListenAddress)))
    .addOption(new commander.Option('--metrics-file <path>', "write the metrics to this file (node_exporter's textfile collector)").argParser(once(String)))
    .addOption(new commander.Option('--pidfile <path>', `pidfile (default with -d: ${DEFAULT_PIDFILE})`).argParser(once(String)))
    .addOption(
      new commander.Option(
        '--syslog <target>',
        `also log to syslog: unix:///path (a local socket), udp://host[:port] or tcp://host[:port] (default with -d: ${DEFAULT_SYSLOG})`,
      ).argParser(once(parseSyslogTarget)),
    )
    .addOption(
      new commander.Option('--syslog-format <format>', 'syslog message format: rfc3164 or rfc5424 (default: rfc3164)').argParser(
        once(parseSyslogFormat),
      ),
    )
    .version(VERSION, '-V, --version')
    .helpOption('-h, --help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
}

interface RawOptions {
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
  const program = buildProgram();
  parseCommandLine(program, argv, {
    info: (err) => (err.code === 'commander.version' ? VERSION : program.helpInformation()),
    usage: commanderMessage,
  });
  return validate(program.opts<RawOptions>());
}

/** keepalived-track-file is left to the file: it needs a path and changes no interface. */
type CommandLineAction = Extract<ActionSpec, { kind: 'admin' } | { kind: 'protodown' }>;

function parseAction(text: string): CommandLineAction {
  if (text === 'admin' || text === 'protodown') return { kind: text };
  if (text === 'keepalived-track-file') throw new Error('keepalived-track-file is for the configuration file (-f): it needs a path');
  throw new Error(`'${text}' is not admin or protodown`);
}

function parseSyslogFormat(text: string): SyslogFormat {
  if (text !== 'rfc3164' && text !== 'rfc5424') throw new Error(`'${text}' is not rfc3164 or rfc5424`);
  return text;
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
