// The files root writes (track file, pidfile, control socket), against a local user who
// plants symlinks at their names or controls their directory. The real daemon
// (`node dist/cli.js -f FILE`) in a throw-away namespace; everything in the lab's private
// directory (mkdtemp: 0700, root's, under sticky /tmp: trusted).
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { CLI, describeLab, waitFor, type Proc } from '../lab/index.js';

/** A file of root's that a planted symlink points at: what it held, and its mode. */
function victim(lab: Lab, name: string): () => void {
  const path = lab.file(name);
  writeFileSync(path, `precious ${name}\n`);
  chmodSync(path, 0o640);
  return () => {
    expect(readFileSync(path, 'utf8'), `${name} was written through a symlink`).toBe(`precious ${name}\n`);
    expect(statSync(path).mode & 0o7777, `${name} was chmod'ed through a symlink`).toBe(0o640);
    expect(statSync(path).uid).toBe(0);
  };
}

/** Directories a local user controls: each is refused. */
const SPOILED: ReadonlyArray<readonly [string, (dir: string) => void, RegExp]> = [
  ['mode 0777', (d) => chmodSync(d, 0o777), /is writable by group or others \(mode 0777\)$/],
  ['mode 1777', (d) => chmodSync(d, 0o1777), /is writable by group or others \(mode 1777\)$/],
  ['owned by nobody', (d) => chownSync(d, 65534, 65534), /is owned by uid 65534, not root$/],
];

function spoiled(lab: Lab, spoil: (dir: string) => void): string {
  const dir = lab.file('spoiled');
  mkdirSync(dir, { mode: 0o755 });
  spoil(dir);
  return dir;
}

/** Runs the daemon to its exit; its exit code and output. */
async function exitOf(p: Proc): Promise<{ code: number | null; lines: string[] }> {
  await waitFor('the daemon to exit', () => !p.alive, { timeout: 10_000, context: () => p.tail() });
  return { code: p.exited?.code ?? null, lines: p.lines() };
}

describeLab('files root writes', () => {
  let lab: Lab;
  eachLab((fresh) => {
    lab = fresh;
    lab.addSource('s0');
    lab.addDestination('vrrp0');
  });

  it('replaces symlinks planted at the track file, the pidfile and the control socket, leaving their targets alone', async () => {
    const track = lab.file('lan.track');
    const pidfile = lab.file('ifdepd.pid');
    const intact = [victim(lab, 'track-victim'), victim(lab, 'tmp-victim'), victim(lab, 'pid-victim'), victim(lab, 'sock-victim')];
    symlinkSync(lab.file('track-victim'), track);
    symlinkSync(lab.file('pid-victim'), pidfile);
    mkdirSync(join(lab.dir, 'run'), { mode: 0o700 });
    symlinkSync(lab.file('sock-victim'), lab.sock);

    const text = config(lab, group('lan', 'sources s0', `action keepalived-track-file ${track}`, 'up-delay 0'), group('g', 'sources s0', 'destinations vrrp0'));
    const d = await lab.start(text, { args: ['--pidfile', pidfile] });
    await waitFor('the track file to say up', () => existsSync(track) && readFileSync(track, 'utf8') === '0\n', { context: () => d.tail() });
    const pid = Number.parseInt(readFileSync(pidfile, 'utf8'), 10);
    expect(lstatSync(pidfile).isFile()).toBe(true);
    expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('ifdepd');
    expect(lstatSync(lab.sock).isSocket()).toBe(true);
    expect(lstatSync(lab.sock).mode & 0o777).toBe(0o600);

    // The temporary name the track file had before: planted now that the pid is known.
    symlinkSync(lab.file('tmp-victim'), `${track}.${pid}.tmp`);
    lab.cutCarrier('s0');
    await waitFor('the track file to say down', () => readFileSync(track, 'utf8') === '1\n', { context: () => d.tail() });
    expect(lstatSync(track).isFile()).toBe(true);
    expect(lstatSync(track).mode & 0o7777).toBe(0o644);
    expect(lstatSync(track).uid).toBe(0);

    expect((await d.stop()).code).toBe(0);
    expect(existsSync(pidfile)).toBe(false);
    expect(existsSync(lab.sock)).toBe(false);
    for (const check of intact) check();
  });

  for (const [what, spoil, problem] of SPOILED) {
    it(`refuses a pidfile in a directory ${what}: exit 73, one line`, async () => {
      const dir = spoiled(lab, spoil);
      const p = lab.exec([process.execPath, CLI, '-f', lab.writeConfig(config(lab, group('g', 'sources s0', 'destinations vrrp0'))), '--pidfile', join(dir, 'ifdepd.pid')]);
      const r = await exitOf(p);
      expect(r.code, p.tail()).toBe(73);
      expect(r.lines).toHaveLength(1);
      expect(r.lines[0]).toMatch(new RegExp(`^ifdepd: cannot create pidfile ${dir}/ifdepd.pid: ${dir} ${problem.source}`));
    });

    it(`refuses a control socket in a directory ${what}: exit 73, one line`, async () => {
      const dir = spoiled(lab, spoil);
      const text = `control-socket ${join(dir, 'ctl.sock')}\n${group('g', 'sources s0', 'destinations vrrp0')}`;
      const p = lab.exec([process.execPath, CLI, '-q', '-f', lab.writeConfig(text)]);
      const r = await exitOf(p);
      expect(r.code, p.tail()).toBe(73);
      expect(r.lines).toHaveLength(1);
      expect(r.lines[0]).toMatch(new RegExp(`^ifdepd: control socket ${dir}/ctl.sock: ${dir} ${problem.source}`));
      expect(existsSync(join(dir, 'ctl.sock'))).toBe(false);
    });

    it(`refuses a track file in a directory ${what}: exit 65 with file:line, and a reload keeps the old configuration`, async () => {
      const good = lab.file('lan.track');
      const d = await lab.start(config(lab, group('lan', 'sources s0', `action keepalived-track-file ${good}`)));
      const dir = spoiled(lab, spoil);
      const bad = config(lab, group('lan', 'sources s0', `action keepalived-track-file ${join(dir, 'lan.track')}`));
      const file = lab.writeConfig(bad, lab.file('bad.conf'));
      const line = new RegExp(`^ifdepd: ${file}:5: group lan: track file ${dir}/lan.track: ${dir} ${problem.source}`);
      const checked = await lab.client(['-f', file, '--check-config']);
      expect(checked.code, checked.stderr).toBe(65);
      expect(checked.stderr.trim().split('\n')).toHaveLength(1);
      expect(checked.stderr.trim()).toMatch(line);

      lab.writeConfig(bad);
      const reload = await lab.ctl('reload');
      expect(reload.code, reload.stderr).toBe(65);
      expect(reload.stderr.trim()).toMatch(new RegExp(`^ifdepd: ${lab.configFile}:5: group lan: track file ${dir}/lan.track: ${dir} ${problem.source}`));
      expect((await lab.group('lan')).action).toBe(`keepalived-track-file ${good}`);
      lab.cutCarrier('s0');
      await waitFor('the old track file to say down', () => readFileSync(good, 'utf8') === '1\n', { context: () => d.tail() });
      expect(existsSync(join(dir, 'lan.track'))).toBe(false);
    });
  }
});
