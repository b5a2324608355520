// The actions other than admin: protodown (IFLA_PROTO_DOWN, admin state kept) and
// keepalived's track file (written atomically, never seen empty or partial).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { config, eachLab, group, Lab } from '../lab/grouplab.js';
import { describeLab, LinkRecorder, waitFor } from '../lab/index.js';

/**
 * Reads `file` as fast as it can until `stop` exists, then prints what it saw:
 * how often each content was read, and every failure to read it.
 */
const READER = `
const { readFileSync, existsSync } = require('node:fs');
const [file, stop] = process.argv.slice(1);
const seen = {};
const errors = {};
const wait = new Int32Array(new SharedArrayBuffer(4));
let reads = 0;
let previous;
for (;;) {
  let content;
  try { content = readFileSync(file, 'utf8'); } catch (e) { content = undefined; errors[e.code] = (errors[e.code] || 0) + 1; }
  const key = JSON.stringify(content);
  if (content !== undefined) seen[key] = (seen[key] || 0) + 1;
  // Every change of content as it happens, so the test can pace its flips on the reader.
  if (key !== previous) process.stderr.write(key + '\\n');
  previous = key;
  reads++;
  if (reads % 256 === 0) {
    if (existsSync(stop)) break;
    Atomics.wait(wait, 0, 0, 1); // leave the daemon some CPU
  }
}
process.stdout.write(JSON.stringify({ reads, seen, errors }));
`;

