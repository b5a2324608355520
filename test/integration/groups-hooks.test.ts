// Hooks: run on every transition with IFDEPD_* in their environment; one that fails,
// one that is missing and one that hangs are logged, and none of them slows the watchdog.
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { describeLab, isAlive, LinkRecorder, waitFor } from '../lab/index.js';

/** How soon after a cut (or a restore, with up-delay 0) the destination must follow. */
const PROMPT_MS = 500;

describeLab('hooks', () => {
  let lab: Lab;
  let rec: LinkRecorder | undefined;

  eachLab((fresh) => (lab = fresh));

  it('failing and hanging hooks are logged and never delay the destinations', async () => {
    lab.addSource('h0');
    lab.addDestination('vrrp0');
    const envLog = lab.file('env.log');
    const hangPids = lab.file('hang.pids');
    const envHook = lab.script('env.sh', `{ echo "--- $*"; env | sort; } >> "${envLog}"`);
    const failHook = lab.script('fail.sh', 'echo "failing on purpose" >&2\nexit 3');
    const hangHook = lab.script('hang.sh', `echo $$ >> "${hangPids}"\nexec sleep 60`);
    const d = await lab.start(
      config(
        lab,
        group(
          'h',
          'sources h0',
          'destinations vrrp0',
          'down-delay 0',
          'up-delay 0',
          `hook ${envHook} first "second arg"`,
          `hook ${failHook}`,
          `hook ${lab.file('missing.sh')}`,
          `hook ${hangHook}`,
          'hook-timeout 1s',
        ),
      ),
    );
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump(['vrrp0'])}\n${d.tail()}`;
    const pids = () => (existsSync(hangPids) ? readFileSync(hangPids, 'utf8').split('\n').filter(Boolean).map(Number) : []);
    // Time from an ip command to the kernel's report of vrrp0 following it.
    const follows = async (act: () => void, admin: 'up' | 'down'): Promise<number> => {
      const t = performance.now();
      act();
      return (await rec!.waitAdmin('vrrp0', admin, t, 5000, ctx)) - t;
    };

    const first = await follows(() => lab.cutCarrier('h0'), 'down');
    // The first transition's hooks run; the last one hangs.
    await waitFor('the hanging hook to start', () => pids().length === 1, { context: ctx });
    const hanging = pids()[0]!;

    // While it hangs, the sources flip twice: the destinations follow at once.
    const up = await follows(() => lab.restoreCarrier('h0'), 'up');
    const down = await follows(() => lab.cutCarrier('h0'), 'down');
    const stillHanging = isAlive(hanging) && d.count(/timed out/) === 0;
    expect(Math.max(first, up, down), `follow times ${JSON.stringify({ first, up, down })}\n${ctx()}`).toBeLessThan(PROMPT_MS);
    // The measurement was taken while the hook hung (1 s limit), or it proves nothing.
    expect(stillHanging, `the hanging hook was already gone when vrrp0 followed\n${ctx()}`).toBe(true);

    // Each of the three transitions runs every hook in turn, one at a time: ~1 s each.
    await waitFor('all three transitions to have run their hooks', () => d.count(/hook hang\.sh \(h (up|down)\): killed by/) === 3, {
      timeout: 15_000,
      context: ctx,
    });
    expect(d.count(/warning: hook fail\.sh \(h down\): failing on purpose$/)).toBe(2);
    expect(d.count(/warning: hook fail\.sh \(h up\): failing on purpose$/)).toBe(1);
    expect(d.count(/warning: hook fail\.sh \(h (up|down)\): exited with status 3 after \d+ ms$/)).toBe(3);
    expect(d.count(/warning: hook missing\.sh \(h (up|down)\): cannot run \S+missing\.sh: no such file \(ENOENT\)$/)).toBe(3);
    expect(d.count(/warning: hook hang\.sh \(h (up|down)\): timed out after 1000 ms, sending SIGTERM$/)).toBe(3);
    expect(d.count(/warning: hook hang\.sh \(h (up|down)\): killed by SIGTERM after time limit$/), ctx()).toBe(3);
    // Every hanging run was really ended.
    expect(pids()).toHaveLength(3);
    await waitFor('every hanging hook to be gone', () => pids().every((p) => !isAlive(p)), { context: ctx });

    // What the hooks were told, in the order the transitions happened.
    const runs = readFileSync(envLog, 'utf8')
      .split(/^--- /m)
      .filter(Boolean)
      .map((block) => {
        const [args, ...lines] = block.split('\n').filter(Boolean);
        return { args, env: Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) };
      });
    expect(runs.map((r) => r.env['IFDEPD_STATE'])).toEqual(['down', 'up', 'down']);
    expect(runs[0]).toEqual({
      args: 'first second arg',
      env: expect.objectContaining({
        IFDEPD_GROUP: 'h',
        IFDEPD_STATE: 'down',
        IFDEPD_REASON: 'h0 lost carrier',
        IFDEPD_SOURCES: 'h0',
        IFDEPD_DESTINATIONS: 'vrrp0',
        IFDEPD_DRY_RUN: '0',
        PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
      }) as Record<string, string>,
    });
    expect(runs[1]!.env).toMatchObject({ IFDEPD_STATE: 'up', IFDEPD_REASON: 'all sources have carrier' });
    // Nothing of the daemon's own environment leaks into the hook's (only what sh adds itself).
    for (const r of runs) {
      const foreign = Object.keys(r.env).filter((k) => !k.startsWith('IFDEPD_') && !['PATH', 'PWD', 'SHLVL', '_', 'OLDPWD'].includes(k));
      expect(foreign).toEqual([]);
    }
    // And the watchdog kept its state through it all.
    expect(await lab.group('h')).toMatchObject({ decision: 'down', transitions: 3, flaps: 2 });
    expect(d.alive).toBe(true);
  });
});
