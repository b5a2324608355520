import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EX_DATAERR, Fatal } from '../../../src/base/sysexits.js';
import { configFromText } from '../../../src/config/load.js';

const FILE = '/etc/ifdepd.conf';
const asRoot = process.geteuid?.() === 0;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-places-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A file whose second group writes `track`, its action on line 8. */
const withTrackFile = (track: string): string =>
  `startup-hold 0\ngroup a {\n sources x0\n destinations y0\n}\ngroup lan {\n sources eth0\n action keepalived-track-file ${track}\n}\n`;

function refusal(track: string): Fatal {
  try {
    configFromText(withTrackFile(track), FILE, { checkFiles: true });
  } catch (err) {
    return err as Fatal;
  }
  throw new Error(`${track} was accepted`);
}

describe('track file places', () => {
  it('accepts a track file in a trusted directory, or in one ifdepd will make below a trusted one', () => {
    expect(configFromText(withTrackFile(join(dir, 'lan.track')), FILE, { checkFiles: true }).groups).toHaveLength(2);
    expect(configFromText(withTrackFile(join(dir, 'keepalived', 'run', 'lan.track')), FILE, { checkFiles: true }).groups).toHaveLength(2);
  });

  it('refuses a track file that is a directory, with file:line of its action', () => {
    const failure = refusal(dir);
    expect(failure).toBeInstanceOf(Fatal);
    expect(failure.exitCode).toBe(EX_DATAERR);
    expect(failure.message).toBe(`${FILE}:8: group lan: track file ${dir} is a directory`);
  });

  it.each(['0777', '1777'])('refuses a directory others can write (mode %s), and one to be made in it', (mode) => {
    chmodSync(dir, Number.parseInt(mode, 8));
    const track = join(dir, 'lan.track');
    expect(refusal(track).message).toBe(`${FILE}:8: group lan: track file ${track}: ${dir} is writable by group or others (mode ${mode})`);
    const deeper = join(dir, 'keepalived', 'lan.track');
    expect(refusal(deeper).message).toBe(
      `${FILE}:8: group lan: track file ${deeper}: cannot create ${join(dir, 'keepalived')}: ${dir} is writable by group or others (mode ${mode})`,
    );
  });

  it.runIf(asRoot)('refuses a directory another user owns', () => {
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, 65534, 65534);
    const track = join(theirs, 'lan.track');
    expect(refusal(track).message).toBe(`${FILE}:8: group lan: track file ${track}: ${theirs} is owned by uid 65534, not root`);
  });
});

describe('metrics file place', () => {
  const withMetricsFile = (path: string): string => `group a {\n sources x0\n destinations y0\n}\nmetrics-file ${path}\n`;
  const refused = (path: string): string => {
    try {
      configFromText(withMetricsFile(path), FILE, { checkFiles: true });
    } catch (err) {
      expect((err as Fatal).exitCode).toBe(EX_DATAERR);
      return (err as Fatal).message;
    }
    throw new Error(`${path} was accepted`);
  };

  it('accepts a metrics file in a trusted directory', () => {
    expect(configFromText(withMetricsFile(join(dir, 'ifdepd.prom')), FILE, { checkFiles: true }).metrics).toEqual({ file: join(dir, 'ifdepd.prom') });
  });

  it('refuses a directory, a missing directory and one others can write, with file:line', () => {
    expect(refused(dir)).toBe(`${FILE}:5: metrics-file ${dir} is a directory`);
    expect(refused(join(dir, 'missing', 'ifdepd.prom'))).toMatch(new RegExp(`^${FILE}:5: metrics-file ${dir}/missing/ifdepd.prom: `));
    chmodSync(dir, 0o777);
    expect(refused(join(dir, 'ifdepd.prom'))).toMatch(new RegExp(`^${FILE}:5: metrics-file ${dir}/ifdepd.prom: .*writable`));
  });
});
