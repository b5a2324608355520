// The files ifdepd writes are its own (issue 19, defect 4): a metrics file, track file,
// pidfile, control socket or hold file that names another of them, or the configuration
// file, is refused by the built CLI with one line and exit 78 (EX_CONFIG), by
// --check-config, at start and at a reload, which keeps the running configuration.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { config, group, Lab } from '../lab/grouplab.js';
import { CLI, describeLab, perTest, waitFor } from '../lab/index.js';

/** `node dist/cli.js ARGV` to completion (killed after 10 s: a hang fails). */
function run(argv: readonly string[]) {
  const r = spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function expectRefused(r: ReturnType<typeof run>, line: string): void {
  expect(r.signal).toBeNull();
  expect(r.code, r.stderr).toBe(78);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(`ifdepd: ${line}\n`);
}

describe('--check-config: two of the files ifdepd writes are one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ifdepd-pth-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const conf = join(dir, 'ifdepd.conf');
  const sock = join(dir, 'ctl.sock');
  const write = (metricsFile: string, track = join(dir, 'a.track')) =>
    writeFileSync(conf, `control-socket ${sock}\nmetrics-file ${metricsFile}\ngroup a {\n    sources x\n    action keepalived-track-file ${track}\n}\n`);

  it('accepts distinct files', () => {
    write(join(dir, 'ifdepd.prom'));
    const r = run(['--check-config', '-f', conf]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('metrics-file = the configuration file, the hold file, the control socket, a track file: file:line, exit 78', () => {
    write(conf);
    expectRefused(run(['--check-config', '-f', conf]), `${conf}:2: metrics-file ${conf} is also the configuration file (-f)`);
    write(join(dir, 'ctl.holds'));
    expectRefused(run(['--check-config', '-f', conf]), `${conf}:2: metrics-file ${join(dir, 'ctl.holds')} is also the hold file of the control socket ${sock} (line 1)`);
    write(sock);
    expectRefused(run(['--check-config', '-f', conf]), `${conf}:2: metrics-file ${sock} is also the control socket (line 1)`);
    write(join(dir, 'a.track'));
    expectRefused(run(['--check-config', '-f', conf]), `${conf}:5: group a: track file ${join(dir, 'a.track')} is also the metrics file (line 2)`);
  });

  it('a file that clashes with an option names the option; -S/-D options between themselves too', () => {
    write(join(dir, 'ifdepd.prom'));
    expectRefused(run(['--check-config', '-f', conf, '--pidfile', join(dir, 'a.track')]), `${conf}:5: group a: track file ${join(dir, 'a.track')} is also the pidfile (--pidfile)`);
    expectRefused(run(['--check-config', '-f', conf, '--control-socket', conf]), `--control-socket ${conf} is also the configuration file (-f)`);
    const pid = join(dir, 'x.pid');
    expectRefused(run(['--check-config', '-S', 'u0', '-D', 'v0', '--metrics-file', pid, '--pidfile', pid]), `--metrics-file ${pid} is also the pidfile (--pidfile)`);
  });
});

describeLab('the files ifdepd writes, at start and at a reload', () => {
  let lab: Lab;
  perTest(
    () => Lab.create('ifdepd-pth'),
    (fresh) => (lab = fresh),
  );
  const uplink = group('uplink', 'sources u0', 'destinations vrrp0', 'down-delay 0', 'up-delay 100ms');

  it('a clash stops the start with exit 78, before anything is written', async () => {
    lab.addSource('u0');
    lab.addDestination('vrrp0');
    const text = `metrics-file ${lab.configFile}\n${config(lab, uplink)}`;
    lab.writeConfig(text);
    const d = lab.exec([process.execPath, CLI, '-f', lab.configFile]);
    const exit = await d.exit;
    expect(exit.code, d.tail()).toBe(78);
    expect(d.lines().join('\n')).toContain(`${lab.configFile}:1: metrics-file ${lab.configFile} is also the configuration file (-f)`);
    expect(readFileSync(lab.configFile, 'utf8'), 'the configuration file was written over').toBe(text);
  });

  it('a reload that would bring a clash is refused (65, as every refused reload), the running configuration stays', async () => {
    lab.addSource('u0');
    lab.addDestination('vrrp0');
    const prom = lab.file('ifdepd.prom');
    const good = `metrics-file ${prom}\n${config(lab, uplink)}`;
    const d = await lab.start(good);
    await waitFor('the metrics file', () => existsSync(prom));
    const holds = join(lab.dir, 'run', 'ctl.holds');
    // Also a new group, which must not appear: nothing of the refused file is taken.
    const bad = `metrics-file ${holds}\n${config(lab, uplink, group('extra', 'sources u0', 'destinations vrrp1'))}`;
    lab.writeConfig(bad);
    const r = await lab.ctl('reload');
    // The refusal's own code, as --check-config gives it: the reply carries it.
    expect(r.code, r.stderr).toBe(78);
    expect(r.stderr).toBe(`ifdepd: ${lab.configFile}:1: metrics-file ${holds} is also the hold file of the control socket ${lab.sock} (line 3)\n`);
    expect((await lab.status()).groups.map((g) => g.name)).toEqual(['uplink']);
    expect(existsSync(holds), 'the hold file was written').toBe(false);
    expect(readFileSync(lab.configFile, 'utf8')).toBe(bad);
    // Still the running configuration: a cut takes vrrp0 down, and the old metrics file follows.
    lab.cutCarrier('u0');
    await lab.waitAdmin(['vrrp0'], 'down');
    await waitFor('the metrics file to show the cut', () => /^ifdepd_group_up\{group="uplink"\} 0$/m.test(readFileSync(prom, 'utf8')), { context: () => d.tail() });
  });
});
