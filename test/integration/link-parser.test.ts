// The lean link parser against the netlink package's full parser, on what this kernel
// really sends: a dump (with and without statistics) and notifications, for every device
// type the kernel has (lo, veth, bridge and its port, macvlan with protodown, vxlan).
// test/fixtures/link-capture.mjs captures them inside the namespace, through the built
// daemon's LinkRequester and LinkMonitor as well as a raw socket.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { LinkState } from '../../src/core/types.js';
import { parseLink, parseLinkHeader } from '../../src/kernel/link-parser.js';
import { describeLab, eachLab, waitFor, type Lab, type Proc } from '../lab/index.js';
import { packageLinkState } from '../lab/package-link-state.js';

const CAPTURE = fileURLToPath(new URL('../fixtures/link-capture.mjs', import.meta.url));
const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;

type Line =
  | { src: 'dump-full'; parts: string[] }
  | { src: 'dump-skip'; parts: string[] }
  | { src: 'requester'; links: LinkState[] }
  | { src: 'get'; lo: LinkState; missing: LinkState | null }
  | { src: 'raw'; type: number; hex: string }
  | { src: 'monitor'; changed?: LinkState; removed?: number; error?: string }
  | { src: 'ready' }
  | { src: 'raw-error'; error: string }
  | { src: 'requester-error'; error: string };

const linesOf = (p: Proc): Line[] => p.lines().flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as Line] : []));
const one = <S extends Line['src']>(p: Proc, src: S): Extract<Line, { src: S }> =>
  linesOf(p).find((l): l is Extract<Line, { src: S }> => l.src === src)!;

/** Every device type of this kernel; some admin down, a bridge port, protodown, an ifgroup. */
function build(lab: Lab): void {
  lab.batch([
    'link add v0 type veth peer name v0p',
    'link set v0 up',
    'link set v0p up',
    'link add br0 type bridge',
    'link set br0 up',
    'link add v1 type veth peer name v1p',
    'link set v1 master br0',
    'link set v1 up',
    'link add link br0 name mv0 type macvlan mode bridge',
    'link set mv0 up',
    'link set mv0 protodown on',
    'link set mv0 group 7',
    'link add link br0 name mv1 type macvlan mode bridge',
    'link add vx0 type vxlan id 42 dstport 4789',
  ]);
}

/** Lean and package agree on one payload; the package must parse it (it comes from the kernel). */
function expectSameAnswer(payload: Buffer, type: number): void {
  const reference = packageLinkState(payload);
  expect(reference, `the package could not parse ${payload.toString('hex')}`).not.toBe('threw');
  if (type === RTM_NEWLINK) expect(parseLink(payload)).toStrictEqual(reference);
  else expect(parseLinkHeader(payload)?.index).toBe(reference === undefined ? undefined : (reference as LinkState).index);
}

async function capture(lab: Lab): Promise<Proc> {
  const p = lab.exec([process.execPath, CAPTURE], { name: 'link-capture' });
  await p.waitForLog(/"src":"ready"/, 10_000);
  return p;
}

