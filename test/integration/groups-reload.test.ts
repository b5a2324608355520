// Reloading the configuration (SIGHUP and `ifdepd reload`): a bad file is refused and
// the running configuration stays; a good one is swapped in without touching any
// destination whose decision did not change. And --check-config on good and bad files.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { CLI, describeLab, LinkRecorder, waitFor } from '../lab/index.js';

describeLab('reload', () => {
  let lab: Lab;
  let rec: LinkRecorder | undefined;

  eachLab((fresh) => (lab = fresh));

  it('refuses a bad file (SIGHUP and ifdepd reload) and keeps running the old configuration', async () => {
    lab.addSource('a0');
    lab.addDestination('vrrp0');
    const good = config(lab, group('up1', 'sources a0', 'destinations vrrp0', 'down-delay 0', 'up-delay 300ms'));
    const d = await lab.start(good);
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump(['vrrp0'])}\n${d.tail()}`;
    const file = lab.configFile;

    // A syntax error on line 8 (line 3 is "group up1 {", line 7 its up-delay).
    lab.writeConfig(good.replace('    up-delay 300ms\n', '    up-delay 300ms\n    polcy any\n'));
    const syntax = `${file}:8: unknown setting 'polcy' in group up1 (expected sources, route, address, ping, destinations, policy, down-delay, up-delay, damping, action, hook, hook-timeout, atomic)`;
    let mark = d.mark();
    d.signal('SIGHUP');
    const refused = await d.waitForLog(/reload refused, the running configuration stays: /, 5000, mark);
    expect(refused).toContain(`error: reload refused, the running configuration stays: ${syntax}`);
    await d.waitForLog(/SIGHUP: re-reading all watched links/, 5000, mark);
    let r = await lab.ctl('reload');
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toContain(`ifdepd: ${syntax}`);
    expect(r.stdout).toBe('');

    // A file that parses but cannot work.
    lab.writeConfig(good.replace('    up-delay 300ms\n', '    up-delay 300ms\n    policy min 2\n'));
    r = await lab.ctl('reload');
    expect(r.code).toBe(65);
    expect(r.stderr).toContain(`ifdepd: ${file}:8: group up1: policy min 2 can never be met with 1 source(s)`);

    // No file at all.
    rmSync(file);
    r = await lab.ctl('reload');
    // What --check-config says of a file it cannot read.
    expect(r.code).toBe(66);
    expect(r.stderr).toContain(`cannot read ${file}: ENOENT`);
    mark = d.mark();
    d.signal('SIGHUP');
    await d.waitForLog(/reload refused, the running configuration stays: cannot read .*ENOENT/, 5000, mark);

    // Nothing was touched, and the old configuration still works: down at once, up after 300 ms.
    expect(rec.of('vrrp0'), ctx()).toEqual([]);
    expect(d.alive).toBe(true);
    expect((await lab.status()).groups.map((g) => g.name)).toEqual(['up1']);
    let t = performance.now();
    lab.cutCarrier('a0');
    await rec.waitAdmin('vrrp0', 'down', t, 5000, ctx);
    t = performance.now();
    lab.restoreCarrier('a0');
    const up = await rec.waitAdmin('vrrp0', 'up', t, 5000, ctx);
    expect(up - t).toBeGreaterThanOrEqual(250);
    expect(up - t).toBeLessThan(1000);
  });

  it('a good reload changes delays and groups without a bounce', async () => {
    for (const s of ['a0', 'b0', 'c0']) lab.addSource(s);
    lab.addSource('x0', { carrier: false });
    for (const v of ['vrrp0', 'vrrp1', 'vrrp2', 'vrrp3', 'vrrp5']) lab.addDestination(v);
    const held = group('held', 'sources c0', 'destinations vrrp5', 'up-delay 0');
    const v1 = config(
      lab,
      group('up1', 'sources a0', 'destinations vrrp0 vrrp1', 'down-delay 0', 'up-delay 300ms'),
      group('dead', 'sources x0', 'destinations vrrp3', 'up-delay 0'),
      held,
    );
    const d = await lab.start(v1);
    await lab.waitAdmin(['vrrp3'], 'down');
    // An operator's hold, which the reload must keep.
    expect((await lab.ctl('hold', 'held', 'down')).code).toBe(0);
    await lab.waitAdmin(['vrrp5'], 'down');
    expect(lab.admins(['vrrp0', 'vrrp1', 'vrrp2'])).toEqual({ vrrp0: 'up', vrrp1: 'up', vrrp2: 'up' });
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump()}\n${d.tail()}`;
    const before = await lab.group('up1');

    // up1: longer up-delay and one destination fewer; dead: unchanged; g2: new.
    const v2 = config(
      lab,
      group('up1', 'sources a0', 'destinations vrrp0', 'down-delay 0', 'up-delay 1s'),
      group('dead', 'sources x0', 'destinations vrrp3', 'up-delay 0'),
      group('g2', 'sources b0', 'destinations vrrp2', 'up-delay 0'),
      held,
    );
    lab.writeConfig(v2);
    const mark = d.mark();
    const r = await lab.ctl('reload');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`reloaded ${lab.configFile}: 4 group(s)\n`);
    await d.waitForLog(/vrrp1 is no longer a destination; left as it is/, 5000, mark);
    // And once more by SIGHUP, with the same file: nothing to do.
    d.signal('SIGHUP');
    await d.waitForLog(/SIGHUP: re-reading all watched links/, 5000, mark);
    await waitFor('the SIGHUP reload', () => d.since(mark).filter((l) => l.includes(`reloaded ${lab.configFile}: 4 group(s)`)).length === 2, {
      context: ctx,
    });

    const status = await lab.status();
    expect(status.groups.map((g) => [g.name, g.decision])).toEqual([
      ['up1', 'up'],
      ['dead', 'down'],
      ['g2', 'up'],
      ['held', 'down'],
    ]);
    expect(status.groups[3]).toMatchObject({ why: 'held down by operator', hold: { kind: 'operator', decision: 'down' } });
    // up1 kept its history across the reload.
    expect(status.groups[0]!.transitions).toBe(before.transitions);
    expect(status.destinations.map((x) => x.name).sort()).toEqual(['vrrp0', 'vrrp2', 'vrrp3', 'vrrp5']);
    expect(d.since(mark).filter((l) => /forcing/.test(l)), ctx()).toEqual([]);
    // Not one destination changed across both reloads.
    expect(rec.events.filter((e) => e.name.startsWith('vrrp')), ctx()).toEqual([]);

    // The new group is live.
    let t = performance.now();
    lab.cutCarrier('b0');
    await rec.waitAdmin('vrrp2', 'down', t, 5000, ctx);
    // The new up-delay is in force; vrrp1 is no longer managed.
    t = performance.now();
    lab.cutCarrier('a0');
    await rec.waitAdmin('vrrp0', 'down', t, 5000, ctx);
    t = performance.now();
    lab.restoreCarrier('a0');
    const up = await rec.waitAdmin('vrrp0', 'up', t, 5000, ctx);
    expect(up - t, ctx()).toBeGreaterThanOrEqual(900);
    expect(rec.of('vrrp1'), ctx()).toEqual([]);
    expect(rec.of('vrrp3'), ctx()).toEqual([]);
    expect(rec.of('vrrp5'), ctx()).toEqual([]);
  });

  it('a group added by a reload says what it decided, as at start', async () => {
    lab.addSource('a0');
    lab.addSource('x0', { carrier: false });
    lab.addDestination('vrrp0');
    lab.addDestination('vrrp4');
    // Normal verbosity: what an operator sees.
    const d = await lab.start(config(lab, group('up1', 'sources a0', 'destinations vrrp0')), { verbose: false });
    expect(d.lines().filter((l) => /up1: at start all sources have carrier -> destinations vrrp0 up/.test(l))).toHaveLength(1);
    lab.writeConfig(config(lab, group('up1', 'sources a0', 'destinations vrrp0'), group('g3', 'sources x0', 'destinations vrrp4')));
    const mark = d.mark();
    expect((await lab.ctl('reload')).code).toBe(0);
    await lab.waitAdmin(['vrrp4'], 'down');
    await lab.waitGroup('g3', 'down', (g) => g.decision === 'down');
    // vrrp4 was just set down by the reload: the log must say so, and why (the line follows
    // the request in the same turn: waited for, as the kernel's change may be seen first).
    await d.waitForLog(/g3: .*x0.* -> destinations vrrp4 down/, 5000, mark);
  });

  it('a reload during an up-delay applies the new delay to the change already waiting', async () => {
    lab.addSource('a0');
    lab.addDestination('vrrp0');
    // The first up-delay leaves a loaded machine a second to send the signal and check the file.
    const d = await lab.start(config(lab, group('up1', 'sources a0', 'destinations vrrp0', 'up-delay 1s')));
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump(['vrrp0'])}\n${d.tail()}`;
    lab.cutCarrier('a0');
    await rec.waitAdmin('vrrp0', 'down', 0, 5000, ctx);
    lab.writeConfig(config(lab, group('up1', 'sources a0', 'destinations vrrp0', 'up-delay 3s')));
    const mark = d.mark();
    const t = performance.now();
    lab.restoreCarrier('a0');
    await lab.waitGroup('up1', 'waiting for its up-delay', (g) => g.pending?.target === 'up');
    d.signal('SIGHUP');
    await d.waitForLog(/reloaded .*: 1 group\(s\)/, 5000, mark);
    const g = await lab.group('up1');
    expect(g.decision).toBe('down');
    expect(g.pending).toMatchObject({ target: 'up', delay: 'up-delay' });
    expect(g.pending!.inMs).toBeGreaterThan(1000);
    const up = await rec.waitAdmin('vrrp0', 'up', t, 8000, ctx);
    expect(up - t, ctx()).toBeGreaterThanOrEqual(2900);
    expect(rec.of('vrrp0').map((e) => e.admin)).toEqual(['down', 'up']);
  });
});

describe.skipIf(!existsSync(CLI))('--check-config', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'glab-check-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const check = (text: string): Promise<{ code: number | null; stdout: string; stderr: string; file: string }> => {
    const file = join(dir, 'ifdepd.conf');
    writeFileSync(file, text);
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, '-f', file, '--check-config'], { encoding: 'utf8' }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr, file });
      });
    });
  };

  it('accepts a good file and names its groups', async () => {
    const r = await check(
      [
        'startup-hold 10s',
        `control-socket ${join(dir, 'ctl.sock')}`,
        'group uplink {',
        '    sources up0 up1            # names or globs',
        '    destinations vrrp0 "vrrp.*"',
        '    policy any',
        '    down-delay 0',
        '    up-delay 300ms',
        '    damping suppress 2000 reuse 1000 half-life 2s max-suppress 8s',
        '    action admin',
        '    hook /bin/true arg1        # a program only root can change',
        '    hook-timeout 2s',
        '}',
        'group lan {',
        '    sources eth[0-3], lan0:lan1',
        '    action keepalived-track-file /run/keepalived/lan.track',
        '}',
        '',
      ].join('\n'),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${r.file}: OK, 2 group(s): uplink, lan\n`);
    expect(r.stderr).toBe('');
  });

  const bad: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['an unknown setting', 'group g {\n    sources a0\n    destinations d0\n    polcy any\n}\n', /:4: unknown setting 'polcy' in group g/],
    ['a missing brace', 'startup-hold 0\ngroup g {\n    sources a0\n    destinations d0\n', /:2: group g: '}' missing/],
    ['a bad duration', 'group g {\n    sources a0\n    destinations d0\n    up-delay soon\n}\n', /:4: up-delay: /],
    ['an impossible policy', '\n\ngroup g {\n    sources a0\n    destinations d0\n    policy min 2\n}\n', /:6: group g: policy min 2 can never be met with 1 source\(s\)/],
    [
      'a dependency cycle',
      'group a {\n    sources x0\n    destinations y0\n}\ngroup b {\n    sources y0\n    destinations x0\n}\n',
      /:1: dependency cycle: a -> b -> a/,
    ],
    ['a group defined twice', 'group g {\n    sources a0\n    destinations d0\n}\ngroup g {\n    sources b0\n    destinations e0\n}\n', /:5: group g is already defined on line 1/],
    ['an unterminated string', 'group g {\n    sources a0\n    destinations "vrrp.*\n}\n', /:3: unterminated string/],
    ['a relative hook', 'group g {\n    sources a0\n    destinations d0\n    hook notify.sh\n}\n', /:4: group g: hook 'notify.sh' must be an absolute path/],
    ['no group at all', 'startup-hold 0\n', /:1: no group defined/],
  ];
  for (const [what, text, message] of bad) {
    it(`refuses ${what} with exit 65 and file:line: problem`, async () => {
      const r = await check(text);
      expect(r.code, r.stdout + r.stderr).toBe(65);
      expect(r.stdout).toBe('');
      const line = r.stderr.trim();
      expect(line.split('\n')).toHaveLength(1);
      expect(line.startsWith(`ifdepd: ${r.file}:`), line).toBe(true);
      expect(line).toMatch(message);
    });
  }
});
