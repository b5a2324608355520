// The protodown action: with reasons, ifdepd sets and clears only its own bit and treats
// another program's bit as that program's business (no write, no failure); without reasons
// (a kernel before 5.10), plain protodown. Protodown on is followed by a GETLINK (linkByName)
// unless the interface is known to be admin up: that is what makes a VMAC keepalived has
// just created read not running at once.
import { describe, expect, it } from 'vitest';
import type { LinkWriter } from '../../../src/act/interface-action.js';
import type { ProtoDownChange } from '../../../src/core/kernel-port.js';
import { protodownAction } from '../../../src/act/protodown-action.js';
import { LinkTable } from '../../../src/core/link-table.js';
import { ifIndex, type LinkState } from '../../../src/core/types.js';

const OWN = 6;
const FRR = 7;

function harness(reasonBit: number | undefined, ...links: LinkState[]) {
  const requests: string[] = [];
  const table = new LinkTable();
  for (const l of links) table.upsert(l);
  let refuse: ((change: ProtoDownChange) => Error | undefined) | undefined;
  const kernel: LinkWriter = {
    setAdmin: (name, up) => (requests.push(`admin ${name} ${up}`), Promise.resolve()),
    setProtoDown: (name, change) => {
      requests.push(`protodown ${name} ${show(change)}`);
      const err = refuse?.(change);
      return err ? Promise.reject(err) : Promise.resolve();
    },
    linkByName: (name) => (requests.push(`sync ${name}`), Promise.resolve(undefined)),
  };
  return { requests, table, refuse: (f: typeof refuse) => (refuse = f), action: protodownAction(() => kernel, table, reasonBit) };
}


const show = (c: ProtoDownChange): string => `${c.on === undefined ? '-' : c.on ? 'on' : 'off'}${c.reason ? ` bit${c.reason.bit}=${c.reason.set ? 1 : 0}` : ''}`;

const link = (name: string, o: { adminUp?: boolean; protoDown?: boolean; reasons?: number } = {}): LinkState => ({
  index: ifIndex(name === 'vrrp0' ? 1 : 2),
  name,
  adminUp: o.adminUp ?? true,
  lowerUp: true,
  operState: 'up',
  protoDown: o.protoDown ?? false,
  ...(o.reasons ? { protoDownReasons: o.reasons } : {}),
});

const bit = (b: number): number => (1 << b) >>> 0;
const ebusy = (): Error => Object.assign(new Error('set protodown off: EBUSY'), { code: 'EBUSY' });

describe.each([['with reasons', OWN] as const, ['plain', undefined] as const])('protodownAction %s: the sync after protodown on', (_, reasonBit) => {
  it('syncs an interface that is admin down (or unknown) after setting protodown on', async () => {
    const h = harness(reasonBit, link('vrrp0', { adminUp: false }));
    await h.action.write('vrrp0', 'down');
    await h.action.write('vrrp9', 'down');
    const on = reasonBit === undefined ? 'on' : `on bit${OWN}=1`;
    expect(h.requests).toEqual([`protodown vrrp0 ${on}`, 'sync vrrp0', `protodown vrrp9 ${on}`, 'sync vrrp9']);
  });

  it('settle alone (after a group switch) syncs the interfaces not known to be admin up', async () => {
    const h = harness(reasonBit, link('vrrp0'), link('vrrp1', { adminUp: false }));
    await Promise.all(['vrrp0', 'vrrp1'].map((n) => h.action.settle(n, 'down')));
    expect(h.requests).toEqual(['sync vrrp1']);
  });
});