describeLab('protodown and track-file actions', () => {
  let lab: Lab;
  let rec: LinkRecorder | undefined;

  eachLab((fresh) => (lab = fresh));

  it('protodown sets IFLA_PROTO_DOWN on and off and never touches the admin state', async () => {
    lab.addSource('s0');
    lab.addDestination('vrrp0');
    const d = await lab.start(config(lab, group('pd', 'sources s0', 'destinations vrrp0', 'action protodown', 'up-delay 0')));
    rec = await LinkRecorder.start(lab);
    const ctx = () => `${rec!.dump(['vrrp0'])}\n${d.tail()}`;
    const protodown = (want: boolean) =>
      waitFor(`vrrp0 protodown ${want ? 'on' : 'off'}`, () => lab.protodown('vrrp0') === want, { context: ctx });
    expect(lab.protodown('vrrp0')).toBe(false);
    expect((await lab.group('pd')).action).toBe('protodown');

    for (let i = 0; i < 2; i++) {
      lab.cutCarrier('s0');
      await protodown(true);
      expect(lab.ip('-d', 'link', 'show', 'vrrp0')).toMatch(/ protodown on /);
      expect(lab.link('vrrp0')?.flags).toContain('UP');
      // The decision's line names its destinations; each write is said only with -v (as here).
      await d.waitForLog(/pd: s0 lost carrier -> destinations vrrp0 \(protodown\) down/);
      await d.waitForLog(/setting vrrp0 down \(protodown on, reason bit 6\) \(it is protodown-state up\)/);
      lab.restoreCarrier('s0');
      await protodown(false);
      expect(lab.ip('-d', 'link', 'show', 'vrrp0')).not.toMatch(/protodown on/);
      expect(lab.link('vrrp0')?.flags).toContain('UP');
    }

    // Someone else clears protodown while the group is down: set back on. A plain
    // `protodown off` is refused by the kernel while ifdepd's reason bit is set; clearing
    // the bit too is what it takes.
    lab.cutCarrier('s0');
    await protodown(true);
    const mark = d.mark();
    const t = performance.now();
    lab.ip('link', 'set', 'vrrp0', 'protodown', 'off', 'protodown_reason', '6', 'off');
    await waitFor('the daemon to set protodown on again', () => rec!.of('vrrp0', t).filter((e) => e.protodown).length > 0, {
      context: ctx,
    });
    await d.waitForLog(/vrrp0 was set up by someone else -> forcing it down \(protodown on, reason bit 6\)/, 5000, mark);
    expect(lab.protodown('vrrp0')).toBe(true);

    // Four protodown flips and one foreign change, all with the admin state UP throughout.
    // (ip monitor may lag behind the daemon's log under load: wait for it to catch up.)
    await waitFor('the recorder to see four protodown flips', () => rec!.of('vrrp0').filter((e) => e.protodown).length >= 4, {
      context: ctx,
    });
    const changes = rec.of('vrrp0');
    expect(changes.filter((e) => e.protodown).length, ctx()).toBeGreaterThanOrEqual(4);
    expect(changes.every((e) => e.admin === 'up'), ctx()).toBe(true);
    // The status speaks of the destination in protodown terms.
    expect((await lab.status()).destinations).toContainEqual(
      expect.objectContaining({ name: 'vrrp0', action: 'protodown', state: 'down', wanted: 'down' }),
    );
  });

  it('protodown on an admin-down destination follows a flap shorter than a second', async () => {
    // The kernel sends no RTM_NEWLINK for a device that is admin down, so the daemon only
    // learns that its protodown write took effect by re-reading the link.
    lab.addSource('s0');
    lab.addDestination('vrrp0', { up: false });
    const d = await lab.start(config(lab, group('pd', 'sources s0', 'destinations vrrp0', 'action protodown', 'up-delay 0')));
    const ctx = () => `kernel protodown ${String(lab.protodown('vrrp0'))}\n${d.tail()}`;
    lab.cutCarrier('s0');
    await waitFor('vrrp0 protodown on', () => lab.protodown('vrrp0') === true, { context: ctx });
    lab.restoreCarrier('s0');
    await lab.waitGroup('pd', 'up again', (g) => g.decision === 'up');
    // Well past the enforcer's 1 s confirmation timeout.
    await waitFor('vrrp0 protodown off again', () => lab.protodown('vrrp0') === false, { timeout: 4000, context: ctx });
    expect(lab.admin('vrrp0')).toBe('down');
    // No notification comes for an admin-down device: the daemon learns it by re-reading (1 s after the ACK).
    let seen: unknown;
    await waitFor(
      'status to report vrrp0 up, wanted up',
      async () => {
        seen = (await lab.status()).destinations.find((x) => x.name === 'vrrp0');
        return (seen as { state?: string; wanted?: string } | undefined)?.state === 'up' && (seen as { wanted?: string }).wanted === 'up';
      },
      { timeout: 4000, context: () => `status: ${JSON.stringify(seen)}\n${d.tail()}` },
    );
  });

  it('keepalived-track-file writes 1 when down and 0 when up, atomically', async () => {
    lab.addSource('t0');
    lab.addDestination('vrrp0');
    // In a directory that does not exist yet.
    const track = join(lab.dir, 'keepalived', 'uplink.state');
    const d = await lab.start(config(lab, group('uplink', 'sources t0', `action keepalived-track-file ${track}`, 'up-delay 0')));
    rec = await LinkRecorder.start(lab);
    const content = () => (existsSync(track) ? readFileSync(track, 'utf8') : undefined);
    const waitContent = (want: string) =>
      waitFor(`${track} to read ${JSON.stringify(want)}`, () => content() === want, {
        context: () => `content: ${JSON.stringify(content())}\n${d.tail()}`,
      });
    await waitContent('0\n');
    expect((await lab.group('uplink')).action).toBe(`keepalived-track-file ${track}`);

    const stop = lab.file('reader.stop');
    const reader = spawn(process.execPath, ['-e', READER, track, stop], { stdio: ['ignore', 'pipe', 'pipe'] });
    lab.track(reader);
    let out = '';
    let changes: string[] = [];
    reader.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    reader.stderr.setEncoding('utf8').on('data', (c: string) => changes.push(...c.split('\n').filter(Boolean)));
    const done = new Promise<number | null>((resolve) => reader.on('close', resolve));
    /** Until the reader, too, has read `want` (its first read counts). */
    const readerSaw = async (want: string) => {
      await waitFor(`the reader to read ${JSON.stringify(want)}`, () => changes.includes(JSON.stringify(want)), {
        context: () => `reader saw: ${changes.join(' ')}\n${d.tail()}`,
      });
      changes = [];
    };
    try {
      await readerSaw('0\n');
      for (let i = 0; i < 5; i++) {
        lab.cutCarrier('t0');
        await waitContent('1\n');
        await readerSaw('1\n');
        lab.restoreCarrier('t0');
        await waitContent('0\n');
        await readerSaw('0\n');
      }
    } finally {
      writeFileSync(stop, '');
    }
    expect(await done).toBe(0);
    const seen = JSON.parse(out) as { reads: number; seen: Record<string, number>; errors: Record<string, number> };
    // Only ever a whole value: never missing, empty or partial.
    expect(seen.errors, out).toEqual({});
    expect(Object.keys(seen.seen).sort(), out).toEqual(['"0\\n"', '"1\\n"']);
    expect(seen.reads).toBeGreaterThan(100);
    // The track file is the whole action: vrrp0 (not a destination) is never touched.
    expect(rec.of('vrrp0')).toEqual([]);
    // No temporary file left behind.
    expect(readdirSync(join(lab.dir, 'keepalived')).sort()).toEqual(['uplink.state']);
    const g = await lab.group('uplink');
    expect(g).toMatchObject({ decision: 'up', transitions: 10, flaps: 5 });
  });
});

