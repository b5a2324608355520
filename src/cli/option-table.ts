import { parseDuration } from '../core/duration.js';
import { parseDestinationList, parseSourceList } from './interface-lists.js';
import type { SyslogFormat } from '../logging/syslog.js';
import { DEFAULT_SYSLOG, parseSyslogTarget } from '../logging/syslog-target.js';
import { DEFAULT_CONTROL_SOCKET, DEFAULT_DOWN_DELAY, DEFAULT_UP_DELAY, type ActionSpec } from '../core/spec.js';
import { DEFAULT_PROTODOWN_REASON, parseReasonBit } from '../core/protodown-reason.js';
import { parseListenAddress } from '../config/listen-address.js';

/** Written with -d (default /run/ifdepd.pid) or when --pidfile is given. */
export const DEFAULT_PIDFILE = '/run/ifdepd.pid';

/**
 * One option of the daemon's command line. The one list that both readers take it from:
 * commander (cli/options.ts: --help, and every line the other refuses) and the reader
 * of the usual lines (cli/daemon-words.ts).
 */
export interface DaemonOption {
  /** commander's notation: '-S, --sources <list>' (a value), '-d, --daemon' (a switch). */
  readonly flags: string;
  readonly description: string;
  /** Reads the value, or throws why it is wrong; switches have none. */
  readonly parse?: (text: string) => unknown;
}

/** keepalived-track-file is left to the file: it needs a path and changes no interface. */
export type CommandLineAction = Extract<ActionSpec, { kind: 'admin' } | { kind: 'protodown' }>;

function parseAction(text: string): CommandLineAction {
  if (text === 'admin' || text === 'protodown') return { kind: text };
  if (text === 'keepalived-track-file') throw new Error('keepalived-track-file is for the configuration file (-f): it needs a path');
  throw new Error(`'${text}' is not admin or protodown`);
}

function parseSyslogFormat(text: string): SyslogFormat {
  if (text !== 'rfc3164' && text !== 'rfc5424') throw new Error(`'${text}' is not rfc3164 or rfc5424`);
  return text;
}

/** In the order --help lists them. */
export const DAEMON_OPTIONS: readonly DaemonOption[] = [
  { flags: '-v, --verbose', description: 'log every interface change and every decision with its reason' },
  { flags: '-q, --quiet', description: 'log errors only' },
  { flags: '-d, --daemon', description: 'detach, write the pidfile and log to syslog' },
  { flags: '-S, --sources <list>', description: 'source interfaces, colon separated', parse: parseSourceList },
  { flags: '-D, --destinations <list>', description: 'destination interfaces, colon separated', parse: parseDestinationList },
  { flags: '-f, --config <file>', description: 'read groups from this configuration file', parse: String },
  { flags: '--check-config', description: 'validate the command line or configuration file and exit' },
  { flags: '-n, --dry-run', description: 'decide and log, but change nothing in the kernel' },
  {
    flags: '--down-delay <time>',
    description: `how long sources must stay unhealthy before destinations go down (default: ${DEFAULT_DOWN_DELAY})`,
    parse: parseDuration,
  },
  {
    flags: '--up-delay <time>',
    description: `how long sources must stay healthy before destinations come up (default: ${DEFAULT_UP_DELAY})`,
    parse: parseDuration,
  },
  {
    flags: '--action <action>',
    description:
      'what to do with the destinations: admin (IFF_UP, as the BSD ifdepd) or protodown (IFLA_PROTO_DOWN, for keepalived VMACs) (default: admin)',
    parse: parseAction,
  },
  {
    flags: '--protodown-reason <bit>',
    description: `with --action protodown: ifdepd's own protodown reason bit, 0-31 (default: ${DEFAULT_PROTODOWN_REASON})`,
    parse: parseReasonBit,
  },
  { flags: '--atomic', description: 'switch all destinations with one kernel request, through a kernel interface group' },
  { flags: '--startup-hold <time>', description: 'keep destinations down this long after start (default: 0)', parse: parseDuration },
  {
    flags: '--control-socket <path>',
    description: `listen for ifdepd status/hold/release/reload (default with -f: ${DEFAULT_CONTROL_SOCKET})`,
    parse: String,
  },
  {
    flags: '--metrics-listen <address:port>',
    description: 'serve Prometheus metrics at http://address:port/metrics (no default)',
    parse: parseListenAddress,
  },
  { flags: '--metrics-file <path>', description: "write the metrics to this file (node_exporter's textfile collector)", parse: String },
  { flags: '--pidfile <path>', description: `pidfile (default with -d: ${DEFAULT_PIDFILE})`, parse: String },
  {
    flags: '--syslog <target>',
    description: `also log to syslog: unix:///path (a local socket), udp://host[:port] or tcp://host[:port] (default with -d: ${DEFAULT_SYSLOG})`,
    parse: parseSyslogTarget,
  },
  { flags: '--syslog-format <format>', description: 'syslog message format: rfc3164 or rfc5424 (default: rfc3164)', parse: parseSyslogFormat },
];