describe('protodownAction with reasons', () => {
  it("down sets ifdepd's bit and protodown in one request; up clears both", async () => {
    const h = harness(OWN, link('vrrp0'));
    await h.action.write('vrrp0', 'down');
    await h.action.write('vrrp0', 'up');
    expect(h.requests).toEqual([`protodown vrrp0 on bit${OWN}=1`, `protodown vrrp0 off bit${OWN}=0`]);
  });

  it("up while another program holds protodown clears ifdepd's bit only, and leaves protodown on", async () => {
    const h = harness(OWN, link('vrrp0', { protoDown: true, reasons: bit(OWN) | bit(FRR) }));
    await h.action.write('vrrp0', 'up');
    expect(h.requests).toEqual([`protodown vrrp0 - bit${OWN}=0`]);
  });

  it('up refused with EBUSY (a bit set since the table heard) clears the bit again alone, and succeeds', async () => {
    const h = harness(OWN, link('vrrp0', { protoDown: true, reasons: bit(OWN) }));
    h.refuse((c) => (c.on === false ? ebusy() : undefined));
    await h.action.write('vrrp0', 'up');
    expect(h.requests).toEqual([`protodown vrrp0 off bit${OWN}=0`, `protodown vrrp0 - bit${OWN}=0`]);
  });

  it('another error of an up write is the write failing', async () => {
    const h = harness(OWN, link('vrrp0', { protoDown: true, reasons: bit(OWN) }));
    h.refuse(() => Object.assign(new Error('set protodown off: EOPNOTSUPP'), { code: 'EOPNOTSUPP' }));
    await expect(h.action.write('vrrp0', 'up')).rejects.toThrow(/EOPNOTSUPP/);
    expect(h.requests).toHaveLength(1);
  });

  it("reached: down is ifdepd's bit and protodown; up is ifdepd's bit clear, protodown off or held by others", () => {
    const { action } = harness(OWN);
    const cases: Array<[string, LinkState, boolean, boolean]> = [
      // name, link, reached down, reached up
      ['clear', link('vrrp0'), false, true],
      ['ifdepd holds it', link('vrrp0', { protoDown: true, reasons: bit(OWN) }), true, false],
      ['ifdepd and FRR hold it', link('vrrp0', { protoDown: true, reasons: bit(OWN) | bit(FRR) }), true, false],
      ['FRR holds it', link('vrrp0', { protoDown: true, reasons: bit(FRR) }), false, true],
      ['plain protodown, no bit', link('vrrp0', { protoDown: true }), false, false],
      ["ifdepd's bit left set, protodown off", link('vrrp0', { reasons: bit(OWN) }), false, false],
      ["FRR's bit set, protodown off", link('vrrp0', { reasons: bit(FRR) }), false, true],
    ];
    for (const [name, l, down, up] of cases) expect([name, action.reached(l, 'down'), action.reached(l, 'up')]).toEqual([name, down, up]);
  });

  it('stateOf and heldByOthers: protodown held by another program reads up, with its bits', () => {
    const { action } = harness(OWN);
    const frr = link('vrrp0', { protoDown: true, reasons: bit(FRR) | bit(31) });
    expect(action.stateOf(frr)).toBe('up');
    expect(action.heldByOthers(frr)).toEqual([FRR, 31]);
    const both = link('vrrp0', { protoDown: true, reasons: bit(OWN) | bit(FRR) });
    expect([action.stateOf(both), action.heldByOthers(both)]).toEqual(['down', [FRR]]);
    expect(action.heldByOthers(link('vrrp0', { reasons: bit(FRR) }))).toEqual([]);
    expect(action.stateOf(link('vrrp0', { protoDown: true }))).toBe('down');
  });

  it('a group switch carries the bit', () => {
    const { action } = harness(OWN);
    expect(action.groupChange('down')).toEqual({ kind: 'protodown', on: true, reason: { bit: OWN, set: true } });
    expect(action.groupChange('up')).toEqual({ kind: 'protodown', on: false, reason: { bit: OWN, set: false } });
  });
});

describe('protodownAction without reasons (a kernel before 5.10)', () => {
  it('writes plain protodown and reads the flag alone', async () => {
    const h = harness(undefined, link('vrrp0'));
    await h.action.write('vrrp0', 'down');
    await h.action.write('vrrp0', 'up');
    expect(h.requests).toEqual(['protodown vrrp0 on', 'protodown vrrp0 off']);
    expect(h.action.reached(link('vrrp0', { protoDown: true }), 'down')).toBe(true);
    expect(h.action.groupChange('down')).toEqual({ kind: 'protodown', on: true });
  });

  it('EBUSY is a failure there (no bit of its own to clear)', async () => {
    const h = harness(undefined, link('vrrp0', { protoDown: true }));
    h.refuse(() => ebusy());
    await expect(h.action.write('vrrp0', 'up')).rejects.toThrow(/EBUSY/);
  });
});
