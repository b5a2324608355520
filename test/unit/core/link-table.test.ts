import { describe, expect, it } from 'vitest';
import { LinkTable } from '../../../src/core/link-table.js';
import { ifIndex } from '../../../src/core/types.js';
import { link } from '../../support/links.js';

describe('LinkTable', () => {
  it('a rename frees the old name and takes the new one', () => {
    const t = new LinkTable();
    t.upsert(link(4, 'em0'));
    expect(t.upsert(link(4, 'wan0'))?.name).toBe('em0');
    expect(t.byName('em0')).toBeUndefined();
    expect(t.byName('wan0')?.index).toBe(4);
  });

  it('an ifindex reused after deletion is a new interface', () => {
    const t = new LinkTable();
    t.upsert(link(4, 'vrrp0'));
    expect(t.remove(ifIndex(4))?.name).toBe('vrrp0');
    expect(t.byName('vrrp0')).toBeUndefined();
    expect(t.upsert(link(4, 'other'))).toBeUndefined();
    expect(t.byName('other')?.index).toBe(4);
  });

  it('a stale holder of a name is dropped when another index reports it', () => {
    const t = new LinkTable();
    t.upsert(link(4, 'vrrp0'));
    t.upsert(link(9, 'vrrp0'));
    expect(t.byName('vrrp0')?.index).toBe(9);
    expect(t.get(ifIndex(4))).toBeUndefined();
    expect(t.size).toBe(1);
  });

  it('removing an unknown index changes nothing', () => {
    const t = new LinkTable();
    t.upsert(link(1, 'lo'));
    expect(t.remove(ifIndex(7))).toBeUndefined();
    expect(t.size).toBe(1);
  });

  it('replaceAll forgets what is gone', () => {
    const t = new LinkTable();
    t.upsert(link(1, 'lo'));
    t.upsert(link(2, 'em0'));
    t.replaceAll([link(1, 'lo')]);
    expect(t.byName('em0')).toBeUndefined();
    expect([...t.all()].map((l) => l.name)).toEqual(['lo']);
  });
});
