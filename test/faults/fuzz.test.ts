// Property-based fuzzing (fast-check) of everything that reads operator or client
// input: the command line, the configuration file, control requests, durations and
// interface names. The contract everywhere: a valid result, or the one documented
// kind of failure with a one-line message; never another exception, never a hang.
// Seeded: a run is reproducible; IFDEPD_FUZZ_SEED explores another part of the space,
// IFDEPD_FUZZ_SCALE multiplies the run counts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromText } from '../../src/config/load.js';
import { MAX_GROUPS } from '../../src/config/limits.js';
import type { Config } from '../../src/core/spec.js';
import { parseRequest } from '../../src/control/protocol.js';
import { MAX_DURATION, parseDuration } from '../../src/core/duration.js';
import { invalidIfName, parseIfList } from '../../src/core/ifname.js';
import { InfoExit } from '../../src/base/sysexits.js';
import { parseOptions, type Options } from '../../src/cli/options.js';
import { EX_CONFIG, EX_DATAERR, EX_NOINPUT, EX_USAGE, Fatal } from '../../src/base/sysexits.js';

const SEED = Number(process.env.IFDEPD_FUZZ_SEED ?? 20_260_122);
const SCALE = Number(process.env.IFDEPD_FUZZ_SCALE ?? 1);
const runs = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * SCALE)) });
const FILE = '/etc/ifdepd.conf';
/** Counts of inputs tried, per target, for the report at the end. */
const tried: Record<string, number> = {};
const count = (what: string) => (tried[what] = (tried[what] ?? 0) + 1);

/** Any string, from all of Unicode (lone surrogates included), short or not. */
const anyString = (maxLength = 40) =>
  fc.oneof(fc.string({ maxLength }), fc.string({ unit: 'binary', maxLength }), fc.string({ unit: 'grapheme', maxLength }));
/** Without '\n': the one-line contract is checked on these (echoed newlines are a known bug, see bad-input). */
const noNewline = (arb: fc.Arbitrary<string>) => arb.map((s) => s.replace(/[\n]/g, ' '));

const IFNAMES = ['up0', 'up1', 'em0', 'bge0', 'vrrp0', 'vrrp1', 'vrrp.51', 'eth0@x', 'br-lan_2', 'abcdefghijklmno', 'vrrp*', 'e[0-3]', 'swp[1-4]', '{a,b}0', '!(x)', '+(a)', 'é', '\u{1F525}'];
const ifList = fc.array(fc.oneof(fc.constantFrom(...IFNAMES), noNewline(anyString(18))), { minLength: 1, maxLength: 4 }).map((a) => a.join(':'));
const DURATIONS = ['0', '250ms', '2s', '1.5s', '5m', '1h', '24h', '25h', '5', '-1s', '0.5ms', '1e3ms', '', 'soon', '1.001s', '00s', '99999999999999999999ms'];
const duration = fc.oneof(fc.constantFrom(...DURATIONS), noNewline(anyString(8)));

