import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainDaemonOptions } from '../../../src/cli/daemon-words.js';
import { commanderOptions } from '../../../src/cli/options.js';

/** What commander makes of argv: the options, or the refusal's message. */
function byCommander(argv: readonly string[]): unknown {
  try {
    return { ...commanderOptions(argv) };
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

describe('daemon command lines read without commander', () => {
  it.each([
    [['-S', 'em0:bge0', '-D', 'vrrp0:vrrp1']],
    [['-d', '-S', 'em0:bge0', '-D', 'vrrp0:vrrp1']],
    [['-v', '-n', '-Sem0', '-Dvrrp.51']],
    [['-f', '/etc/ifdepd.conf']],
    [['-d', '-f', '/etc/ifdepd.conf', '--pidfile', '/run/x.pid', '--control-socket=/run/x.sock']],
    [['-q', '--config=/etc/ifdepd.conf', '--check-config']],
    [['--sources', 'eth0', '--destinations', 'vrrp*', '--down-delay', '200ms', '--up-delay=5s', '--startup-hold', '30s']],
    [['-S', 'eth0', '-D', 'vrrp.51', '--action', 'protodown', '--protodown-reason', '9', '--atomic']],
    [['-S', 'eth0', '-D', 'vrrp.51', '--metrics-listen', '127.0.0.1:9117', '--metrics-file', '/var/lib/x.prom']],
    [['-S', 'eth0', '-D', 'vrrp.51', '--syslog', 'udp://192.0.2.1:514', '--syslog-format', 'rfc5424']],
    [[]],
  ])('%j is read as commander reads it', (argv) => {
    const plain = plainDaemonOptions(argv);
    expect(plain).toBeDefined();
    expect(plain).toEqual(byCommander(argv));
  });

  it.each([
    [['--help']],
    [['-h']],
    [['-V']],
    [['-S', 'eth0', '--version']],
    [['-dv', '-S', 'eth0', '-D', 'vrrp.51']],
    [['-S', 'eth0', '-S', 'eth1', '-D', 'vrrp.51']],
    [['-S', '-D', 'vrrp.51']],
    [['-S']],
    [['-S', 'eth0', '-D', 'vrrp.51', 'extra']],
    [['--down-delay', '5']],
    [['--action', 'keepalived-track-file']],
    [['--atomic=yes']],
    [['--sourcez', 'eth0']],
    [['--', '-S', 'eth0']],
  ])('%j is left to commander', (argv) => {
    expect(plainDaemonOptions(argv)).toBeUndefined();
  });

  it('accepts nothing commander reads differently or refuses', () => {
    const word = fc.constantFrom(
      '-S', '-D', '-f', '-d', '-v', '-q', '-n', '-V', '-h', '-dv', '-Seth0', '-Dvrrp*', '--sources', '--sources=eth0:eth1',
      '--destinations', '--config', '--config=/c', '--check-config', '--dry-run', '--down-delay', '--down-delay=1s', '--up-delay',
      '--action', '--action=protodown', '--protodown-reason', '--atomic', '--startup-hold', '--control-socket', '--metrics-listen',
      '--metrics-listen=[::1]:9117', '--metrics-file', '--pidfile', '--pidfile=', '--syslog', '--syslog-format', '--help', '--',
      'eth0', 'eth0:eth1', 'vrrp.51', 'vrrp*', '5', '5s', '200ms', 'admin', 'protodown', '9', '32', '127.0.0.1:9117', 'udp://h',
      'unix:///dev/log', 'rfc5424', 'rfc3164', '/run/x', '', '-', 'a b',
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 7 }), (argv) => {
        const plain = plainDaemonOptions(argv);
        if (plain !== undefined) expect(plain).toEqual(byCommander(argv));
      }),
      { numRuns: 3000 },
    );
  });
});
