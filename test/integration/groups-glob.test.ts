// Glob destinations ("vrrp.*"): keepalived VMACs that come and go while the daemon runs.
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { describeLab, LinkRecorder, waitFor } from '../lab/index.js';

describeLab('glob destinations', () => {
  let lab: Lab;
  let rec: LinkRecorder | undefined;

  eachLab((fresh) => (lab = fresh));

  it('forces a matching VMAC created while the group is down, leaves one created while up, lets go of a renamed one', async () => {
    lab.addSource('up0');
    lab.addDestination('vrrp.50');
    const d = await lab.start(config(lab, group('vmacs', 'sources up0', 'destinations "vrrp.*"', 'up-delay 0')));
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump()}\n${d.tail()}`;
    expect(lab.admin('vrrp.50')).toBe('up');

    // The group goes down: the existing match with it.
    let t = performance.now();
    lab.cutCarrier('up0');
    await rec.waitAdmin('vrrp.50', 'down', t, 5000, ctx);

    // keepalived creates a VMAC, admin up, while the group is down: forced down, and said so.
    let mark = d.mark();
    t = performance.now();
    lab.addDestination('vrrp.51', { up: true });
    await rec.waitAdmin('vrrp.51', 'down', t, 5000, ctx);
    // The man page: a destination that appears later is forced back "with a log line that says
    // what happened and why" -- at notice level, like a literal destination that appears.
    const forced = await d.waitForLog(/vrrp\.51 appeared \(ifindex \d+\) admin up -> forcing it down \(up0 lost carrier\)/, 1000, mark).catch(
      () => undefined,
    );
    // Soft: the rest of the scenario still runs when only this line is missing.
    expect(forced, `no notice that vrrp.51 appeared and was forced down; log since its creation:\n${d.since(mark).join('\n')}`).toBeDefined();

    // The group comes up: both matches with it.
    t = performance.now();
    lab.restoreCarrier('up0');
    await rec.waitAdmin('vrrp.50', 'up', t, 5000, ctx);
    await rec.waitAdmin('vrrp.51', 'up', t, 5000, ctx);

    // A VMAC created up while the group is up is left alone (but managed).
    t = performance.now();
    lab.addDestination('vrrp.52', { up: true });
    const created = await waitCreated(rec, 'vrrp.52', t);
    await waitManaged(lab, 'vrrp.52', 'up');
    expect(rec.of('vrrp.52', created), ctx()).toHaveLength(1);
    expect(lab.admin('vrrp.52')).toBe('up');

    // vrrp.51 renamed out of the pattern: no longer a destination, left exactly as it is.
    mark = d.mark();
    lab.rename('vrrp.51', 'other0');
    await d.waitForLog(/vrrp\.51 is gone; no longer a destination/, 5000, mark);
    const renamed = performance.now();
    // What the operator reads: the interface is let go, rather than waited for under a name
    // that only a glob ever matched.
    expect(d.since(mark).join('\n'), 'the rename out of the glob is not logged as "no longer a destination"').toMatch(
      /vrrp\.51 is gone; no longer a destination/,
    );

    // The group goes down again: the matches go down, other0 does not.
    t = performance.now();
    lab.cutCarrier('up0');
    await rec.waitAdmin('vrrp.50', 'down', t, 5000, ctx);
    await rec.waitAdmin('vrrp.52', 'down', t, 5000, ctx);
    await lab.waitGroup('vmacs', 'down', (g) => g.decision === 'down');
    t = performance.now();
    lab.restoreCarrier('up0');
    await rec.waitAdmin('vrrp.50', 'up', t, 5000, ctx);
    await rec.waitAdmin('vrrp.52', 'up', t, 5000, ctx);
    expect(lab.admin('other0')).toBe('up');
    expect(rec.of('other0', renamed), ctx()).toEqual([]);
    expect(d.lines().filter((l) => /other0/.test(l) && /forcing/.test(l))).toEqual([]);
    // And the status no longer lists it.
    const names = (await lab.status()).destinations.map((x) => x.name);
    expect(names).toContain('vrrp.50');
    expect(names).toContain('vrrp.52');
    expect(names).not.toContain('other0');
    // A name only the glob matched, now gone, is not a destination waiting to come back.
    expect(
      (await lab.status()).destinations.filter((x) => x.state === 'missing'),
      'status still lists the renamed VMAC as a missing destination',
    ).toEqual([]);
  });

  it('a matching interface renamed INTO the pattern is forced like one that appears', async () => {
    lab.addSource('up0');
    lab.addDestination('spare0');
    const d = await lab.start(config(lab, group('vmacs', 'sources up0', 'destinations "vrrp.*"', 'up-delay 0')));
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump()}\n${d.tail()}`;
    lab.cutCarrier('up0');
    await lab.waitGroup('vmacs', 'down', (g) => g.decision === 'down');
    // Not a match: left up while the group is down.
    expect(lab.admin('spare0')).toBe('up');
    expect(rec.of('spare0'), ctx()).toEqual([]);
    const mark = d.mark();
    const t = performance.now();
    lab.rename('spare0', 'vrrp.60');
    await rec.waitAdmin('vrrp.60', 'down', t, 5000, ctx);
    await lab.waitGroup('vmacs', 'still down', (g) => g.decision === 'down');
    // The notice follows the request in the same turn: waited for, as the kernel's change may be seen first.
    await d.waitForLog(/vrrp\.60 appeared \(ifindex \d+\) admin up -> forcing it down \(up0 lost carrier\)/, 5000, mark);
  });
});

/** When the monitor first reported `name` (its creation). */
function waitCreated(rec: LinkRecorder, name: string, since: number): Promise<number> {
  return rec.waitAdmin(name, 'up', since);
}

/** Until the daemon lists `name` among its destinations, in the given state and wanted so. */
async function waitManaged(lab: Lab, name: string, state: 'up' | 'down'): Promise<void> {
  await waitFor(
    `${name} listed as a destination, ${state}`,
    async () => (await lab.status()).destinations.some((x) => x.name === name && x.state === state && x.wanted === state),
    { context: () => lab.daemon?.tail() ?? '' },
  );
}