describeLab('lean link parser on real kernel messages', () => {
  let lab: Lab;
  eachLab((l) => (lab = l));

  it('reads every link of a dump, statistics or not, as the package does; so do LinkRequester.dump() and get()', async () => {
    build(lab);
    const p = await capture(lab);
    const full = one(p, 'dump-full').parts.map((h) => Buffer.from(h, 'hex'));
    const skip = one(p, 'dump-skip').parts.map((h) => Buffer.from(h, 'hex'));
    for (const payload of [...full, ...skip]) expectSameAnswer(payload, RTM_NEWLINK);

    const names = full.map((b) => parseLink(b)?.name).sort();
    expect(names).toEqual(['br0', 'lo', 'mv0', 'mv1', 'v0', 'v0p', 'v1', 'v1p', 'vx0']);
    // The same links, each message shorter by the statistics it no longer carries.
    expect(skip.map((b) => parseLink(b)?.name).sort()).toEqual(names);
    const bytes = (bs: Buffer[]): number => bs.reduce((n, b) => n + b.length, 0);
    expect(bytes(skip)).toBeLessThan(bytes(full) - 200 * full.length);

    const byName = new Map(full.map((b) => parseLink(b)!).map((l) => [l.name, l]));
    expect(byName.get('mv0')).toMatchObject({ protoDown: true, group: 7, adminUp: true });
    expect(byName.get('mv1')).toMatchObject({ protoDown: false, group: 0, adminUp: false });
    expect(byName.get('v1p')).toMatchObject({ adminUp: false, lowerUp: false, operState: 'down' });
    expect(byName.get('v0')).toMatchObject({ adminUp: true });

    const viaRequester = one(p, 'requester').links;
    expect(viaRequester.map((l) => [l.index, l.name]).sort()).toEqual([...byName.values()].map((l) => [l.index, l.name]).sort());
    const get = one(p, 'get');
    expect(get.lo).toStrictEqual(viaRequester.find((l) => l.name === 'lo'));
    expect(get.missing).toBeNull();
    expect(p.lines().filter((l) => l.includes('error'))).toEqual([]);
  });

  it('reads a stream of notifications as the package does, and LinkMonitor reports exactly those', async () => {
    build(lab);
    const p = await capture(lab);
    // Markers: both sockets are subscribed before the first, so both see everything between them.
    lab.ip('link', 'add', 'm0', 'type', 'bridge');
    lab.batch([
      'link set v0p down',
      'link set v0p up',
      'link set mv0 protodown off',
      'link set mv0 protodown on',
      'link set mv0 group 9',
      'link set br0 down',
      'link set br0 up',
      'link set vx0 up',
      'link set vx0 down',
      'link set dev mv1 name mv1r',
      'link set mv1r up',
      'link set v1 nomaster',
      'link del v1',
    ]);
    lab.ip('link', 'add', 'm1', 'type', 'bridge');

    const isMarker = (name: string) => (l: Line) =>
      (l.src === 'raw' && l.type === RTM_NEWLINK && parseLink(Buffer.from(l.hex, 'hex'))?.name === name) ||
      (l.src === 'monitor' && l.changed?.name === name);
    const between = (lines: Line[], src: Line['src']): Line[] => {
      const mine = lines.filter((l) => l.src === src);
      return mine.slice(mine.findIndex(isMarker('m0')), mine.findIndex(isMarker('m1')) + 1);
    };
    await waitFor('both sockets to report m1', () => linesOf(p).filter(isMarker('m1')).length >= 2, { context: () => p.tail() });
    const lines = linesOf(p);
    const raw = between(lines, 'raw') as Extract<Line, { src: 'raw' }>[];
    const monitored = between(lines, 'monitor');

    for (const m of lines.filter((l): l is Extract<Line, { src: 'raw' }> => l.src === 'raw')) expectSameAnswer(Buffer.from(m.hex, 'hex'), m.type);
    const expected = raw
      .map((m) => ({ type: m.type, payload: Buffer.from(m.hex, 'hex') }))
      .filter(({ payload }) => payload[0] === 0)
      .map(({ type, payload }) => {
        const link = packageLinkState(payload) as LinkState;
        return type === RTM_DELLINK ? { src: 'monitor', removed: link.index } : { src: 'monitor', changed: link };
      });
    expect(monitored).toStrictEqual(expected);

    // What the stream was made to contain: a deletion, a bridge port's AF_BRIDGE messages, protodown both ways, a rename.
    expect(raw.filter((m) => m.type === RTM_DELLINK && m.hex.startsWith('00')).length).toBeGreaterThanOrEqual(2);
    expect(raw.filter((m) => m.hex.startsWith('07')).length).toBeGreaterThan(0);
    const changed = monitored.flatMap((l) => (l.src === 'monitor' && l.changed ? [l.changed] : []));
    expect(new Set(changed.filter((l) => l.name === 'mv0').map((l) => l.protoDown))).toEqual(new Set([true, false]));
    expect(changed.some((l) => l.name === 'mv0' && l.group === 9)).toBe(true);
    expect(changed.some((l) => l.name === 'mv1r')).toBe(true);
    expect(lines.filter((l) => 'error' in l)).toEqual([]);
  });
});
