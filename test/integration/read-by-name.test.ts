// The daemon in a namespace with 300 interfaces no group names (issue 21, "read only what
// is watched"): it reads the two it is given by name, at start and on SIGHUP, whatever
// else the host holds or does, and still fails over; a glob makes it read them all.
import { expect, it } from 'vitest';
import { describeLab, Lab, perTest, type Proc } from '../lab/index.js';

const OTHERS = 300;
const others = (verb: string) => Array.from({ length: OTHERS }, (_, i) => `link ${verb} other${i}`);

describeLab('reading by name among many interfaces', () => {
  let lab: Lab;
  let d: Proc | undefined;

  perTest(
    () => Lab.create('byname'),
    (fresh) => {
      lab = fresh;
      lab.addSource('up0');
      lab.addDestination('vrrp0');
      lab.batch(Array.from({ length: OTHERS }, (_, i) => `link add other${i} type bridge`));
    },
  );

  it('reads the named interfaces by name at start and on SIGHUP, and fails over through a storm of others', async () => {
    d = await lab.daemon(['-v', '-S', 'up0', '-D', 'vrrp0']);
    await d.waitForLog(/read 2 links \(start\)/);
    // Notifications about interfaces nobody watches, then the one that matters.
    lab.batch(others('set up'));
    lab.cutCarrier('up0');
    await lab.waitAdmin(['vrrp0'], 'down', 3000, d);
    const mark = d.lines().length;
    d.signal('SIGHUP');
    await d.waitForLog(/read 2 links \(SIGHUP\)/, 5000, mark);
    lab.restoreCarrier('up0');
    await lab.waitAdmin(['vrrp0'], 'up', 3000, d);
    expect(d.lines().filter((l) => /read \d+ links/.test(l) && !/read 2 links/.test(l)), d.tail()).toEqual([]);
    expect(d.alive).toBe(true);
  });

  it('a glob destination: every interface is read', async () => {
    d = await lab.daemon(['-v', '-S', 'up0', '-D', 'vrrp*']);
    const line = await d.waitForLog(/read \d+ links \(start\)/);
    expect(Number(/read (\d+) links/.exec(line)?.[1])).toBeGreaterThan(OTHERS);
    lab.cutCarrier('up0');
    await lab.waitAdmin(['vrrp0'], 'down', 3000, d);
  });
});
