import { describe, expect, it } from 'vitest';
import { configFromText } from '../../../src/config/load.js';
import { DEFAULT_DAMPING } from '../../../src/core/spec.js';
import { FILE, failure } from './refusal.js';

const FULL = `
# HA firewall, node fw1
startup-hold 30s
control-socket /run/ifdepd/fw.sock

group uplink {               # the ISP side
    sources em0, bge0
    destinations "vrrp.*" vrrp0:vrrp1
    policy min 1
    down-delay 250ms
    up-delay 5s
    damping suppress 3000 half-life 10s
    action protodown
    hook /usr/local/sbin/notify --page "NOC team"
    hook /usr/local/sbin/log-it
    hook-timeout 3s
}

group inside {
    sources lan0
    action keepalived-track-file /run/keepalived/inside.track
}
`;

describe('configuration file', () => {
  it('reads the metrics settings', () => {
    const c = configFromText('metrics-listen [::1]:9732\nmetrics-file /var/lib/node-exporter/ifdepd.prom\ngroup g {\n sources a\n destinations b\n}\n', FILE);
    expect(c.metrics).toEqual({ listen: { host: '::1', port: 9732 }, file: '/var/lib/node-exporter/ifdepd.prom' });
    expect(configFromText('group g {\n sources a\n destinations b\n}\n', FILE).metrics).toBeUndefined();
  });

  it('reads every setting', () => {
    const c = configFromText(FULL, FILE);
    expect(c.startupHold).toBe(30_000);
    expect(c.controlSocket).toBe('/run/ifdepd/fw.sock');
    expect(c.file).toBe(FILE);
    expect(c.groups).toEqual([
      {
        name: 'uplink',
        sources: ['em0', 'bge0'],
        destinations: ['vrrp.*', 'vrrp0', 'vrrp1'],
        policy: { kind: 'min', count: 1 },
        delays: { down: 250, up: 5000 },
        damping: { ...DEFAULT_DAMPING, suppress: 3000, halfLife: 10_000 },
        action: { kind: 'protodown' },
        hooks: [
          { path: '/usr/local/sbin/notify', args: ['--page', 'NOC team'], timeoutMs: 3000 },
          { path: '/usr/local/sbin/log-it', args: [], timeoutMs: 3000 },
        ],
      },
      {
        name: 'inside',
        sources: ['lan0'],
        destinations: [],
        policy: { kind: 'all' },
        delays: { down: 0, up: 2000 },
        action: { kind: 'track-file', path: '/run/keepalived/inside.track' },
        hooks: [],
      },
    ]);
  });

  it('takes the ifdepd defaults and Cisco damping defaults', () => {
    const c = configFromText('group g {\n sources a\n destinations b\n damping\n}\n', FILE);
    expect(c.startupHold).toBe(0);
    expect(c.controlSocket).toBeUndefined();
    expect(c.groups[0]).toMatchObject({ policy: { kind: 'all' }, delays: { down: 0, up: 2000 }, action: { kind: 'admin' } });
    expect(c.groups[0]!.damping).toEqual({ penalty: 1000, halfLife: 5000, suppress: 2000, reuse: 1000, maxSuppress: 20_000 });
  });

  it('allows a chain: one group\'s destination is another\'s source', () => {
    const c = configFromText('group a {\n sources up0\n destinations mid0\n}\ngroup b {\n sources mid0\n destinations vrrp0\n}\n', FILE);
    expect(c.groups.map((g) => g.name)).toEqual(['a', 'b']);
  });

  it('reads protodown-reason, the bit ifdepd holds protodown with; absent, the default applies', () => {
    const body = 'group g {\n sources a\n destinations b\n action protodown\n}\n';
    expect(configFromText(`protodown-reason 5\n${body}`, FILE).protodownReason).toBe(5);
    expect(configFromText(body, FILE).protodownReason).toBeUndefined();
    expect(failure(`protodown-reason 32\n${body}`)).toBe(`${FILE}:1: protodown-reason: '32' is not a reason bit (0-31)`);
    expect(failure(`protodown-reason 5\nprotodown-reason 6\n${body}`)).toBe(`${FILE}:2: protodown-reason given twice`);
  });

  const g = (body: string) => `group g {\n${body}\n}\n`;
  it.each<[string, string, string]>([
    ['empty file', '# nothing\n', `${FILE}:1: no group defined`],
    ['unknown top-level word', 'startup-hld 5s\n', `${FILE}:1: unknown setting 'startup-hld' at top level (expected group, startup-hold, control-socket, metrics-listen, metrics-file, protodown-reason)`],
    ['unknown group setting', g(' sources a\n destinations b\n polcy any'), `${FILE}:4: unknown setting 'polcy' in group g (expected sources, route, address, ping, destinations, policy, down-delay, up-delay, damping, action, hook, hook-timeout, atomic)`],
    ['missing brace', 'group g\n sources a\n', `${FILE}:1: group g: '{' missing`],
    ['unclosed group', 'group g {\n sources a\n destinations b\n', `${FILE}:1: group g: '}' missing`],
    ['stray closing brace', '}\n', `${FILE}:1: unknown setting '}' at top level (expected group, startup-hold, control-socket, metrics-listen, metrics-file, protodown-reason)`],
    ['brace inside a line', g(' sources a }'), `${FILE}:2: '}' must stand on a line of its own`],
    ['nested group', g(' group h {'), `${FILE}:2: group g: '{' after group`],
    ['unterminated string', g(' sources "em0'), `${FILE}:2: unterminated string (a " is missing)`],
    ['group without name', 'group {\n}\n', `${FILE}:1: expected: group NAME {`],
    ['bad group name', 'group "a b" {\n sources x\n destinations y\n}\n', `${FILE}:1: group name 'a b' must be 1-64 letters, digits, '_', '.' or '-'`],
    ['duplicate group', `${g(' sources a\n destinations b')}${g(' sources c\n destinations d')}`, `${FILE}:5: group g is already defined on line 1`],
    ['no sources', g(' destinations b'), `${FILE}:1: group g: no sources (sources, route, address or ping)`],
    ['no destinations', g(' sources a'), `${FILE}:1: group g: no destinations`],
    ['empty list', g(' sources'), `${FILE}:2: sources: no interfaces listed`],
    ['setting twice', g(' sources a\n sources b'), `${FILE}:3: group g: sources given twice`],
    ['bad interface name', g(' sources a/b\n destinations c'), `${FILE}:2: group g: interface name 'a/b' contains "/"`],
    ['name too long', g(' sources abcdefghijklmnop\n destinations c'), `${FILE}:2: group g: interface name 'abcdefghijklmnop' is longer than 15 bytes`],
    ['source and destination', g(' sources a b\n destinations b'), `${FILE}:3: group g: 'b' is both a source and a destination`],
    ['listed twice', g(' sources a a\n destinations b'), `${FILE}:2: group g: 'a' is listed twice`],
    ['bad policy', g(' sources a\n destinations b\n policy most'), `${FILE}:4: policy: expected all, any or min N, not 'most'`],
    ['min zero', g(' sources a\n destinations b\n policy min 0'), `${FILE}:4: policy min: '0' is not a count of 1 or more`],
    ['min too high', g(' sources a b\n destinations c\n policy min 3'), `${FILE}:4: group g: policy min 3 can never be met with 2 source(s)`],
    ['delay without unit', g(' sources a\n destinations b\n up-delay 5'), `${FILE}:4: up-delay: '5' has no unit (write 5ms or 5s)`],
    ['delay two values', g(' sources a\n destinations b\n down-delay 1s 2s'), `${FILE}:4: down-delay: expected one value, got 2`],
    ['unknown damping parameter', g(' sources a\n destinations b\n damping decay 5s'), `${FILE}:4: damping: unknown parameter 'decay' (expected penalty, half-life, suppress, reuse, max-suppress)`],
    ['damping value missing', g(' sources a\n destinations b\n damping suppress'), `${FILE}:4: damping: 'suppress' has no value`],
    ['damping reuse above suppress', g(' sources a\n destinations b\n damping reuse 3000'), `${FILE}:4: group g: damping reuse (3000) must be above 0 and below suppress (2000)`],
    ['damping not a number', g(' sources a\n destinations b\n damping penalty lots'), `${FILE}:4: damping penalty: 'lots' is not a whole number`],
    ['bad action', g(' sources a\n destinations b\n action shutdown'), `${FILE}:4: action: expected admin, protodown, keepalived-track-file PATH or frr-vrrp INTERFACE VRID shutdown|priority UP DOWN`],
    ['track file without path', g(' sources a\n action keepalived-track-file'), `${FILE}:3: action: expected admin, protodown, keepalived-track-file PATH or frr-vrrp INTERFACE VRID shutdown|priority UP DOWN`],
    ['frr-vrrp without mode', g(' sources a\n action frr-vrrp lan0 5'), `${FILE}:3: action frr-vrrp: expected INTERFACE VRID shutdown|priority UP DOWN [socket PATH]`],
    ['frr-vrrp bad VRID', g(' sources a\n action frr-vrrp lan0 0 shutdown'), `${FILE}:3: action frr-vrrp: VRID '0' is not a number from 1 to 255`],
    ['frr-vrrp priority 255', g(' sources a\n action frr-vrrp lan0 5 priority 255 100'), `${FILE}:3: action frr-vrrp: priority '255' is not a number from 1 to 254`],
    ['frr-vrrp demotion upwards', g(' sources a\n action frr-vrrp lan0 5 priority 100 150'), `${FILE}:3: group g: frr-vrrp: the priority while down (150) must be below the priority while up (100)`],
    ['frr-vrrp relative socket', g(' sources a\n action frr-vrrp lan0 5 shutdown socket vrrpd.vty'), `${FILE}:3: group g: frr-vrrp: socket 'vrrpd.vty' must be an absolute path`],
    ['frr-vrrp with destinations', g(' sources a\n destinations b\n action frr-vrrp lan0 5 shutdown'), `${FILE}:3: group g: frr-vrrp changes no interface: remove destinations`],
    ['frr-vrrp instance shared', 'group a {\n sources x\n action frr-vrrp lan0 5 shutdown\n}\ngroup b {\n sources y\n action frr-vrrp lan0 5 priority 150 90\n}\n', `${FILE}:7: group b: frr-vrrp lan0 5 is group a's too`],
    ['frr-vrrp atomic', g(' sources a\n action frr-vrrp lan0 5 shutdown\n atomic'), `${FILE}:4: group g: atomic switches interfaces; frr-vrrp has none`],
    ['track file relative', g(' sources a\n action keepalived-track-file x.track'), `${FILE}:3: group g: track file 'x.track' must be an absolute path`],
    ['track file with destinations', g(' sources a\n destinations b\n action keepalived-track-file /run/x'), `${FILE}:3: group g: keepalived-track-file changes no interface: remove destinations`],
    ['track file shared', 'group a {\n sources x\n action keepalived-track-file /run/t\n}\ngroup b {\n sources y\n action keepalived-track-file /run/t\n}\n', `${FILE}:7: group b: track file '/run/t' is group a's too`],
    ['hook relative', g(' sources a\n destinations b\n hook notify.sh'), `${FILE}:4: group g: hook 'notify.sh' must be an absolute path`],
    ['hook timeout zero', g(' sources a\n destinations b\n hook /bin/true\n hook-timeout 0'), `${FILE}:5: group g: hook-timeout must be above 0`],
    ['hook without program', g(' sources a\n destinations b\n hook'), `${FILE}:4: expected: hook /path/to/program [ARG...]`],
    ['relative control socket', 'control-socket ifdepd.sock\ngroup g {\n sources a\n destinations b\n}\n', `${FILE}:1: control-socket 'ifdepd.sock' must be an absolute path`],
    ['startup-hold twice', 'startup-hold 1s\nstartup-hold 2s\n', `${FILE}:2: startup-hold given twice`],
    ['metrics-listen without port', 'metrics-listen 127.0.0.1\n', `${FILE}:1: metrics-listen '127.0.0.1': not ADDRESS:PORT (an IPv6 address in brackets: [::1]:9732)`],
    ['metrics-listen host name', 'metrics-listen localhost:9732\n', `${FILE}:1: metrics-listen 'localhost:9732': the address is not an IPv4 address (no host names)`],
    ['metrics-listen IPv6 without brackets', 'metrics-listen ::1:9732\n', `${FILE}:1: metrics-listen '::1:9732': not ADDRESS:PORT (an IPv6 address in brackets: [::1]:9732)`],
    ['metrics-listen port 0', 'metrics-listen [::1]:0\n', `${FILE}:1: metrics-listen '[::1]:0': port 0 out of range 1-65535`],
    ['metrics-listen twice', 'metrics-listen 127.0.0.1:1\nmetrics-listen 127.0.0.1:2\n', `${FILE}:2: metrics-listen given twice`],
    ['metrics-file relative', 'metrics-file ifdepd.prom\n', `${FILE}:1: metrics-file 'ifdepd.prom' must be an absolute path`],
    ['cycle of two', 'group a {\n sources x\n destinations y\n}\ngroup b {\n sources y\n destinations x\n}\n', `${FILE}:1: dependency cycle: a -> b -> a`],
    ['cycle through a glob', 'group a {\n sources up0\n destinations "mid*"\n}\ngroup b {\n sources mid0\n destinations up0\n}\n', `${FILE}:1: dependency cycle: a -> b -> a`],
    ['cycle of three', 'group a {\n sources x\n destinations y\n}\ngroup b {\n sources y\n destinations z\n}\ngroup c {\n sources z\n destinations x\n}\n', `${FILE}:1: dependency cycle: a -> b -> c -> a`],
  ])('%s', (_label, text, message) => {
    expect(failure(text)).toBe(message);
  });
});
