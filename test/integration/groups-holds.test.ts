// Operator holds across restarts: kept in the hold file beside the control socket, restored
// before the first decision (the destinations never see the sources' state in between),
// removed by a release; a hold file that is corrupt, names a group no longer configured, or
// lies in an unsafe directory never stops the daemon.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import type { DaemonStatus } from '../../src/core/status.js';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { describeLab, LinkRecorder, type Proc } from '../lab/index.js';

const DESTS = ['vrrp0', 'vrrp1'];

describeLab('operator holds across restarts', () => {
  let lab: Lab;
  let rec: LinkRecorder | undefined;

  eachLab((fresh) => (lab = fresh));

  const holdFile = () => join(dirname(lab.sock), 'ctl.holds');
  const uplink = () => config(lab, group('uplink', 'sources u0 u1', `destinations ${DESTS.join(' ')}`, 'down-delay 0', 'up-delay 0'));
  const stored = () => JSON.parse(readFileSync(holdFile(), 'utf8')) as unknown;

  function addLinks(): void {
    lab.addSource('u0');
    lab.addSource('u1');
    for (const d of DESTS) lab.addDestination(d);
    lab.addDestination('mark0');
  }

  async function kill9(d: Proc): Promise<void> {
    d.signal('SIGKILL');
    expect((await d.exit).signal).toBe('SIGKILL');
  }

  /** Everything the daemon did before this point is in the recorder: it saw a change made after it. */
  async function barrier(): Promise<void> {
    const t = performance.now();
    if (lab.admin('mark0') === 'up') lab.setDown('mark0');
    else lab.setUp('mark0');
    await rec!.waitAdmin('mark0', lab.admin('mark0'), t);
  }

  it('a hold survives kill -9 and a restart without the destinations coming up, and a release ends it', async () => {
    addLinks();
    const first = await lab.start(uplink());
    rec = await LinkRecorder.start(lab);
    let t = performance.now();
    expect((await lab.ctl('hold', 'uplink', 'down')).code).toBe(0);
    for (const d of DESTS) await rec.waitAdmin(d, 'down', t, 5000, () => first.tail());
    expect(stored()).toEqual({ format: 1, holds: { uplink: 'down' } });
    expect(statSync(holdFile()).mode & 0o777).toBe(0o600);

    const killed = performance.now();
    await kill9(first);
    // Healthy sources, no start-up hold: without the hold file the first decision is "up".
    const d = await lab.start(uplink());
    const ctx = () => `${rec!.dump(DESTS)}\n${d.tail()}`;
    await d.waitForLog(/uplink: hold down restored from \S+ctl\.holds; 'ifdepd release uplink' ends it$/);
    await lab.waitGroup('uplink', 'restored hold', (g) => g.hold?.restored === true && g.decision === 'down');
    await barrier();
    expect(rec.events.filter((e) => DESTS.includes(e.name) && e.t >= killed), ctx()).toEqual([]);
    expect(lab.admins(DESTS)).toEqual({ vrrp0: 'down', vrrp1: 'down' });
    expect(d.lines().join('\n')).toMatch(/uplink: at start held down by operator -> destinations vrrp0,vrrp1 down/);

    let r = await lab.ctl('status', '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as DaemonStatus;
    expect(s.groups[0]).toMatchObject({ name: 'uplink', decision: 'down', why: 'held down by operator', hold: { kind: 'operator', decision: 'down', restored: true } });
    r = await lab.ctl('status');
    expect(r.stdout).toContain('  hold: operator, held down, restored at start\n');

    t = performance.now();
    r = await lab.ctl('release', 'uplink');
    expect(r.stdout).toBe('uplink: released by operator; decision up (all sources have carrier)\n');
    for (const dest of DESTS) await rec.waitAdmin(dest, 'up', t, 5000, ctx);
    expect(existsSync(holdFile())).toBe(false);
    expect((await lab.group('uplink')).hold).toBeUndefined();
  });

  it('drops a stored hold of a group no longer configured, starts without holds from a corrupt file, stores none in an unsafe directory', async () => {
    addLinks();
    mkdirSync(dirname(lab.sock), { mode: 0o700 });
    writeFileSync(holdFile(), JSON.stringify({ format: 1, holds: { uplink: 'down', gone: 'up' } }));
    let d = await lab.start(uplink());
    await d.waitForLog(/uplink: hold down restored from /);
    expect(d.count(/gone: stored hold up dropped: no such group in the configuration$/)).toBe(1);
    expect(stored()).toEqual({ format: 1, holds: { uplink: 'down' } });
    await lab.waitAdmin(DESTS, 'down', 5000, d);

    // Corrupt: one warning, no hold, the sources decide; the daemon runs on.
    await kill9(d);
    writeFileSync(holdFile(), '{"format":1,"holds":{"uplink":"do');
    d = await lab.start(uplink());
    await lab.waitAdmin(DESTS, 'up', 5000, d);
    expect(d.count(/warning: hold file \S+ctl\.holds: corrupt: not a hold file of this version; starting without operator holds$/)).toBe(1);
    expect(d.count(/warning:/), d.tail()).toBe(1);
    expect((await lab.group('uplink')).hold).toBeUndefined();

    // In a directory others can write: the control socket refuses to start there (exit 73,
    // root-files.test.ts); made so while the daemon runs, a new hold is not stored (the answer says so).
    await kill9(d);
    writeFileSync(holdFile(), JSON.stringify({ format: 1, holds: { uplink: 'down' } }));
    d = await lab.start(uplink());
    await d.waitForLog(/uplink: hold down restored from /);
    chmodSync(dirname(lab.sock), 0o777);
    const r = await lab.ctl('hold', 'uplink', 'up');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^uplink: held up by operator until 'ifdepd release uplink'; not stored, a restart would forget it: its directory is not safe: .*\n$/);
    expect(stored()).toEqual({ format: 1, holds: { uplink: 'down' } });
  });
});
