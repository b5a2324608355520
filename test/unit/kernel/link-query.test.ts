import type { NetlinkMessage } from 'netlink';
import { describe, expect, it } from 'vitest';
import { linkQuery, linksOf, MalformedLinkReply } from '../../../src/kernel/link-query.js';
import { cstring, IFLA, linkPayload, u32, type Header } from './link-message-builder.js';

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const IFLA_EXT_MASK = 29;
const RTEXT_FILTER_SKIP_STATS = 1 << 3;

const header = (index: number, family = 0): Header => ({ family, type: 1, index, flags: 1, change: 0 });
const part = (type: number, data: Buffer): NetlinkMessage => ({ type, flags: 2, seq: 1, port: 0, data });
const named = (index: number, name: string, family = 0): Buffer => linkPayload(header(index, family), [{ type: IFLA.IFNAME, data: cstring(name) }]);

describe('linkQuery', () => {
  it('is an ifinfomsg for the ifindex and IFLA_EXT_MASK asking the kernel to skip statistics', () => {
    const payload = Buffer.concat(linkQuery(42));
    const expected = linkPayload({ family: 0, type: 0, index: 42, flags: 0, change: 0 }, [{ type: IFLA_EXT_MASK, data: u32(RTEXT_FILTER_SKIP_STATS) }]);
    expect(payload.equals(expected), payload.toString('hex')).toBe(true);
  });
});

describe('linksOf', () => {
  it('reads every AF_UNSPEC RTM_NEWLINK and skips bridge ports and other types', () => {
    const links = linksOf([
      part(RTM_NEWLINK, named(1, 'lo')),
      part(RTM_NEWLINK, named(2, 'br0p', 7)),
      part(RTM_DELLINK, named(3, 'gone')),
      part(RTM_NEWLINK, named(4, 's0')),
    ]);
    expect(links.map((l) => [l.index, l.name])).toEqual([
      [1, 'lo'],
      [4, 's0'],
    ]);
  });

  it('refuses the whole answer if one link in it is malformed: a missing link would look deleted', () => {
    const truncated = named(5, 'd0').subarray(0, 20);
    const parts = [part(RTM_NEWLINK, named(1, 'lo')), part(RTM_NEWLINK, truncated), part(RTM_NEWLINK, Buffer.alloc(0))];
    expect(() => linksOf(parts)).toThrow(MalformedLinkReply);
    expect(() => linksOf(parts)).toThrow('2 of 3 link messages malformed (the first one 20 bytes)');
  });

  it('is empty for an empty answer', () => {
    expect(linksOf([])).toEqual([]);
  });
});
