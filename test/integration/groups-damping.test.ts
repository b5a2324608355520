// Flap damping with real interfaces: quick flaps suppress the group (destinations held
// down although the sources are healthy) until the penalty has decayed, within max-suppress.
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { describeLab, LinkRecorder } from '../lab/index.js';

describeLab('flap damping', () => {
  let lab: Lab;
  let rec: LinkRecorder | undefined;

  eachLab((fresh) => (lab = fresh));

  async function start(damping: string) {
    lab.addSource('d0');
    lab.addDestination('vrrp0');
    const d = await lab.start(
      config(lab, group('flappy', 'sources d0', 'destinations vrrp0', 'down-delay 0', 'up-delay 0', `damping ${damping}`)),
    );
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump(['vrrp0'])}\n${d.tail()}`;
    /** One flap, seen through: vrrp0 follows the cut (and the restore, when `follows`). */
    const flap = async (n: number, follows: boolean): Promise<{ cut: number; restored: number }> => {
      const cut = performance.now();
      lab.cutCarrier('d0');
      if (follows) await rec!.waitAdmin('vrrp0', 'down', cut, 5000, ctx);
      // The daemon has counted it before the carrier comes back (or the kernel could merge the two).
      await lab.waitGroup('flappy', `flap ${n} counted`, (g) => g.flaps === n);
      const restored = performance.now();
      lab.restoreCarrier('d0');
      if (follows) await rec!.waitAdmin('vrrp0', 'up', restored, 5000, ctx);
      return { cut, restored };
    };
    return { d, ctx, flap };
  }

  it('three quick flaps suppress the group until the penalty decays', async () => {
    const { d, ctx, flap } = await start('penalty 1000 suppress 2000 reuse 1000 half-life 1s max-suppress 4s');
    // Two flaps: penalty about 1000, then about 1900: below suppress, vrrp0 follows both.
    const first = await flap(1, true);
    await flap(2, true);
    // The third crosses 2000: vrrp0 goes down and stays down after the carrier is back.
    const third = performance.now();
    lab.cutCarrier('d0');
    const down = await rec!.waitAdmin('vrrp0', 'down', third, 5000, ctx);
    const suppressed = await lab.waitGroup('flappy', 'suppressed', (g) => g.flaps === 3 && g.damping?.suppressed === true);
    expect(third - first.cut, 'the flaps were not quick enough for this test to mean anything').toBeLessThan(1500);
    lab.restoreCarrier('d0');
    const held = await lab.waitGroup('flappy', 'd0 healthy again, still held down', (g) => g.health.healthy);
    expect(held).toMatchObject({ decision: 'down', health: { healthy: true, reason: 'all sources have carrier' } });
    expect(held.why).toMatch(/^flap damping: penalty \d+ \(suppress 2000, reuse 1000\), released in \d+ ms$/);
    expect(held.damping!.penalty).toBeGreaterThanOrEqual(1000);
    expect(suppressed.damping!.penalty).toBeGreaterThanOrEqual(2000);
    const text = await lab.ctl('status');
    expect(text.stdout).toMatch(/^group flappy: DOWN {2}\(flap damping: penalty \d+ \(suppress 2000, reuse 1000\), released in \d+ ms\)$/m);
    expect(text.stdout).toMatch(/^ {2}damping: penalty \d+, suppressed, reuse in .+$/m);
    expect(text.stdout).toMatch(/^ {2}history: \d+ transitions, 3 flaps, /m);

    // Released once the penalty (at most about 2900) has decayed to 1000: 1 to 1.6 s after
    // the third flap, well within max-suppress.
    const up = await rec!.waitAdmin('vrrp0', 'up', down, 6000, ctx);
    expect(up - third, ctx()).toBeGreaterThanOrEqual(900);
    expect(up - third, ctx()).toBeLessThan(4000);
    // Never up while suppressed.
    expect(rec!.of('vrrp0', down).map((e) => e.admin), ctx()).toEqual(['down', 'up']);
    const after = await lab.group('flappy');
    expect(after).toMatchObject({ decision: 'up', why: 'all sources have carrier', damping: { suppressed: false } });
    expect(d.lines().some((l) => /flappy: .*flap damping.* -> destinations vrrp0 down/.test(l))).toBe(true);
  });

  it('max-suppress caps the suppression however much it flaps', async () => {
    // The penalty is capped at reuse * 2^(max-suppress / half-life) = 2000: released 2 s after
    // the last flap. Uncapped, eight quick flaps would hold it down about 5 s.
    const { ctx, flap } = await start('penalty 1000 suppress 2000 reuse 1000 half-life 2s max-suppress 2s');
    await flap(1, true);
    await flap(2, true);
    let last = { cut: 0, restored: 0 };
    for (let n = 3; n <= 8; n++) last = await flap(n, false);
    const g = await lab.waitGroup('flappy', 'suppressed, healthy', (x) => x.damping?.suppressed === true && x.health.healthy);
    expect(g.damping!.penalty).toBeLessThanOrEqual(2000);
    const up = await rec!.waitAdmin('vrrp0', 'up', last.restored, 8000, ctx);
    expect(up - last.cut, ctx()).toBeGreaterThanOrEqual(1800);
    expect(up - last.cut, ctx()).toBeLessThan(3000);
  });
});