describe('fuzz', () => {
  let dir: string;
  let files: Record<'valid' | 'broken' | 'missing' | 'dir' | 'withSocket', string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fuzz-'));
    files = {
      valid: join(dir, 'valid.conf'),
      broken: join(dir, 'broken.conf'),
      missing: join(dir, 'missing.conf'),
      dir: join(dir, 'sub'),
      withSocket: join(dir, 'socket.conf'),
    };
    writeFileSync(files.valid, 'group uplink {\n sources up0 up1\n destinations "vrrp*"\n}\n');
    writeFileSync(files.broken, 'group uplink {\n sources up0\n');
    writeFileSync(files.withSocket, 'control-socket /run/x/y.sock\nstartup-hold 5s\ngroup a {\n sources up0\n destinations vrrp0\n}\n');
    mkdirSync(files.dir);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    console.log(`fuzz: inputs tried (seed ${SEED}): ${JSON.stringify(tried)}`);
  });

  describe('parseOptions', () => {
    /** One command-line element or option with its value; -f only ever names our own files. */
    const element = (): fc.Arbitrary<string[]> =>
      fc.oneof(
        { weight: 3, arbitrary: fc.tuple(fc.constantFrom('-S', '--sources', '-D', '--destinations'), ifList) },
        { weight: 2, arbitrary: fc.tuple(fc.constantFrom('--down-delay', '--up-delay', '--startup-hold'), duration) },
        { weight: 1, arbitrary: duration.map((v) => [`--up-delay=${v}`]) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('-f', '--config'), fc.constantFrom('valid', 'broken', 'missing', 'dir', 'withSocket')).map(([f, k]) => [f, files[k]]) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('--pidfile', '--control-socket'), fc.oneof(fc.constantFrom('', 'x.pid', '/run/x.sock'), noNewline(anyString(10)))) },
        { weight: 1, arbitrary: fc.tuple(fc.constant('--syslog'), fc.oneof(fc.constantFrom('udp://127.0.0.1:514', 'tcp://[::1]:601', 'udp://', 'http://x', 'udp://h:99999', 'udp://h/p', 'udp://u:p@h'), noNewline(anyString(12)))) },
        { weight: 1, arbitrary: fc.tuple(fc.constant('--syslog-format'), fc.constantFrom('rfc3164', 'rfc5424', 'json', '')) },
        { weight: 3, arbitrary: fc.constantFrom('-v', '-q', '-d', '-n', '--check-config', '--verbose', '--quiet', '--daemon', '--dry-run', '-vn', '-dq', '--', '-') },
        { weight: 1, arbitrary: fc.constantFrom('-h', '--help', '-V', '--version').map((f) => [f]) },
        { weight: 2, arbitrary: noNewline(anyString(12)).map((s) => [s]) },
        { weight: 1, arbitrary: fc.constantFrom('-S', '-D', '-f', '--up-delay', '--syslog').map((f) => [f]) },
      ).map((e) => (Array.isArray(e) ? e : [e]));
    const argv = fc.oneof(
      fc.array(element(), { maxLength: 8 }).map((parts) => parts.flat()),
      // A valid core, disturbed: reaches the checks that follow a successful parse.
      fc.tuple(fc.array(element(), { maxLength: 3 }), fc.nat({ max: 4 })).map(([parts, at]) => {
        const rest = parts.flat();
        return [...rest.slice(0, at), '-S', 'up0:up1', '-D', 'vrrp0', ...rest.slice(at)];
      }),
    );

    function checkOptions(o: Options, args: readonly string[]): void {
      const ctx = JSON.stringify(args);
      expect(['quiet', 'normal', 'verbose'], ctx).toContain(o.verbosity);
      expect(o.config.groups.length, ctx).toBeGreaterThan(0);
      for (const g of o.config.groups) {
        expect(g.sources.length, ctx).toBeGreaterThan(0);
        for (const n of [...g.sources, ...g.destinations]) expect(invalidIfName(n), ctx).toBeUndefined();
        expect(g.sources.filter((s) => g.destinations.includes(s)), ctx).toEqual([]);
        for (const ms of [g.delays.down, g.delays.up]) expect(Number.isInteger(ms) && ms >= 0 && ms <= MAX_DURATION, ctx).toBe(true);
      }
      if (o.pidfile !== undefined) expect(isAbsolute(o.pidfile), ctx).toBe(true);
      if (o.controlSocket !== undefined) expect(isAbsolute(o.controlSocket), ctx).toBe(true);
      if (o.configFile === undefined) expect(o.config.groups.map((g) => g.name), ctx).toEqual(['default']);
    }

    it('returns Options or throws Fatal (64/65/66, or 78 for two options naming one file; one line) or InfoExit: never anything else', () => {
      const outcomes: Record<string, number> = {};
      fc.assert(
        fc.property(argv, (args) => {
          count('parseOptions');
          let outcome: string;
          try {
            checkOptions(parseOptions(args), args);
            outcome = 'options';
          } catch (err) {
            if (err instanceof InfoExit) outcome = 'info';
            else if (err instanceof Fatal) {
              expect([EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_CONFIG], `${JSON.stringify(args)}: ${err.message}`).toContain(err.exitCode);
              expect(err.message, JSON.stringify(args)).not.toContain('\n');
              expect(err.message.length, JSON.stringify(args)).toBeGreaterThan(0);
              outcome = `fatal ${err.exitCode}`;
            } else throw err; // an expect() failure, or the crash we are looking for
          }
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        }),
        runs(10_000),
      );
      console.log(`fuzz: parseOptions outcomes ${JSON.stringify(outcomes)}`);
      // The generator must reach every outcome, or the property proves little.
      expect(Object.keys(outcomes).sort()).toEqual(['fatal 64', 'fatal 65', 'fatal 66', 'info', 'options']);
    });

    it('accepts every well-formed BSD command line, whatever the order of its options', () => {
      const name = (prefix: string) => fc.integer({ min: 0, max: 999 }).map((i) => `${prefix}${i}`);
      fc.assert(
        fc.property(
          fc.uniqueArray(name('s'), { minLength: 1, maxLength: 4 }),
          fc.uniqueArray(name('d'), { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 0, max: 86_400 }),
          fc.shuffledSubarray(['-v', '-n', '--check-config', '-d']),
          (sources, dests, seconds, flags) => {
            count('parseOptions');
            const o = parseOptions([...flags, '-D', dests.join(':'), '--up-delay', `${seconds}s`, '-S', sources.join(':')]);
            expect(o.config.groups[0]!.sources).toEqual(sources);
            expect(o.config.groups[0]!.destinations).toEqual(dests);
            expect(o.config.groups[0]!.delays.up).toBe(seconds * 1000);
          },
        ),
        runs(2000),
      );
    });
  });

  describe('configFromText', () => {
    const KEYWORDS = [
      'group', 'sources', 'destinations', 'policy', 'all', 'any', 'min', 'down-delay', 'up-delay', 'damping', 'penalty',
      'half-life', 'suppress', 'reuse', 'max-suppress', 'action', 'admin', 'protodown', 'keepalived-track-file', 'hook',
      'hook-timeout', 'startup-hold', 'control-socket', 'route', 'address', 'ping', 'dev', 'table', 'via', 'inet', 'inet6',
      'interval', 'timeout', 'default',
    ];
    const PUNCT = ['{', '}', '"', '#', ',', ':', '\\', '\\"', '\n', '\n', '\n', ' ', '\t', '\r', '\r\n'];
    const VALUES = ['up0', 'vrrp0', 'vrrp*', '"vrrp.*"', 'a:b', '0', '2s', '1.5s', '5', '3000', '1', '2', '/run/x.track', '/usr/bin/true', 'rel/x', 'g', 'h', '"a b"', '""'];
    const fragment = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...KEYWORDS) },
      { weight: 4, arbitrary: fc.constantFrom(...PUNCT) },
      { weight: 3, arbitrary: fc.constantFrom(...VALUES) },
      { weight: 1, arbitrary: anyString(12) },
    );
    /** Statement-shaped text most of the time, so that the deeper checks are reached too. */
    const statement = fc.oneof(
      fc.array(fragment, { maxLength: 6 }).map((f) => f.join(' ')),
      fc.tuple(fc.constantFrom('sources', 'destinations'), fc.array(fc.constantFrom(...VALUES), { maxLength: 3 })).map(([k, v]) => `${k} ${v.join(' ')}`),
      fc.tuple(fc.constantFrom('down-delay', 'up-delay', 'hook-timeout', 'startup-hold'), fc.constantFrom(...DURATIONS)).map(([k, v]) => `${k} ${v}`),
      fc.tuple(fc.constantFrom('penalty', 'half-life', 'suppress', 'reuse', 'max-suppress'), fc.constantFrom('0', '1', '500', '3000', '10s', 'x')).map(([k, v]) => `damping ${k} ${v}`),
      fc.constantFrom('policy all', 'policy any', 'policy min 1', 'policy min 3', 'action protodown', 'action keepalived-track-file /run/t', 'hook /bin/true a "b c"', 'control-socket /run/c.sock'),
      fc.constantFrom('route default dev up0', 'route ::/0 table 100', 'route 10.0.0.0/8 via 10.1.1.1', 'route 10.0.0.1/8', 'address up0 inet', 'address up0 inet6 2001:db8::/32', 'ping 192.0.2.1 dev up0 interval 200ms', 'ping ::1 down 0', 'ping 1.2.3 timeout 1s'),
    );
    const optional = fc.constantFrom(
      'policy all', 'policy any', 'policy min 1', 'down-delay 250ms', 'up-delay 5s', 'damping', 'damping suppress 3000 half-life 10s',
      'action admin', 'action protodown', 'hook /bin/true --x "y z"', 'hook-timeout 3s',
    );
    /** A group: well-formed most of the time (so the cross-group checks are reached), with junk some of the time. */
    const group = fc
      .tuple(
        fc.constantFrom('a', 'b', 'c', 'uplink', 'a', '"x y"', '', 'x'.repeat(65)),
        fc.constantFrom('up0', 'up0 up1', '"up*"', 'up0:up1', 'b0', 'c0', 'e[0-3]', ''),
        fc.constantFrom('vrrp0', 'vrrp0 vrrp1', '"vrrp.*"', 'b0', 'c0', 'a0', 'up0', ''),
        fc.array(fc.oneof({ weight: 3, arbitrary: optional }, { weight: 1, arbitrary: statement }), { maxLength: 4 }),
        fc.nat({ max: 10 }),
      )
      .map(([name, sources, dests, extra, shape]) => {
        const body = [`sources ${sources}`, `destinations ${dests}`, ...extra];
        if (shape === 0) body.reverse();
        const close = shape === 1 ? '' : '}\n';
        return `group ${name} {\n${body.map((l) => `  ${l}\n`).join('')}${close}`;
      });
    const text = fc
      .array(fc.oneof({ weight: 6, arbitrary: group }, { weight: 1, arbitrary: statement }, { weight: 1, arbitrary: fragment }), { maxLength: 5 })
      .map((parts) => parts.join('\n'));

    function checkConfigOutcome(input: string): 'ok' | 'error' {
      count('configFromText');
      let config: Config;
      try {
        config = configFromText(input, FILE);
      } catch (err) {
        const ctx = JSON.stringify(input);
        if (!(err instanceof Fatal)) throw new Error(`not a Fatal: ${String(err)} for ${ctx}`, { cause: err });
        expect(err.exitCode, ctx).toBe(EX_DATAERR);
        const m = /^\/etc\/ifdepd\.conf:(\d+): (.+)$/s.exec(err.message);
        expect(m, `${err.message} for ${ctx}`).not.toBeNull();
        expect(err.message, ctx).not.toContain('\n');
        const line = Number(m![1]);
        expect(line, `${err.message} for ${ctx}`).toBeGreaterThanOrEqual(1);
        expect(line, `${err.message} for ${ctx}`).toBeLessThanOrEqual(input.split('\n').length);
        return 'error';
      }
      expect(config.groups.length).toBeGreaterThan(0);
      for (const g of config.groups) {
        expect(g.sources.length + (g.otherSources?.length ?? 0)).toBeGreaterThan(0);
        if (g.action.kind !== 'track-file' && g.action.kind !== 'frr-vrrp') expect(g.destinations.length).toBeGreaterThan(0);
      }
      return 'ok';
    }

    it('random text from grammar fragments and Unicode: a Config, or Fatal 65 "file:line: ..." with a real line', () => {
      const outcomes = { ok: 0, error: 0 };
      fc.assert(
        fc.property(text, (input) => {
          outcomes[checkConfigOutcome(input)] += 1;
        }),
        runs(10_000),
      );
      console.log(`fuzz: configFromText outcomes ${JSON.stringify(outcomes)}`);
      expect(outcomes.ok).toBeGreaterThan(200);
      expect(outcomes.error).toBeGreaterThan(500);
    });

    it('pure noise (any Unicode, NULs, CRs, lone surrogates) is refused the same way', () => {
      fc.assert(fc.property(anyString(300), (input) => void checkConfigOutcome(input)), runs(3000));
    });

    /** The example configurations of ifdepd.conf(5), and the full example of the unit tests. */
    function examples(): string[] {
      const man = readFileSync(fileURLToPath(new URL('../../man/ifdepd.conf.5', import.meta.url)), 'utf8');
      const blocks = [...man.matchAll(/^\.Bd -literal[^\n]*\n([\s\S]*?)^\.Ed$/gm)].map((m) => m[1]!);
      const configs = blocks.filter((b) => /^\s*group /m.test(b) && !/vrrp_instance|^# ifdepd /m.test(b)).map((b) => b.replace(/\\&/g, ''));
      const unit = readFileSync(fileURLToPath(new URL('../unit/config/config.test.ts', import.meta.url)), 'utf8');
      const full = /const FULL = `([\s\S]*?)`;/.exec(unit)?.[1];
      return full === undefined ? configs : [...configs, full];
    }

    it('mutations of the valid examples of ifdepd.conf(5) and the unit tests: a Config, or Fatal 65 with a real line', () => {
      const valid = examples();
      expect(valid.length).toBeGreaterThanOrEqual(4);
      for (const v of valid) expect(checkConfigOutcome(v), v).toBe('ok');
      const mutation = fc.oneof(
        fc.tuple(fc.nat(), fc.nat({ max: 20 })).map(([at, n]) => (s: string) => { const i = at % (s.length + 1); return s.slice(0, i) + s.slice(i + n); }),
        fc.tuple(fc.nat(), fragment).map(([at, f]) => (s: string) => { const i = at % (s.length + 1); return s.slice(0, i) + f + s.slice(i); }),
        fc.tuple(fc.nat(), anyString(3)).map(([at, f]) => (s: string) => { const i = at % (s.length + 1); return s.slice(0, i) + f + s.slice(i + 1); }),
        fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (s: string) => {
          const lines = s.split('\n');
          const i = a % lines.length;
          const j = b % lines.length;
          [lines[i], lines[j]] = [lines[j]!, lines[i]!];
          return lines.join('\n');
        }),
        fc.nat().map((a) => (s: string) => { const lines = s.split('\n'); const i = a % lines.length; lines.splice(i, 0, lines[i]!); return lines.join('\n'); }),
        fc.nat().map((a) => (s: string) => s.slice(0, a % (s.length + 1))),
      );
      const outcomes = { ok: 0, error: 0 };
      fc.assert(
        fc.property(fc.constantFrom(...valid), fc.array(mutation, { minLength: 1, maxLength: 4 }), (base, ms) => {
          outcomes[checkConfigOutcome(ms.reduce((s, m) => m(s), base))] += 1;
        }),
        runs(4000),
      );
      console.log(`fuzz: mutated examples outcomes ${JSON.stringify(outcomes)}`);
      expect(outcomes.ok).toBeGreaterThan(0);
      expect(outcomes.error).toBeGreaterThan(0);
    });

    it('a long chain of groups (deep dependency graph) is read or refused, not a stack overflow', () => {
      count('configFromText');
      // The longest chain the limits allow: with the cycle's closing group, MAX_GROUPS in all.
      const n = MAX_GROUPS - 1;
      const chain = Array.from({ length: n }, (_, i) => `group g${i} {\n sources l${i}\n destinations l${i + 1}\n}\n`).join('');
      expect(configFromText(chain, FILE).groups).toHaveLength(n);
      const cycle = `${chain}group back {\n sources l${n}\n destinations l0\n}\n`;
      expect(() => configFromText(cycle, FILE)).toThrow(/^\/etc\/ifdepd\.conf:1: dependency cycle: g0 -> g1 -> .* -> back -> g0$/);
    });
  });

  describe('parseRequest', () => {
    const CMDS = ['status', 'hold', 'release', 'reload', 'monitor'];
    const GROUP = /^[A-Za-z0-9_.-]{1,64}$/;
    const key = fc.oneof(fc.constantFrom('cmd', 'group', 'state', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'json'), anyString(8));
    const value = fc.oneof(fc.constantFrom(...CMDS, 'up', 'down', 'uplink', '', 'UP', 'a'.repeat(65), true, false), fc.jsonValue({ maxDepth: 2 }), anyString(20));
    const requestish = fc.dictionary(key, value, { maxKeys: 4 }).chain((fields) =>
      fc.constantFrom(...CMDS).map((cmd) => (Object.hasOwn(fields, 'cmd') ? fields : { cmd, ...fields })),
    );
    const line = fc.oneof(
      { weight: 3, arbitrary: requestish.map((o) => JSON.stringify(o)) },
      { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null') },
      { weight: 2, arbitrary: anyString(80) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...CMDS), fc.constantFrom('__proto__', 'constructor', 'prototype')).map(([c, k]) => `{"cmd":"${c}","${k}":{"group":"x"}}`) },
      { weight: 1, arbitrary: fc.nat({ max: 4096 }).map((n) => `{"cmd":"status","pad":"${'x'.repeat(n)}"}`) },
      { weight: 1, arbitrary: fc.nat({ max: 3000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`) },
    );

    it('returns a valid request or throws Error with a short one-line message, quickly', () => {
      let slowest = 0;
      const outcomes = { request: 0, error: 0 };
      fc.assert(
        fc.property(line, (text) => {
          count('parseRequest');
          const t0 = performance.now();
          let result;
          try {
            result = parseRequest(text);
          } catch (err) {
            slowest = Math.max(slowest, performance.now() - t0);
            expect(err, JSON.stringify(text)).toBeInstanceOf(Error);
            expect(Object.getPrototypeOf(err), JSON.stringify(text)).toBe(Error.prototype);
            const message = (err as Error).message;
            expect(message, JSON.stringify(text)).not.toMatch(/[\n\r]/);
            expect(message.length, JSON.stringify(text)).toBeLessThanOrEqual(120);
            outcomes.error += 1;
            return;
          }
          slowest = Math.max(slowest, performance.now() - t0);
          outcomes.request += 1;
          const ctx = JSON.stringify(text);
          expect(CMDS, ctx).toContain(result.cmd);
          const expectedKeys = { status: ['cmd'], reload: ['cmd'], release: ['cmd', 'group'], hold: ['cmd', 'group', 'state'], monitor: ['cmd', 'json'] }[result.cmd];
          expect(Object.keys(result).sort(), ctx).toEqual([...expectedKeys].sort());
          if ('group' in result) expect(result.group, ctx).toMatch(GROUP);
          if ('state' in result) expect(['up', 'down'], ctx).toContain(result.state);
          if ('json' in result) expect(typeof result.json, ctx).toBe('boolean');
          // What was asked for is what is returned: the parsed text said the same.
          const asked = JSON.parse(text) as Record<string, unknown>;
          expect(asked['cmd'], ctx).toBe(result.cmd);
          if ('group' in result) expect(asked['group'], ctx).toBe(result.group);
        }),
        runs(10_000),
      );
      console.log(`fuzz: parseRequest outcomes ${JSON.stringify(outcomes)}, slowest ${slowest.toFixed(1)} ms`);
      expect(outcomes.request).toBeGreaterThan(100);
      expect(slowest).toBeLessThan(250);
    });
  });

  describe('parseDuration', () => {
    const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

    it('any string: a whole number of milliseconds within 0..24h, or an Error with a one-line message', () => {
      const text = fc.oneof(
        anyString(12),
        fc.tuple(fc.stringMatching(/^-?\d{0,12}(\.\d{0,6})?$/), fc.constantFrom('', 'ms', 's', 'm', 'h', 'd', 'S', ' s', 'sec')).map(([n, u]) => n + u),
      );
      fc.assert(
        fc.property(noNewline(text), (t) => {
          count('parseDuration');
          let ms: number;
          try {
            ms = parseDuration(t);
          } catch (err) {
            expect(Object.getPrototypeOf(err), t).toBe(Error.prototype);
            expect((err as Error).message, t).not.toContain('\n');
            return;
          }
          expect(Number.isInteger(ms) && ms >= 0 && ms <= MAX_DURATION, `${t} -> ${ms}`).toBe(true);
        }),
        runs(10_000),
      );
    });

    it('integers with a unit read exactly; above 24h refused; bare numbers other than 0 refused', () => {
      fc.assert(
        fc.property(fc.nat({ max: 200_000_000 }), fc.constantFrom('ms', 's', 'm', 'h'), (n, unit) => {
          count('parseDuration');
          const ms = n * UNIT_MS[unit as keyof typeof UNIT_MS];
          if (ms <= MAX_DURATION) expect(parseDuration(`${n}${unit}`)).toBe(ms);
          else expect(() => parseDuration(`${n}${unit}`)).toThrow(/longer than 24h/);
          if (n !== 0) expect(() => parseDuration(String(n))).toThrow(/has no unit/);
        }),
        runs(5000),
      );
    });

    // "1.001s" is 1001 ms, though 1.001 * 1000 is 1000.9999999999999 in binary floating point.
    it('every whole number of milliseconds written in seconds with three decimals is accepted', () => {
      fc.assert(
        fc.property(fc.nat({ max: 86_400_000 }), (ms) => {
          count('parseDuration');
          const text = `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}s`;
          expect(parseDuration(text), text).toBe(ms);
        }),
        runs(2000),
      );
    });
  });

  describe('interface names', () => {
    /** dev_valid_name() of the kernel: isspace() there is ASCII whitespace only. */
    // dev_valid_name(): no '/' or ':' (ours), no byte the kernel's isspace() calls space
    // (lib/ctype.c: \t..\r, ' ' and 0xA0, which UTF-8 uses inside U+00A0, U+0160, ...).
    const KERNEL_REFUSED = new Set([0x00, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x2f, 0x3a, 0xa0]);
    const kernelValid = (name: string): boolean =>
      name !== '' &&
      name !== '.' &&
      name !== '..' &&
      Buffer.byteLength(name) <= 15 &&
      ![...Buffer.from(name, 'utf8')].some((b) => KERNEL_REFUSED.has(b));
    const names = fc.oneof(fc.constantFrom(...IFNAMES, '.', '..', '', 'a b', 'a/b', 'a\0b', 'x'.repeat(15), 'x'.repeat(16), 'ééééééé1', 'éééééééé'), anyString(17));

    it('invalidIfName never accepts a name the kernel refuses, and its answer is one line', () => {
      fc.assert(
        fc.property(names, (name) => {
          count('invalidIfName');
          const problem = invalidIfName(name);
          if (problem === undefined) expect(kernelValid(name), JSON.stringify(name)).toBe(true);
          else if (!name.includes('\n')) expect(problem).not.toContain('\n');
        }),
        runs(10_000),
      );
    });

    it('parseIfList returns exactly the names of its text, each valid and unique, or throws Error', () => {
      const list = fc.oneof(fc.array(names, { maxLength: 5 }).map((a) => a.join(':')), anyString(40));
      fc.assert(
        fc.property(list, (text) => {
          count('parseIfList');
          let result: string[];
          try {
            result = parseIfList(text);
          } catch (err) {
            expect(Object.getPrototypeOf(err)).toBe(Error.prototype);
            return;
          }
          expect(result.join(':')).toBe(text);
          expect(new Set(result).size).toBe(result.length);
          for (const n of result) expect(invalidIfName(n)).toBeUndefined();
        }),
        runs(10_000),
      );
    });

    it('invalidIfName accepts every name the kernel accepts, except with ":"', () => {
      fc.assert(
        fc.property(fc.oneof(names, fc.constantFrom('eth\u00a00', 'a\u2028b', 'x\u3000y', '\ufeffeth0')), (name) => {
          if (kernelValid(name)) expect(invalidIfName(name), JSON.stringify(name)).toBeUndefined();
        }),
        runs(2000),
      );
    });
  });
});
