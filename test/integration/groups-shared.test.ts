// Several groups over one destination (down wins), and the `any` and `min N` policies,
// with real interfaces in a throw-away network namespace.
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { describeLab, LinkRecorder } from '../lab/index.js';

describeLab('groups sharing destinations, policies', () => {
  let lab: Lab;
  let rec: LinkRecorder | undefined;

  eachLab((fresh) => (lab = fresh));

  const sourceFailed = (name: string) => (g: { sources: readonly { name: string; healthy: boolean }[] }) =>
    g.sources.find((s) => s.name === name)?.healthy === false;

  it('a destination of two groups is down while either says down, and never up in between', async () => {
    lab.addSource('a0');
    lab.addSource('b0');
    lab.addDestination('vrrp0');
    const d = await lab.start(
      config(
        lab,
        group('A', 'sources a0', 'destinations vrrp0', 'down-delay 0', 'up-delay 300ms'),
        group('B', 'sources b0', 'destinations vrrp0', 'down-delay 0', 'up-delay 300ms'),
      ),
    );
    expect(lab.admin('vrrp0')).toBe('up');
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump(['vrrp0'])}\n${d.tail()}`;

    // A says down.
    let t = performance.now();
    lab.cutCarrier('a0');
    const down = await rec.waitAdmin('vrrp0', 'down', t, 5000, ctx);

    // A recovers (its up-delay starts) and B fails right after: vrrp0 must not come up.
    lab.restoreCarrier('a0');
    lab.cutCarrier('b0');
    const a = await lab.waitGroup('A', 'up again after its up-delay', (g) => g.decision === 'up');
    expect(a.why).toBe('all sources have carrier');
    const b = await lab.group('B');
    expect(b.decision).toBe('down');
    expect(b.why).toBe('b0 lost carrier');
    const vrrp0 = (await lab.status()).destinations.find((x) => x.name === 'vrrp0');
    expect(vrrp0).toMatchObject({ state: 'down', wanted: 'down', downBecause: ['B'] });
    expect(lab.admin('vrrp0')).toBe('down');
    expect(rec.of('vrrp0', down), ctx()).toHaveLength(1);

    // Both down, then A recovers alone (no race at all): still down, still never up.
    lab.cutCarrier('a0');
    await lab.waitGroup('A', 'down', (g) => g.decision === 'down');
    expect((await lab.status()).destinations.find((x) => x.name === 'vrrp0')?.downBecause).toEqual(['A', 'B']);
    lab.restoreCarrier('a0');
    await lab.waitGroup('A', 'up again', (g) => g.decision === 'up');
    expect(lab.admin('vrrp0')).toBe('down');
    expect(rec.of('vrrp0', down), ctx()).toHaveLength(1);

    // B recovers: nobody says down any more, vrrp0 comes up after B's up-delay.
    t = performance.now();
    lab.restoreCarrier('b0');
    const up = await rec.waitAdmin('vrrp0', 'up', t, 5000, ctx);
    expect(up - t).toBeGreaterThanOrEqual(250);
    expect(rec.of('vrrp0', down).map((e) => e.admin)).toEqual(['down', 'up']);
  });

  it('policy any: down only when every source is down, up again with one', async () => {
    lab.addSource('p0');
    lab.addSource('p1');
    lab.addDestination('vrrp0');
    const d = await lab.start(config(lab, group('anyof', 'sources p0 p1', 'destinations vrrp0', 'policy any', 'up-delay 0')));
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump(['vrrp0'])}\n${d.tail()}`;

    lab.cutCarrier('p0');
    const one = await lab.waitGroup('anyof', 'p0 seen failed', sourceFailed('p0'));
    expect(one).toMatchObject({ decision: 'up', why: '1 of 2 sources have carrier' });
    expect(rec.of('vrrp0'), ctx()).toEqual([]);

    let t = performance.now();
    lab.cutCarrier('p1');
    await rec.waitAdmin('vrrp0', 'down', t, 5000, ctx);
    expect((await lab.group('anyof')).why).toBe('no source has carrier: p0 lost carrier, p1 lost carrier');

    t = performance.now();
    lab.restoreCarrier('p0');
    await rec.waitAdmin('vrrp0', 'up', t, 5000, ctx);
    expect((await lab.group('anyof')).why).toBe('1 of 2 sources have carrier');
    expect(rec.of('vrrp0').map((e) => e.admin)).toEqual(['down', 'up']);
  });

  it('policy min 2 of 3: one failure is tolerated, two are not', async () => {
    for (const s of ['m0', 'm1', 'm2']) lab.addSource(s);
    lab.addDestination('vrrp0');
    lab.addDestination('vrrp1');
    const d = await lab.start(
      config(lab, group('quorum', 'sources m0 m1 m2', 'destinations vrrp0 vrrp1', 'policy min 2', 'up-delay 0')),
    );
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump(['vrrp0', 'vrrp1'])}\n${d.tail()}`;

    lab.cutCarrier('m0');
    const one = await lab.waitGroup('quorum', 'm0 seen failed', sourceFailed('m0'));
    expect(one).toMatchObject({ decision: 'up', policy: 'min 2', why: '2 of 3 sources have carrier (min 2)' });
    expect(rec.events.filter((e) => e.name.startsWith('vrrp')), ctx()).toEqual([]);

    let t = performance.now();
    lab.cutCarrier('m1');
    await rec.waitAdmin('vrrp0', 'down', t, 5000, ctx);
    await rec.waitAdmin('vrrp1', 'down', t, 5000, ctx);
    expect((await lab.group('quorum')).why).toBe('only 1 of 3 sources have carrier, 2 needed: m0 lost carrier, m1 lost carrier');

    // Back to two of three: up.
    t = performance.now();
    lab.restoreCarrier('m1');
    await rec.waitAdmin('vrrp0', 'up', t, 5000, ctx);
    await rec.waitAdmin('vrrp1', 'up', t, 5000, ctx);
    expect(rec.of('vrrp0').map((e) => e.admin)).toEqual(['down', 'up']);
    expect(rec.of('vrrp1').map((e) => e.admin)).toEqual(['down', 'up']);
  });
});
