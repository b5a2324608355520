// The protodown action follows protodown on with a GETLINK (syncLink) unless the interface is
// known to be admin up: that is what makes a VMAC keepalived has just created read not
// running at once. Admin writes and protodown off need nothing after them.
import { describe, expect, it } from 'vitest';
import { adminAction, protodownAction, type LinkWriter } from '../../../src/act/interface-action.js';
import { LinkTable } from '../../../src/core/link-table.js';
import { ifIndex, type LinkState } from '../../../src/core/types.js';

function harness(...links: LinkState[]) {
  const requests: string[] = [];
  const table = new LinkTable();
  for (const l of links) table.upsert(l);
  const kernel: LinkWriter = {
    setAdmin: (name, up) => (requests.push(`admin ${name} ${up}`), Promise.resolve()),
    setProtoDown: (name, on) => (requests.push(`protodown ${name} ${on}`), Promise.resolve()),
    syncLink: (name) => (requests.push(`sync ${name}`), Promise.resolve()),
  };
  return { requests, protodown: protodownAction(() => kernel, table), admin: adminAction(() => kernel) };
}

const link = (index: number, name: string, adminUp: boolean): LinkState => ({
  index: ifIndex(index),
  name,
  adminUp,
  lowerUp: adminUp,
  operState: adminUp ? 'up' : 'down',
  protoDown: false,
});

describe('protodownAction', () => {
  it('syncs an interface that is admin down (or unknown) after setting protodown on', async () => {
    const h = harness(link(1, 'vrrp0', false));
    await h.protodown.write('vrrp0', 'down');
    await h.protodown.write('vrrp9', 'down');
    expect(h.requests).toEqual(['protodown vrrp0 true', 'sync vrrp0', 'protodown vrrp9 true', 'sync vrrp9']);
  });

  it('leaves an admin-up interface to the kernel (an urgent event), and protodown off alone', async () => {
    const h = harness(link(1, 'vrrp0', true), link(2, 'vrrp1', false));
    await h.protodown.write('vrrp0', 'down');
    await h.protodown.write('vrrp1', 'up');
    expect(h.requests).toEqual(['protodown vrrp0 true', 'protodown vrrp1 false']);
  });

  it('settle alone (after a group switch) syncs the same interfaces', async () => {
    const h = harness(link(1, 'vrrp0', true), link(2, 'vrrp1', false));
    await Promise.all(['vrrp0', 'vrrp1'].map((n) => h.protodown.settle(n, 'down')));
    expect(h.requests).toEqual(['sync vrrp1']);
  });
});

describe('adminAction', () => {
  it('writes IFF_UP and needs nothing after it', async () => {
    const h = harness(link(1, 'vrrp0', false));
    await h.admin.write('vrrp0', 'down');
    await h.admin.settle('vrrp0', 'down');
    expect(h.requests).toEqual(['admin vrrp0 false']);
  });
});
