// Writes the kernel or the file system refuses for good: protodown on a veth (the driver
// does not support it: EOPNOTSUPP) and a track file whose directory became a file (a
// directory that is not one at start is a configuration error: exit 65).
// They are errors in the log, said once (not at every retry), and `ifdepd status` shows
// them failing, with the error, since when and how many attempts, until the cause is gone.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { DaemonStatus, FailingStatus } from '../../src/core/status.js';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { describeLab, waitFor } from '../lab/index.js';

describeLab('writes that keep failing', () => {
  let lab: Lab;

  eachLab((fresh) => (lab = fresh));

  it('a permanent error is an error once, and shows as failing in `ifdepd status` and --json until it is fixed', async () => {
    lab.addSource('s0', { carrier: false });
    lab.addSource('s1');
    lab.addSource('vd0'); // a veth: its driver has no protodown
    const blocker = lab.file('state');
    const track = join(blocker, 'keepalived', 'uplink.track');
    const d = await lab.start(
      config(
        lab,
        group('pd', 'sources s0', 'destinations vd0', 'action protodown', 'up-delay 0'),
        group('tf', 'sources s1', `action keepalived-track-file ${track}`, 'up-delay 0'),
      ),
      { verbose: false },
    );
    await waitFor('the track file to say up', async () => (await lab.status()).trackFiles?.[0]?.written === 'up', { context: () => d.tail() });
    rmSync(blocker, { recursive: true });
    writeFileSync(blocker, 'a file where a directory should be');
    lab.cutCarrier('s1');
    let status: DaemonStatus | undefined;
    // Retried every 5 s: wait for the second attempt of both, to see it is not said again.
    await waitFor(
      'both to have failed twice',
      async () => {
        status = await lab.status();
        const vd0 = status.destinations.find((x) => x.name === 'vd0');
        return (vd0?.failing?.attempts ?? 0) >= 2 && (status.trackFiles?.[0]?.failing?.attempts ?? 0) >= 2;
      },
      { timeout: 15_000, interval: 200, context: () => `${JSON.stringify(status)}\n${d.tail()}` },
    );

    const json = await lab.ctl('status', '--json');
    expect(json.code, json.stderr).toBe(0);
    const shown = JSON.parse(json.stdout) as DaemonStatus;
    const vd0 = shown.destinations.find((x) => x.name === 'vd0')!;
    expect(vd0).toMatchObject({ action: 'protodown', state: 'up', wanted: 'down' });
    expectFailing(vd0.failing, /^set protodown on: (ENOTSUP|EOPNOTSUPP)$/);
    expect(shown.trackFiles).toHaveLength(1);
    expect(shown.trackFiles![0]).toMatchObject({ path: track, group: 'tf', wanted: 'down' });
    expect(shown.trackFiles![0]!.written).toBe('up');
    expectFailing(shown.trackFiles![0]!.failing, /state is not a directory/);

    const text = await lab.ctl('status');
    expect(text.stdout).toMatch(/^ {2}FAILING vd0: set protodown on: (ENOTSUP|EOPNOTSUPP) \(permanent\), \d+ attempts since \S+Z \(/m);
    expect(text.stdout).toMatch(new RegExp(`^ {2}FAILING ${track}: .*state is not a directory \\(permanent\\), \\d+ attempts since `, 'm'));

    // Said once each, as errors, though tried again and again.
    const errors = d.lines().filter((l) => /error: /.test(l));
    expect(errors.filter((l) => l.includes('vd0'))).toEqual([
      expect.stringMatching(/error: vd0: cannot set it down \(set protodown on: (ENOTSUP|EOPNOTSUPP)\); permanent error, retrying every 5000 ms$/),
    ]);
    expect(errors.filter((l) => l.includes(track))).toEqual([
      expect.stringMatching(/error: tf: cannot write .*state is not a directory; permanent error, retrying every 5000 ms$/),
    ]);

    // The operator fixes the track file's directory: the next attempt writes it, and it is no longer failing.
    rmSync(blocker);
    mkdirSync(blocker);
    await waitFor('the track file to be written', async () => (await lab.status()).trackFiles?.[0]?.written === 'down', {
      timeout: 8000,
      interval: 200,
      context: () => d.tail(),
    });
    expect(readFileSync(track, 'utf8')).toBe('1\n');
    expect((await lab.status()).trackFiles![0]!.failing).toBeUndefined();
    await d.waitForLog(new RegExp(`tf: wrote ${track} after \\d+ attempts`));
    expect(d.alive, d.tail()).toBe(true);
  });
});

function expectFailing(f: FailingStatus | undefined, error: RegExp): void {
  expect(f).toBeDefined();
  expect(f!.error).toMatch(error);
  expect(f!.permanent).toBe(true);
  expect(f!.attempts).toBeGreaterThanOrEqual(2);
  expect(Date.now() - Date.parse(f!.since)).toBeGreaterThanOrEqual(f!.forMs - 1000);
  expect(f!.forMs).toBeGreaterThanOrEqual(4000);
}
