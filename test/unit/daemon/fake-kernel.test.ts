// The fake kernel the daemon tests stand on behaves as the kernel does where the daemon
// depends on it: notifications come later than the change,
// only for a change, and to the subscribers of the time; an overrun loses them and says so;
// protodown reasons are applied before protodown off is refused; a re-created interface
// has a new ifindex; a refused request carries its errno in .code.
import { describe, expect, it } from 'vitest';
import type { LinkEvents } from '../../../src/core/kernel-port.js';
import type { IfIndex, LinkState } from '../../../src/core/types.js';
import { FakeKernel } from '../../support/fake-kernel.js';

function listener() {
  const heard: string[] = [];
  const events: LinkEvents = {
    linkChanged: (l: LinkState) => heard.push(`${l.name} ${l.adminUp ? 'up' : 'down'}${l.lowerUp ? ' lower_up' : ''}`),
    linkRemoved: (i: IfIndex) => heard.push(`removed ${i}`),
    eventsLost: () => heard.push('lost'),
    socketError: (e) => heard.push(`error ${e.message}`),
  };
  return { heard, events };
}

describe('FakeKernel', () => {
  it('notifies a change in a later turn, only when something changed, and only to those subscribed then', async () => {
    const kernel = new FakeKernel();
    kernel.add('vrrp0');
    const early = listener();
    kernel.subscribeLinks(early.events);
    await kernel.setAdmin('vrrp0', false);
    expect(early.heard).toEqual([]);
    const late = listener();
    kernel.subscribeLinks(late.events);
    await kernel.setAdmin('vrrp0', false);
    await kernel.delivered();
    expect(early.heard).toEqual(['vrrp0 down']);
    expect(late.heard).toEqual([]);
  });

  it('loses what was not delivered on an overrun, and says so once', async () => {
    const kernel = new FakeKernel();
    kernel.add('em0');
    const l = listener();
    kernel.subscribeLinks(l.events);
    kernel.setCarrier('em0', false);
    kernel.overrun();
    await kernel.delivered();
    expect(l.heard).toEqual(['lost']);
    expect((await kernel.dumpLinks()).map((x) => x.lowerUp)).toEqual([false]);
  });

  it('applies a reason bit, then refuses protodown off with EBUSY while another bit is set', async () => {
    const kernel = new FakeKernel();
    kernel.add('vrrp0', { protoDown: true, reasons: (1 << 6) | (1 << 7) });
    await expect(kernel.setProtoDown('vrrp0', { on: false, reason: { bit: 6, set: false } })).rejects.toMatchObject({ code: 'EBUSY' });
    expect(kernel.state('vrrp0')).toMatchObject({ protoDown: true, protoDownReasons: 1 << 7, lowerUp: false });
    kernel.add('veth0', { protoDownCapable: false });
    await expect(kernel.setProtoDown('veth0', { on: true })).rejects.toMatchObject({ code: 'EOPNOTSUPP' });
  });

  it('re-creates an interface under a new ifindex, and answers ENODEV for a name that is gone', async () => {
    const kernel = new FakeKernel();
    const first = kernel.add('vrrp0');
    const l = listener();
    kernel.subscribeLinks(l.events);
    const second = kernel.recreate('vrrp0');
    expect(second.index).not.toBe(first.index);
    await kernel.delivered();
    expect(l.heard).toEqual([`removed ${first.index}`, 'vrrp0 up lower_up']);
    expect(await kernel.link(first.index)).toBeUndefined();
    kernel.remove('vrrp0');
    await expect(kernel.setAdmin('vrrp0', false)).rejects.toMatchObject({ code: 'ENODEV' });
  });

  it('fails the requests it was told to, then answers again', async () => {
    const kernel = new FakeKernel();
    kernel.add('vrrp0');
    kernel.refuse('setAdmin', 'EPERM', { target: 'vrrp0', times: 1 });
    await expect(kernel.setAdmin('vrrp0', false)).rejects.toMatchObject({ code: 'EPERM' });
    await kernel.setAdmin('vrrp0', false);
    expect(kernel.state('vrrp0')?.adminUp).toBe(false);
    kernel.close();
    await expect(kernel.setAdmin('vrrp0', true)).rejects.toMatchObject({ code: 'ESHUTDOWN' });
    expect(kernel.writes()).toEqual(['setAdmin vrrp0 down', 'setAdmin vrrp0 down', 'after close: setAdmin vrrp0 up']);
  });
});
