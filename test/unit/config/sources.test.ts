import { describe, expect, it } from 'vitest';
import { configFromText } from '../../../src/config/load.js';
import { sourceName } from '../../../src/core/sources/spec.js';
import { FILE, failure } from './refusal.js';

const g = (...lines: string[]) => `group wan {\n${lines.map((l) => ` ${l}\n`).join('')} destinations vrrp0\n}\n`;

describe('route, address and ping sources', () => {
  it('reads each kind beside interfaces, with defaults, and names each as written', () => {
    const c = configFromText(
      g(
        'sources eth0',
        'route default dev eth0',
        'route 0.0.0.0/0 table 100 via 192.0.2.1',
        'route ::/0 dev wan0 table main',
        'address eth0 inet',
        'address ppp0 inet6 2001:db8::/32',
        'ping 192.0.2.1 dev eth0 interval 200ms down 3 up 3',
        'ping 2001:db8::1 timeout 500ms',
        'policy min 2',
      ),
      FILE,
    );
    const probes = c.groups[0]!.otherSources!;
    expect(probes.map(sourceName)).toEqual([
      'route default dev eth0',
      'route default table 100 via 192.0.2.1',
      'route ::/0 dev wan0',
      'address eth0 inet',
      'address ppp0 inet6 2001:db8::/32',
      'ping 192.0.2.1 dev eth0',
      'ping 2001:db8::1',
    ]);
    expect(probes[5]).toEqual({ kind: 'ping', target: { family: 'inet', text: '192.0.2.1' }, dev: 'eth0', interval: 200, timeout: 1000, down: 3, up: 3 });
    expect(probes[6]).toMatchObject({ interval: 1000, timeout: 500, down: 3, up: 3 });
  });

  it('lets a group have probes only, and counts them under min N', () => {
    expect(configFromText(g('route default', 'ping 192.0.2.1', 'policy min 2'), FILE).groups[0]!.sources).toEqual([]);
    expect(failure(g('route default', 'policy min 2'))).toBe(`${FILE}:3: group wan: policy min 2 can never be met with 1 source(s)`);
  });

  it.each([
    ['a malformed prefix', 'route 10.0.0.1/8', `${FILE}:2: group wan: route: '10.0.0.1/8' has host bits set (the network is 10.0.0.0/8)`],
    ['an unknown option', 'route default metric 5', `${FILE}:2: group wan: route: unknown option 'metric' (expected dev, table, via)`],
    ['a gateway of the other family', 'route ::/0 via 192.0.2.1', `${FILE}:2: group wan: route: via 192.0.2.1 is not of the prefix's family`],
    ['a bad table', 'route default table 0', `${FILE}:2: group wan: route: table '0' is not a table number (1-4294967295, main, local or default)`],
    ['a bad interface name', 'address eth0/1', `${FILE}:2: group wan: address: interface name 'eth0/1' contains "/"`],
    ['a family that the prefix is not', 'address eth0 inet 2001:db8::/32', `${FILE}:2: group wan: address: '2001:db8::/32' is not an inet prefix`],
    ['a malformed address', 'ping 192.0.2', `${FILE}:2: group wan: ping: '192.0.2' is not an address`],
    ['an interval below the minimum', 'ping 192.0.2.1 interval 50ms', `${FILE}:2: group wan: ping: interval '50ms' is below the minimum of 100ms`],
    ['a count of 0', 'ping 192.0.2.1 down 0', `${FILE}:2: group wan: ping: down '0' is not a count from 1 to 100`],
    ['an option without a value', 'ping 192.0.2.1 dev', `${FILE}:2: group wan: ping: dev has no value`],
    ['an option twice', 'ping 192.0.2.1 up 2 up 3', `${FILE}:2: group wan: ping: up given twice`],
    ['a duration without a unit', 'ping 192.0.2.1 timeout 5', `${FILE}:2: ping: '5' has no unit (write 5ms or 5s)`],
  ])('refuses %s with file:line', (_what, line, message) => {
    expect(failure(g(line))).toBe(message);
  });

  it('refuses the same probe twice in a group', () => {
    expect(failure(g('ping 192.0.2.1 interval 1s', 'ping 192.0.2.1 interval 2s'))).toBe(`${FILE}:3: group wan: 'ping 192.0.2.1' is given twice`);
  });

  it('sees a probe through a destination of another group as a dependency, for the cycle check', () => {
    const text = 'group a {\n route default dev b0\n destinations a0\n}\ngroup b {\n sources a0\n destinations b0\n}\n';
    expect(failure(text)).toBe(`${FILE}:1: dependency cycle: a -> b -> a`);
  });
});

describe('a probe in two groups', () => {
  it('is one probe: accepted alike, refused with other settings', () => {
    const two = (a: string, b: string) => `group a {\n ${a}\n destinations a0\n}\ngroup b {\n ${b}\n destinations b0\n}\n`;
    expect(configFromText(two('ping 192.0.2.1', 'ping 192.0.2.1'), FILE).groups).toHaveLength(2);
    expect(failure(two('ping 192.0.2.1', 'ping 192.0.2.1 interval 2s'))).toBe(`${FILE}:6: group b: 'ping 192.0.2.1' is also in group a, with other settings`);
  });
});
