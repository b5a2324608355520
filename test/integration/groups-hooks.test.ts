// Hooks: run on every transition with IFDEPD_* in their environment; one that fails and
// one that hangs are logged, and none of them slows the watchdog. A hook root should not
// run is refused (at --check-config, start, reload, and before each run); what a hook
// leaves in its process group is killed at its time limit and when the daemon stops.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { CLI, describeLab, isAlive, LinkRecorder, processGroupMembers, waitFor } from '../lab/index.js';

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

  it('refuses a hook root should not run: at --check-config, at start, at reload and before each run', async () => {
    lab.addSource('h0');
    lab.addDestination('vrrp0');
    const ran = lab.file('ran.log');
    const good = lab.script('good.sh', `echo "$IFDEPD_STATE" >> "${ran}"`);
    const open = lab.script('open.sh', 'exit 0');
    chmodSync(open, 0o757);
    // The second hook is on line 9 (line 3 is "group h {").
    const text = (hook: string) => config(lab, group('h', 'sources h0', 'destinations vrrp0', 'down-delay 0', 'up-delay 0', `hook ${good}`, `hook ${hook}`));
    const refusal = (path: string, problem: string) => `${lab.configFile}:9: group h: hook refused: ${path} ${problem}`;

    lab.writeConfig(text(open));
    let r = await lab.client(['--check-config', '-f', lab.configFile]);
    expect(r.code).toBe(65);
    expect(r.stderr).toBe(`ifdepd: ${refusal(open, 'is writable by group or others (mode 0757)')}\n`);
    const refused = lab.exec([process.execPath, CLI, '-f', lab.configFile]);
    expect((await refused.exit).code, refused.tail()).toBe(65);
    expect(refused.output).toContain(refusal(open, 'is writable by group or others (mode 0757)'));

    const d = await lab.start(text(good));
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump(['vrrp0'])}\n${d.tail()}`;
    lab.writeConfig(text(lab.dir));
    r = await lab.ctl('reload');
    expect(r.code).toBe(65);
    expect(r.stderr).toBe(`ifdepd: ${refusal(lab.dir, 'is not a regular file')}\n`);
    await d.waitForLog(/warning: control: reload refused: \S+:9: group h: hook refused: /, 5000);

    // The running configuration stays; its hook, made writable by others since, is not run.
    let t = performance.now();
    lab.cutCarrier('h0');
    await rec.waitAdmin('vrrp0', 'down', t, 5000, ctx);
    // The running configuration names good.sh twice (both of its hook lines): it runs twice.
    await waitFor('the down hooks to run', () => existsSync(ran) && readFileSync(ran, 'utf8') === 'down\ndown\n', { context: ctx });
    chmodSync(good, 0o775);
    t = performance.now();
    lab.restoreCarrier('h0');
    await rec.waitAdmin('vrrp0', 'up', t, 5000, ctx);
    await d.waitForLog(/error: hook good\.sh \(h up\): not run: \S+good\.sh is writable by group or others \(mode 0775\)$/, 5000);
    expect(readFileSync(ran, 'utf8')).toBe('down\ndown\n');
  });

  /** A hook that records its process group, starts a child that ignores SIGTERM and stays in the group, then `rest`. */
  function stubbornHook(name: string, rest: string): { path: string; pgid: () => number | undefined } {
    const pgidFile = lab.file(`${name}.pgid`);
    const path = lab.script(`${name}.sh`, `echo $$ > "${pgidFile}"\n(trap '' TERM; while :; do sleep 0.1; done) >/dev/null 2>&1 &\n${rest}`);
    return { path, pgid: () => (existsSync(pgidFile) ? Number(readFileSync(pgidFile, 'utf8')) || undefined : undefined) };
  }

  it('kills the whole process group at the time limit, though the hook itself died of SIGTERM', async () => {
    lab.addSource('h0');
    lab.addDestination('vrrp0');
    const hook = stubbornHook('stubborn', 'exec sleep 60');
    const d = await lab.start(config(lab, group('h', 'sources h0', 'destinations vrrp0', 'down-delay 0', `hook ${hook.path}`, 'hook-timeout 500ms')));
    lab.cutCarrier('h0');
    const pgid = await waitFor('the hook to start', hook.pgid, { context: () => d.tail() });
    await waitFor('the group to have its child', () => processGroupMembers(pgid).length >= 2, { context: () => d.tail() });
    await d.waitForLog(/hook stubborn\.sh \(h down\): killed by SIGTERM after time limit$/, 5000);
    await waitFor('the process group to be empty', () => processGroupMembers(pgid).length === 0, {
      timeout: 5000,
      context: () => `members: ${processGroupMembers(pgid).join(' ')}\n${d.tail()}`,
    });
    await d.waitForLog(/hook stubborn\.sh \(h down\): process group still running 1000 ms after SIGTERM, sending SIGKILL$/, 5000);
    expect(d.alive).toBe(true);
  });

  it('kills the process groups of running hooks when the daemon stops', async () => {
    lab.addSource('h0');
    lab.addDestination('vrrp0');
    const hook = stubbornHook('long', 'exec sleep 60');
    const d = await lab.start(config(lab, group('h', 'sources h0', 'destinations vrrp0', 'down-delay 0', `hook ${hook.path}`, 'hook-timeout 60s')));
    lab.cutCarrier('h0');
    const pgid = await waitFor('the hook to start', hook.pgid, { context: () => d.tail() });
    await waitFor('the group to have its child', () => processGroupMembers(pgid).length >= 2, { context: () => d.tail() });
    const exit = await d.stop();
    expect(exit.code, d.tail()).toBe(0);
    await waitFor('the process group to be empty', () => processGroupMembers(pgid).length === 0, {
      timeout: 3000,
      context: () => `members: ${processGroupMembers(pgid).join(' ')}\n${d.tail()}`,
    });
  });
});
