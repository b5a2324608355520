// LinkSync on the fake kernel, its table looked at directly: it holds the interfaces the
// configuration watches and nothing else, whatever the kernel announces (issue 21: the
// table's size, and the daemon's memory, follow what is watched, not the host).
import { afterEach, describe, expect, it } from 'vitest';
import { NO_EVENTS } from '../../../src/core/events.js';
import { LinkTable } from '../../../src/core/link-table.js';
import type { LinkWatch } from '../../../src/core/link-watch.js';
import { BY_NAME_LIMIT, readLinks } from '../../../src/daemon/link-read.js';
import { LinkSync, type SyncPhase } from '../../../src/daemon/link-sync.js';
import { createLogger } from '../../../src/logging/logger.js';
import { FakeKernel } from '../../support/fake-kernel.js';
import { fakeScheduler } from '../../support/fake-scheduler.js';

let sync: LinkSync | undefined;
afterEach(() => {
  sync?.close();
  sync = undefined;
});

function syncOn(kernel: FakeKernel, watch: LinkWatch, log = createLogger('quiet', { write: () => undefined })) {
  const table = new LinkTable();
  const phases: SyncPhase[] = [];
  const changed: string[] = [];
  sync = new LinkSync(table, kernel, log, fakeScheduler().scheduler, NO_EVENTS, {
    watches: (name) => watch.allBecause !== undefined || watch.names.has(name),
    changed: (names) => changed.push(...names),
    synced: (phase) => phases.push(phase),
    fault: (where, err) => {
      throw new Error(`fault in ${where}: ${String(err)}`);
    },
  }, watch);
  return { sync, table, phases, changed };
}

const names = (table: LinkTable) => [...table.all()].map((l) => l.name).sort();

describe('LinkSync says each change of a watched interface with -v', () => {
  it('describes it for -v, and does not build the line without', async () => {
    for (const verbosity of ['verbose', 'normal'] as const) {
      const lines: string[] = [];
      const kernel = new FakeKernel();
      kernel.add('em0');
      const log = createLogger(verbosity, { write: (severity, text) => lines.push(`${severity}: ${text}`) });
      expect(log.shows?.('debug')).toBe(verbosity === 'verbose');
      const { sync } = syncOn(kernel, { names: new Set(['em0']) }, log);
      await sync.start();
      kernel.setCarrier('em0', false);
      await kernel.delivered();
      expect(lines.filter((l) => l.startsWith('debug: ') && l.includes('em0'))).toHaveLength(verbosity === 'verbose' ? 1 : 0);
      sync.close();
    }
  });
});

describe('LinkSync keeps only what is watched', () => {
  it('holds the watched interfaces, not the others, through their notifications and re-reads', async () => {
    const kernel = new FakeKernel();
    kernel.add('em0');
    for (let i = 0; i < 300; i++) kernel.add(`other${i}`);
    const { sync, table, phases, changed } = syncOn(kernel, { names: new Set(['em0', 'vrrp0']) });
    await sync.start();
    expect(phases).toEqual(['first']);
    expect(names(table)).toEqual(['em0']);

    for (let i = 0; i < 300; i++) kernel.setCarrier(`other${i}`, false);
    kernel.add('other-new');
    kernel.add('vrrp0');
    await kernel.delivered();
    expect(names(table)).toEqual(['em0', 'vrrp0']);
    expect(changed).toEqual(['vrrp0']);

    await sync.resync({ kind: 'sighup' });
    expect(names(table)).toEqual(['em0', 'vrrp0']);
    expect(kernel.linkReads().dumps).toBe(0);
  });

  it('an interface renamed away leaves the table; one renamed to a watched name enters it', async () => {
    const kernel = new FakeKernel();
    kernel.add('em0');
    const spare = kernel.add('spare');
    const { sync, table } = syncOn(kernel, { names: new Set(['em0', 'em1']) });
    await sync.start();
    kernel.rename('em0', 'em0-old');
    kernel.rename('spare', 'em1');
    await kernel.delivered();
    expect(names(table)).toEqual(['em1']);
    expect(table.byName('em1')?.index).toBe(spare.index);
  });

  it('does not read what cannot concern it: an unwatched name on an ifindex not in the table (its name read only then)', async () => {
    const kernel = new FakeKernel();
    kernel.add('em0');
    kernel.add('peer0');
    const read: string[] = [];
    const namesRead: string[] = [];
    const subscribe = kernel.subscribeLinks.bind(kernel);
    kernel.subscribeLinks = (events) =>
      subscribe({
        ...events,
        concerns: (index, name) =>
          events.concerns!(index, () => {
            const n = name();
            if (n !== undefined) namesRead.push(n);
            return n;
          }),
        linkChanged: (link) => {
          read.push(link.name);
          events.linkChanged(link);
        },
      });
    const { sync, table, changed } = syncOn(kernel, { names: new Set(['em0', 'em1']) });
    await sync.start();
    kernel.setCarrier('peer0', false);
    kernel.setCarrier('em0', false);
    // Renamed into a watched name, and a watched one renamed away: both are read.
    kernel.rename('peer0', 'em1');
    kernel.rename('em0', 'em0-old');
    kernel.setCarrier('em0-old', true);
    await kernel.delivered();
    expect(read).toEqual(['em0', 'em1', 'em0-old']);
    // The name is read only for an ifindex the table does not hold.
    expect(namesRead).toEqual(['peer0', 'em1', 'em0-old']);
    expect(names(table)).toEqual(['em1']);
    expect(changed).toEqual(['em0', 'em1', 'em0']);
  });

  it('keeps every interface when a glob needs them, and settles to the names again', async () => {
    const kernel = new FakeKernel();
    kernel.add('em0');
    for (let i = 0; i < 20; i++) kernel.add(`other${i}`);
    const { sync, table } = syncOn(kernel, { names: new Set(['em0']), allBecause: 'a glob' });
    await sync.start();
    expect(table.size).toBe(21);
    sync.settle({ names: new Set(['em0']) });
    expect(names(table)).toEqual(['em0']);
    kernel.add('other-new');
    await kernel.delivered();
    expect(names(table)).toEqual(['em0']);
  });
});

describe('readLinks', () => {
  it('asks each name with one GETLINK up to BY_NAME_LIMIT names, and dumps (keeping only the names) beyond', async () => {
    const kernel = new FakeKernel();
    for (let i = 0; i < BY_NAME_LIMIT + 10; i++) kernel.add(`d${i}`);
    kernel.add('other');
    const few = new Set(['d0', 'd1', 'missing']);
    expect((await readLinks(kernel, { kind: 'names', names: few })).map((l) => l.name).sort()).toEqual(['d0', 'd1']);
    expect(kernel.linkReads()).toEqual({ dumps: 0, byName: new Map([['d0', 1], ['d1', 1], ['missing', 1]]) });

    const many = new Set(Array.from({ length: BY_NAME_LIMIT + 1 }, (_, i) => `d${i}`));
    const read = await readLinks(kernel, { kind: 'names', names: many });
    expect(read.map((l) => l.name).sort()).toEqual([...many].sort());
    expect(kernel.linkReads().dumps).toBe(1);
    expect(kernel.linkReads().byName.size).toBe(3);
  });
});
