// Every file ifdepd writes is its own (src/config/written-paths.ts): the pidfile, the
// control socket, its hold file, the track files and the metrics file differ from each
// other and from the configuration file, compared after normalising; a clash is one line,
// at the file's line or naming the option, exit 78.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EX_CONFIG, Fatal } from '../../../src/base/sysexits.js';
import { parseConfig } from '../../../src/config/parser.js';
import { checkCommandLinePaths, checkWrittenPaths, comparablePath, type FixedPaths } from '../../../src/config/written-paths.js';

const dir = mkdtempSync(join(tmpdir(), 'ifdepd-pth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const CONF = join(dir, 'ifdepd.conf');
const SOCK = join(dir, 'run', 'ctl.sock');
const HOLDS = join(dir, 'run', 'ctl.holds');

/** A file: line 1 control-socket, line 2 metrics-file, groups a (track file on line 5) and b (line 9). */
function file(o: { metrics?: string; trackA?: string; trackB?: string; socket?: string } = {}): string {
  return [
    `control-socket ${o.socket ?? SOCK}`,
    `metrics-file ${o.metrics ?? join(dir, 'ifdepd.prom')}`,
    'group a {',
    '    sources x',
    `    action keepalived-track-file ${o.trackA ?? join(dir, 'a.track')}`,
    '}',
    'group b {',
    '    sources y',
    `    action keepalived-track-file ${o.trackB ?? join(dir, 'b.track')}`,
    '}',
    '',
  ].join('\n');
}

/** The one line a clash is refused with, or undefined when the paths are distinct. */
function refusal(text: string, fixed: FixedPaths = {}): string | undefined {
  try {
    checkWrittenPaths(parseConfig(text), CONF, fixed);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(Fatal);
    expect((err as Fatal).exitCode).toBe(EX_CONFIG);
    expect((err as Fatal).message).not.toContain('\n');
    return (err as Fatal).message;
  }
}

const pidfile = (path: string): FixedPaths => ({ pidfile: { path, option: '--pidfile' } });

describe('the files a configuration makes ifdepd write', () => {
  it('distinct paths pass', () => {
    expect(refusal(file(), pidfile(join(dir, 'ifdepd.pid')))).toBeUndefined();
  });

  describe('each pair is refused, at the line given last, or naming the option', () => {
    it.each([
      ['metrics file = configuration file', file({ metrics: CONF }), {}, `${CONF}:2: metrics-file ${CONF} is also the configuration file (-f)`],
      ['metrics file = control socket', file({ metrics: SOCK }), {}, `${CONF}:2: metrics-file ${SOCK} is also the control socket (line 1)`],
      ['metrics file = hold file', file({ metrics: HOLDS }), {}, `${CONF}:2: metrics-file ${HOLDS} is also the hold file of the control socket ${SOCK} (line 1)`],
      ['metrics file = track file', file({ metrics: join(dir, 'a.track') }), {}, `${CONF}:5: group a: track file ${join(dir, 'a.track')} is also the metrics file (line 2)`],
      ['metrics file = pidfile', file(), pidfile(join(dir, 'ifdepd.prom')), `${CONF}:2: metrics-file ${join(dir, 'ifdepd.prom')} is also the pidfile (--pidfile)`],
      ['metrics file = -d default pidfile', file({ metrics: '/run/ifdepd.pid' }), { pidfile: { path: '/run/ifdepd.pid', option: '-d' } }, `${CONF}:2: metrics-file /run/ifdepd.pid is also the pidfile (-d)`],
      ['metrics file = --control-socket', file(), { controlSocket: join(dir, 'ifdepd.prom') }, `${CONF}:2: metrics-file ${join(dir, 'ifdepd.prom')} is also the control socket (--control-socket)`],
      ['track file = configuration file', file({ trackB: CONF }), {}, `${CONF}:9: group b: track file ${CONF} is also the configuration file (-f)`],
      ['track file = track file, written differently', file({ trackB: join(dir, 'run', '..', 'a.track') }), {}, `${CONF}:9: group b: track file ${join(dir, 'run', '..', 'a.track')} is also group a's track file (line 5)`],
      ['track file = control socket', file({ trackA: SOCK }), {}, `${CONF}:5: group a: track file ${SOCK} is also the control socket (line 1)`],
      ['track file = hold file', file({ trackA: HOLDS }), {}, `${CONF}:5: group a: track file ${HOLDS} is also the hold file of the control socket ${SOCK} (line 1)`],
      ['track file = pidfile', file(), pidfile(join(dir, 'b.track')), `${CONF}:9: group b: track file ${join(dir, 'b.track')} is also the pidfile (--pidfile)`],
      ['control socket = configuration file', file({ socket: CONF }), {}, `${CONF}:1: control-socket ${CONF} is also the configuration file (-f)`],
      ['control socket = pidfile', file(), pidfile(SOCK), `${CONF}:1: control-socket ${SOCK} is also the pidfile (--pidfile)`],
      ['hold file = pidfile', file(), pidfile(HOLDS), `--pidfile ${HOLDS} is also the hold file of the control socket ${SOCK} (line 1)`],
      ['--control-socket = --pidfile', file(), { ...pidfile(join(dir, 'x')), controlSocket: join(dir, 'x') }, `--control-socket ${join(dir, 'x')} is also the pidfile (--pidfile)`],
      ['--pidfile = configuration file', file(), pidfile(CONF), `--pidfile ${CONF} is also the configuration file (-f)`],
    ] as const)('%s', (_what, text, fixed, message) => {
      expect(refusal(text, fixed)).toBe(message);
    });
  });

  it('hold file = configuration file (one named *.holds)', () => {
    const conf = join(dir, 'x.holds');
    const sock = join(dir, 'x.sock');
    try {
      checkWrittenPaths(parseConfig(file({ socket: sock })), conf, {});
      expect.unreachable('a hold file over the configuration was accepted');
    } catch (err) {
      expect((err as Fatal).message).toBe(`${conf}:1: control-socket ${sock} (its hold file ${conf}) is also the configuration file (-f)`);
    }
  });

  it('--control-socket replaces the file\'s: its hold file is the one that counts', () => {
    const other = join(dir, 'other.sock');
    expect(refusal(file({ metrics: HOLDS }), { controlSocket: other })).toBeUndefined();
    expect(refusal(file({ metrics: join(dir, 'other.holds') }), { controlSocket: other })).toBe(
      `${CONF}:2: metrics-file ${join(dir, 'other.holds')} is also the hold file of the control socket ${other} (--control-socket)`,
    );
  });

  it('with no control-socket anywhere, the default one and its hold file count', () => {
    const text = 'metrics-file /run/ifdepd/ifdepd.holds\ngroup a {\n sources x\n destinations y\n}\n';
    expect(refusal(text)).toBe(`${CONF}:1: metrics-file /run/ifdepd/ifdepd.holds is also the hold file of the control socket /run/ifdepd/ifdepd.sock (the default)`);
  });

  it('at a reload, the control socket in use counts too, when the file now names another', () => {
    const inUse = join(dir, 'old.sock');
    expect(refusal(file({ metrics: join(dir, 'old.holds') }), { controlSocketInUse: inUse })).toBe(
      `${CONF}:2: metrics-file ${join(dir, 'old.holds')} is also the hold file of the control socket ifdepd listens on ${inUse} (until a restart)`,
    );
    expect(refusal(file(), { controlSocketInUse: SOCK })).toBeUndefined();
  });

  it('a directory reached through a symbolic link is the directory it leads to', () => {
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    expect(comparablePath(join(dir, 'link', 'x.prom'))).toBe(comparablePath(join(dir, 'real', 'x.prom')));
    // Also below a directory that does not exist yet (ifdepd makes it).
    expect(comparablePath(join(dir, 'link', 'new', 'x'))).toBe(comparablePath(join(dir, 'real', 'new', 'x')));
    expect(refusal(file({ trackA: join(dir, 'link', 't'), trackB: join(dir, 'real', 't') }))).toMatch(/^.*:9: group b: track file .* is also group a's track file \(line 5\)$/);
  });

  it('a configuration file that is a symbolic link is also the file it leads to', () => {
    const target = join(dir, 'target.conf');
    writeFileSync(target, '');
    const link = join(dir, 'link.conf');
    symlinkSync(target, link);
    try {
      checkWrittenPaths(parseConfig(file({ metrics: target })), link, {});
      expect.unreachable('a metrics file over the configuration was accepted');
    } catch (err) {
      expect((err as Fatal).message).toBe(`${link}:2: metrics-file ${target} is also the configuration file (-f)`);
    }
  });
});

describe('the files of the -S/-D command line', () => {
  const refused = (fixed: FixedPaths, metrics?: string): string | undefined => {
    try {
      checkCommandLinePaths(fixed, metrics);
      return undefined;
    } catch (err) {
      expect((err as Fatal).exitCode).toBe(EX_CONFIG);
      return (err as Fatal).message;
    }
  };

  it('are refused naming the options', () => {
    expect(refused(pidfile('/run/x.pid'), '/run/x.pid')).toBe('--metrics-file /run/x.pid is also the pidfile (--pidfile)');
    expect(refused({ controlSocket: '/run/x.sock' }, '/run/x.holds')).toBe('--metrics-file /run/x.holds is also the hold file of the control socket /run/x.sock (--control-socket)');
    expect(refused({ pidfile: { path: '/run/ifdepd.pid', option: '-d' }, controlSocket: '/run/ifdepd.pid' })).toBe('--control-socket /run/ifdepd.pid is also the pidfile (-d)');
    expect(refused({ ...pidfile('/run/x.pid'), controlSocket: '/run/x.sock' }, '/run/y.prom')).toBeUndefined();
  });
});
