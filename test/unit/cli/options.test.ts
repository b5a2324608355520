import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/core/duration.js';
import { invalidIfName } from '../../../src/core/ifname.js';
import { InfoExit } from '../../../src/base/sysexits.js';
import { parseOptions } from '../../../src/cli/options.js';
import { EX_USAGE, Fatal } from '../../../src/base/sysexits.js';

function usageFailure(argv: string[]): string {
  try {
    parseOptions(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(Fatal);
    expect((err as Fatal).exitCode).toBe(EX_USAGE);
    return (err as Fatal).message;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('command line validation: one line, exit 64', () => {
  it.each<[string, string[], RegExp]>([
    ['no -S', ['-D', 'vrrp0'], /no source interfaces/],
    ['no -D', ['-S', 'em0'], /no destination interfaces/],
    ['empty -S list', ['-S', '', '-D', 'vrrp0'], /--sources: empty interface list/],
    ['empty name inside a list', ['-S', 'em0::bge0', '-D', 'vrrp0'], /empty interface name in 'em0::bge0'/],
    ['trailing colon', ['-S', 'em0:', '-D', 'vrrp0'], /empty interface name/],
    ['name of 16 bytes', ['-S', 'abcdefghijklmnop', '-D', 'vrrp0'], /longer than 15 bytes/],
    ['multibyte name over 15 bytes', ['-S', 'éééééééé', '-D', 'vrrp0'], /longer than 15 bytes/],
    ['slash', ['-S', 'em/0', '-D', 'vrrp0'], /contains "\/"/],
    ['space', ['-S', 'em 0', '-D', 'vrrp0'], /contains " "/],
    ['tab', ['-S', 'em\t0', '-D', 'vrrp0'], /contains byte 0x09/],
    ['dot', ['-S', '.', '-D', 'vrrp0'], /'\.' is not a valid interface name/],
    ['dot dot', ['-S', 'em0', '-D', '..'], /'\.\.' is not a valid interface name/],
    ['duplicate in a list', ['-S', 'em0:em0', '-D', 'vrrp0'], /'em0' is listed twice/],
    ['source also a destination', ['-S', 'em0:bge0', '-D', 'vrrp0:bge0'], /'bge0' is both a source and a destination/],
    ['-S twice', ['-S', 'em0', '-S', 'bge0', '-D', 'vrrp0'], /--sources: given more than once/],
    ['-v with -q', ['-v', '-q', '-S', 'em0', '-D', 'vrrp0'], /-v and -q exclude each other/],
    ['bare number delay', ['-S', 'em0', '-D', 'vrrp0', '--down-delay', '5'], /--down-delay: '5' has no unit/],
    ['negative delay', ['-S', 'em0', '-D', 'vrrp0', '--up-delay', '-1s'], /--up-delay: '-1s' is negative/],
    ['garbage delay', ['-S', 'em0', '-D', 'vrrp0', '--up-delay', 'soon'], /--up-delay: 'soon' is not a duration/],
    ['sub-millisecond delay', ['-S', 'em0', '-D', 'vrrp0', '--up-delay', '0.5ms'], /not a whole number of milliseconds/],
    ['absurd delay', ['-S', 'em0', '-D', 'vrrp0', '--up-delay', '25h'], /longer than 24h/],
    ['missing option value', ['-S', 'em0', '-D'], /argument missing/],
    ['unknown option', ['-S', 'em0', '-D', 'vrrp0', '--bogus'], /unknown option '--bogus'/],
    ['stray argument', ['-S', 'em0', '-D', 'vrrp0', 'extra'], /too many arguments|unexpected/],
    ['bad syslog scheme', ['-S', 'em0', '-D', 'vrrp0', '--syslog', 'http://x'], /must start with unix:\/\/, udp:\/\/ or tcp:\/\//],
    ['syslog not a URL', ['-S', 'em0', '-D', 'vrrp0', '--syslog', 'localhost'], /is not a syslog target/],
    ['bad syslog format', ['-S', 'em0', '-D', 'vrrp0', '--syslog-format', 'json'], /--syslog-format/],
    ['syslog format twice', ['-S', 'em0', '-D', 'vrrp0', '--syslog-format', 'rfc5424', '--syslog-format', 'rfc3164'], /--syslog-format: given more than once/],
    ['glob destination overlapping a source', ['-S', 'eth1', '-D', 'e*'], /source 'eth1' and destination 'e\*' can name the same interface/],
    ['glob in -S', ['-S', 'eth*', '-D', 'vrrp0'], /^--sources: 'eth\*' has glob characters: -S takes interface names/],
    ['brace in -S', ['-S', 'em0:{a,b}', '-D', 'vrrp0'], /'\{a,b\}' has glob characters/],
    ['control character in -S', ['-S', 'em\u00010', '-D', 'vrrp0'], /interface name 'em\\x010' contains a control character or invalid UTF-8/],
    ['invalid UTF-8 in -D (argv decodes it to U+FFFD)', ['-S', 'em0', '-D', 'vrrp\ufffd'], /contains a control character or invalid UTF-8/],
    ['deeply nested -D pattern', ['-S', 'em0', '-D', `${'{'.repeat(20)}a${'}'.repeat(20)}`], /nests braces or parentheses 20 deep, more than 8/],
    ['long -D pattern', ['-S', 'em0', '-D', `v*${'x'.repeat(200)}`], /^--destinations: pattern 'v\*x+'\.\.\. is longer than 128 bytes$/],
    ['huge -S name, echoed in part', ['-S', 'x'.repeat(100_000), '-D', 'vrrp0'], /^--sources: interface name 'x{64}'\.\.\. is longer than 15 bytes$/],
    ['-f with -S', ['-f', '/etc/ifdepd.conf', '-S', 'em0'], /-S cannot be combined with -f: set it in the configuration file/],
    ['-f with --up-delay', ['-f', '/etc/ifdepd.conf', '--up-delay', '1s'], /--up-delay cannot be combined with -f/],
    ['bad action', ['-S', 'em0', '-D', 'vrrp0', '--action', 'down'], /^--action: 'down' is not admin or protodown$/],
    ['track-file action on the command line', ['-S', 'em0', '-D', 'vrrp0', '--action', 'keepalived-track-file'], /--action: keepalived-track-file is for the configuration file/],
    ['action twice', ['-S', 'em0', '-D', 'vrrp0', '--action', 'admin', '--action', 'protodown'], /--action: given more than once/],
    ['-f with --action', ['-f', '/etc/ifdepd.conf', '--action', 'protodown'], /^--action cannot be combined with -f: set it in the configuration file$/],
    ['-f with --atomic', ['-f', '/etc/ifdepd.conf', '--atomic'], /^--atomic cannot be combined with -f: set it in the configuration file$/],
    ['-f with --protodown-reason', ['-f', '/etc/ifdepd.conf', '--protodown-reason', '5'], /^--protodown-reason cannot be combined with -f: set it in the configuration file$/],
    ['--protodown-reason without protodown', ['-S', 'em0', '-D', 'vrrp0', '--protodown-reason', '5'], /^--protodown-reason is for --action protodown$/],
    ['--protodown-reason out of range', ['-S', 'em0', '-D', 'vrrp0', '--action', 'protodown', '--protodown-reason', '32'], /^--protodown-reason: '32' is not a reason bit \(0-31\)$/],
    ['startup hold garbage', ['-S', 'em0', '-D', 'vrrp0', '--startup-hold', 'long'], /--startup-hold: 'long' is not a duration/],
    ['empty control socket', ['-S', 'em0', '-D', 'vrrp0', '--control-socket', ''], /empty --control-socket path/],
    ['empty pidfile', ['-S', 'em0', '-D', 'vrrp0', '--pidfile', ''], /empty --pidfile/],
  ])('%s', (_label, argv, message) => {
    const text = usageFailure(argv);
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });
});

describe('accepted command lines', () => {
  it('reads the BSD form with ifdepd defaults', () => {
    const o = parseOptions(['-d', '-S', 'em0:bge0', '-D', 'vrrp0:vrrp1']);
    expect(o).toMatchObject({
      daemon: true,
      dryRun: false,
      verbosity: 'normal',
      pidfile: '/run/ifdepd.pid',
      checkOnly: false,
      config: {
        startupHold: 0,
        groups: [
          {
            name: 'default',
            sources: ['em0', 'bge0'],
            destinations: ['vrrp0', 'vrrp1'],
            delays: { down: 0, up: 2000 },
            policy: { kind: 'all' },
            action: { kind: 'admin' },
          },
        ],
      },
      syslogFormat: 'rfc3164',
    });
    expect(o.syslog).toBeUndefined();
  });

  it('reads the long options', () => {
    const o = parseOptions([
      '-v', '-n', '-S', 'vrrp.51', '-D', 'eth0@x', '--down-delay', '250ms', '--up-delay', '1.5s',
      '--pidfile', 'rel.pid', '--syslog', 'tcp://[::1]:601', '--syslog-format', 'rfc5424',
    ]);
    expect(o.verbosity).toBe('verbose');
    expect(o.dryRun).toBe(true);
    expect(o.config.groups[0]!.delays).toEqual({ down: 250, up: 1500 });
    expect(o.pidfile).toBe(`${process.cwd()}/rel.pid`);
    expect(o.syslog).toEqual({ transport: 'tcp', host: '::1', port: 601 });
    expect(o.syslogFormat).toBe('rfc5424');
  });

  it('writes no pidfile in the foreground unless asked', () => {
    expect(parseOptions(['-S', 'em0', '-D', 'vrrp0']).pidfile).toBeUndefined();
  });

  it('opens no control socket for -S/-D unless asked (BSD users run one process per group)', () => {
    expect(parseOptions(['-S', 'em0', '-D', 'vrrp0']).controlSocket).toBeUndefined();
    expect(parseOptions(['-S', 'em0', '-D', 'vrrp0', '--control-socket', '/run/x.sock']).controlSocket).toBe('/run/x.sock');
  });

  it('reads --action for the one group of -S/-D', () => {
    expect(parseOptions(['-S', 'em0', '-D', 'vrrp0', '--action', 'protodown']).config.groups[0]!.action).toEqual({ kind: 'protodown' });
    expect(parseOptions(['-S', 'em0', '-D', 'vrrp0', '--action=admin']).config.groups[0]!.action).toEqual({ kind: 'admin' });
  });

  it('reads --protodown-reason for -S/-D; absent, the daemon uses the default', () => {
    expect(parseOptions(['-S', 'em0', '-D', 'vrrp0', '--action', 'protodown', '--protodown-reason', '5']).config.protodownReason).toBe(5);
    expect(parseOptions(['-S', 'em0', '-D', 'vrrp0', '--action', 'protodown']).config.protodownReason).toBeUndefined();
  });

  it('reads --atomic for the one group of -S/-D: the kernel group is chosen by the daemon', () => {
    expect(parseOptions(['-S', 'em0', '-D', 'vrrp0', '--atomic']).config.groups[0]!.atomic).toEqual({});
    expect(parseOptions(['-S', 'em0', '-D', 'vrrp0']).config.groups[0]!.atomic).toBeUndefined();
  });

  it('reads --startup-hold and --check-config', () => {
    const o = parseOptions(['-S', 'em0', '-D', 'vrrp0', '--startup-hold', '30s', '--check-config']);
    expect(o.config.startupHold).toBe(30_000);
    expect(o.checkOnly).toBe(true);
  });

  it('--help and --version are information, not errors', () => {
    expect(() => parseOptions(['--help'])).toThrow(InfoExit);
    expect(() => parseOptions(['--version'])).toThrow(/^\d+\.\d+\.\d+$/);
  });
});

describe('durations and names', () => {
  it.each([
    ['0', 0],
    ['250ms', 250],
    ['2s', 2000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('accepts names the kernel accepts, including 15 bytes and dots', () => {
    for (const name of ['em0', 'vrrp.51', 'abcdefghijklmno', 'br-lan_2', 'eth0@x']) expect(invalidIfName(name)).toBeUndefined();
  });
});

describe('client calls', () => {
  it('are recognised with the socket before or after the command word', async () => {
    const { isClientCall } = await import('../../../src/cli/client-call.js');
    expect(isClientCall(['status'])).toBe(true);
    expect(isClientCall(['-s', '/run/x.sock', 'hold', 'uplink', 'down'])).toBe(true);
    expect(isClientCall(['--socket=/run/x.sock', 'reload'])).toBe(true);
    expect(isClientCall(['-S', 'em0', '-D', 'status'])).toBe(false);
    expect(isClientCall(['-f', '/etc/ifdepd.conf'])).toBe(false);
  });
});
