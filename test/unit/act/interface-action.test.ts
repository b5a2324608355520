// The admin action writes IFF_UP and needs nothing after it; its state is IFF_UP as reported.
import { describe, expect, it } from 'vitest';
import { adminAction, type LinkWriter } from '../../../src/act/interface-action.js';
import { ifIndex, type LinkState } from '../../../src/core/types.js';

function harness() {
  const requests: string[] = [];
  const kernel: LinkWriter = {
    setAdmin: (name, up) => (requests.push(`admin ${name} ${up}`), Promise.resolve()),
    setProtoDown: (name, change) => (requests.push(`protodown ${name} ${JSON.stringify(change)}`), Promise.resolve()),
    linkByName: (name) => (requests.push(`sync ${name}`), Promise.resolve(undefined)),
  };
  return { requests, admin: adminAction(() => kernel) };
}

const link = (adminUp: boolean): LinkState => ({ index: ifIndex(1), name: 'vrrp0', adminUp, lowerUp: adminUp, operState: adminUp ? 'up' : 'down', protoDown: false });

describe('adminAction', () => {
  it('writes IFF_UP and needs nothing after it', async () => {
    const h = harness();
    await h.admin.write('vrrp0', 'down');
    await h.admin.settle('vrrp0', 'down');
    expect(h.requests).toEqual(['admin vrrp0 false']);
  });

  it('has reached a decision when IFF_UP says so; nobody else holds it', () => {
    const h = harness();
    expect([h.admin.reached(link(true), 'up'), h.admin.reached(link(true), 'down'), h.admin.reached(link(false), 'down')]).toEqual([true, false, true]);
    expect(h.admin.heldByOthers(link(false))).toEqual([]);
    expect(h.admin.groupChange('down')).toEqual({ kind: 'admin', up: false });
  });
});
