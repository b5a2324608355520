// `--action protodown` holds protodown with ifdepd's own reason bit (default 6), as FRR's
// vrrpd holds it with its bit 7, against the real kernel (>= 5.10). The second program is
// played by iproute2 (`ip link set DEV protodown on protodown_reason 7 on`, a numeric bit
// needs no name mapping). iproute2 6.1 shows only bits 0-7 (it reads the word as a u8):
// every bit used here is below 8, and the kernel's word is read through `ip -d -j`, not
// through ifdepd's own parser. Before reasons, ifdepd cleared protodown when its sources
// were healthy: with FRR's bit set the kernel refused (EBUSY) and ifdepd retried every
// 100 ms with warnings; every test here asserts no such line was ever logged.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { DestinationStatus } from '../../src/core/status.js';
import { cli, describeLab, Lab, perTest, waitFor, type IpLink, type Proc } from '../lab/index.js';

const OWN = '6';
const FRR = '7';
/** What a retry loop against EBUSY would have said. */
const FIGHT = /EBUSY|cannot set|still cannot/;

type WithReasons = IpLink & { proto_down_reason?: string[] };

describeLab('--action protodown with its own reason bit', () => {
  let lab: Lab;
  let socket: string;

  perTest(() => Lab.create('ifdepd-pdr'), (fresh) => {
    lab = fresh;
    lab.addSource('up0');
    lab.addDestination('vrrp0');
    lab.addDestination('vrrp1');
    socket = join(lab.tmpdir(), 'ifdepd.sock');
  });

  /** The kernel's protodown flag and reason bits, as iproute2 reads them. */
  const kernel = (name: string): { protodown: boolean; reasons: string[] } => {
    const link = lab.link(name) as WithReasons | undefined;
    return { protodown: link?.proto_down === true, reasons: [...(link?.proto_down_reason ?? [])].sort() };
  };
  const waitKernel = (d: Proc, name: string, want: { protodown: boolean; reasons: string[] }) =>
    waitFor(`${name}: ${JSON.stringify(want)}`, () => JSON.stringify(kernel(name)) === JSON.stringify(want), {
      timeout: 5000,
      context: () => `kernel: ${JSON.stringify(kernel(name))}\n${d.tail()}`,
    });
  const frr = (name: string, on: boolean) =>
    lab.ip('link', 'set', name, 'protodown', on ? 'on' : 'off', 'protodown_reason', FRR, on ? 'on' : 'off');
  const start = (...extra: string[]) =>
    lab.daemon(['-v', '-S', 'up0', '-D', 'vrrp0:vrrp1', '--action', 'protodown', '--up-delay', '100ms', '--control-socket', socket, ...extra]);

  const status = (name: string): DestinationStatus | undefined => {
    const r = cli(['status', '--json', '--socket', socket], { ns: lab.ns });
    if (r.code !== 0) throw new Error(`ifdepd status: ${r.stderr}`);
    return (JSON.parse(r.stdout) as { destinations: DestinationStatus[] }).destinations.find((x) => x.name === name);
  };
  /** Settled: the state reached, nothing in flight or retried, nothing failing. */
  const waitStatus = (d: Proc, name: string, want: Partial<DestinationStatus>) =>
    waitFor(
      `ifdepd status of ${name}: ${JSON.stringify(want)}`,
      () => {
        const s = status(name);
        return s !== undefined && s.activity === undefined && s.failing === undefined && Object.entries(want).every(([k, v]) => JSON.stringify(s[k as keyof DestinationStatus]) === JSON.stringify(v));
      },
      { timeout: 5000, context: () => `${JSON.stringify(status(name))}\n${d.tail()}` },
    );
  const noFight = (d: Proc) => expect(d.lines().filter((l) => FIGHT.test(l)), d.tail()).toEqual([]);

  it("cuts with its bit, restores by clearing only its bit, and reports another program's protodown", async () => {
    const d = await start();
    await waitStatus(d, 'vrrp0', { state: 'up', wanted: 'up' });

    // FRR's vrrpd goes backup: it protodowns the VMAC with its own bit.
    frr('vrrp0', true);
    await waitStatus(d, 'vrrp0', { state: 'up', wanted: 'up', protodownHeldBy: [7] });
    expect(kernel('vrrp0')).toEqual({ protodown: true, reasons: [FRR] });

    lab.cutCarrier('up0');
    await waitKernel(d, 'vrrp0', { protodown: true, reasons: [OWN, FRR] });
    await waitKernel(d, 'vrrp1', { protodown: true, reasons: [OWN] });
    await waitStatus(d, 'vrrp0', { state: 'down', wanted: 'down' });

    lab.restoreCarrier('up0');
    // ifdepd's bit gone, FRR's kept: protodown stays on, and that is FRR's, not a failure.
    await waitKernel(d, 'vrrp0', { protodown: true, reasons: [FRR] });
    await waitKernel(d, 'vrrp1', { protodown: false, reasons: [] });
    await waitStatus(d, 'vrrp0', { state: 'up', wanted: 'up', protodownHeldBy: [7] });
    const text = cli(['status', '--socket', socket], { ns: lab.ns }).stdout;
    expect(text).toMatch(/^ {2}vrrp0: protodown held by another program \(reason bit 7\), not by ifdepd$/m);
    expect(text).not.toMatch(/FAILING/);

    // FRR goes master: its protodown off is accepted, ifdepd's bit being clear.
    frr('vrrp0', false);
    await waitKernel(d, 'vrrp0', { protodown: false, reasons: [] });
    await waitStatus(d, 'vrrp0', { state: 'up', wanted: 'up' });
    expect(status('vrrp0')?.protodownHeldBy).toBeUndefined();
    noFight(d);
    expect(d.alive, d.tail()).toBe(true);
  });

  it("a restart keeps another program's bit and clears only ifdepd's own", async () => {
    frr('vrrp0', true);
    let d = await start();
    await waitStatus(d, 'vrrp0', { state: 'up', protodownHeldBy: [7] });
    expect(kernel('vrrp0')).toEqual({ protodown: true, reasons: [FRR] });
    lab.cutCarrier('up0');
    await waitKernel(d, 'vrrp0', { protodown: true, reasons: [OWN, FRR] });
    noFight(d);
    // Killed while holding the VMAC down: the next start finds both bits.
    d.signal('SIGKILL');
    await waitFor('the killed ifdepd to be gone', () => !d.alive);
    lab.restoreCarrier('up0');
    d = await start();
    await waitKernel(d, 'vrrp0', { protodown: true, reasons: [FRR] });
    await waitKernel(d, 'vrrp1', { protodown: false, reasons: [] });
    await waitStatus(d, 'vrrp0', { state: 'up', protodownHeldBy: [7] });
    noFight(d);
  });

  it('plain protodown with no bit (an older ifdepd, a tool without reasons) is cleared when the sources are healthy', async () => {
    lab.ip('link', 'set', 'vrrp0', 'protodown', 'on');
    const d = await start();
    await waitKernel(d, 'vrrp0', { protodown: false, reasons: [] });
    noFight(d);
  });

  it('--protodown-reason chooses the bit', async () => {
    const d = await start('--protodown-reason', '5');
    lab.cutCarrier('up0');
    await waitKernel(d, 'vrrp0', { protodown: true, reasons: ['5'] });
    lab.restoreCarrier('up0');
    await waitKernel(d, 'vrrp0', { protodown: false, reasons: [] });
  });

  it('--atomic sets the bit on every member in one request, and restores a member another program holds on its own', async () => {
    const d = await start('--atomic');
    lab.cutCarrier('up0');
    await d.waitForLog(/kernel group \d+ switched down in one request/);
    await waitKernel(d, 'vrrp0', { protodown: true, reasons: [OWN] });
    await waitKernel(d, 'vrrp1', { protodown: true, reasons: [OWN] });

    frr('vrrp1', true);
    await waitStatus(d, 'vrrp1', { state: 'down', protodownHeldBy: [7] });
    lab.restoreCarrier('up0');
    // One request for both would stop at vrrp1 (EBUSY): each is set on its own instead.
    await d.waitForLog(/not switched as one \(vrrp1 is held protodown by another program \(reason bit 7\)\)/);
    await waitKernel(d, 'vrrp0', { protodown: false, reasons: [] });
    await waitKernel(d, 'vrrp1', { protodown: true, reasons: [FRR] });
    await waitStatus(d, 'vrrp1', { state: 'up', wanted: 'up', protodownHeldBy: [7] });
    noFight(d);
  });
});
