// Configuration input that must never hang or stall ifdepd (issue 10): the built CLI
// refuses what is not a regular UTF-8 file of bounded size with one line and its exit
// code, and a reload of the largest file the limits allow does not delay a failover.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, MAX_GROUPS } from '../../src/config/limits.js';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { maximalConfig } from '../lab/maxconf.js';
import { CLI, describeLab, LinkRecorder } from '../lab/index.js';

/** `node dist/cli.js ARGV`, killed after `deadline` ms: a hang fails the test instead of stalling it. */
function run(argv: readonly string[], deadline = 10_000) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8', timeout: deadline, killSignal: 'SIGKILL' });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

describe('--check-config on input that is not a configuration file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ifdepd-config-input-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function expectOneLine(r: ReturnType<typeof run>, code: number, message: RegExp): void {
    expect(r.signal, `killed after ${Math.round(r.ms)} ms: it hung`).toBeNull();
    expect(r.code, r.stderr).toBe(code);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([expect.stringMatching(message), '']);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }

  it('a FIFO: exit 66 at once, one line, no hang waiting for a writer', () => {
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expectOneLine(run(['--check-config', '-f', fifo]), 66, /^ifdepd: .*\/fifo: not a regular file \(a FIFO\); give the configuration file itself$/);
  });

  it('/dev/zero: exit 66, one line, no endless read', () => {
    expectOneLine(run(['--check-config', '-f', '/dev/zero']), 66, /^ifdepd: \/dev\/zero: not a regular file \(a character device\)/);
  });

  it('invalid UTF-8 in a name: exit 65 with file:line', () => {
    const file = join(dir, 'latin1.conf');
    writeFileSync(file, Buffer.from('# uplinks\ngroup g {\n    sources caf\xe9\n    destinations vrrp0\n}\n', 'latin1'));
    expectOneLine(run(['--check-config', '-f', file]), 65, new RegExp(`^ifdepd: ${file}:3: invalid UTF-8 \\(byte \\\\xe9\\): the file must be UTF-8 text$`));
  });

  it('a file over the size limit: exit 65 with file:line, read no further', () => {
    const file = join(dir, 'big.conf');
    writeFileSync(file, `${'#\n'.repeat(MAX_FILE_BYTES / 2)}group g {\n`);
    expectOneLine(run(['--check-config', '-f', file]), 65, new RegExp(`^ifdepd: ${file}:${MAX_FILE_BYTES / 2 + 1}: the file is larger than 1 MiB, the limit$`));
  });

  it('5,000 nested braces: exit 65 with file:line, a short line, quickly', () => {
    const file = join(dir, 'braces.conf');
    writeFileSync(file, `group g {\n    sources em0\n    destinations "${'{'.repeat(5000)}a${'}'.repeat(5000)}"\n}\n`);
    const r = run(['--check-config', '-f', file]);
    expectOneLine(r, 65, new RegExp(`^ifdepd: ${file}:3: group g: pattern '\\{{64}'\\.\\.\\. is longer than 128 bytes$`));
    expect(r.stderr.length).toBeLessThan(300);
  });

  it('the largest file the limits allow: accepted', () => {
    const file = join(dir, 'max.conf');
    writeFileSync(file, maximalConfig(group('real', 'sources a0', 'destinations vrrp0'), 1, 2));
    const r = run(['--check-config', '-f', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`: OK, ${MAX_GROUPS} group\\(s\\): real, filler0, `));
  });

  it("-S 'eth*': exit 64, a source is a name, not a pattern", () => {
    expectOneLine(run(['--check-config', '-S', 'eth*', '-D', 'vrrp0']), 64, /^ifdepd: --sources: 'eth\*' has glob characters: -S takes interface names/);
  });
});

describeLab('reload of hostile or huge files', () => {
  let lab: Lab;
  eachLab((fresh) => (lab = fresh));

  it('a FIFO put in place of the file: SIGHUP and `ifdepd reload` refuse it, the daemon keeps working', async () => {
    lab.addSource('a0');
    lab.addDestination('vrrp0');
    const d = await lab.start(config(lab, group('real', 'sources a0', 'destinations vrrp0', 'down-delay 0')), { verbose: false });
    rmSync(lab.configFile);
    expect(spawnSync('mkfifo', [lab.configFile]).status).toBe(0);
    const mark = d.mark();
    d.signal('SIGHUP');
    const refused = await d.waitForLog(/reload refused/, 5000, mark);
    expect(refused).toContain(`reload refused, the running configuration stays: ${lab.configFile}: not a regular file (a FIFO)`);
    // The client exits as --check-config would on that file (66: not a file it can read); the daemon's reason follows.
    const r = await lab.ctl('reload');
    expect(r.code, r.stderr).toBe(66);
    expect(r.stderr).toContain('not a regular file (a FIFO)');
    const rec = await LinkRecorder.start(lab);
    const t = performance.now();
    lab.cutCarrier('a0');
    await rec.waitAdmin('vrrp0', 'down', t, 5000, () => `${rec.dump(['vrrp0'])}\n${d.tail()}`);
  });

  it('a failover during the reload of the largest allowed file takes its destination down at once', async () => {
    lab.addSource('a0');
    lab.addDestination('vrrp0');
    const real = group('real', 'sources a0', 'destinations vrrp0', 'down-delay 0', 'up-delay 0');
    const d = await lab.start(config(lab, real), { verbose: false });
    const rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec.dump(['vrrp0'])}\n${d.tail()}`;
    lab.writeConfig(maximalConfig(config(lab, real), 1, 2));

    const mark = d.mark();
    d.signal('SIGHUP');
    await d.waitForLog(/SIGHUP: reloading/, 5000, mark);
    const cut = performance.now();
    lab.cutCarrier('a0');
    // down-delay 0 on veth reacts in a few ms; 1 s is the generous bound of the issue,
    // where a failover used to wait 14.6 s behind a reload.
    const down = await rec.waitAdmin('vrrp0', 'down', cut, 5000, ctx);
    expect(down - cut, ctx()).toBeLessThan(1000);

    // The reload itself went through, and the new configuration is the one in force.
    await d.waitForLog(new RegExp(`reloaded ${lab.configFile}: ${MAX_GROUPS} group\\(s\\)`), 15_000, mark);
    expect((await lab.status()).groups).toHaveLength(MAX_GROUPS);
    const t = performance.now();
    lab.restoreCarrier('a0');
    const up = await rec.waitAdmin('vrrp0', 'up', t, 5000, ctx);
    expect(up - t, ctx()).toBeLessThan(1000);
  });
});
